/**
 * The paper exchange engine: a pure, deterministic matching and margin engine.
 *
 * - Every command carries its clock value `ts` (epoch ms, never decreasing); nothing reads the time
 *   or a random source, so the same commands give byte-identical results.
 * - Every command returns the events it produced (order updates, fills, positions, ledger entries,
 *   funding, liquidations, delivery, insurance fund) in the order they happened. A persistence layer
 *   runs one command, writes its events (and, if it wants, `snapshot()`) in one transaction, then
 *   publishes them. A command that throws has changed nothing.
 * - `snapshot()` is JSON-serializable (decimal strings); `PaperEngine.restore(snapshot)` continues
 *   exactly as the original would.
 */
import { type Decimal, ZERO } from '../../../common/decimal';
import type { ContractSpec } from '../../../contracts/domain/contract-spec';
import { ConflictError, ValidationError } from '../../../common/errors';
import { ExchangeErrorCode as C, invalid, orderNotFound, rejected } from '../../exchange-errors';
import { lastFundingTime, type MarketTick } from '../../market-feed/market-tick';
import type { MarginMode, PositionMode, PositionSide } from '../../types';
import { OpContext } from './context';
import * as cm from './contract-math';
import type { AccountState, EngineEvent, EngineState, OrderState, PlaceOrderCommand } from './engine-types';
import { finish } from './execution';
import { settleDelivery, settleFunding, type FundingCommand } from './funding';
import { assetMargin, positionInitial, specOf } from './margin';
import { placeOrder } from './placement';
import { decodeState, encodeAccount, encodeState, forkState, forkWith, type DecodedBase, type EngineSnapshot } from './snapshot';
import { LiquidationWatch } from './liquidation-watch';
import { tickBounds, type TickBounds } from './tick-bounds';
import { processTick } from './tick';
import { orderView, positionKey, positionView } from './views';
import { maxLeverageForNotional, maxNotionalForLeverage } from '../../../contracts/domain/brackets';
import { accountView, positionViews, tradingView, type AccountView, type TradingView } from './queries';
import type { Order, Position } from '../../types';

export interface Result<T = void> {
  value: T;
  events: EngineEvent[];
}

export class PaperEngine {
  /** Legs and their liquidation bounds per symbol: runtime only, re-indexed when an account changes. */
  private readonly watch = new LiquidationWatch();

  private constructor(private readonly state: EngineState) {
    this.watch.markAllDirty(state);
  }

  static create(p: { contracts: readonly ContractSpec[] }): PaperEngine {
    const contracts = new Map<string, ContractSpec>();
    for (const c of p.contracts) contracts.set(c.symbol, c);
    return new PaperEngine({ seq: 0, contracts, accounts: new Map(), markets: new Map(), insuranceFund: new Map(), ts: 0 });
  }

  static restore(snapshot: EngineSnapshot): PaperEngine {
    return new PaperEngine(decodeState(snapshot));
  }

  /** The same as `restore` of the base's snapshot with these accounts, seq and clock (see `forkState`). */
  static restoreOn(base: DecodedBase, accounts: EngineSnapshot['accounts'], seq: number, ts: number): PaperEngine {
    return new PaperEngine(forkState(base, accounts, seq, ts));
  }

  /**
   * `restoreOn` with accounts as another engine left them (`accountState`): this engine takes them
   * over and mutates them; the one that left them must not be used any more.
   */
  static restoreOnAccounts(base: DecodedBase, accounts: readonly AccountState[], seq: number, ts: number): PaperEngine {
    return new PaperEngine(forkWith(base, accounts, seq, ts));
  }

  /** The account's live state (not a copy): for handing it over to `restoreOnAccounts`. */
  accountState(accountId: string): AccountState {
    return this.account(accountId);
  }

  snapshot(): EngineSnapshot {
    return encodeState(this.state);
  }

  /**
   * One account's part of `snapshot()` (encoded the same way) with the engine's seq and clock: what
   * a store that saves accounts one by one needs, without encoding the markets and other accounts.
   */
  snapshotAccount(accountId: string): { seq: number; ts: number; account: EngineSnapshot['accounts'][number] } {
    return { seq: this.state.seq, ts: this.state.ts, account: encodeAccount(this.account(accountId)) };
  }

  get contracts(): ContractSpec[] {
    return [...this.state.contracts.values()];
  }

  /** Runs `fn` in an operation context; a failure leaves the state untouched (validated before mutation). */
  private run<T>(ts: number, fn: (ctx: OpContext) => T): Result<T> {
    if (!Number.isInteger(ts) || ts < this.state.ts) throw invalid(C.INVALID_ORDER, `ts ${ts} is before the engine clock ${this.state.ts}`, 'ts');
    const ctx = new OpContext(this.state, ts);
    const value = fn(ctx);
    this.state.ts = ts;
    for (const e of ctx.events) if ('accountId' in e) this.watch.markDirty(e.accountId);
    return { value, events: ctx.events };
  }

  private account(accountId: string): AccountState {
    const a = this.state.accounts.get(accountId);
    if (!a) throw new ValidationError('ACCOUNT_NOT_FOUND', `paper account ${accountId} does not exist`);
    return a;
  }

