/**
 * What market prices leave an account untouched: the tick pass skips an account whose bounds a
 * batch of ticks stays within, without restoring it (most accounts, most of the time: resting
 * orders away from the prints, positions away from liquidation).
 *
 * A tick changes an account only by (see tick.ts) a funding or a delivery (batches crossing those
 * go through every account anyway), a conditional order triggering, a resting order filling from a
 * print, or a leg being liquidated at the mark. So, per symbol:
 *  - a resting buy fills only from a print below its price, a sell only from one above: the highest
 *    buy and the lowest sell price bound the prints;
 *  - a long leg is liquidated only with the mark at or below its liquidation price, a short only at
 *    or above: the mark must stay 1 % clear of it (the price shown is rounded to the tick);
 *  - conditional orders not triggered yet, a short leg without a liquidation price, and cross legs
 *    on more than one contract of a margin asset (each leg's liquidation then moves with the other
 *    contracts' marks) are not bounded: such an account is always restored and run.
 */
import { dec, type Decimal, isPositive } from '../../../common/decimal';
import type { MarketTick } from '../../market-feed/market-tick';
import type { AccountState, EngineState } from './engine-types';
import { specOf } from './margin';
import { openLegLiquidations } from './queries';

export interface SymbolBounds {
  /** The highest price of a resting buy: a print below it may fill it. */
  maxBuy?: Decimal;
  /** The lowest price of a resting sell: a print above it may fill it. */
  minSell?: Decimal;
  /** The mark must stay above this (long legs). */
  markAbove?: Decimal;
  /** The mark must stay below this (short legs). */
  markBelow?: Decimal;
}

export type TickBounds = ReadonlyMap<string, SymbolBounds>;

const CLEAR_ABOVE = dec('1.01');
const CLEAR_BELOW = dec('0.99');

/** The account's bounds, or undefined when it must be run on every tick. */
export function tickBounds(state: EngineState, account: AccountState): TickBounds | undefined {
  const bounds = new Map<string, SymbolBounds>();
  const of = (symbol: string) => {
    let b = bounds.get(symbol);
    if (!b) bounds.set(symbol, (b = {}));
    return b;
  };
  for (const o of account.openOrders.values()) {
    const resting = o.price !== undefined && (o.type === 'LIMIT' || o.triggered);
    if (!resting) return undefined;
    const b = of(o.symbol);
    const price = o.price as Decimal;
    if (o.side === 'BUY') {
      if (!b.maxBuy || price.gt(b.maxBuy)) b.maxBuy = price;
    } else if (!b.minSell || price.lt(b.minSell)) {
      b.minSell = price;
    }
  }
  const crossSymbols = new Map<string, string>();
  for (const p of account.positions.values()) {
    if (p.amount.eq(0) || p.marginMode !== 'CROSSED') continue;
    const asset = specOf(state, p.symbol).marginAsset;
    const other = crossSymbols.get(asset);
    if (other !== undefined && other !== p.symbol) return undefined;
    crossSymbols.set(asset, p.symbol);
  }
  for (const leg of openLegLiquidations(state, account)) {
    const b = of(leg.symbol);
    const liquidation = leg.liquidationPrice;
    if (isPositive(leg.qty)) {
      if (!isPositive(liquidation)) continue; // no liquidation price: a long that cannot be liquidated
      const floor = liquidation.times(CLEAR_ABOVE);
      if (!b.markAbove || floor.gt(b.markAbove)) b.markAbove = floor;
    } else {
      if (!isPositive(liquidation)) return undefined;
      const ceiling = liquidation.times(CLEAR_BELOW);
      if (!b.markBelow || ceiling.lt(b.markBelow)) b.markBelow = ceiling;
    }
  }
  return bounds;
}

/** Do these ticks (a batch crossing no funding time or delivery) stay within the bounds? */
export function untouchedBy(bounds: TickBounds, ticks: readonly MarketTick[]): boolean {
  for (const tick of ticks) {
    const b = bounds.get(tick.symbol);
    if (!b) continue;
    if (b.markAbove && !tick.markPrice.gt(b.markAbove)) return false;
    if (b.markBelow && !tick.markPrice.lt(b.markBelow)) return false;
    for (const t of tick.trades) {
      if (b.maxBuy && t.price.lt(b.maxBuy)) return false;
      if (b.minSell && t.price.gt(b.minSell)) return false;
    }
  }
  return true;
}
