/**
 * The engine's one door to the contract math (contracts/domain/calculator.ts): argument reshaping
 * from the engine's signed `amount` (Binance `positionAmt`) to the calculator's side + size, and the
 * rounding of what is booked. No formula lives here.
 *
 * Booking rounds to 8 decimals (Binance books income and balances with 8), always against the
 * account: PnL and funding down (toward −∞), fees and held margin up.
 */
import { type Decimal, roundDp, ZERO } from '../../../common/decimal';
import * as calc from '../../../contracts/domain/calculator';
import * as hot from '../../../contracts/domain/hot-path';
import type { ContractSpec } from '../../../contracts/domain/contract-spec';
import type { LiquidityRole } from '../../types';

export const MONEY_DP = 8;
const HOUR_MS = 3600000;

export function sideOf(amount: Decimal): 'LONG' | 'SHORT' {
  return amount.lt(0) ? 'SHORT' : 'LONG';
}

/** Binance starts every symbol at 20x (capped by the first bracket). */
export function defaultLeverage(spec: ContractSpec): number {
  return Math.min(20, spec.maxLeverage);
}

export function fundingIntervalMs(spec: ContractSpec): number {
  return (spec.fundingIntervalHours > 0 ? spec.fundingIntervalHours : 8) * HOUR_MS;
}

export function roundMoney(value: Decimal, direction: 'down' | 'up'): Decimal {
  return roundDp(value, MONEY_DP, direction);
}

export function notional(spec: ContractSpec, size: Decimal, price: Decimal): Decimal {
  return calc.notional(spec, size, price);
}

/** Initial margin held for `size` at `price`, rounded up to 8 dp. */
export function initialMargin(spec: ContractSpec, size: Decimal, price: Decimal, leverage: number): Decimal {
  if (size.eq(0)) return ZERO;
  return roundMoney(calc.initialMargin({ spec, size, price, leverage }), 'up');
}

export function maintenanceMargin(spec: ContractSpec, size: Decimal, markPrice: Decimal): Decimal {
  if (size.eq(0)) return ZERO;
  return calc.maintenanceMargin({ spec, size, markPrice });
}

export function unrealizedPnl(spec: ContractSpec, amount: Decimal, entryPrice: Decimal, markPrice: Decimal): Decimal {
  if (amount.eq(0)) return ZERO;
  return calc.unrealizedPnl({ spec, side: sideOf(amount), size: amount.abs(), entryPrice }, markPrice);
}

/** Realized PnL of closing `closeSize` of a position of signed `amount` at `exitPrice`, rounded down. */
export function realizedPnl(spec: ContractSpec, amount: Decimal, entryPrice: Decimal, closeSize: Decimal, exitPrice: Decimal): Decimal {
  const position = { spec, side: sideOf(amount), size: amount.abs(), entryPrice };
  return roundMoney(calc.realizedPnl(position, { closeSize, exitPrice }), 'down');
}

export function averageEntryPrice(spec: ContractSpec, amount: Decimal, entryPrice: Decimal, addSize: Decimal, addPrice: Decimal): Decimal {
  return calc.averageEntryPrice({ spec, side: sideOf(amount), size: amount.abs(), entryPrice }, { addSize, addPrice });
}

/** Commission of a fill at the role's rate (`spec.makerFeeRate` / `takerFeeRate`), rounded up. */
export function commission(spec: ContractSpec, size: Decimal, price: Decimal, role: LiquidityRole): Decimal {
  const feeRate = role === 'MAKER' ? spec.makerFeeRate : spec.takerFeeRate;
  return roundMoney(calc.tradingFee({ spec, size, price, feeRate }), 'up');
}

/** Funding for one funding time, signed for the account (positive = received), rounded down. */
export function fundingPayment(spec: ContractSpec, amount: Decimal, markPrice: Decimal, fundingRate: Decimal): Decimal {
  return roundMoney(calc.fundingPayment({ spec, side: sideOf(amount), size: amount.abs() }, { markPrice, fundingRate }), 'down');
}

/** Liquidation clearance fee: `spec.liquidationFeeRate` × liquidated notional at `price`, rounded up. */
export function liquidationFee(spec: ContractSpec, size: Decimal, price: Decimal): Decimal {
  return roundMoney(calc.notional(spec, size, price).times(spec.liquidationFeeRate), 'up');
}

export interface Leg {
  amount: Decimal;
  entryPrice: Decimal;
}

function legsOf(legs: readonly Leg[]): calc.LiquidationLeg[] {
  return legs.filter((l) => !l.amount.eq(0)).map((l) => ({ side: sideOf(l.amount), size: l.amount.abs(), entryPrice: l.entryPrice }));
}

/**
 * Liquidation price of the legs of one contract (exact; `rounded` on the tick), or null. Isolated:
 * `walletBalance` = the isolated wallet and no other terms; cross: the cross wallet with the other
 * contracts' maintenance margin and unrealized PnL.
 */
export function liquidationPrice(input: {
  spec: ContractSpec;
  legs: readonly Leg[];
  walletBalance: Decimal;
  otherMaintenanceMargin?: Decimal;
  otherUnrealizedPnl?: Decimal;
}): calc.LiquidationResult | null {
  const legs = legsOf(input.legs);
  if (legs.length === 0) return null;
  return calc.liquidationPrice({ ...input, legs });
}

/** Bankruptcy price on the tick (rounded like a liquidation price, never understating risk), or null. */
export function bankruptcyPrice(input: {
  spec: ContractSpec;
  legs: readonly Leg[];
  walletBalance: Decimal;
  otherUnrealizedPnl?: Decimal;
}): Decimal | null {
  const legs = legsOf(input.legs);
  if (legs.length === 0) return null;
  return calc.bankruptcyPrice({ ...input, legs }).roundedPrice;
}

/** Digits of the hot-path price scale (Binance mark prices carry 8 decimals). */
export const PRICE_DIGITS = 8;

/** The hot-path bound (contracts/domain/hot-path.ts) of the same liquidation input; null when flat. */
export function liquidationThreshold(input: {
  spec: ContractSpec;
  legs: readonly Leg[];
  walletBalance: Decimal;
  otherMaintenanceMargin?: Decimal;
  otherUnrealizedPnl?: Decimal;
}): hot.LiquidationThreshold | null {
  const legs = legsOf(input.legs);
  if (legs.length === 0) return null;
  return hot.liquidationThreshold({ ...input, legs }, PRICE_DIGITS);
}

/** A mark price on the hot-path scale, or null when it has more decimals than the scale. */
export function scaledMark(mark: Decimal): bigint | null {
  try {
    return hot.toScaled(mark, PRICE_DIGITS, 'exact');
  } catch {
    return null;
  }
}

export const thresholdReached = hot.isLiquidatable;
