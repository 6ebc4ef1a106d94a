/**
 * The hot cache of market data: per exchange and symbol, the latest ticker, mark price, funding and
 * depth, served to REST (`getPrice`, `getDepth`) and pushed to the Socket.IO rooms. Memory only: it
 * is rebuilt from the feed within one interval.
 *
 * Ticks come from the feed runner on the leader instance (`publish`). With REDIS_URL set, the leader
 * also sends them on the cluster's Redis channel, and every other instance applies them to its own
 * cache and sockets, so any instance answers `/price` and serves its sockets.
 *
 * Tick consumers (`onTick`): by default a listener runs on the leader only, once per cluster per tick
 * (matching orders, marking positions must happen once); `{everyInstance: true}` runs it everywhere.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import { findPaperContract } from '../contracts/domain/paper-contracts';
import type { MarketTick } from '../exchanges/market-feed/market-tick';
import { CLUSTER_OPTIONS, type ClusterOptions } from './cluster-options';
import type { DepthView, MarketSnapshot, PriceView, TickListener, TickListenerOptions, WireTick } from './market-data.types';
import { limitDepth, tickFromWire, tickToWire, toSnapshot } from './market-views';
import { closeRedis, connectPubSub, type RedisClient } from './redis-client';

export const PAPER_EXCHANGE = 'paper';
export const DEFAULT_DEPTH_LIMIT = 20;
export const MAX_DEPTH_LIMIT = 1000;

type SnapshotListener = (snapshots: MarketSnapshot[]) => void;

interface TickMessage {
  from: string;
  exchange: string;
  ticks: WireTick[];
  feedState?: unknown;
}

@Injectable()
export class MarketDataService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MarketDataService.name);
  private readonly cache = new Map<string, MarketSnapshot>();
  private readonly leaderListeners = new Set<TickListener>();
  private readonly instanceListeners = new Set<TickListener>();
  private readonly snapshotListeners = new Set<SnapshotListener>();
  private readonly instanceId = randomUUID();
  private readonly channel: string;
  private pub: RedisClient | undefined;
  private sub: RedisClient | undefined;
  private feedState: unknown;

  constructor(@Inject(CLUSTER_OPTIONS) private readonly cluster: ClusterOptions) {
    this.channel = `${cluster.prefix}#market-ticks`;
  }

  async onModuleInit(): Promise<void> {
    if (!this.cluster.redisUrl) return;
    ({ pub: this.pub, sub: this.sub } = await connectPubSub(this.cluster.redisUrl, this.logger, 'market-data'));
    await this.sub.subscribe(this.channel, (message: string) => this.onRemote(message));
  }

  async onModuleDestroy(): Promise<void> {
    const { pub, sub } = this;
    this.pub = undefined;
    this.sub = undefined;
    await closeRedis(sub);
    await closeRedis(pub);
  }

  /** True when the symbol is a contract of the exchange (or has had market data). */
  isKnownSymbol(symbol: string, exchange: string = PAPER_EXCHANGE): boolean {
    if (exchange === PAPER_EXCHANGE && findPaperContract(symbol) !== undefined) return true;
    return this.cache.has(key(exchange, symbol));
  }

  /** The latest snapshot, or undefined before the first tick. */
  snapshot(symbol: string, exchange: string = PAPER_EXCHANGE): MarketSnapshot | undefined {
    return this.cache.get(key(exchange, symbol));
  }

  /** Last, mark and index price with funding; NotFoundError SYMBOL_NOT_FOUND or NO_MARKET_DATA. */
  getPrice(symbol: string, exchange: string = PAPER_EXCHANGE): PriceView {
    return this.require(symbol, exchange).price;
  }

  /** The order book, `limit` levels each side (default 20). */
  getDepth(symbol: string, limit: number = DEFAULT_DEPTH_LIMIT, exchange: string = PAPER_EXCHANGE): DepthView {
    const n = Math.max(1, Math.min(MAX_DEPTH_LIMIT, Math.floor(limit)));
    return limitDepth(this.require(symbol, exchange).events.depth, n);
  }

  /**
   * Registers a tick consumer (see the file comment for where it runs). Returns a function that
   * removes it. A listener that throws is logged; the others still run.
   */
  onTick(listener: TickListener, options: TickListenerOptions = {}): () => void {
    const set = options.everyInstance ? this.instanceListeners : this.leaderListeners;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** For the Socket.IO gateway: the snapshots of each applied batch, on every instance. */
  onSnapshots(listener: SnapshotListener): () => void {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  }

  /**
   * Publishes the ticks of one feed step (the leader calls this): updates the cache, pushes to the
   * sockets, sends the ticks to the other instances, then runs the tick consumers in order.
   * `feedState` (JSON) travels with the ticks so that a new leader continues the same market.
   */
  async publish(ticks: MarketTick | MarketTick[], options: { exchange?: string; feedState?: unknown } = {}): Promise<void> {
    const batch = Array.isArray(ticks) ? ticks : [ticks];
    if (batch.length === 0) return;
    const exchange = options.exchange ?? PAPER_EXCHANGE;
    if (options.feedState !== undefined) this.feedState = options.feedState;
    await this.apply(exchange, batch);
    if (this.pub?.isReady) {
      const message: TickMessage = { from: this.instanceId, exchange, ticks: batch.map(tickToWire), feedState: options.feedState };
      this.pub.publish(this.channel, JSON.stringify(message)).catch((e: Error) => {
        this.logger.warn({ msg: 'ticks were not sent to the other instances', error: e.message });
      });
    }
    await this.runListeners(this.leaderListeners, batch);
  }

  /** The feed state that came with the latest ticks (own or the leader's), for a new leader. */
  latestFeedState(): unknown {
    return this.feedState;
  }

  private require(symbol: string, exchange: string): MarketSnapshot {
    const snapshot = this.cache.get(key(exchange, symbol));
    if (snapshot) return snapshot;
    if (!this.isKnownSymbol(symbol, exchange)) {
      throw new NotFoundError('SYMBOL_NOT_FOUND', `symbol ${symbol} was not found on exchange ${exchange}`);
    }
    throw new NotFoundError('NO_MARKET_DATA', `there is no market data for ${symbol} yet`);
  }

  private async apply(exchange: string, ticks: MarketTick[]): Promise<void> {
    const snapshots: MarketSnapshot[] = [];
    for (const tick of ticks) {
      const k = key(exchange, tick.symbol);
      const previous = this.cache.get(k);
      if (previous && previous.ts > tick.ts) continue; // a late message: never go back in time
      const snapshot = toSnapshot(exchange, tick, previous);
      this.cache.set(k, snapshot);
      snapshots.push(snapshot);
    }
    for (const listener of this.snapshotListeners) {
      try {
        listener(snapshots);
      } catch (e) {
        this.logger.error({ msg: 'market data broadcast failed', error: (e as Error).message });
      }
    }
    await this.runListeners(this.instanceListeners, ticks);
  }

  private async runListeners(listeners: Set<TickListener>, ticks: MarketTick[]): Promise<void> {
    for (const listener of listeners) {
      try {
        await listener(ticks);
      } catch (e) {
        this.logger.error({ msg: 'tick consumer failed', error: (e as Error).message });
      }
    }
  }

  private onRemote(raw: string): void {
    let message: TickMessage;
    try {
      message = JSON.parse(raw) as TickMessage;
    } catch {
      return;
    }
    if (message.from === this.instanceId) return;
    if (message.feedState !== undefined) this.feedState = message.feedState;
    void this.apply(message.exchange, message.ticks.map(tickFromWire));
  }
}

function key(exchange: string, symbol: string): string {
  return `${exchange}:${symbol}`;
}
