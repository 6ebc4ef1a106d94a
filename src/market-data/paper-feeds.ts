/**
 * The paper exchange's market: one feed per paper contract, stepped together to one timestamp.
 *
 * - `synthetic` (default): a SyntheticFeed per symbol, seeded from MARKET_FEED_SEED (the symbol's
 *   position in PAPER_CONTRACTS offsets the seed, so BTCUSDT and BTCUSD_PERP do not move in lockstep).
 * - `replay:<klines.csv>[,<funding.csv>]`: a Binance kline CSV replayed for the symbol its file name
 *   names (`BTCUSDT-1m-2024-01.csv`; BTCUSDT otherwise), with the funding rates of a Binance
 *   funding-rate CSV, restamped to the live clock and looped at its end; the other symbols stay
 *   synthetic.
 *
 * The state (`snapshot()`, JSON) lets another instance continue the same market where this one
 * stopped: same seed, same sequence of steps, same prices.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ZERO } from '../common/decimal';
import { PAPER_CONTRACTS } from '../contracts/domain/paper-contracts';
import type { ContractSpec } from '../contracts/domain/contract-spec';
import { parseFundingCsv, parseKlineCsv } from '../exchanges/market-feed/kline-csv';
import { type MarketTick, nextFundingTime } from '../exchanges/market-feed/market-tick';
import { ReplayFeed } from '../exchanges/market-feed/replay-feed';
import { SyntheticFeed, type SyntheticFeedState } from '../exchanges/market-feed/synthetic-feed';

/** Where the synthetic market starts, by base asset (decimal strings). */
const INITIAL_PRICES: Record<string, string> = { BTC: '43250', ETH: '2300' };
const DEFAULT_INITIAL_PRICE = '100';
const SEED_STRIDE = 7919;
const HOUR_MS = 3_600_000;

export interface PaperFeedsConfig {
  /** `synthetic` or `replay:<csv path>`. */
  source: string;
  seed: number;
}

export interface PaperFeedsState {
  source: string;
  seed: number;
  synthetic: Record<string, SyntheticFeedState>;
  replayPosition?: number;
}

interface Replay {
  feed: ReplayFeed;
  spec: ContractSpec;
}

export class PaperFeeds {
  private readonly synthetic = new Map<string, { feed: SyntheticFeed; spec: ContractSpec }>();
  private readonly replay: Replay | undefined;

  /** `state` is used when it was taken from feeds of the same source and seed; otherwise ignored. */
  constructor(
    private readonly config: PaperFeedsConfig,
    state?: unknown,
  ) {
    const saved = isState(state, config) ? state : undefined;
    this.replay = config.source.startsWith('replay:') ? loadReplay(config.source.slice('replay:'.length)) : undefined;
    if (this.replay && saved?.replayPosition !== undefined) this.replay.feed.seek(saved.replayPosition);
    PAPER_CONTRACTS.forEach((spec, i) => {
      if (spec.symbol === this.replay?.spec.symbol) return;
      const feed = new SyntheticFeed(
        {
          symbol: spec.symbol,
          seed: (config.seed + i * SEED_STRIDE) >>> 0,
          initialPrice: INITIAL_PRICES[spec.baseAsset] ?? DEFAULT_INITIAL_PRICE,
          tickSize: spec.tickSize.toFixed(),
          stepSize: spec.stepSize.toFixed(),
          fundingIntervalMs: spec.fundingIntervalHours > 0 ? spec.fundingIntervalHours * HOUR_MS : undefined,
        },
        saved?.synthetic[spec.symbol],
      );
      this.synthetic.set(spec.symbol, { feed, spec });
    });
  }

  get symbols(): string[] {
    return PAPER_CONTRACTS.map((c) => c.symbol);
  }

  /** One tick per symbol at `ts` (epoch ms; the caller's clock, increasing). */
  next(ts: number): MarketTick[] {
    const ticks: MarketTick[] = [];
    for (const { feed, spec } of this.synthetic.values()) ticks.push(withFundingOf(spec, feed.next(ts)));
    if (this.replay) ticks.push(withFundingOf(this.replay.spec, this.replayTick(ts)));
    return ticks;
  }

  snapshot(): PaperFeedsState {
    const synthetic: Record<string, SyntheticFeedState> = {};
    for (const [symbol, { feed }] of this.synthetic) synthetic[symbol] = feed.snapshot();
    return { source: this.config.source, seed: this.config.seed, synthetic, replayPosition: this.replay?.feed.position };
  }

  private replayTick(ts: number): MarketTick {
    const feed = this.replay!.feed;
    if (feed.done) feed.seek(0);
    const tick = feed.next()!;
    return { ...tick, ts };
  }
}

/** A delivery contract has no funding; a perpetual's next funding time is on its own interval. */
function withFundingOf(spec: ContractSpec, tick: MarketTick): MarketTick {
  if (spec.fundingIntervalHours <= 0) return { ...tick, fundingRate: ZERO, nextFundingTs: 0 };
  return { ...tick, nextFundingTs: nextFundingTime(tick.ts, spec.fundingIntervalHours * HOUR_MS) };
}

/**
 * `replay:<klines.csv>[,<funding.csv>]`. The symbol is the paper contract named in the kline file's
 * name (`BTCUSDT-1m-2024-01.csv`, `binance-usdm-ETHUSDT-1h.csv`; BTCUSDT when none is); the funding
 * file (Binance's funding-rate CSV) gives the rate in force at each candle's time (0 without one).
 */
export function loadReplay(source: string): Replay {
  const [file, fundingFile] = source.split(',').map((f) => f.trim());
  const candles = parseKlineCsv(fs.readFileSync(file, 'utf8'));
  if (candles.length === 0) throw new Error(`MARKET_FEED replay file ${file} has no candles`);
  const funding = fundingFile ? parseFundingCsv(fs.readFileSync(fundingFile, 'utf8')) : undefined;
  if (fundingFile && funding!.length === 0) throw new Error(`MARKET_FEED funding file ${fundingFile} has no rows`);
  const tokens = path.basename(file).toUpperCase().split(/[-.]/);
  const spec = PAPER_CONTRACTS.find((c) => tokens.includes(c.symbol)) ?? PAPER_CONTRACTS[0];
  const intervalMs = candles.length > 1 ? candles[1].openTs - candles[0].openTs : 60_000;
  const feed = new ReplayFeed({
    symbol: spec.symbol,
    candles,
    intervalMs,
    tickSize: spec.tickSize.toFixed(),
    stepSize: spec.stepSize.toFixed(),
    funding, // the next funding time is the spec's, set by withFundingOf
  });
  return { feed, spec };
}

function isState(state: unknown, config: PaperFeedsConfig): state is PaperFeedsState {
  if (typeof state !== 'object' || state === null) return false;
  const s = state as Partial<PaperFeedsState>;
  return s.source === config.source && s.seed === config.seed && typeof s.synthetic === 'object' && s.synthetic !== null;
}
