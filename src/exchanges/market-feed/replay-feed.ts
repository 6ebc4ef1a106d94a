/**
 * Replays candles as ticks. Each candle becomes four ticks along the usual intrabar path
 * (backtesting convention: open → low → high → close for a rising candle, open → high → low → close
 * for a falling one), at open_time + k·interval/4, with a quarter of the candle's volume printed at
 * each point (rounded down to the step, the remainder on the close). Mark price comes from the mark
 * candles when given (the mark candle open at its open time, as freqtrade does), else the last price;
 * the funding rate is the latest funding row at or before the tick. The book is synthetic: `levels`
 * levels each side, one tick apart, each holding the tick's volume share (at least one step).
 */
import { dec, type Decimal, roundToStep, ZERO } from '../../common/decimal';
import type { BookLevel } from '../types';
import type { Candle, FundingRow } from './kline-csv';
import { EIGHT_HOURS_MS, type MarketTick, nextFundingTime } from './market-tick';

export interface ReplayConfig {
  symbol: string;
  candles: Candle[];
  intervalMs: number;
  tickSize: string;
  stepSize: string;
  markCandles?: Candle[];
  funding?: FundingRow[];
  levels?: number;
  fundingIntervalMs?: number;
}

export function candlePath(c: Candle): Decimal[] {
  return c.close.gte(c.open) ? [c.open, c.low, c.high, c.close] : [c.open, c.high, c.low, c.close];
}

export class ReplayFeed {
  readonly symbol: string;
  private readonly tick: Decimal;
  private readonly step: Decimal;
  private readonly marks = new Map<number, Decimal>();
  private cursor = 0;
  private fundingCursor = 0;

  constructor(private readonly config: ReplayConfig) {
    this.symbol = config.symbol;
    this.tick = dec(config.tickSize);
    this.step = dec(config.stepSize);
    for (const m of config.markCandles ?? []) this.marks.set(m.openTs, m.open);
  }

  /** Position in the tick sequence; `seek(position)` restores it. */
  get position(): number {
    return this.cursor;
  }

  seek(position: number): void {
    this.cursor = position;
    this.fundingCursor = 0;
  }

  get done(): boolean {
    return this.cursor >= this.config.candles.length * 4;
  }

  /** The next tick, or undefined at the end of the data. */
  next(): MarketTick | undefined {
    if (this.done) return undefined;
    const candle = this.config.candles[Math.floor(this.cursor / 4)];
    const k = this.cursor % 4;
    this.cursor += 1;
    const ts = candle.openTs + Math.floor((this.config.intervalMs * k) / 4);
    const price = roundToStep(candlePath(candle)[k], this.tick, 'half-up');
    const quarter = roundToStep(candle.volume.div(4), this.step, 'down');
    const volume = k === 3 ? candle.volume.minus(quarter.times(3)) : quarter;
    const levelQty = volume.gt(this.step) ? volume : this.step;
    const mark = this.markAt(ts) ?? price;
    const prev = k === 0 ? price : candlePath(candle)[k - 1];
    return {
      symbol: this.symbol,
      ts,
      lastPrice: price,
      markPrice: mark,
      indexPrice: mark,
      fundingRate: this.fundingAt(ts),
      nextFundingTs: nextFundingTime(ts, this.config.fundingIntervalMs ?? EIGHT_HOURS_MS),
      bids: this.levels(price, -1, levelQty),
      asks: this.levels(price, 1, levelQty),
      trades: volume.gt(0) ? [{ price, qty: volume, side: price.gte(prev) ? 'BUY' : 'SELL' }] : [],
    };
  }

  private markAt(ts: number): Decimal | undefined {
    const hour = ts - (ts % 3600000);
    return this.marks.get(ts) ?? this.marks.get(hour);
  }

  private fundingAt(ts: number): Decimal {
    const rows = this.config.funding ?? [];
    if (this.fundingCursor > 0 && rows[this.fundingCursor - 1].fundingTs > ts) this.fundingCursor = 0;
    while (this.fundingCursor < rows.length && rows[this.fundingCursor].fundingTs <= ts) this.fundingCursor += 1;
    return this.fundingCursor > 0 ? rows[this.fundingCursor - 1].rate : ZERO;
  }

  private levels(price: Decimal, dir: 1 | -1, qty: Decimal): BookLevel[] {
    const out: BookLevel[] = [];
    for (let i = 1; i <= (this.config.levels ?? 5); i++) {
      const p = price.plus(this.tick.times(dir * i));
      if (p.lte(0)) break;
      out.push({ price: p, qty });
    }
    return out;
  }
}
