import { dec, isMultipleOf } from '../../common/decimal';
import { SyntheticFeed, type SyntheticFeedConfig } from './synthetic-feed';

const config: SyntheticFeedConfig = { symbol: 'BTCUSDT', seed: 1234, initialPrice: '60000', tickSize: '0.1', stepSize: '0.001' };
const T = Date.UTC(2026, 0, 5, 7, 0, 0);

function run(feed: SyntheticFeed, from: number, n: number, dt = 250) {
  const out = [];
  for (let i = 1; i <= n; i++) out.push(feed.next(from + i * dt));
  return out;
}

describe(SyntheticFeed.name, () => {
  it('gives byte-identical ticks for the same seed and different ones for another seed', () => {
    const a = JSON.stringify(run(new SyntheticFeed(config), T, 500));
    const b = JSON.stringify(run(new SyntheticFeed(config), T, 500));
    const c = JSON.stringify(run(new SyntheticFeed({ ...config, seed: 4321 }), T, 500));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('publishes a tick/step-rounded book around the last price', () => {
    for (const t of run(new SyntheticFeed({ ...config, levels: 8 }), T, 300)) {
      expect(t.bids).toHaveLength(8);
      expect(t.asks).toHaveLength(8);
      expect(t.bids[0].price.lt(t.lastPrice) && t.asks[0].price.gt(t.lastPrice)).toBe(true);
      for (let i = 1; i < 8; i++) {
        expect(t.bids[i].price.lt(t.bids[i - 1].price)).toBe(true);
        expect(t.asks[i].price.gt(t.asks[i - 1].price)).toBe(true);
      }
      for (const l of [...t.bids, ...t.asks, ...t.trades]) {
        expect(isMultipleOf(l.price, dec('0.1'))).toBe(true);
        expect(l.qty.mod('0.001').eq(0) && l.qty.gt(0)).toBe(true);
      }
      expect(t.markPrice.mod('0.1').eq(0) && t.indexPrice.mod('0.1').eq(0)).toBe(true);
    }
  });

  it('keeps the funding rate within the cap, on 8 decimals, and names the next 8 h funding time', () => {
    const ticks = run(new SyntheticFeed(config), T, 200, 60000 * 5); // 5-minute steps over ~16 h
    for (const t of ticks) {
      expect(t.fundingRate.abs().lte('0.003')).toBe(true);
      expect(t.fundingRate.times(1e8).mod(1).eq(0)).toBe(true);
      expect(t.nextFundingTs % (8 * 3600000)).toBe(0);
      expect(t.nextFundingTs > t.ts && t.nextFundingTs - t.ts <= 8 * 3600000).toBe(true);
    }
  });

  it('has clustered volatility: squared returns are positively autocorrelated', () => {
    const ticks = run(new SyntheticFeed({ ...config, seed: 99, jumpProbability: 0 }), T, 4000);
    const prices = ticks.map((t) => Number(t.indexPrice.toFixed()));
    const sq = prices.slice(1).map((p, i) => Math.log(p / prices[i]) ** 2);
    const mean = sq.reduce((s, x) => s + x, 0) / sq.length;
    let num = 0;
    let den = 0;
    for (let i = 1; i < sq.length; i++) num += (sq[i] - mean) * (sq[i - 1] - mean);
    for (const x of sq) den += (x - mean) ** 2;
    expect(num / den).toBeGreaterThan(0.02);
  });

  it('continues identically from a snapshot', () => {
    const straight = new SyntheticFeed(config);
    const all = run(straight, T, 200);
    const first = new SyntheticFeed(config);
    run(first, T, 100);
    const resumed = new SyntheticFeed(config, JSON.parse(JSON.stringify(first.snapshot())));
    expect(JSON.stringify(run(resumed, T + 100 * 250, 100))).toBe(JSON.stringify(all.slice(100)));
  });
});
