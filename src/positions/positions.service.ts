/**
 * Accounts, positions and margin of the paper exchange, at the current marks; leverage, margin
 * mode, position mode and isolated margin; the ledger (income) and funding payments.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import type { Caller } from '../auth/auth.decorators';
import { dec, toApi, ZERO, type Decimal } from '../common/decimal';
import { ValidationError } from '../common/errors';
import { ContractsService } from '../contracts/contracts.service';
import { toExchangeDisplay } from '../contracts/domain';
import type { AccountView } from '../exchanges/paper/domain/queries';
import { PaperExchangeService } from '../exchanges/paper/paper-exchange.service';
import type { Position } from '../exchanges/types';
import type { LedgerQueryDto } from './dto/positions.dto';

const show = (d: Decimal) => toExchangeDisplay(d);

export function positionView(p: Position) {
  return {
    symbol: p.symbol,
    side: p.qty.gte(0) ? 'LONG' : 'SHORT',
    positionSide: p.positionSide,
    size: toApi(p.qty.abs()),
    entryPrice: toApi(p.entryPrice.round(8, 1)),
    markPrice: toApi(p.markPrice),
    liquidationPrice: p.liquidationPrice.gt(0) ? toApi(p.liquidationPrice) : null,
    margin: show(p.marginMode === 'ISOLATED' ? p.isolatedMargin : p.initialMargin),
    initialMargin: show(p.initialMargin),
    maintenanceMargin: show(p.maintenanceMargin),
    unrealizedPnl: show(p.unrealizedPnl),
    notional: show(p.notional),
    leverage: p.leverage,
    marginMode: p.marginMode === 'ISOLATED' ? 'isolated' : 'cross',
    marginAsset: p.marginAsset,
  };
}

/** Each asset's balances and margin in use, at the view's marks (`GET /contracts/account`, the `account` event). */
export function assetViews(view: AccountView) {
  return view.balances.map((b) => {
    const legs = view.positions.filter((p) => p.marginAsset === b.asset);
    const im = legs.reduce((s, p) => s.plus(p.initialMargin), ZERO);
    const mm = legs.reduce((s, p) => s.plus(p.maintenanceMargin), ZERO);
    return {
      asset: b.asset,
      walletBalance: toApi(b.walletBalance),
      unrealizedPnl: show(b.unrealizedPnl),
      marginBalance: show(b.marginBalance),
      availableBalance: show(b.availableBalance),
      initialMargin: show(im),
      maintenanceMargin: show(mm),
    };
  });
}

/** Risk level by distance to liquidation (fraction of the mark price). */
export function riskLevel(distance: Decimal | null): 'low' | 'medium' | 'high' | 'critical' {
  if (distance === null) return 'low';
  if (distance.lt('0.02')) return 'critical';
  if (distance.lt('0.05')) return 'high';
  if (distance.lt('0.15')) return 'medium';
  return 'low';
}

