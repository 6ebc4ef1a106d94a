/**
 * Rounding by the contract spec, always in a named direction.
 *
 * - Quantities round toward zero (an order is never larger than asked for).
 * - A liquidation price rounds in the direction that never understates risk: a long's (liquidated
 *   as the price falls) rounds UP, a short's rounds DOWN, so the shown price is reached no later
 *   than the real one.
 * - Exchange display: Binance truncates margins, PnL and notionals to 8 decimals toward zero
 *   (exact IM 2.486011688 is shown "2.48601168"; reference case `binance-positionrisk-v3-comp-short`).
 */
import { roundDp, roundToStep } from '../../common/decimal';
import type { Decimal, RoundingDirection } from '../../common/decimal';
import type { ContractSpec } from './contract-spec';

/** Which way the price moves to reach liquidation: 'below' for long-like exposure, 'above' for short-like. */
export type TriggerDirection = 'below' | 'above';

/** Rounds a price to the contract's tick in the named direction. */
export function roundPrice(spec: ContractSpec, price: Decimal, direction: RoundingDirection): Decimal {
  return roundToStep(price, spec.tickSize, direction);
}

/** Rounds a quantity (contracts) down to the contract's step; never above the requested quantity. */
export function roundQuantity(spec: ContractSpec, quantity: Decimal): Decimal {
  return roundToStep(quantity, spec.stepSize, 'toward-zero');
}

/**
 * Rounds a liquidation price to the tick so that it never understates risk: UP when the position is
 * liquidated as the price falls (a long), DOWN when it is liquidated as the price rises (a short).
 */
export function roundLiquidationPrice(spec: ContractSpec, price: Decimal, triggers: TriggerDirection): Decimal {
  return roundPrice(spec, price, triggers === 'below' ? 'up' : 'down');
}

/** Binance's display of margins, PnL and notionals: truncated toward zero to `dp` (8) decimals, fixed scale. */
export function toExchangeDisplay(value: Decimal, dp = 8): string {
  return roundDp(value, dp, 'toward-zero').toFixed(dp);
}