  openAccount(p: { accountId: string; ts: number; positionMode?: PositionMode }): Result {
    return this.run(p.ts, () => {
      if (this.state.accounts.has(p.accountId)) throw new ConflictError('ACCOUNT_EXISTS', `paper account ${p.accountId} exists`);
      this.state.accounts.set(p.accountId, {
        accountId: p.accountId,
        positionMode: p.positionMode ?? 'ONE_WAY',
        wallets: new Map(),
        settings: new Map(),
        positions: new Map(),
        openOrders: new Map(),
        orderHistory: [],
        ledger: [],
      });
    });
  }

  /** Deposit (amount > 0) or withdrawal (amount < 0, at most the available balance): a TRANSFER entry. */
  transfer(p: { accountId: string; ts: number; asset: string; amount: Decimal }): Result {
    const account = this.account(p.accountId);
    return this.run(p.ts, (ctx) => {
      if (p.amount.lt(0) && assetMargin(this.state, account, p.asset).available.lt(p.amount.abs())) {
        throw rejected(C.INSUFFICIENT_MARGIN, `withdrawal of ${p.amount.abs().toFixed()} ${p.asset} exceeds the available balance`);
      }
      ctx.book(account, { asset: p.asset, type: 'TRANSFER', amount: p.amount, symbol: '', ref: `transfer-${this.state.seq + 1}` });
    });
  }

  placeOrder(cmd: PlaceOrderCommand): Result<Order> {
    const account = this.account(cmd.accountId);
    return this.run(cmd.ts, (ctx) => orderView(placeOrder(ctx, account, cmd)));
  }

  cancelOrder(p: { accountId: string; ts: number; symbol: string; orderId?: string; clientOrderId?: string }): Result<Order> {
    const account = this.account(p.accountId);
    return this.run(p.ts, (ctx) => {
      const o = this.findOpen(account, p);
      if (!o) throw orderNotFound(`no open order ${p.orderId ?? p.clientOrderId} on ${p.symbol}`);
      finish(ctx, account, o, 'CANCELED');
      return orderView(o);
    });
  }

  cancelAll(p: { accountId: string; ts: number; symbol: string }): Result<Order[]> {
    const account = this.account(p.accountId);
    return this.run(p.ts, (ctx) =>
      [...account.openOrders.values()].filter((o) => o.symbol === p.symbol).map((o) => {
        finish(ctx, account, o, 'CANCELED');
        return orderView(o);
      }),
    );
  }

  private findOpen(account: AccountState, p: { symbol: string; orderId?: string; clientOrderId?: string }): OrderState | undefined {
    if (p.orderId !== undefined) {
      const o = account.openOrders.get(p.orderId);
      return o && o.symbol === p.symbol ? o : undefined;
    }
    for (const o of account.openOrders.values()) if (o.symbol === p.symbol && o.clientOrderId === p.clientOrderId) return o;
    return undefined;
  }

  /** Leverage limited by the brackets at the position's notional (Binance -2027/-4028). */
  setLeverage(p: { accountId: string; ts: number; symbol: string; leverage: number }): Result<{ leverage: number; maxNotional: Decimal }> {
    const account = this.account(p.accountId);
    const spec = specOf(this.state, p.symbol);
    return this.run(p.ts, (ctx) => {
      if (!Number.isInteger(p.leverage) || p.leverage < 1 || p.leverage > spec.maxLeverage) {
        throw rejected(C.LEVERAGE_TOO_HIGH, `leverage ${p.leverage} is outside 1..${spec.maxLeverage}`);
      }
      for (const pos of account.positions.values()) {
        if (pos.symbol !== p.symbol) continue;
        const n = cm.notional(spec, pos.amount.abs(), this.state.markets.get(p.symbol)?.tick.markPrice ?? pos.entryPrice);
        if (p.leverage > maxLeverageForNotional(spec.brackets, n)) throw rejected(C.LEVERAGE_TOO_HIGH, `leverage ${p.leverage} is above the bracket's for the position notional`);
      }
      const s = account.settings.get(p.symbol) ?? { leverage: cm.defaultLeverage(spec), marginMode: 'CROSSED' as MarginMode };
      account.settings.set(p.symbol, { ...s, leverage: p.leverage });
      for (const pos of account.positions.values()) {
        if (pos.symbol !== p.symbol) continue;
        pos.leverage = p.leverage;
        ctx.events.push({ type: 'POSITION', accountId: account.accountId, ts: ctx.ts, position: positionView(pos) });
      }
      return { leverage: p.leverage, maxNotional: maxNotionalForLeverage(spec.brackets, p.leverage) };
    });
  }

