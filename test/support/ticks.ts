/** Hand-made market ticks for tests that drive the paper market themselves. */
import { dec, type Decimal } from '../../src/common/decimal';
import type { MarketTick, TickTrade } from '../../src/exchanges/market-feed/market-tick';

const TICK = dec('0.1');
const onTick = (p: Decimal) => p.div(TICK).round(0, 0).times(TICK);

/** The tick with every price moved by `factor` (book, mark and index; BTCUSDT's 0.1 tick), stamped `ts`, with `trades` printed. */
export function moved(t: MarketTick, factor: string, ts: number, trades: TickTrade[] = []): MarketTick {
  const f = dec(factor);
  return {
    ...t,
    ts,
    lastPrice: onTick(t.lastPrice.times(f)),
    markPrice: onTick(t.markPrice.times(f)),
    indexPrice: onTick(t.indexPrice.times(f)),
    bids: t.bids.map((l) => ({ ...l, price: onTick(l.price.times(f)) })),
    asks: t.asks.map((l) => ({ ...l, price: onTick(l.price.times(f)) })),
    trades,
  };
}
