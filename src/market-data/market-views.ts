/**
 * Pure mappings of a MarketTick: to the views served over REST and Socket.IO, and to and from the
 * wire form that carries ticks between instances. No Nest, no I/O.
 */
import { dec, toApi } from '../common/decimal';
import type { MarketTick } from '../exchanges/market-feed/market-tick';
import type { BookLevel } from '../exchanges/types';
import type { DepthLevel, DepthView, MarketSnapshot, WireTick } from './market-data.types';

function levels(book: BookLevel[]): DepthLevel[] {
  return book.map((l) => [toApi(l.price), toApi(l.qty)]);
}

export function toSnapshot(exchange: string, tick: MarketTick, previous: MarketSnapshot | undefined): MarketSnapshot {
  const { symbol, ts } = tick;
  const lastPrice = toApi(tick.lastPrice);
  const markPrice = toApi(tick.markPrice);
  const indexPrice = toApi(tick.indexPrice);
  const fundingRate = toApi(tick.fundingRate);
  const nextFundingTime = tick.nextFundingTs;
  const bids = levels(tick.bids);
  const asks = levels(tick.asks);
  const fundingChanged =
    previous === undefined || previous.price.fundingRate !== fundingRate || previous.price.nextFundingTime !== nextFundingTime;
  return {
    exchange,
    symbol,
    ts,
    price: { symbol, lastPrice, markPrice, indexPrice, fundingRate, nextFundingTime, ts },
    fundingChanged,
    events: {
      ticker: {
        symbol,
        lastPrice,
        markPrice,
        indexPrice,
        bidPrice: bids[0]?.[0] ?? null,
        bidQty: bids[0]?.[1] ?? null,
        askPrice: asks[0]?.[0] ?? null,
        askQty: asks[0]?.[1] ?? null,
        ts,
      },
      markPrice: { symbol, markPrice, indexPrice, fundingRate, nextFundingTime, ts },
      depth: { symbol, bids, asks, ts },
      trades: {
        symbol,
        trades: tick.trades.map((t) => ({ price: toApi(t.price), qty: toApi(t.qty), side: t.side })),
        ts,
      },
      funding: { symbol, fundingRate, nextFundingTime, ts },
    },
  };
}

/** The first `limit` levels of each side. */
export function limitDepth(depth: DepthView, limit: number): DepthView {
  return { symbol: depth.symbol, bids: depth.bids.slice(0, limit), asks: depth.asks.slice(0, limit), ts: depth.ts };
}

export function tickToWire(tick: MarketTick): WireTick {
  return {
    symbol: tick.symbol,
    ts: tick.ts,
    lastPrice: toApi(tick.lastPrice),
    markPrice: toApi(tick.markPrice),
    indexPrice: toApi(tick.indexPrice),
    fundingRate: toApi(tick.fundingRate),
    nextFundingTs: tick.nextFundingTs,
    bids: levels(tick.bids),
    asks: levels(tick.asks),
    trades: tick.trades.map((t) => ({ price: toApi(t.price), qty: toApi(t.qty), side: t.side })),
  };
}

export function tickFromWire(w: WireTick): MarketTick {
  const book = (side: DepthLevel[]): BookLevel[] => side.map(([p, q]) => ({ price: dec(p), qty: dec(q) }));
  return {
    symbol: w.symbol,
    ts: w.ts,
    lastPrice: dec(w.lastPrice),
    markPrice: dec(w.markPrice),
    indexPrice: dec(w.indexPrice),
    fundingRate: dec(w.fundingRate),
    nextFundingTs: w.nextFundingTs,
    bids: book(w.bids),
    asks: book(w.asks),
    trades: w.trades.map((t) => ({ price: dec(t.price), qty: dec(t.qty), side: t.side })),
  };
}
