/**
 * Walking the book of the current market snapshot. A taker order consumes the levels it crosses
 * (fills at each level's own price, so its average price is the VWAP of the levels walked); the
 * consumed quantity stays consumed until the next tick replaces the book.
 */
import { type Decimal, ZERO } from '../../../common/decimal';
import type { OrderSide } from '../../types';

export interface Level {
  price: Decimal;
  qty: Decimal;
}

export interface Execution {
  price: Decimal;
  qty: Decimal;
}

/** The side a taker of `side` takes from: asks for a BUY, bids for a SELL. */
export function crosses(side: OrderSide, levelPrice: Decimal, limit: Decimal | undefined): boolean {
  if (limit === undefined) return true;
  return side === 'BUY' ? levelPrice.lte(limit) : levelPrice.gte(limit);
}

/** Quantity available to a taker up to `limit` (no limit for a market order). */
export function liquidityUpTo(levels: readonly Level[], side: OrderSide, limit: Decimal | undefined): Decimal {
  let sum = ZERO;
  for (const l of levels) {
    if (!crosses(side, l.price, limit)) break;
    sum = sum.plus(l.qty);
  }
  return sum;
}

/**
 * Takes up to `qty` from `levels` and returns the executions. A level taken from is replaced in the
 * array by a new level with what is left: the level objects themselves are never mutated, so an
 * engine forked from a decoded market can share them and copy only the arrays.
 */
export function take(levels: Level[], side: OrderSide, qty: Decimal, limit: Decimal | undefined): Execution[] {
  const out: Execution[] = [];
  let left = qty;
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    if (left.lte(0)) break;
    if (l.qty.lte(0)) continue;
    if (!crosses(side, l.price, limit)) break;
    const q = l.qty.lt(left) ? l.qty : left;
    out.push({ price: l.price, qty: q });
    levels[i] = { price: l.price, qty: l.qty.minus(q) };
    left = left.minus(q);
  }
  return out;
}

/** Volume-weighted average price of executions; zero when empty. */
export function vwap(execs: readonly Execution[]): Decimal {
  let notional = ZERO;
  let qty = ZERO;
  for (const e of execs) {
    notional = notional.plus(e.price.times(e.qty));
    qty = qty.plus(e.qty);
  }
  return qty.eq(0) ? ZERO : notional.div(qty);
}
