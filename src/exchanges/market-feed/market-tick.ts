/**
 * One market snapshot for one symbol at one instant: what the paper engine is marked and matched
 * against. Feeds (synthetic, replay, a real venue's stream) produce these; the engine is pure over them.
 */
import type { Decimal } from '../../common/decimal';
import type { BookLevel, OrderSide } from '../types';

export interface TickTrade {
  price: Decimal;
  qty: Decimal;
  /** Taker side of the print. */
  side: OrderSide;
}

export interface MarketTick {
  symbol: string;
  /** Epoch ms of the snapshot; never decreases per symbol. */
  ts: number;
  lastPrice: Decimal;
  markPrice: Decimal;
  indexPrice: Decimal;
  /** Funding rate of the current period (positive: longs pay shorts). */
  fundingRate: Decimal;
  nextFundingTs: number;
  /** Best first: bids descending, asks ascending; tick/step-rounded. */
  bids: BookLevel[];
  asks: BookLevel[];
  /** Prints since the previous tick: what resting limit orders can fill against. */
  trades: TickTrade[];
}

/** A producer of ticks: `next(ts)` advances the market to `ts` (the caller owns the clock). */
export interface MarketFeed {
  readonly symbol: string;
  next(ts: number): MarketTick;
}

export const EIGHT_HOURS_MS = 8 * 60 * 60 * 1000;

/**
 * Funding times are on the UTC grid of the interval (00:00, 08:00, 16:00 for 8 h, Binance
 * https://www.binance.com/en/support/faq/360033525031). Returns the first funding time strictly after `ts`.
 */
export function nextFundingTime(ts: number, intervalMs: number = EIGHT_HOURS_MS): number {
  return (Math.floor(ts / intervalMs) + 1) * intervalMs;
}

/** The latest funding time at or before `ts`. */
export function lastFundingTime(ts: number, intervalMs: number = EIGHT_HOURS_MS): number {
  return Math.floor(ts / intervalMs) * intervalMs;
}