  /** Refused while the symbol has a position or open orders (Binance -4047/-4048). */
  setMarginMode(p: { accountId: string; ts: number; symbol: string; marginMode: MarginMode }): Result {
    const account = this.account(p.accountId);
    const spec = specOf(this.state, p.symbol);
    return this.run(p.ts, () => {
      const busy = [...account.positions.values()].some((x) => x.symbol === p.symbol) || [...account.openOrders.values()].some((o) => o.symbol === p.symbol);
      if (busy) throw rejected(C.POSITION_OR_ORDERS_EXIST, `margin mode of ${p.symbol} cannot change with a position or open orders`);
      const s = account.settings.get(p.symbol) ?? { leverage: cm.defaultLeverage(spec), marginMode: p.marginMode };
      account.settings.set(p.symbol, { ...s, marginMode: p.marginMode });
    });
  }

  /** Refused while the account has any position or open order (Binance -4059/-4068). */
  setPositionMode(p: { accountId: string; ts: number; mode: PositionMode }): Result {
    const account = this.account(p.accountId);
    return this.run(p.ts, () => {
      if (account.positionMode === p.mode) return;
      if (account.positions.size > 0 || account.openOrders.size > 0) throw rejected(C.POSITION_OR_ORDERS_EXIST, 'position mode cannot change with positions or open orders');
      account.positionMode = p.mode;
    });
  }

  /** Adds to (delta > 0, from the available balance) or removes from an isolated leg's wallet (keeping its initial margin). */
  modifyIsolatedMargin(p: { accountId: string; ts: number; symbol: string; positionSide?: PositionSide; delta: Decimal }): Result {
    const account = this.account(p.accountId);
    const side = account.positionMode === 'ONE_WAY' ? 'BOTH' : (p.positionSide ?? 'BOTH');
    const pos = account.positions.get(positionKey(p.symbol, side));
    if (!pos || pos.marginMode !== 'ISOLATED') throw rejected(C.INVALID_ORDER, `no isolated position on ${p.symbol} ${side}`);
    return this.run(p.ts, (ctx) => {
      const spec = specOf(this.state, p.symbol);
      if (p.delta.gt(0) && assetMargin(this.state, account, spec.marginAsset).available.lt(p.delta)) throw rejected(C.INSUFFICIENT_MARGIN, 'not enough available balance to add margin');
      if (p.delta.lt(0) && pos.isolatedMargin.plus(p.delta).lt(positionInitial(this.state, pos))) throw rejected(C.INSUFFICIENT_MARGIN, 'margin cannot go below the initial margin');
      pos.isolatedMargin = pos.isolatedMargin.plus(p.delta);
      ctx.events.push({ type: 'POSITION', accountId: account.accountId, ts: ctx.ts, position: positionView(pos) });
    });
  }

  /** Marks, triggers, matches, funds, settles and liquidates against one market snapshot. */
  applyTick(tick: MarketTick): Result {
    specOf(this.state, tick.symbol);
    return this.run(tick.ts, (ctx) => processTick(ctx, tick, this.watch));
  }

  /** Books one funding time explicitly (replays with a funding file); idempotent per funding time. */
  settleFunding(p: FundingCommand & { ts: number }): Result {
    return this.run(p.ts, (ctx) => settleFunding(ctx, this.state.accounts.values(), p));
  }

  /** Settles a delivery contract at `price` (once). */
  settleDelivery(p: { symbol: string; ts: number; price: Decimal }): Result {
    return this.run(p.ts, (ctx) => settleDelivery(ctx, this.state.accounts.values(), p.symbol, p.price));
  }

  /* ---- queries (copies) ---- */

  getAccount(accountId: string): AccountView {
    return accountView(this.state, this.account(accountId));
  }

  /** What market prices leave the account untouched (see tick-bounds.ts); undefined: run it on every tick. */
  tickBounds(accountId: string): TickBounds | undefined {
    return tickBounds(this.state, this.account(accountId));
  }

  /** The account's positions as `getAccount` shows them, without its balances and open orders. */
  getPositions(accountId: string): Position[] {
    return positionViews(this.state, this.account(accountId));
  }

  /** Modes, settings and leg sizes only (no margins computed): what the pre-trade checks need. */
  getTradingView(accountId: string): TradingView {
    return tradingView(this.account(accountId));
  }

  accountIds(): string[] {
    return [...this.state.accounts.keys()];
  }

  getOrder(p: { accountId: string; symbol: string; orderId?: string; clientOrderId?: string }): Order {
    const account = this.account(p.accountId);
    const open = this.findOpen(account, p);
    if (open) return orderView(open);
    for (let i = account.orderHistory.length - 1; i >= 0; i--) {
      const o = account.orderHistory[i];
      if (o.symbol === p.symbol && (p.orderId !== undefined ? o.orderId === p.orderId : o.clientOrderId === p.clientOrderId)) return orderView(o);
    }
    throw orderNotFound(`order ${p.orderId ?? p.clientOrderId} on ${p.symbol} does not exist`);
  }

  market(symbol: string): MarketTick | undefined {
    return this.state.markets.get(symbol)?.tick;
  }

  insuranceFund(asset: string): Decimal {
    return this.state.insuranceFund.get(asset) ?? ZERO;
  }

  /** The latest funding time at or before `ts` for `symbol`. */
  fundingTimeAt(symbol: string, ts: number): number {
    return lastFundingTime(ts, cm.fundingIntervalMs(specOf(this.state, symbol)));
  }
}
