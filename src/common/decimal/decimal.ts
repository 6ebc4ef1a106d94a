/**
 * The one home of big.js. Every price, quantity, balance, fee, PnL and margin in the service is a
 * `Decimal` built here (a private Big clone, so nothing depends on the global Big settings).
 *
 * - `DP` = 40 decimal places for divisions (inverse-contract notionals, liquidation prices); every
 *   result that is shown or booked is then rounded explicitly with `roundToStep`/`roundDp` in a
 *   named direction.
 * - `RM` = round half-even for anything not rounded explicitly (it never is, by convention).
 */
import BigConstructor from 'big.js';
import type { Big, BigSource } from 'big.js';

export type Decimal = Big;
export type DecimalSource = BigSource;

const DecimalCtor = BigConstructor();
DecimalCtor.DP = 40;
DecimalCtor.RM = DecimalCtor.roundHalfEven;
DecimalCtor.NE = -50;
DecimalCtor.PE = 50;
DecimalCtor.strict = false;

/** Rounding directions, named for what they do to the value, never implicit. */
export type RoundingDirection = 'down' | 'up' | 'half-up' | 'toward-zero' | 'away-from-zero';

const DECIMAL_RE = /^-?(?:\d+)(?:\.\d+)?$/;

/** True when `s` is a plain decimal string: optional minus, digits, optional fraction. No exponent. */
export function isDecimalString(s: unknown): s is string {
  return typeof s === 'string' && s.length <= 64 && DECIMAL_RE.test(s);
}

/**
 * Builds a Decimal from a decimal string, a Decimal, or a bigint. A JS `number` is accepted only when
 * it is an integer (counts, leverage); fractional numbers are refused so that no float ever becomes money.
 */
export function dec(value: DecimalSource | bigint): Decimal {
  if (typeof value === 'bigint') return new DecimalCtor(value.toString());
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new TypeError(`fractional number ${value} cannot become a decimal; pass a decimal string`);
  }
  return new DecimalCtor(value);
}

/*
 * big.js's `cmp` (and so `eq`, `gt`, `gte`, `lt`, `lte`) copies its argument into a new Big, digits
 * included, before reading it, and never changes it: a comparison with a decimal at hand allocated
 * twice, and the order path compares a few hundred times per order (ticks, steps, bands, margins).
 * The same comparison here reads a decimal argument as it is; any other argument (a string, a
 * number) is converted as before. The prototype is the one every big.js constructor shares.
 */
type Digits = { s: number; e: number; c: number[] };
const proto = DecimalCtor.prototype as unknown as { cmp(y: DecimalSource): -1 | 0 | 1 };
const copyingCmp = proto.cmp;
proto.cmp = function cmp(this: Digits, y: DecimalSource): -1 | 0 | 1 {
  if (!(y instanceof DecimalCtor)) return copyingCmp.call(this, y);
  const other = y as unknown as Digits;
  const xc = this.c;
  const yc = other.c;
  const xs = this.s;
  const ys = other.s;
  // either zero (also −0)?
  if (!xc[0] || !yc[0]) return !xc[0] ? (!yc[0] ? 0 : ys > 0 ? -1 : 1) : (xs as -1 | 1);
  if (xs !== ys) return xs as -1 | 1;
  const neg = xs < 0;
  if (this.e !== other.e) return (this.e > other.e) !== neg ? 1 : -1;
  const n = xc.length < yc.length ? xc.length : yc.length;
  for (let i = 0; i < n; i++) if (xc[i] !== yc[i]) return (xc[i] > yc[i]) !== neg ? 1 : -1;
  return xc.length === yc.length ? 0 : (xc.length > yc.length) !== neg ? 1 : -1;
};

export const ZERO: Decimal = dec(0);
export const ONE: Decimal = dec(1);

/*
 * Sign tests that allocate nothing: `x.gt(0)` converts 0 into a new decimal (a string parse) on every
 * call, and the margin of every open order is checked on every order. big.js keeps the sign in `s`
 * (±1) and the digits in `c`, zero (also −0) as c = [0].
 */
