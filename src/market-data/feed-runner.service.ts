/**
 * Runs the paper exchange's market feed on one instance of the cluster: the leader of a PostgreSQL
 * advisory lock (see leader-lease.ts). Every MARKET_FEED_INTERVAL_MS it steps the feeds to the
 * current slot of the clock (`floor(now / interval) * interval`) and publishes the ticks through
 * MarketDataService. A new leader continues the market from the feed state that came with the last
 * ticks it saw (same seed, same path); the first leader starts it from the seed.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from './clock';
import { CLUSTER_OPTIONS, type ClusterOptions } from './cluster-options';
import { LeaderLease } from './leader-lease';
import { MarketDataService } from './market-data.service';
import { PaperFeeds } from './paper-feeds';

@Injectable()
export class FeedRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FeedRunner.name);
  private readonly lease: LeaderLease;
  private feeds: PaperFeeds | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSlot = -1;
  private stepping: Promise<void> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLUSTER_OPTIONS) cluster: ClusterOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly marketData: MarketDataService,
  ) {
    if (!config.database.url) throw new Error('the database url must be resolved before the feed runner starts');
    this.lease = new LeaderLease({
      url: config.database.url,
      name: `${cluster.prefix}:market-feed`,
      logger: this.logger,
      onElected: () => this.start(),
      onDeposed: () => this.stop(),
    });
  }

  /** True while this instance runs the feed. */
  get isLeader(): boolean {
    return this.lease.isLeader;
  }

  onApplicationBootstrap(): void {
    this.lease.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop();
    await this.stepping;
    await this.lease.stop();
  }

  private start(): void {
    this.feeds = new PaperFeeds(this.config.marketFeed, this.marketData.latestFeedState());
    this.lastSlot = -1;
    this.scheduleNext();
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.feeds = undefined;
  }

  private scheduleNext(): void {
    clearTimeout(this.timer);
    if (!this.feeds) return;
    const interval = this.config.marketFeed.intervalMs;
    const delay = interval - (this.clock.now() % interval);
    this.timer = setTimeout(() => {
      this.stepping = this.step().finally(() => this.scheduleNext());
    }, delay);
  }

  /** One feed step at the current slot; a slot is never stepped twice, a late timer skips to now. */
  private async step(): Promise<void> {
    const feeds = this.feeds;
    if (!feeds) return;
    const interval = this.config.marketFeed.intervalMs;
    const slot = Math.floor(this.clock.now() / interval) * interval;
    if (slot <= this.lastSlot) return;
    this.lastSlot = slot;
    try {
      const ticks = feeds.next(slot);
      await this.marketData.publish(ticks, { feedState: feeds.snapshot() });
    } catch (e) {
      this.logger.error({ msg: 'market feed step failed', error: (e as Error).message });
    }
  }
}
