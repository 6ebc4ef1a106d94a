import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { dec } from '../common/decimal';
import { parseFundingCsv, parseKlineCsv } from '../exchanges/market-feed/kline-csv';
import { NotFoundError } from '../common/errors';
import type { MarketTick } from '../exchanges/market-feed/market-tick';
import { MarketDataService } from './market-data.service';
import { sharedDataDir } from '../../test/support/shared-data';
import { PaperFeeds } from './paper-feeds';

const T0 = Date.UTC(2026, 0, 5, 7, 59, 59, 800);

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('nothing was thrown');
}

describe(MarketDataService.name, () => {
  beforeAll(() => Logger.overrideLogger(false)); // the failing consumer's log line is expected
  const newSut = () => new MarketDataService({ redisUrl: undefined, prefix: 'test' });

  it('tells an unknown symbol from a known one without data yet', () => {
    const sut = newSut();
    expect(thrown(() => sut.getPrice('DOGEUSDT'))).toMatchObject({ code: 'SYMBOL_NOT_FOUND' });
    expect(thrown(() => sut.getPrice('BTCUSDT'))).toBeInstanceOf(NotFoundError);
    expect(thrown(() => sut.getDepth('BTCUSDT', 5))).toMatchObject({ code: 'NO_MARKET_DATA' });
  });

  it('serves the latest tick as decimal strings, depth limited, and never goes back in time', async () => {
    const sut = newSut();
    const feeds = new PaperFeeds({ source: 'synthetic', seed: 42 });
    const first = feeds.next(T0);
    await sut.publish(first);
    const btc = first.find((t) => t.symbol === 'BTCUSDT')!;
    expect(sut.getPrice('BTCUSDT')).toEqual({
      symbol: 'BTCUSDT',
      lastPrice: btc.lastPrice.toFixed(),
      markPrice: btc.markPrice.toFixed(),
      indexPrice: btc.indexPrice.toFixed(),
      fundingRate: btc.fundingRate.toFixed(),
      nextFundingTime: Date.UTC(2026, 0, 5, 8),
      ts: T0,
    });
    const depth = sut.getDepth('BTCUSDT', 3);
    expect(depth.bids).toHaveLength(3);
    expect(depth.bids[0]).toEqual([btc.bids[0].price.toFixed(), btc.bids[0].qty.toFixed()]);
    expect(depth.asks[2]).toEqual([btc.asks[2].price.toFixed(), btc.asks[2].qty.toFixed()]);
    // The delivery contract has no funding.
    expect(sut.getPrice('BTCUSDT_261225')).toMatchObject({ fundingRate: '0', nextFundingTime: 0 });

    const late = { ...btc, ts: T0 - 1000, markPrice: btc.markPrice.plus(1) };
    await sut.publish(late);
    expect(sut.getPrice('BTCUSDT').ts).toBe(T0);
  });

  it('runs every tick consumer with the batch, in order, even when one fails', async () => {
    const sut = newSut();
    const seen: string[] = [];
    sut.onTick(() => {
      throw new Error('a failing consumer');
    });
    const remove = sut.onTick(async (ticks: MarketTick[]) => {
      seen.push(`leader:${ticks.map((t) => t.symbol).join(',')}`);
    });
    sut.onTick((ticks) => void seen.push(`instance:${ticks.length}`), { everyInstance: true });
    const feeds = new PaperFeeds({ source: 'synthetic', seed: 1 });
    await sut.publish(feeds.next(T0));
    remove();
    await sut.publish(feeds.next(T0 + 100));
    expect(seen).toEqual(['instance:4', 'leader:BTCUSDT,ETHUSDT,BTCUSD_PERP,BTCUSDT_261225', 'instance:4']);
  });
});

describe(PaperFeeds.name, () => {
  const config = { source: 'synthetic', seed: 42 };
  const prices = (ticks: MarketTick[]) => ticks.map((t) => `${t.symbol}:${t.markPrice.toFixed()}:${t.bids[0].price.toFixed()}`);

  it('gives the same market for the same seed and clock, and another for another seed', () => {
    const a = new PaperFeeds(config);
    const b = new PaperFeeds(config);
    const c = new PaperFeeds({ ...config, seed: 43 });
    for (let i = 0; i < 20; i++) {
      const ts = T0 + i * 100;
      const [ta, tb, tc] = [a.next(ts), b.next(ts), c.next(ts)];
      expect(prices(ta)).toEqual(prices(tb));
      if (i === 19) expect(prices(ta)).not.toEqual(prices(tc));
    }
  });

  it('continues exactly from a snapshot taken on another instance (leadership handover)', () => {
    const leader = new PaperFeeds(config);
    for (let i = 0; i < 50; i++) leader.next(T0 + i * 100);
    const successor = new PaperFeeds(config, JSON.parse(JSON.stringify(leader.snapshot())));
    for (let i = 50; i < 60; i++) expect(prices(successor.next(T0 + i * 100))).toEqual(prices(leader.next(T0 + i * 100)));
    // A snapshot of another seed is not used.
    const other = new PaperFeeds({ ...config, seed: 9 }, leader.snapshot());
    expect(prices(other.next(T0))).toEqual(prices(new PaperFeeds({ ...config, seed: 9 }).next(T0)));
  });

  it('replays a Binance kline file for the symbol its name names, with the funding file\'s rates', () => {
    const data = sharedDataDir();
    const klines = path.join(data, 'binance-usdm-ETHUSDT-1h.csv');
    const fundingFile = path.join(data, 'binance-usdm-ETHUSDT-funding.csv');
    const candles = parseKlineCsv(fs.readFileSync(klines, 'utf8'));
    const rates = parseFundingCsv(fs.readFileSync(fundingFile, 'utf8'));
    const feeds = new PaperFeeds({ source: `replay:${klines},${fundingFile}`, seed: 42 });
    const ticks = feeds.next(T0);
    const eth = ticks.find((t) => t.symbol === 'ETHUSDT')!;
    // the first tick is the first candle's open, restamped to the live clock
    expect(eth.lastPrice.eq(candles[0].open)).toBe(true);
    expect(eth.ts).toBe(T0);
    // the funding rate in force at the first candle's time, from the file
    const inForce = [...rates].reverse().find((r) => r.fundingTs <= candles[0].openTs);
    expect(eth.fundingRate.toFixed()).toBe((inForce?.rate ?? dec(0)).toFixed());
    // the other symbols stay synthetic
    expect(ticks.map((t) => t.symbol).sort()).toEqual(['BTCUSDT', 'BTCUSDT_261225', 'BTCUSD_PERP', 'ETHUSDT']);
    const later = Array.from({ length: 4 * 40 }, (_, i) => feeds.next(T0 + (i + 1) * 100).find((t) => t.symbol === 'ETHUSDT')!);
    const candle40 = candles[40];
    const at40 = [...rates].reverse().find((r) => r.fundingTs <= candle40.openTs)!;
    expect(later[4 * 40 - 1].fundingRate.toFixed()).toBe(at40.rate.toFixed());
  });

  it('refuses a funding file with no rows', () => {
    const data = sharedDataDir();
    const empty = path.join(os.tmpdir(), `empty-funding-${process.pid}.csv`);
    fs.writeFileSync(empty, 'funding_time_ms,funding_rate\n');
    try {
      expect(() => new PaperFeeds({ source: `replay:${path.join(data, 'binance-usdm-ETHUSDT-1h.csv')},${empty}`, seed: 42 })).toThrow(/no rows/);
    } finally {
      fs.rmSync(empty, { force: true });
    }
  });
});
