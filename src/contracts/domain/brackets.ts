/**
 * Leverage brackets (Binance "Notional and Leverage Brackets", GET /fapi/v1/leverageBracket and
 * GET /dapi/v2/leverageBracket): which maintenance margin ratio, maintenance amount and highest
 * leverage apply to a position of a given notional.
 *
 * Bracket membership: `notionalFloor < notional ≤ notionalCap` (a zero notional is in bracket 1).
 * The cap is inclusive because Binance shows "0 – 50,000 USDT at 125x" and accepts a 50,000 USDT
 * position at 125x. Maintenance margin is continuous at every boundary (that is what `cum` is for),
 * so the boundary convention changes only the leverage limit, never the margin.
 *
 * Notionals are in the margin asset: USDT for linear contracts, the coin for inverse ones (COIN-M
 * publishes `qtyFloor`/`qtyCap` in BTC).
 */
import { dec, ZERO } from '../../common/decimal';
import type { Decimal } from '../../common/decimal';
import { ValidationError } from '../../common/errors';
import type { Bracket } from './contract-spec';

/** A bracket as published without its maintenance amount (OKX tiers have none). */
export type BracketWithoutCum = Omit<Bracket, 'cum'>;

/**
 * One step of the maintenance-amount recurrence:
 * `cum_n = floor_n × (MMR_n − MMR_{n−1}) + cum_{n−1}`.
 *
 * Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts",
 * https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93 ("Maintenance Amount");
 * the COIN-M FAQ https://www.binance.com/en/support/faq/ceccfcfb4e3a45e3b48b0b1bb1a8ae46 uses the
 * same rule in coin. Units: floor and cum in the margin asset; ratios are fractions.
 */
export function maintenanceAmount(input: {
  notionalFloor: Decimal;
  maintMarginRatio: Decimal;
  previousMaintMarginRatio: Decimal;
  previousCum: Decimal;
}): Decimal {
  return input.notionalFloor
    .times(input.maintMarginRatio.minus(input.previousMaintMarginRatio))
    .plus(input.previousCum);
}

/** Fills in `cum` for every bracket from the recurrence above (bracket 1 has cum 0). */
export function deriveMaintenanceAmounts(brackets: readonly BracketWithoutCum[]): Bracket[] {
  const result: Bracket[] = [];
  let previousRatio = ZERO;
  let previousCum = ZERO;
  for (const b of brackets) {
    const cum = maintenanceAmount({
      notionalFloor: b.notionalFloor,
      maintMarginRatio: b.maintMarginRatio,
      previousMaintMarginRatio: previousRatio,
      previousCum,
    });
    result.push({ ...b, cum });
    previousRatio = b.maintMarginRatio;
    previousCum = cum;
  }
  return result;
}

/**
 * Checks that brackets are ordered, contiguous, start at zero, have rising ratios, falling
 * leverage, and maintenance amounts that agree with the recurrence. Throws `ValidationError`
 * (`INVALID_BRACKETS`) naming the first bracket that does not.
 */
export function assertValidBrackets(brackets: readonly Bracket[]): void {
  const fail = (bracket: Bracket | undefined, reason: string): never => {
    throw new ValidationError('INVALID_BRACKETS', `bracket ${bracket?.bracket ?? '(none)'} ${reason}`);
  };
  if (brackets.length === 0) fail(undefined, 'list is empty');
  const derived = deriveMaintenanceAmounts(brackets);
  let previous: Bracket | undefined;
  brackets.forEach((b, index) => {
    if (previous === undefined) {
      if (!b.notionalFloor.eq(ZERO)) fail(b, 'must start at notional 0');
    } else {
      if (!b.notionalFloor.eq(previous.notionalCap)) fail(b, 'floor is not the previous cap');
      if (b.maintMarginRatio.lte(previous.maintMarginRatio)) fail(b, 'ratio does not rise');
      if (b.initialLeverage > previous.initialLeverage) fail(b, 'leverage rises');
    }
    if (b.notionalCap.lte(b.notionalFloor)) fail(b, 'cap is not above floor');
    if (!b.cum.eq(derived[index]!.cum)) fail(b, `cum ${b.cum.toFixed()} was expected to be ${derived[index]!.cum.toFixed()}`);
    previous = b;
  });
}

/**
 * The bracket a position of `notional` (absolute, margin asset) falls in. Above the last cap the
 * last bracket is returned (the position is then over the limit, which `checkOrder` refuses).
 */
export function bracketForNotional(brackets: readonly Bracket[], notional: Decimal): Bracket {
  const n = notional.abs();
  for (const b of brackets) {
    if (n.lte(b.notionalCap)) return b;
  }
  const last = brackets.at(-1);
  if (last === undefined) throw new ValidationError('INVALID_BRACKETS', 'bracket list is empty');
  return last;
}

/** Highest leverage allowed for a position of `notional` (the bracket's `initialLeverage`). */
export function maxLeverageForNotional(brackets: readonly Bracket[], notional: Decimal): number {
  return bracketForNotional(brackets, notional).initialLeverage;
}

/**
 * Largest position notional (margin asset) allowed at `leverage`: the cap of the last bracket
 * whose `initialLeverage` is at least `leverage`; zero when the leverage is above every bracket's.
 */
export function maxNotionalForLeverage(brackets: readonly Bracket[], leverage: number): Decimal {
  let cap = ZERO;
  for (const b of brackets) {
    if (b.initialLeverage >= leverage) cap = b.notionalCap;
  }
  return cap;
}

/** Builds a bracket from decimal strings (for snapshots and tests). */
export function bracketOf(input: {
  bracket: number;
  initialLeverage: number;
  notionalFloor: string;
  notionalCap: string;
  maintMarginRatio: string;
  cum: string;
}): Bracket {
  return {
    bracket: input.bracket,
    initialLeverage: input.initialLeverage,
    notionalFloor: dec(input.notionalFloor),
    notionalCap: dec(input.notionalCap),
    maintMarginRatio: dec(input.maintMarginRatio),
    cum: dec(input.cum),
  };
}
