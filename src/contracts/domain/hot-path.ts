/**
 * Hot-path representation for backtester and risk loops: integers (bigint) scaled by a power of ten,
 * precomputed once per position with big.js by the calculator, then compared or evaluated per tick
 * without allocating a Decimal. There is no second copy of any formula here:
 *
 * - `liquidationThreshold` takes the price from `calculator.liquidationPrice` and turns it into a
 *   scaled integer bound; `isLiquidatable` is one bigint comparison.
 * - `linearMarginKernel` scales the lines `calculator.unrealizedPnlLine` and
 *   `calculator.maintenanceMarginLine` (one per bracket, with the mark-price band where it applies)
 *   and evaluates slope × mark + intercept in integers, exactly equal to the calculator's result.
 *
 * Scaling: a price p is `p × 10^priceDigits` (8 = Binance mark-price precision); a line's slope is
 * scaled by 10^coefficientDigits, so a result is scaled by 10^(coefficientDigits + priceDigits).
 * Building a kernel throws when a coefficient is not exact at its scale, rather than round silently.
 */
import { dec, roundDp } from '../../common/decimal';
import type { Decimal, RoundingDirection } from '../../common/decimal';
import { ValidationError } from '../../common/errors';
import { liquidationPrice, maintenanceMarginLine, unrealizedPnlLine } from './calculator';
import type { LiquidationInput, LiquidationState, PositionInput, PriceLine } from './calculator';
import type { TriggerDirection } from './rounding';

/** `value × 10^digits` as a bigint, rounded in `direction`; 'exact' throws when digits are lost. */
export function toScaled(value: Decimal, digits: number, direction: RoundingDirection | 'exact' = 'exact'): bigint {
  const rounded = roundDp(value, digits, direction === 'exact' ? 'toward-zero' : direction);
  if (direction === 'exact' && !rounded.eq(value)) {
    throw new RangeError(`${value.toFixed()} is not exact at ${digits} decimal places`);
  }
  return BigInt(rounded.toFixed(digits).replace('.', ''));
}

/** The Decimal of a scaled integer. */
export function fromScaled(value: bigint, digits: number): Decimal {
  return dec(value).div(dec(10).pow(digits));
}

export interface LiquidationThreshold {
  readonly state: LiquidationState;
  readonly triggers: TriggerDirection | null;
  /** 'below': liquidatable iff markScaled ≤ threshold; 'above': iff markScaled ≥ threshold. */
  readonly thresholdScaled: bigint;
  readonly priceDigits: number;
}

/**
 * Precomputes the liquidation bound of a position (or a cross/hedge set) with the calculator. For a
 * mark with at most `priceDigits` decimals, `isLiquidatable` then agrees exactly with "margin balance
 * ≤ maintenance margin": mark ≤ LP ⇔ markScaled ≤ floor(LP·10^d) for a long, ≥ ceil for a short.
 * Recompute it when the position, wallet or other positions change.
 */
export function liquidationThreshold(input: LiquidationInput, priceDigits = 8): LiquidationThreshold {
  const result = liquidationPrice(input);
  if (result.state !== 'price' || result.price === null || result.triggers === null) {
    return { state: result.state, triggers: result.triggers, thresholdScaled: 0n, priceDigits };
  }
  const direction: RoundingDirection = result.triggers === 'below' ? 'down' : 'up';
  return { state: 'price', triggers: result.triggers, thresholdScaled: toScaled(result.price, priceDigits, direction), priceDigits };
}

/** One integer comparison per tick. */
export function isLiquidatable(threshold: LiquidationThreshold, markScaled: bigint): boolean {
  if (threshold.state === 'immediate') return true;
  if (threshold.triggers === 'below') return markScaled <= threshold.thresholdScaled;
  if (threshold.triggers === 'above') return markScaled >= threshold.thresholdScaled;
  return false;
}

interface ScaledLine {
  readonly slope: bigint;
  readonly intercept: bigint;
}

interface MaintenanceBand extends ScaledLine {
  /** The line applies for marks up to this scaled price (inclusive); null = no upper bound. */
  readonly upToMarkScaled: bigint | null;
}

export interface LinearMarginKernel {
  readonly priceDigits: number;
  readonly coefficientDigits: number;
  /** Results are scaled by 10^resultDigits (= coefficientDigits + priceDigits). */
  readonly resultDigits: number;
  readonly pnl: ScaledLine;
  readonly bands: readonly MaintenanceBand[];
}

function scaleLine(line: PriceLine, coefficientDigits: number, resultDigits: number): ScaledLine {
  return { slope: toScaled(line.slope, coefficientDigits), intercept: toScaled(line.intercept, resultDigits) };
}

/**
 * Scaled uPnL and maintenance-margin lines of one linear position. Bracket bands: the position's
 * notional E·mark is in bracket b while mark ≤ cap_b / E.
 */
export function linearMarginKernel(
  position: PositionInput,
  digits: { priceDigits?: number; coefficientDigits?: number } = {},
): LinearMarginKernel {
  const { spec, size } = position;
  if (spec.kind !== 'linear') {
    throw new ValidationError('HOT_PATH_LINEAR_ONLY', `${spec.symbol} is inverse; use the calculator`);
  }
  const priceDigits = digits.priceDigits ?? 8;
  const coefficientDigits = digits.coefficientDigits ?? 12;
  const resultDigits = coefficientDigits + priceDigits;
  const exposure = size.times(spec.contractSize);
  const lastBracket = spec.brackets.at(-1);
  const bands = spec.brackets.map((bracket) => ({
    ...scaleLine(maintenanceMarginLine(spec, size, bracket), coefficientDigits, resultDigits),
    upToMarkScaled: bracket === lastBracket ? null : toScaled(bracket.notionalCap.div(exposure), priceDigits, 'down'),
  }));
  return {
    priceDigits,
    coefficientDigits,
    resultDigits,
    pnl: scaleLine(unrealizedPnlLine(position), coefficientDigits, resultDigits),
    bands,
  };
}

/** Unrealized PnL, scaled by 10^resultDigits. */
export function unrealizedPnlScaled(kernel: LinearMarginKernel, markScaled: bigint): bigint {
  return kernel.pnl.slope * markScaled + kernel.pnl.intercept;
}

/** Maintenance margin, scaled by 10^resultDigits (the bracket found by comparing scaled bounds). */
export function maintenanceMarginScaled(kernel: LinearMarginKernel, markScaled: bigint): bigint {
  for (const band of kernel.bands) {
    if (band.upToMarkScaled === null || markScaled <= band.upToMarkScaled) {
      return band.slope * markScaled + band.intercept;
    }
  }
  throw new RangeError('a margin kernel has no bands');
}
