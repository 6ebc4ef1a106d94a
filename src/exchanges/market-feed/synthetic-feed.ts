/**
 * Deterministic synthetic market for one symbol: the same seed and the same `next(ts)` calls give
 * byte-identical ticks.
 *
 * - Index price: log-returns with GARCH(1,1)-like clustered variance (h' = ω + α·r² + β·h) and rare
 *   jumps.
 * - Mark price: index × (1 + premium), the premium a mean-reverting walk.
 * - Funding rate: Binance's rule F = P̄ + clamp(i − P̄, −0.05 %, +0.05 %), with P̄ the average premium
 *   of the period and i = 0.01 % interest, capped at ±`fundingCap`
 *   (https://www.binance.com/en/support/faq/360033525031).
 * - Book: `levels` price levels each side around the last price, prices on the tick, quantities on
 *   the step; a few prints per tick at the last price.
 *
 * Floats shape the path only; every published price/qty is an integer number of ticks/steps turned
 * into a Decimal.
 */
import { dec, type Decimal } from '../../common/decimal';
import type { BookLevel, OrderSide } from '../types';
import { EIGHT_HOURS_MS, type MarketFeed, type MarketTick, nextFundingTime, type TickTrade } from './market-tick';
import { Prng } from './prng';

export interface SyntheticFeedConfig {
  symbol: string;
  seed: number;
  /** Decimal strings. */
  initialPrice: string;
  tickSize: string;
  stepSize: string;
  /** Levels each side of the book. */
  levels?: number;
  /** Typical level size, in steps. */
  levelSizeSteps?: number;
  /** Per-tick return volatility at rest (e.g. 0.0002). */
  volatility?: number;
  jumpProbability?: number;
  jumpSize?: number;
  fundingIntervalMs?: number;
  fundingCap?: number;
}

export interface SyntheticFeedState {
  rng: number;
  logPrice: number;
  variance: number;
  premium: number;
  premiumSum: number;
  premiumCount: number;
  periodStart: number;
  fundingRate: number;
  lastTs: number;
}

const INTEREST = 0.0001;
const CLAMP = 0.0005;

export class SyntheticFeed implements MarketFeed {
  readonly symbol: string;
  private readonly rng: Prng;
  private readonly tick: Decimal;
  private readonly step: Decimal;
  private readonly tickNum: number;
  private readonly levels: number;
  private readonly levelSteps: number;
  private readonly baseVar: number;
  private readonly interval: number;
  private s: SyntheticFeedState;

  constructor(
    private readonly config: SyntheticFeedConfig,
    state?: SyntheticFeedState,
  ) {
    this.symbol = config.symbol;
    this.tick = dec(config.tickSize);
    this.step = dec(config.stepSize);
    this.tickNum = Number(config.tickSize);
    this.levels = config.levels ?? 10;
    this.levelSteps = config.levelSizeSteps ?? 500;
    const vol = config.volatility ?? 0.0002;
    this.baseVar = vol * vol;
    this.interval = config.fundingIntervalMs ?? EIGHT_HOURS_MS;
    this.rng = new Prng(state?.rng ?? config.seed);
    this.s = state
      ? { ...state }
      : {
          rng: config.seed >>> 0,
          logPrice: Math.log(Number(config.initialPrice)),
          variance: this.baseVar,
          premium: 0,
          premiumSum: 0,
          premiumCount: 0,
          periodStart: -1,
          fundingRate: INTEREST,
          lastTs: -1,
        };
  }

  /** JSON-serializable state; `new SyntheticFeed(config, state)` continues identically. */
  snapshot(): SyntheticFeedState {
    return { ...this.s, rng: this.rng.seedState };
  }

  next(ts: number): MarketTick {
    const s = this.s;
    const period = Math.floor(ts / this.interval);
    if (s.periodStart !== period) {
      if (s.periodStart >= 0 && s.premiumCount > 0) s.fundingRate = this.fundingFrom(s.premiumSum / s.premiumCount);
      s.periodStart = period;
      s.premiumSum = 0;
      s.premiumCount = 0;
    }
    const prevLog = s.logPrice;
    this.advance();
    s.premiumSum += s.premium;
    s.premiumCount += 1;
    s.lastTs = ts;
    const indexTicks = this.toTicks(Math.exp(s.logPrice));
    const markTicks = this.toTicks(Math.exp(s.logPrice) * (1 + s.premium));
    const lastTicks = Math.max(1, markTicks + this.rng.int(-2, 2));
    const takerSide: OrderSide = s.logPrice >= prevLog ? 'BUY' : 'SELL';
    return {
      symbol: this.symbol,
      ts,
      lastPrice: this.price(lastTicks),
      markPrice: this.price(markTicks),
      indexPrice: this.price(indexTicks),
      fundingRate: roundRate(s.fundingRate),
      nextFundingTs: nextFundingTime(ts, this.interval),
      bids: this.side(lastTicks, -1),
      asks: this.side(lastTicks, 1),
      trades: this.trades(lastTicks, takerSide),
    };
  }

  private advance(): void {
    const s = this.s;
    const r = Math.sqrt(s.variance) * this.rng.normal();
    const jump = this.rng.next() < (this.config.jumpProbability ?? 0.001) ? this.rng.normal() * (this.config.jumpSize ?? 0.01) : 0;
    s.variance = 0.05 * this.baseVar + 0.1 * r * r + 0.85 * s.variance;
    s.logPrice += r + jump;
    s.premium = 0.95 * s.premium + 0.00005 * this.rng.normal();
  }

  private fundingFrom(avgPremium: number): number {
    const f = avgPremium + Math.min(CLAMP, Math.max(-CLAMP, INTEREST - avgPremium));
    const cap = this.config.fundingCap ?? 0.003;
    return Math.min(cap, Math.max(-cap, f));
  }

  private toTicks(price: number): number {
    return Math.max(1, Math.round(price / this.tickNum));
  }

  private price(ticks: number): Decimal {
    return dec(ticks).times(this.tick);
  }

  private side(lastTicks: number, dir: 1 | -1): BookLevel[] {
    const out: BookLevel[] = [];
    let t = lastTicks;
    for (let i = 0; i < this.levels; i++) {
      t += dir * (i === 0 ? 1 : this.rng.int(1, 3));
      if (t < 1) break;
      const steps = Math.max(1, Math.round(this.levelSteps * (0.25 + 1.5 * this.rng.next())));
      out.push({ price: this.price(t), qty: dec(steps).times(this.step) });
    }
    return out;
  }

  private trades(lastTicks: number, side: OrderSide): TickTrade[] {
    const n = this.rng.int(1, 3);
    const out: TickTrade[] = [];
    for (let i = 0; i < n; i++) {
      const steps = Math.max(1, Math.round(this.levelSteps * 0.2 * this.rng.next()));
      out.push({ price: this.price(lastTicks), qty: dec(steps).times(this.step), side });
    }
    return out;
  }
}

/** Funding rates are published with 8 decimals (Binance `lastFundingRate`). */
function roundRate(rate: number): Decimal {
  return dec(Math.round(rate * 1e8)).div(100000000);
}
