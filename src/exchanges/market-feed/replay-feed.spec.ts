import { readFileSync } from 'fs';
import * as path from 'path';
import { dec } from '../../common/decimal';
import { PAPER_CONTRACTS } from '../../contracts/domain/paper-contracts';
import { PaperEngine } from '../paper/domain/engine';
import { parseFundingCsv, parseKlineCsv } from './kline-csv';
import { sharedDataDir } from '../../../test/support/shared-data';
import { ReplayFeed } from './replay-feed';

/** The shared data folder (see test/support/shared-data.ts); a missing file fails the test. */
const DATA = sharedDataDir();

function head(file: string, lines: number): string {
  return readFileSync(path.join(DATA, file), 'utf8').split('\n').slice(0, lines + 1).join('\n');
}

function rowsAround(file: string, fromTs: number, count: number): string {
  const all = readFileSync(path.join(DATA, file), 'utf8').split('\n');
  const i = all.findIndex((l) => l.startsWith(`${fromTs},`));
  if (i < 0) throw new Error(`${file} has no row at ${fromTs}`);
  return [all[0], ...all.slice(i, i + count)].join('\n');
}

describe('Binance CSV readers', () => {
  it('reads the 6-column kline layout with a header', () => {
    const candles = parseKlineCsv(head('binance-usdm-BTCUSDT-1m.csv', 60));
    expect(candles).toHaveLength(60);
    expect(candles[0].openTs).toBe(1746372780000);
    expect([candles[0].open, candles[0].high, candles[0].low, candles[0].close, candles[0].volume].map((d) => d.toFixed())).toEqual(['95505.4', '95505.5', '95502.7', '95502.7', '16.536']);
    for (let i = 1; i < candles.length; i++) expect(candles[i].openTs - candles[i - 1].openTs).toBe(60000);
  });

  it('reads the 12-column Binance layout, with or without a header, to the same candles', () => {
    const six = head('binance-usdm-BTCUSDT-1m.csv', 20).split('\n');
    const twelve = six.slice(1).map((l) => {
      const [t, o, h, lo, c, v] = l.split(',');
      return [t, o, h, lo, c, v, String(Number(t) + 59999), '0', '10', '0', '0', '0'].join(',');
    });
    const header = 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';
    const expected = JSON.stringify(parseKlineCsv(six.join('\n')));
    expect(JSON.stringify(parseKlineCsv(twelve.join('\n')))).toBe(expected);
    expect(JSON.stringify(parseKlineCsv([header, ...twelve].join('\r\n')))).toBe(expected);
  });

  it('reads both funding layouts', () => {
    const rows = parseFundingCsv(head('binance-usdm-BTCUSDT-funding.csv', 10));
    expect(rows[0]).toEqual({ fundingTs: 1568102400000, rate: dec('0.0001') });
    const vision = ['calc_time,funding_interval_hours,last_funding_rate', '1746374400000,8,0.00003745', '1746403200000,8,-0.00002404'].join('\n');
    expect(parseFundingCsv(vision).map((r) => [r.fundingTs, r.intervalHours, r.rate.toFixed()])).toEqual([
      [1746374400000, 8, '0.00003745'],
      [1746403200000, 8, '-0.00002404'],
    ]);
    expect(parseFundingCsv('1746374400000,0.00003745')[0].rate.toFixed()).toBe('0.00003745');
  });
});

describe(ReplayFeed.name, () => {
  const candles = parseKlineCsv(head('binance-usdm-BTCUSDT-1m.csv', 40)); // 15:33 → 16:12 UTC, 2025-05-04
  const marks = parseKlineCsv(rowsAround('binance-usdm-BTCUSDT-mark-1h.csv', 1746370800000, 3));
  const funding = parseFundingCsv(rowsAround('binance-usdm-BTCUSDT-funding.csv', 1746374400000, 1));
  const feed = () => new ReplayFeed({ symbol: 'BTCUSDT', candles, intervalMs: 60000, tickSize: '0.1', stepSize: '0.001', markCandles: marks, funding });

  it('turns each candle into open → low/high → close ticks with its volume printed', () => {
    const f = feed();
    const ticks = [f.next()!, f.next()!, f.next()!, f.next()!];
    const c = candles[0]; // falling: open → high → low → close
    expect(ticks.map((t) => t.lastPrice.toFixed())).toEqual([c.open, c.high, c.low, c.close].map((d) => d.toFixed()));
    expect(ticks.map((t) => t.ts)).toEqual([0, 15000, 30000, 45000].map((d) => c.openTs + d));
    const printed = ticks.flatMap((t) => t.trades).reduce((s, t) => s.plus(t.qty), dec(0));
    expect(printed.toFixed()).toBe(c.volume.toFixed());
  });

  it('drives the engine: a long held through 16:00 UTC pays the file’s funding rate on the mark', () => {
    const engine = PaperEngine.create({ contracts: PAPER_CONTRACTS });
    engine.openAccount({ accountId: 'r', ts: candles[0].openTs });
    engine.transfer({ accountId: 'r', ts: candles[0].openTs, asset: 'USDT', amount: dec(100000) });
    const f = feed();
    const first = f.next()!;
    engine.applyTick(first);
    engine.placeOrder({ accountId: 'r', ts: first.ts, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('1') });
    const funding: string[] = [];
    for (let t = f.next(); t; t = f.next()) {
      for (const e of engine.applyTick(t).events) if (e.type === 'FUNDING') funding.push(`${e.fundingTs} ${e.rate.toFixed()} ${e.markPrice.toFixed()} ${e.amount.toFixed()}`);
    }
    // mark = the 16:00 mark candle's open (95421.1); 1 BTC × 95421.1 × 0.00003745 = 3.573520195 → paid, rounded down
    expect(funding).toEqual(['1746374400000 0.00003745 95421.1 -3.5735202']);
  });
});
