import { dec } from '../../src/common/decimal';
import type { MarketTick } from '../../src/exchanges/market-feed/market-tick';
import { nextFundingTime } from '../../src/exchanges/market-feed/market-tick';
import { PaperExchangeAdapter } from '../../src/exchanges/paper/paper.adapter';
import { runConformanceSuite } from './conformance';

runConformanceSuite('paper', async () => {
  let now = Date.UTC(2026, 0, 5, 9, 0, 0);
  const clock = () => now;
  const adapter = new PaperExchangeAdapter({ clock, initialBalances: { USDT: '10000' } });
  return {
    adapter,
    symbol: 'BTCUSDT',
    driveMarket: async (p) => {
      now += 1000;
      const level = ([price, qty]: [string, string]) => ({ price: dec(price), qty: dec(qty) });
      const tick: MarketTick = {
        symbol: p.symbol,
        ts: now,
        lastPrice: dec(p.last),
        markPrice: dec(p.mark ?? p.last),
        indexPrice: dec(p.mark ?? p.last),
        fundingRate: dec('0.0001'),
        nextFundingTs: nextFundingTime(now),
        bids: (p.bids ?? []).map(level),
        asks: (p.asks ?? []).map(level),
        trades: (p.trades ?? []).map(([price, qty, side]) => ({ price: dec(price), qty: dec(qty), side })),
      };
      await adapter.applyTick(tick);
    },
    close: () => adapter.close(),
  };
});
