/**
 * Readers for Binance's public futures CSV files (https://data.binance.vision, USDⓈ-M `klines` and
 * `fundingRate`), with or without a header row:
 * - klines, 12 columns: open_time, open, high, low, close, volume, close_time, quote_volume, count,
 *   taker_buy_volume, taker_buy_quote_volume, ignore; or 6 columns: open_time_ms,open,high,low,close,volume;
 * - funding: calc_time,funding_interval_hours,last_funding_rate; or funding_time_ms,funding_rate.
 * Numbers stay decimal strings → Decimal; nothing goes through a float.
 */
import { dec, type Decimal } from '../../common/decimal';
import { ValidationError } from '../../common/errors';

export interface Candle {
  openTs: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  /** Base-asset volume (contracts for COIN-M). */
  volume: Decimal;
}

export interface FundingRow {
  fundingTs: number;
  rate: Decimal;
  intervalHours?: number;
}

const INT_RE = /^\d+$/;

function rows(text: string): string[][] {
  const out: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const cells = trimmed.split(',').map((c) => c.trim());
    if (out.length === 0 && !INT_RE.test(cells[0])) continue; // header
    out.push(cells);
  }
  return out;
}

function int(cell: string, line: number): number {
  if (!INT_RE.test(cell)) throw new ValidationError('INVALID_CSV', `line ${line}: "${cell}" is not an epoch ms`);
  return Number(cell);
}

export function parseKlineCsv(text: string): Candle[] {
  return rows(text).map((c, i) => {
    if (c.length !== 6 && c.length !== 12) {
      throw new ValidationError('INVALID_CSV', `kline row ${i + 1} has ${c.length} columns; expected 6 or 12`);
    }
    return { openTs: int(c[0], i + 1), open: dec(c[1]), high: dec(c[2]), low: dec(c[3]), close: dec(c[4]), volume: dec(c[5]) };
  });
}

export function parseFundingCsv(text: string): FundingRow[] {
  return rows(text).map((c, i) => {
    if (c.length === 3) return { fundingTs: int(c[0], i + 1), intervalHours: int(c[1], i + 1), rate: dec(c[2]) };
    if (c.length === 2) return { fundingTs: int(c[0], i + 1), rate: dec(c[1]) };
    throw new ValidationError('INVALID_CSV', `funding row ${i + 1} has ${c.length} columns; expected 2 or 3`);
  });
}
