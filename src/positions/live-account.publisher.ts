/**
 * Live PnL and margin for dashboards: on the feed's leader, at most once a second, every user with
 * open positions receives `account` (each margin asset: balances, unrealized PnL, margin in use,
 * recomputed at the current mark prices) and `position` events (mark price, unrealized PnL,
 * liquidation price), even when nothing was traded. Events caused by trading are sent as they
 * happen by the trading events publisher; this one covers the marks moving.
 */
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PaperExchangeService } from '../exchanges/paper/paper-exchange.service';
import { MarketDataService } from '../market-data/market-data.service';
import { UserEventsService } from '../realtime/user-events.service';
import { assetViews, positionView } from './positions.service';

/** The shortest time between two live updates of one account. */
export const LIVE_ACCOUNT_INTERVAL_MS = 1000;

@Injectable()
export class LiveAccountPublisher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LiveAccountPublisher.name);
  private lastRun = 0;
  private running = false;
  private round: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly paper: PaperExchangeService,
    private readonly marketData: MarketDataService,
    private readonly events: UserEventsService,
  ) {}

  onModuleInit(): void {
    // Not awaited: the tick consumers after this one do not wait for the dashboards.
    this.marketData.onTick(() => {
      this.maybeRun();
    });
  }

  /** No round starts once the application is stopping (its Redis and database go away next). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.round;
  }

  private maybeRun(): void {
    const now = Date.now();
    if (this.stopped || this.running || now - this.lastRun < LIVE_ACCOUNT_INTERVAL_MS) return;
    this.running = true;
    this.lastRun = now;
    this.round = this.publishAll()
      .then(() => undefined)
      .catch((e: unknown) => this.logger.error({ msg: 'live account update failed', error: (e as Error).message }))
      .finally(() => {
        this.running = false;
      });
  }

  /** One round: every active paper account with an open position and a listener, at the current marks (one read of the listeners' accounts). */
  async publishAll(): Promise<number> {
    let sent = 0;
    // only the accounts of users with a socket somewhere are read (none at all when nobody listens)
    const listening = this.events.listeningUsers();
    if (listening.length === 0) return 0;
    for (const active of await this.paper.activeViews(listening)) {
      if (this.stopped) break;
      const { exchangeAccountId, userId } = active;
      // nobody to tell: the view is not even computed
      if (!this.events.hasListeners(userId)) continue;
      const { view } = active;
      const open = view.positions.filter((p) => !p.qty.eq(0));
      if (open.length === 0) continue;
      const assets = new Set(open.map((p) => p.marginAsset));
      for (const a of assetViews(view).filter((x) => assets.has(x.asset))) {
        this.events.emitToUser(userId, 'account', { accountId: exchangeAccountId, ...a });
      }
      for (const p of open) this.events.emitToUser(userId, 'position', positionView(p));
      sent += 1;
    }
    return sent;
  }
}
