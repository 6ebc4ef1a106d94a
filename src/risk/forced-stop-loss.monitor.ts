/**
 * Enforces the forced stop-loss of users' risk limits (`forcedStopLossPct`, set by an admin with
 * `PUT /api/v1/admin/users/{id}/risk-limits`): on the feed's leader, after each batch of ticks, every
 * active paper account whose user has the limit is checked at the current mark prices, and each
 * position whose ROE is at or below −pct % is closed at market — in the account's locked
 * transaction, so it is serialized with the user's own orders and the tick pass. The user gets the
 * order, trade and position events of the close and an `alert` FORCED_STOP_LOSS.
 */
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AlertsService } from '../alerts/alerts.service';
import { dec, toApi } from '../common/decimal';
import { PaperExchangeService, type PaperOutcome } from '../exchanges/paper/paper-exchange.service';
import type { Order } from '../exchanges/types';
import { MarketDataService } from '../market-data/market-data.service';
import { forcedStopLossCloses, type ForcedClose } from './domain/forced-stop-loss';
import { RiskLimitsRepository } from './risk-limits.repository';

interface Limited {
  exchangeAccountId: number;
  userId: number;
  pct: string;
}

@Injectable()
export class ForcedStopLossMonitor implements OnModuleInit {
  private readonly logger = new Logger(ForcedStopLossMonitor.name);
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly paper: PaperExchangeService,
    private readonly marketData: MarketDataService,
    private readonly alerts: AlertsService,
    private readonly limits: RiskLimitsRepository,
  ) {}

  onModuleInit(): void {
    this.marketData.onTick(() => {
      this.running = this.running.then(async () => void (await this.enforce())).catch((e: unknown) => this.logger.error({ msg: 'forced stop-loss pass failed', error: (e as Error).message }));
      return this.running;
    });
  }

  /** One pass over the accounts with a forced stop-loss; returns the closes it made. */
  async enforce(): Promise<{ exchangeAccountId: number; close: ForcedClose; order: Order }[]> {
    const limits = await this.limits.forcedStopLosses(this.dataSource.manager);
    if (limits.size === 0) return [];
    const done: { exchangeAccountId: number; close: ForcedClose; order: Order }[] = [];
    // only the accounts of the users with the limit are read
    for (const active of await this.paper.activeViews([...limits.keys()])) {
      const { exchangeAccountId, userId } = active;
      const pct = limits.get(userId);
      if (pct === undefined) continue;
      // checked first on the unlocked view (computed only for the users with a limit): most passes close nothing and take no lock
      if (forcedStopLossCloses(active.view.positionMode, active.view.positions, dec(pct)).length === 0) continue;
      try {
        done.push(...(await this.enforceOn({ exchangeAccountId, userId, pct })));
      } catch (e) {
        this.logger.error({ msg: 'forced stop-loss failed for an account', exchangeAccountId, error: (e as Error).message });
      }
    }
    return done;
  }

  /** Closes, under the account's lock, what its locked state still has past the limit. */
  private async enforceOn(account: Limited): Promise<{ exchangeAccountId: number; close: ForcedClose; order: Order }[]> {
    const pct = dec(account.pct);
    const outcomes: { close: ForcedClose; outcome: PaperOutcome<Order> }[] = [];
    await this.dataSource.transaction(async (m) => {
      const locked = await this.paper.lockForUpdate(m, account.exchangeAccountId);
      for (const close of forcedStopLossCloses(locked.view.positionMode, locked.view.positions, pct)) {
        const outcome = await locked.execute((engine, c) =>
          engine.placeOrder({
            accountId: c.accountId,
            ts: c.ts,
            symbol: close.symbol,
            side: close.side,
            type: 'MARKET',
            qty: close.qty,
            positionSide: close.positionSide,
            reduceOnly: close.reduceOnly || undefined,
            clientOrderId: `fsl-${c.ts}-${close.symbol}-${close.positionSide[0]}`,
          }),
        );
        outcomes.push({ close, outcome });
      }
    });
    for (const { close, outcome } of outcomes) {
      this.paper.publish(outcome);
      await this.alerts.raise({
        userId: account.userId,
        exchangeAccountId: account.exchangeAccountId,
        code: 'FORCED_STOP_LOSS',
        severity: 'critical',
        symbol: close.symbol,
        message: `Your ${close.symbol} position was closed at market: its ROE ${toApi(close.roePct.round(2, 0))}% reached your forced stop-loss of -${toApi(pct)}%`,
        details: { positionSide: close.positionSide, roePct: toApi(close.roePct.round(2, 0)), limitPct: toApi(pct), orderId: outcome.value.orderId },
      });
    }
    return outcomes.map(({ close, outcome }) => ({ exchangeAccountId: account.exchangeAccountId, close, order: outcome.value }));
  }
}
