/**
 * Runs the paper exchange's market feed on one instance of the cluster: the leader of a PostgreSQL
 * advisory lock (see leader-lease.ts). Every MARKET_FEED_INTERVAL_MS it steps the feeds to the
 * current slot of the clock (`floor(now / interval) * interval`) and publishes the ticks through
 * MarketDataService. A new leader continues the market from the feed state that came with the last
 * ticks it saw (same seed, same path). The leader also saves the feed's state in `market_feed_state`
 * (at most once a second, and when it shuts down), so that after a restart of the whole service the
 * market continues where it stopped; only the very first leader starts from the seed.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from './clock';
import { CLUSTER_OPTIONS, type ClusterOptions } from './cluster-options';
import { LeaderLease } from './leader-lease';
import { MarketDataService } from './market-data.service';
import { PaperFeeds } from './paper-feeds';

/** How often the leader saves the feed's state (and once more when it shuts down). */
const SAVE_EVERY_MS = 1000;

@Injectable()
export class FeedRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FeedRunner.name);
  private readonly lease: LeaderLease;
  private feeds: PaperFeeds | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSlot = -1;
  private stepping: Promise<void> = Promise.resolve();
  private starting: Promise<void> = Promise.resolve();
  private lastSavedAt = 0;
  private shuttingDown = false;
  private readonly stateName: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLUSTER_OPTIONS) cluster: ClusterOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly marketData: MarketDataService,
    private readonly dataSource: DataSource,
  ) {
    this.stateName = `${cluster.prefix}:market-feed`;
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
    this.shuttingDown = true;
    const feeds = this.feeds;
    this.stop();
    await this.starting;
    await this.stepping;
    if (feeds && this.lease.isLeader) await this.saveState(feeds);
    await this.lease.stop();
  }

  private start(): void {
    this.starting = this.resume().catch((e: unknown) => this.logger.error({ msg: 'market feed start failed', error: (e as Error).message }));
  }

  /** Continues from the state that came with the last ticks seen, else the saved one, else the seed. */
  private async resume(): Promise<void> {
    const state = this.marketData.latestFeedState() ?? (await this.savedState());
    if (!this.lease.isLeader || this.shuttingDown) return; // deposed or stopping while reading
    this.feeds = new PaperFeeds(this.config.marketFeed, state);
    this.lastSlot = -1;
    this.scheduleNext();
  }

  private async savedState(): Promise<unknown> {
    try {
      const rows = (await this.dataSource.query('SELECT state FROM market_feed_state WHERE name = $1', [this.stateName])) as { state: unknown }[];
      return rows[0]?.state;
    } catch (e) {
      this.logger.warn({ msg: 'saved market feed state unreadable; starting from the seed', error: (e as Error).message });
      return undefined;
    }
  }

  private async saveState(feeds: PaperFeeds): Promise<void> {
    this.lastSavedAt = this.clock.now();
    try {
      await this.dataSource.query(
        `INSERT INTO market_feed_state (name, state, updated_at) VALUES ($1, $2, CURRENT_TIMESTAMP)
         ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
        [this.stateName, JSON.stringify(feeds.snapshot())],
      );
    } catch (e) {
      this.logger.warn({ msg: 'market feed state not saved', error: (e as Error).message });
    }
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
      if (this.clock.now() - this.lastSavedAt >= SAVE_EVERY_MS && this.feeds === feeds) await this.saveState(feeds);
    } catch (e) {
      this.logger.error({ msg: 'market feed step failed', error: (e as Error).message });
    }
  }
}