@Injectable()
export class PositionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly contracts: ContractsService,
    private readonly paper: PaperExchangeService,
  ) {}

  private async view(caller: Caller, accountId?: number): Promise<{ id: number; view: AccountView }> {
    const account = await this.accounts.resolveForUser(caller.id, accountId);
    return { id: account.id, view: await this.paper.view(account.id) };
  }

  async account(caller: Caller, accountId?: number) {
    const { id, view } = await this.view(caller, accountId);
    return { accountId: id, exchange: 'paper', positionMode: view.positionMode, assets: assetViews(view) };
  }

  async positions(caller: Caller, accountId?: number) {
    const { view } = await this.view(caller, accountId);
    return view.positions.filter((p) => !p.qty.eq(0)).map(positionView);
  }

  async margin(caller: Caller, accountId?: number) {
    const { id, view } = await this.view(caller, accountId);
    const assets = view.balances.map((b) => {
      const mm = view.positions.filter((p) => p.marginAsset === b.asset).reduce((s, p) => s.plus(p.maintenanceMargin), ZERO);
      const ratio = b.marginBalance.gt(0) ? mm.div(b.marginBalance) : null;
      return {
        asset: b.asset,
        marginBalance: show(b.marginBalance),
        maintenanceMargin: show(mm),
        marginRatio: ratio === null ? null : toApi(ratio.round(8, 3)),
      };
    });
    const positions = view.positions.filter((p) => !p.qty.eq(0)).map((p) => {
      const distance = p.liquidationPrice.gt(0) ? p.markPrice.minus(p.liquidationPrice).abs().div(p.markPrice) : null;
      return {
        ...positionView(p),
        distanceToLiquidation: distance === null ? null : toApi(distance.round(8, 0)),
        riskLevel: riskLevel(distance),
      };
    });
    return { accountId: id, assets, positions };
  }

  private async command<T>(caller: Caller, accountId: number | undefined, fn: Parameters<PaperExchangeService['execute']>[2]) {
    const account = await this.accounts.resolveForUser(caller.id, accountId);
    const outcome = await this.dataSource.transaction((m) => this.paper.execute(m, account.id, fn));
    this.paper.publish(outcome);
    return { accountId: account.id, outcome: outcome as { value: T; view: AccountView } };
  }

  private requireSymbol(symbol: string) {
    const spec = this.contracts.findSpec(symbol);
    if (!spec) throw new ValidationError('UNKNOWN_SYMBOL', `Unknown symbol ${symbol}`, [{ field: 'symbol', code: 'UNKNOWN_SYMBOL', message: `Unknown symbol ${symbol}` }]);
    return spec;
  }

  async setLeverage(caller: Caller, symbol: string, leverage: number, accountId?: number) {
    this.requireSymbol(symbol);
    const { outcome } = await this.command<{ leverage: number; maxNotional: Decimal }>(caller, accountId, (e, c) =>
      e.setLeverage({ accountId: c.accountId, ts: c.ts, symbol, leverage }),
    );
    return { symbol, leverage: outcome.value.leverage, maxNotionalValue: toApi(outcome.value.maxNotional) };
  }

  async setMarginMode(caller: Caller, symbol: string, marginMode: 'isolated' | 'cross', accountId?: number) {
    this.requireSymbol(symbol);
    await this.command(caller, accountId, (e, c) =>
      e.setMarginMode({ accountId: c.accountId, ts: c.ts, symbol, marginMode: marginMode === 'isolated' ? 'ISOLATED' : 'CROSSED' }),
    );
    return { symbol, marginMode };
  }

  async setPositionMode(caller: Caller, dualSidePosition: boolean, accountId?: number) {
    const { accountId: id } = await this.command(caller, accountId, (e, c) =>
      e.setPositionMode({ accountId: c.accountId, ts: c.ts, mode: dualSidePosition ? 'HEDGE' : 'ONE_WAY' }),
    );
    await this.dataSource.query('UPDATE exchange_accounts SET dual_side_position = $2, updated_at = now() WHERE id = $1', [id, dualSidePosition]);
    return { dualSidePosition };
  }

  async modifyMargin(caller: Caller, symbol: string, input: { amount: string; type: 'ADD' | 'REDUCE'; positionSide?: 'BOTH' | 'LONG' | 'SHORT'; accountId?: number }) {
    this.requireSymbol(symbol);
    const delta = input.type === 'ADD' ? dec(input.amount) : dec(input.amount).neg();
    const { outcome } = await this.command(caller, input.accountId, (e, c) =>
      e.modifyIsolatedMargin({ accountId: c.accountId, ts: c.ts, symbol, positionSide: input.positionSide, delta }),
    );
    const leg = outcome.view.positions.find((p) => p.symbol === symbol && (input.positionSide === undefined || p.positionSide === input.positionSide));
    return leg ? positionView(leg) : null;
  }

  async income(caller: Caller, q: LedgerQueryDto) {
    const account = await this.accounts.resolveForUser(caller.id, q.accountId);
    const params: unknown[] = [account.id];
    let where = 'exchange_account_id = $1';
    if (q.symbol) where += ` AND symbol = $${params.push(q.symbol)}`;
    if (q.type) where += ` AND type = $${params.push(q.type)}`;
    if (q.cursor) where += ` AND id < $${params.push(q.cursor)}`;
    const rows: { id: string; entry_id: string; time: Date; asset: string; type: string; amount: string; balance_after: string; symbol: string; ref: string }[] =
      await this.dataSource.query(`SELECT * FROM paper_ledger WHERE ${where} ORDER BY id DESC LIMIT $${params.push(q.limit + 1)}`, params);
    const items = rows.slice(0, q.limit).map((r) => ({
      id: Number(r.id),
      type: r.type,
      asset: r.asset,
      amount: toApi(dec(r.amount)),
      balanceAfter: toApi(dec(r.balance_after)),
      symbol: r.symbol || null,
      ref: r.ref,
      time: r.time.toISOString(),
    }));
    return { items, nextCursor: rows.length > q.limit ? String(items[items.length - 1].id) : null };
  }

  async fundingPayments(caller: Caller, q: LedgerQueryDto) {
    const account = await this.accounts.resolveForUser(caller.id, q.accountId);
    const params: unknown[] = [account.id];
    let where = 'exchange_account_id = $1';
    if (q.symbol) where += ` AND symbol = $${params.push(q.symbol)}`;
    if (q.cursor) where += ` AND id < $${params.push(q.cursor)}`;
    const rows: { id: string; symbol: string; position_side: string; funding_time: Date; funding_rate: string; mark_price: string; amount: string; asset: string }[] =
      await this.dataSource.query(`SELECT * FROM funding_payments WHERE ${where} ORDER BY id DESC LIMIT $${params.push(q.limit + 1)}`, params);
    const items = rows.slice(0, q.limit).map((r) => ({
      id: Number(r.id),
      symbol: r.symbol,
      positionSide: r.position_side,
      fundingTime: r.funding_time.toISOString(),
      fundingRate: toApi(dec(r.funding_rate)),
      markPrice: toApi(dec(r.mark_price)),
      amount: toApi(dec(r.amount)),
      asset: r.asset,
    }));
    return { items, nextCursor: rows.length > q.limit ? String(items[items.length - 1].id) : null };
  }

  /** Admin: credits (a deposit) a user's paper account. */
  async paperDeposit(userId: number, asset: string, amount: string) {
    const account = await this.accounts.resolveForUser(userId);
    const outcome = await this.dataSource.transaction((m) =>
      this.paper.execute(m, account.id, (e, c) => e.transfer({ accountId: c.accountId, ts: c.ts, asset, amount: dec(amount) })),
    );
    this.paper.publish(outcome);
    const balance = outcome.view.balances.find((b) => b.asset === asset);
    return { accountId: account.id, asset, amount: toApi(dec(amount)), walletBalance: balance ? toApi(balance.walletBalance) : toApi(dec(amount)) };
  }
}
