/**
 * The shapes market data takes on the wire: REST (`/price`, `/depth`), Socket.IO events and the
 * Redis tick channel between instances. Every decimal is a plain decimal string, every `ts` epoch ms.
 */
import type { MarketTick } from '../exchanges/market-feed/market-tick';

export const MARKET_CHANNELS = ['ticker', 'markPrice', 'depth', 'trades', 'funding'] as const;
export type MarketChannel = (typeof MARKET_CHANNELS)[number];

/** `GET /contracts/{symbol}/price`. */
export interface PriceView {
  symbol: string;
  lastPrice: string;
  markPrice: string;
  indexPrice: string;
  fundingRate: string;
  nextFundingTime: number;
  ts: number;
}

/** `[price, quantity]`, best first. */
export type DepthLevel = [price: string, qty: string];

/** `GET /contracts/{symbol}/depth` and the `depth` event. */
export interface DepthView {
  symbol: string;
  bids: DepthLevel[];
  asks: DepthLevel[];
  ts: number;
}

/** The `ticker` event: last price and the top of the book. */
export interface TickerEvent {
  symbol: string;
  lastPrice: string;
  markPrice: string;
  indexPrice: string;
  bidPrice: string | null;
  bidQty: string | null;
  askPrice: string | null;
  askQty: string | null;
  ts: number;
}

/** The `markPrice` event (API.md). */
export interface MarkPriceEvent {
  symbol: string;
  markPrice: string;
  indexPrice: string;
  fundingRate: string;
  nextFundingTime: number;
  ts: number;
}

/** The `trades` event: the prints since the previous tick; `side` is the taker's. */
export interface TradesEvent {
  symbol: string;
  trades: { price: string; qty: string; side: 'BUY' | 'SELL' }[];
  ts: number;
}

/** The `funding` event: sent when the rate or the next funding time changes. */
export interface FundingEvent {
  symbol: string;
  fundingRate: string;
  nextFundingTime: number;
  ts: number;
}

/** The server → client market events, by channel (the event name is the channel name). */
export interface MarketEventMap {
  ticker: TickerEvent;
  markPrice: MarkPriceEvent;
  depth: DepthView;
  trades: TradesEvent;
  funding: FundingEvent;
}

/** Everything cached per symbol, ready to serve. */
export interface MarketSnapshot {
  exchange: string;
  symbol: string;
  ts: number;
  price: PriceView;
  events: MarketEventMap;
  /** False when the funding rate and next funding time are those of the previous tick. */
  fundingChanged: boolean;
}

/** A tick as it travels between instances (Redis): decimals as strings. */
export interface WireTick {
  symbol: string;
  ts: number;
  lastPrice: string;
  markPrice: string;
  indexPrice: string;
  fundingRate: string;
  nextFundingTs: number;
  bids: DepthLevel[];
  asks: DepthLevel[];
  trades: { price: string; qty: string; side: 'BUY' | 'SELL' }[];
}

/** A consumer of ticks: the batch of one feed step (one tick per symbol). */
export type TickListener = (ticks: MarketTick[]) => Promise<void> | void;

export interface TickListenerOptions {
  /**
   * false (default): called once per cluster, on the instance that runs the feed (the leader), for
   * the ticks it produces — the place to match orders and mark positions.
   * true: called on every instance, for ticks produced here or received from the leader.
   */
  everyInstance?: boolean;
}