export const isZero = (x: Decimal): boolean => x.c[0] === 0;
export const isPositive = (x: Decimal): boolean => x.s > 0 && x.c[0] !== 0;

/** Big.js rounding modes: 0 down (toward zero), 1 half-up, 2 half-even, 3 up (away from zero). */
function bigRm(direction: RoundingDirection, negative: boolean): 0 | 1 | 2 | 3 {
  switch (direction) {
    case 'toward-zero':
      return 0;
    case 'away-from-zero':
      return 3;
    case 'half-up':
      return 1;
    case 'down':
      return negative ? 3 : 0;
    case 'up':
      return negative ? 0 : 3;
  }
}

/** Rounds to `dp` decimal places in the named direction ('down' = toward −∞, 'up' = toward +∞). */
export function roundDp(value: Decimal, dp: number, direction: RoundingDirection): Decimal {
  return value.round(dp, bigRm(direction, value.lt(0)));
}

/**
 * Rounds `value` to a multiple of `step` (a tick size or a quantity step) in the named direction.
 * 'down' = toward −∞, 'up' = toward +∞.
 */
export function roundToStep(value: Decimal, step: Decimal, direction: RoundingDirection): Decimal {
  if (step.lte(0)) throw new RangeError('step must be positive');
  const units = value.div(step);
  const whole = units.round(0, bigRm(direction, units.lt(0)));
  return whole.times(step);
}

/**
 * True when `value` is an exact multiple of `step`. A step that is a power of ten (0.1, 0.001, 10 —
 * most ticks and steps) is answered from the digits alone, with no allocation: the value's last
 * digit must be at the step's place or above it. Any other step takes the remainder.
 */
export function isMultipleOf(value: Decimal, step: Decimal): boolean {
  const v = value as unknown as Digits;
  const st = step as unknown as Digits;
  if (st.c.length === 1 && st.c[0] === 1 && st.s > 0) {
    // the place of the value's last non-zero digit (big.js trims trailing zeros, but not every path is relied on)
    let last = v.c.length - 1;
    while (last > 0 && v.c[last] === 0) last--;
    return v.c[last] === 0 || v.e - last >= st.e;
  }
  return isZero(value.mod(step));
}

/** Number of decimal places of a step such as "0.001" (3) or "10" (0). */
export function decimalsOf(step: Decimal): number {
  const s = step.toFixed();
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

/**
 * A plain decimal string (a NUMERIC column as the driver returns it: "0.00100000") in the JSON form
 * `toApi` gives its decimal ("0.001"): trailing zeros of the fraction and leading zeros of the whole
 * part dropped, no minus on zero — by characters, without building a decimal. Any other string is
 * converted through a decimal.
 */
export function canonicalDecimal(s: string): string {
  if (!isDecimalString(s)) return dec(s).toFixed();
  let end = s.length;
  if (s.indexOf('.') >= 0) {
    while (s.charCodeAt(end - 1) === 48) end--;
    if (s.charCodeAt(end - 1) === 46) end--;
  }
  const negative = s.charCodeAt(0) === 45;
  let start = negative ? 1 : 0;
  while (start < end - 1 && s.charCodeAt(start) === 48 && s.charCodeAt(start + 1) !== 46) start++;
  if (!negative) return start === 0 && end === s.length ? s : s.slice(start, end);
  const body = s.slice(start, end);
  return body === '0' ? body : `-${body}`;
}

/** The JSON form: a plain decimal string (no exponent), optionally with a fixed scale. */
export function toApi(value: Decimal, scale?: number): string {
  return scale === undefined ? value.toFixed() : value.toFixed(scale);
}

export function minDec(a: Decimal, b: Decimal): Decimal {
  return a.lt(b) ? a : b;
}

export function maxDec(a: Decimal, b: Decimal): Decimal {
  return a.gt(b) ? a : b;
}
