/**
 * Contract math for linear (USDⓈ-M) and inverse (COIN-M) futures: notional, margins, PnL, ROE,
 * entry price, liquidation and bankruptcy prices, funding and fees. Pure functions of a
 * `ContractSpec` and `Decimal` values; no I/O, no clock, no number arithmetic on money.
 *
 * ## One coordinate, one set of formulas
 * Every money quantity of a position is affine in a *price coordinate* `x`:
 * - linear:  x = P      (notional = size × contractSize × P, in the quote/margin asset)
 * - inverse: x = 1 / P  (notional = contracts × contractSize / P, in coin)
 *
 * With `exposure` E = size × contractSize and `pnlSign` s = +1 for a linear long or an inverse
 * short, −1 otherwise:
 * - notional(x)           = E · x
 * - unrealizedPnl(x)      = s · E · (x − x_entry)
 * - maintenanceMargin(x)  = E · MMR · x − cum          (bracket by notional)
 * These three lines are written once below (`unrealizedPnlLine`, `maintenanceMarginLine`,
 * `notional`); margins, ROE, entry price (a weighted mean in x: quantity-weighted for linear,
 * harmonic for inverse), funding, fees, liquidation and bankruptcy prices all derive from them, and
 * so does the hot path (`hot-path.ts`).
 *
 * ## Sign conventions
 * - Sizes and prices are positive; the side is `'LONG' | 'SHORT'`.
 * - PnL, funding payments: positive = credited to the account, negative = debited.
 * - Fees: a positive amount charged (a negative rate gives a negative fee, i.e. a rebate).
 * - Results are exact (big.js, 40 decimal places on division); round for display with
 *   `toExchangeDisplay` and to the tick with `rounding.ts`.
 */
import { dec, ONE, ZERO } from '../../common/decimal';
import type { Decimal } from '../../common/decimal';
import { ValidationError } from '../../common/errors';
import { bracketForNotional } from './brackets';
import type { Bracket, ContractSpec, PositionSide } from './contract-spec';
import { roundLiquidationPrice } from './rounding';
import type { TriggerDirection } from './rounding';

/** An open position: `size` in contracts (positive), `entryPrice` in the quote asset. */
export interface PositionInput {
  readonly spec: ContractSpec;
  readonly side: PositionSide;
  readonly size: Decimal;
  readonly entryPrice: Decimal;
}

/** value(x) = slope · x + intercept, in the margin asset, x the price coordinate. */
export interface PriceLine {
  readonly slope: Decimal;
  readonly intercept: Decimal;
}

const MINUS_ONE = dec(-1);

function assertPositive(value: Decimal, field: string): void {
  if (value.lte(ZERO)) throw new ValidationError('INVALID_VALUE', `${field} must be positive, was ${value.toFixed()}`);
}

function assertLeverage(leverage: number): Decimal {
  if (!Number.isInteger(leverage) || leverage < 1) {
    throw new ValidationError('LEVERAGE_INVALID', `leverage must be a whole number ≥ 1, was ${leverage}`);
  }
  return dec(leverage);
}

/** +1 for LONG, −1 for SHORT. */
export function sideSign(side: PositionSide): Decimal {
  return side === 'LONG' ? ONE : MINUS_ONE;
}

/** x = P (linear) or 1/P (inverse). */
export function priceCoordinate(spec: ContractSpec, price: Decimal): Decimal {
  assertPositive(price, 'price');
  return spec.kind === 'linear' ? price : ONE.div(price);
}

/** The price of a coordinate: P = x (linear) or 1/x (inverse). */
export function priceFromCoordinate(spec: ContractSpec, x: Decimal): Decimal {
  return spec.kind === 'linear' ? x : ONE.div(x);
}

/** E = size × contractSize: base units (linear) or quote units, e.g. USD (inverse). */
export function exposure(spec: ContractSpec, size: Decimal): Decimal {
  return size.times(spec.contractSize);
}

function pnlSign(spec: ContractSpec, side: PositionSide): Decimal {
  const s = sideSign(side);
  return spec.kind === 'linear' ? s : s.neg();
}

export function evaluateLine(line: PriceLine, x: Decimal): Decimal {
  return line.slope.times(x).plus(line.intercept);
}

/** The coordinate where `line` equals `target`. */
function solveLine(line: PriceLine, target: Decimal): Decimal {
  return target.minus(line.intercept).div(line.slope);
}

/**
 * Position notional (absolute), in the margin asset.
 * - linear: size × contractSize × price (USDT); Binance positionRisk `notional` = positionAmt × markPrice.
 * - inverse: contracts × contractSize / price (coin); Binance COIN-M FAQ "notional value = contracts ×
 *   contract multiplier / mark price" (https://www.binance.com/en/support/faq/ceccfcfb4e3a45e3b48b0b1bb1a8ae46).
 */
export function notional(spec: ContractSpec, size: Decimal, price: Decimal): Decimal {
  return exposure(spec, size).times(priceCoordinate(spec, price));
}

/** Notional signed by side, as Binance positionRisk shows it (negative for a short). */
export function signedNotional(position: PositionInput, markPrice: Decimal): Decimal {
  return notional(position.spec, position.size, markPrice).times(sideSign(position.side));
}

/**
 * Initial margin = notional at `price` / leverage (margin asset). Binance's position panel uses the
 * mark price, its calculator the entry price (FAQ "How to Use Binance Futures Calculator",
 * https://www.binance.com/en/support/faq/how-to-use-the-binance-futures-calculator-360036498511):
 * the caller chooses by passing the price.
 */
export function initialMargin(input: { spec: ContractSpec; size: Decimal; price: Decimal; leverage: number }): Decimal {
  return notional(input.spec, input.size, input.price).div(assertLeverage(input.leverage));
}

/** The bracket a position of `size` contracts falls in at `price`. */
export function bracketAt(spec: ContractSpec, size: Decimal, price: Decimal): Bracket {
  return bracketForNotional(spec.brackets, notional(spec, size, price));
}

/** MM(x) = E · MMR · x − cum for one bracket. */
export function maintenanceMarginLine(spec: ContractSpec, size: Decimal, bracket: Bracket): PriceLine {
  return { slope: exposure(spec, size).times(bracket.maintMarginRatio), intercept: bracket.cum.neg() };
}

/**
 * Maintenance margin = notional × MMR − cum, with MMR and cum of the bracket the notional at
 * `markPrice` falls in (margin asset). Source: Binance FAQ "How to Calculate Liquidation Price of
 * USDⓈ-M Futures Contracts" https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93
 * and, in coin, the COIN-M FAQ https://www.binance.com/en/support/faq/ceccfcfb4e3a45e3b48b0b1bb1a8ae46.
 * Binance shows it truncated to 8 dp: `toExchangeDisplay`.
 */
export function maintenanceMargin(input: { spec: ContractSpec; size: Decimal; markPrice: Decimal }): Decimal {
  const bracket = bracketAt(input.spec, input.size, input.markPrice);
  return evaluateLine(maintenanceMarginLine(input.spec, input.size, bracket), priceCoordinate(input.spec, input.markPrice));
}

/** uPnL(x) = s · E · (x − x_entry). */
export function unrealizedPnlLine(position: PositionInput): PriceLine {
  const slope = pnlSign(position.spec, position.side).times(exposure(position.spec, position.size));
  return { slope, intercept: slope.times(priceCoordinate(position.spec, position.entryPrice)).neg() };
}

/**
 * Unrealized PnL at `markPrice`, in the margin asset; positive = profit.
 * - linear: side × size × contractSize × (mark − entry)
 * - inverse: side × contracts × contractSize × (1/entry − 1/mark) (coin)
 * Sources: Binance positionRisk docs (https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Position-Information-V3,
 * https://developers.binance.com/docs/derivatives/coin-margined-futures/trade/rest-api/Position-Information),
 * Binance calculator FAQ (https://www.binance.com/en/support/faq/how-to-use-the-binance-futures-calculator-360036498511).
 */
export function unrealizedPnl(position: PositionInput, markPrice: Decimal): Decimal {
  return evaluateLine(unrealizedPnlLine(position), priceCoordinate(position.spec, markPrice));
}

/**
 * PnL booked when `closeSize` contracts of the position are closed at `exitPrice`: the unrealized
 * PnL of the closed part at the exit price (fees excluded). The remainder keeps its entry price.
 */
export function realizedPnl(position: PositionInput, close: { closeSize: Decimal; exitPrice: Decimal }): Decimal {
  assertPositive(close.closeSize, 'closeSize');
  if (close.closeSize.gt(position.size)) {
    throw new ValidationError('CLOSE_EXCEEDS_POSITION', `closeSize ${close.closeSize.toFixed()} is above the position size ${position.size.toFixed()}`);
  }
  return unrealizedPnl({ ...position, size: close.closeSize }, close.exitPrice);
}

/**
 * Return on equity = PnL / initial margin at the ENTRY price (Binance calculator's definition; the
 * position panel divides by margin at mark instead — reference `binance-roe-position-panel-vs-calculator`).
 * A fraction (0.25 = 25%). Source: https://www.binance.com/en/support/faq/how-to-use-the-binance-futures-calculator-360036498511
 * (the FAQ's USDⓈ-M text formula has the wrong sign; PnL / IM agrees with its worked examples).
 */
export function returnOnEquity(position: PositionInput, at: { markPrice: Decimal; leverage: number }): Decimal {
  const margin = initialMargin({ spec: position.spec, size: position.size, price: position.entryPrice, leverage: at.leverage });
  return unrealizedPnl(position, at.markPrice).div(margin);
}

/**
 * The exit price at which the position reaches `roe` (fraction). Linear: entry × (1 + side·ROE/lev);
 * inverse: side·entry / (side − ROE/lev) (Binance calculator FAQ, "Target Price").
 */
export function targetPriceForRoe(position: PositionInput, target: { roe: Decimal; leverage: number }): Decimal {
  const margin = initialMargin({ spec: position.spec, size: position.size, price: position.entryPrice, leverage: target.leverage });
  return priceFromCoordinate(position.spec, solveLine(unrealizedPnlLine(position), target.roe.times(margin)));
}

/**
 * The price at which the PnL pays back the opening fee (`openingFeeRate` × entry notional). This is
 * what Binance positionRisk `breakEvenPrice` shows in its doc examples: entry × (1 ± rate) for linear
 * (ADAUSDT long 0.385 × 1.0002; COMPUSDT short 70.92841 × 0.9996).
 */
export function breakEvenPrice(position: PositionInput, openingFeeRate: Decimal): Decimal {
  const fee = notional(position.spec, position.size, position.entryPrice).times(openingFeeRate);
  return priceFromCoordinate(position.spec, solveLine(unrealizedPnlLine(position), fee));
}

/**
 * Entry price after adding `addSize` contracts at `addPrice` to the same side: the exposure-weighted
 * mean in the coordinate x, i.e. quantity-weighted for linear ((q1·P1 + q2·P2)/(q1 + q2)) and
 * harmonic for inverse ((q1 + q2)/(q1/P1 + q2/P2)). Exact (40 dp on division); keeps PnL additive:
 * closing the merged position books what closing both parts would.
 */
export function averageEntryPrice(position: PositionInput, add: { addSize: Decimal; addPrice: Decimal }): Decimal {
  assertPositive(add.addSize, 'addSize');
  const { spec } = position;
  const weighted = position.size
    .times(priceCoordinate(spec, position.entryPrice))
    .plus(add.addSize.times(priceCoordinate(spec, add.addPrice)));
  return priceFromCoordinate(spec, weighted.div(position.size.plus(add.addSize)));
}

/**
 * Margin ratio as Binance defines it: maintenance margin / margin balance (liquidation at ≥ 1).
 * Null when the margin balance is zero or negative (already past bankruptcy). OKX's "margin ratio"
 * is the inverse (equity / (MM + fees), liquidation at ≤ 1): convert at the adapter.
 */
export function marginRatio(input: { maintenanceMargin: Decimal; marginBalance: Decimal }): Decimal | null {
  if (input.marginBalance.lte(ZERO)) return null;
  return input.maintenanceMargin.div(input.marginBalance);
}

/**
 * Funding payment for one funding time, in the margin asset, signed for the account: positive =
 * received, negative = paid. Payment = −side × position value at mark × fundingRate, so longs pay
 * shorts when the rate is positive. Position value = notional at mark (USDT for linear, coin for
 * inverse). Source: Binance FAQ "Introduction to Binance Futures Funding Rates"
 * https://www.binance.com/en/support/faq/360033525031 ("Funding Amount = Nominal Value of Positions ×
 * Funding Rate"; COIN-M: nominal value = contracts × contract size / mark price).
 */
export function fundingPayment(
  position: { spec: ContractSpec; side: PositionSide; size: Decimal },
  funding: { markPrice: Decimal; fundingRate: Decimal },
): Decimal {
  return notional(position.spec, position.size, funding.markPrice)
    .times(funding.fundingRate)
    .times(sideSign(position.side))
    .neg();
}

/**
 * Trading fee charged for a fill, in the margin asset: notional at the fill price × rate
 * (linear: price × qty × contractSize × rate; inverse: contracts × contractSize / price × rate, coin).
 * Source: Binance FAQ "Binance Futures Fee Structure" https://www.binance.com/en/support/faq/360033544231;
 * reference case `binance-fee-commission-example`. Use `spec.makerFeeRate` or `spec.takerFeeRate`.
 */
export function tradingFee(input: { spec: ContractSpec; size: Decimal; price: Decimal; feeRate: Decimal }): Decimal {
  return notional(input.spec, input.size, input.price).times(input.feeRate);
}

// ---------------------------------------------------------------------------------------------
// Liquidation and bankruptcy
// ---------------------------------------------------------------------------------------------

/** One position of the contract being solved for; one-way mode has one leg, hedge mode up to two. */
export interface LiquidationLeg {
  readonly side: PositionSide;
  readonly size: Decimal;
  readonly entryPrice: Decimal;
}

/**
 * - isolated: `walletBalance` = the position's isolated wallet (margin), no other terms, one leg.
 * - cross: `walletBalance` = the cross wallet balance of the margin asset; `otherMaintenanceMargin`
 *   (Binance TMM1) and `otherUnrealizedPnl` (UPNL1) = sums over the account's positions in OTHER
 *   contracts (see `crossAccountTerms`).
 */
export interface LiquidationInput {
  readonly spec: ContractSpec;
  readonly legs: readonly LiquidationLeg[];
  readonly walletBalance: Decimal;
  readonly otherMaintenanceMargin?: Decimal;
  readonly otherUnrealizedPnl?: Decimal;
  /** With several legs: the current mark, from which the nearest liquidation price is sought (default: the first leg's entry). */
  readonly markPrice?: Decimal;
}

/**
 * 'price': liquidated when the mark reaches `price`; 'never': no positive price liquidates (e.g. a
 * long whose margin covers the whole notional); 'immediate': the margin balance is below the
 * maintenance margin at every price (a cross account already under water).
 */
export type LiquidationState = 'price' | 'never' | 'immediate';

export interface LiquidationResult {
  readonly state: LiquidationState;
  /** Exact price (40 dp on division); null unless `state` is 'price'. */
  readonly price: Decimal | null;
  /** `price` rounded to the tick in the direction that never understates risk. */
  readonly roundedPrice: Decimal | null;
  /** 'below': liquidated when the mark falls to the price (long-like); 'above': when it rises to it. */
  readonly triggers: TriggerDirection | null;
  /** The bracket of each leg at the price (the bracket re-check has converged on these). */
  readonly brackets: readonly Bracket[];
}

interface Solution {
  readonly state: LiquidationState;
  readonly price: Decimal | null;
  readonly triggers: TriggerDirection | null;
}

function legPosition(spec: ContractSpec, leg: LiquidationLeg): PositionInput {
  assertPositive(leg.size, 'size');
  return { spec, side: leg.side, size: leg.size, entryPrice: leg.entryPrice };
}

/** The constant part of the margin balance: WB − TMM1 + UPNL1. */
function accountConstant(input: LiquidationInput): Decimal {
  return input.walletBalance.minus(input.otherMaintenanceMargin ?? ZERO).plus(input.otherUnrealizedPnl ?? ZERO);
}

/**
 * Solves  constant + Σ uPnL_i(x) = Σ MM_i(x)  for x, each side a line in x.
 * The slope sign of (equity − MM) tells which way the price must move to liquidate.
 */
function solveEquality(spec: ContractSpec, constant: Decimal, pnl: readonly PriceLine[], maint: readonly PriceLine[]): Solution {
  let slope = ZERO;
  let intercept = constant;
  for (const line of pnl) {
    slope = slope.plus(line.slope);
    intercept = intercept.plus(line.intercept);
  }
  for (const line of maint) {
    slope = slope.minus(line.slope);
    intercept = intercept.minus(line.intercept);
  }
  // equity − MM = slope·x + intercept.
  if (slope.eq(ZERO)) return { state: intercept.lt(ZERO) ? 'immediate' : 'never', price: null, triggers: null };
  // It rises with the price when it rises with x (linear) or falls with x (inverse).
  const risesWithPrice = spec.kind === 'linear' ? slope.gt(ZERO) : slope.lt(ZERO);
  const triggers: TriggerDirection = risesWithPrice ? 'below' : 'above';
  // The root x = −intercept/slope; for inverse P = 1/x is taken in one division (−slope/intercept), so
  // a price that is a terminating decimal comes out exact.
  const rootPositive = !intercept.eq(ZERO) && intercept.gt(ZERO) === slope.lt(ZERO);
  if (rootPositive) {
    const price = spec.kind === 'linear' ? intercept.neg().div(slope) : slope.neg().div(intercept);
    return { state: 'price', price, triggers };
  }
  // No root at a positive x: the sign over all x > 0 is the slope's.
  return { state: slope.gt(ZERO) ? 'never' : 'immediate', price: null, triggers };
}

function resultOf(spec: ContractSpec, solution: Solution, brackets: readonly Bracket[]): LiquidationResult {
  const { price } = solution;
  if (price === null || solution.triggers === null) {
    return { state: solution.state, price: null, roundedPrice: null, triggers: solution.triggers, brackets };
  }
  return { state: 'price', price, roundedPrice: roundLiquidationPrice(spec, price, solution.triggers), triggers: solution.triggers, brackets };
}

function sameBrackets(a: readonly Bracket[], b: readonly Bracket[]): boolean {
  return a.every((bracket, index) => bracket.bracket === b[index]?.bracket);
}

/** Brackets in force at the far end of the price range in the trigger direction. */
function extremeBrackets(spec: ContractSpec, legs: readonly LiquidationLeg[], triggers: TriggerDirection): Bracket[] {
  // Falling price: linear notional → 0, inverse notional → ∞; rising price: the reverse.
  const smallest = (triggers === 'below') === (spec.kind === 'linear');
  const first = spec.brackets[0];
  const last = spec.brackets.at(-1);
  if (first === undefined || last === undefined) throw new ValidationError('INVALID_BRACKETS', `${spec.symbol} has no brackets`);
  return legs.map(() => (smallest ? first : last));
}

type Solver = (brackets: readonly Bracket[]) => Solution;

/**
 * One position: margin balance − maintenance margin is strictly monotone in the price (the
 * maintenance-margin slope, E·MMR ≤ E/2, never outgrows the PnL slope E), so the FAQ's procedure —
 * solve with the bracket at entry, re-check the bracket at the result, recompute — finds the one root.
 */
function solveOneLeg(spec: ContractSpec, leg: LiquidationLeg, solveWith: Solver): LiquidationResult | null {
  let brackets: Bracket[] = [bracketAt(spec, leg.size, leg.entryPrice)];
  let reseeded = false;
  const attempts = spec.brackets.length * 2;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const solution = solveWith(brackets);
    const { price } = solution;
    if (price === null) {
      // MM is the maximum of the bracket lines, so 'immediate' with one line holds for the true MM;
      // 'never' may hide a root that the bracket at the far end of the price range has.
      if (solution.state === 'immediate' || reseeded || solution.triggers === null) return resultOf(spec, solution, brackets);
      brackets = extremeBrackets(spec, [leg], solution.triggers);
      reseeded = true;
      continue;
    }
    const atPrice = [bracketAt(spec, leg.size, price)];
    if (sameBrackets(atPrice, brackets)) return resultOf(spec, solution, brackets);
    brackets = atPrice;
  }
  return null;
}

/** Prices where some leg's notional crosses a bracket cap, ascending. */
function bracketBreakpoints(spec: ContractSpec, legs: readonly LiquidationLeg[]): Decimal[] {
  const points: Decimal[] = [];
  for (const leg of legs) {
    const legExposure = exposure(spec, leg.size);
    for (const bracket of spec.brackets.slice(0, -1)) {
      points.push(spec.kind === 'linear' ? bracket.notionalCap.div(legExposure) : legExposure.div(bracket.notionalCap));
    }
  }
  return points.sort((a, b) => a.cmp(b));
}

/**
 * Several legs (hedge mode): margin balance − maintenance margin need not be monotone (both legs'
 * maintenance margins grow with the price while their PnL nearly cancels), and the FAQ's re-check
 * can cycle. Between two consecutive bracket breakpoints every leg keeps its bracket, so the
 * equation is one line there: solve it in each interval, keep the roots inside, and return the one
 * nearest the reference price (the mark) on the side the price would have to move.
 */
function solveByIntervals(input: LiquidationInput, solveWith: Solver): LiquidationResult {
  const { spec, legs } = input;
  const reference = input.markPrice ?? legs[0]!.entryPrice;
  const gapAtReference = marginBalanceAt(input, reference).minus(maintenanceMarginAt(input, reference));
  const noBrackets = legs.map((leg) => bracketAt(spec, leg.size, reference));
  if (gapAtReference.lte(ZERO)) return { state: 'immediate', price: null, roundedPrice: null, triggers: null, brackets: noBrackets };

  let best: { result: LiquidationResult; distance: Decimal } | null = null;
  let low = ZERO;
  for (const high of [...bracketBreakpoints(spec, legs), null]) {
    if (high !== null && high.eq(low)) continue;
    const probe = high === null ? (low.eq(ZERO) ? reference : low.times(2)) : low.plus(high).div(2);
    const brackets = legs.map((leg) => bracketAt(spec, leg.size, probe));
    const solution = solveWith(brackets);
    const { price } = solution;
    if (price !== null && price.gte(low) && (high === null || price.lte(high))) {
      const distance = price.minus(reference).abs();
      if (best === null || distance.lt(best.distance)) {
        const triggers: TriggerDirection = price.lt(reference) ? 'below' : 'above';
        best = { result: resultOf(spec, { ...solution, triggers }, brackets), distance };
      }
    }
    if (high !== null) low = high;
  }
  return best?.result ?? { state: 'never', price: null, roundedPrice: null, triggers: null, brackets: noBrackets };
}

/**
 * Liquidation price: the mark price at which margin balance = maintenance margin.
 *
 * Linear (Binance USDⓈ-M, FAQ https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93):
 *   LP = (WB − TMM1 + UPNL1 + cumB + cumL + cumS − Side1·Pos1·EP1 − P_long·EP_long + P_short·EP_short)
 *        / (Pos1·MMR_B + P_long·MMR_L + P_short·MMR_S − Side1·Pos1 − P_long + P_short)
 * Inverse (Binance COIN-M, FAQ https://www.binance.com/en/support/faq/ceccfcfb4e3a45e3b48b0b1bb1a8ae46):
 *   LP = (Pos1·MMR_B + P_long·MMR_L + P_short·MMR_S + Side1·Pos1 + P_long − P_short) · CS
 *        / (WB − TMM1 + UPNL1 + cumB + cumL + cumS + (Side1·Pos1/EP1 + P_long/EP_long − P_short/EP_short) · CS)
 * Both are the solution of the one equation in the price coordinate x (module doc); the legs carry
 * Pos1 (one-way, "BOTH") or P_long/P_short (hedge). Isolated: WB = isolated wallet, no TMM1/UPNL1.
 *
 * Bracket re-check (FAQ note): the brackets are first taken at the entry notional; if the notional at
 * the computed price falls in another bracket, the price is recomputed with that bracket until they
 * agree (one leg); with several legs every bracket interval is solved (`solveByIntervals`).
 * Units: prices in the quote asset; WB, TMM1, UPNL1, cum in the margin asset (coin for inverse).
 */
export function liquidationPrice(input: LiquidationInput): LiquidationResult {
  const { spec, legs } = input;
  if (legs.length === 0) throw new ValidationError('INVALID_VALUE', 'a liquidation price needs at least one position');
  const pnl = legs.map((leg) => unrealizedPnlLine(legPosition(spec, leg)));
  const constant = accountConstant(input);
  const solveWith: Solver = (brackets) =>
    solveEquality(spec, constant, pnl, brackets.map((bracket, index) => maintenanceMarginLine(spec, legs[index]!.size, bracket)));
  const [only] = legs;
  if (legs.length === 1 && only !== undefined) {
    const result = solveOneLeg(spec, only, solveWith);
    if (result !== null) return result;
  }
  return solveByIntervals(input, solveWith);
}

/** Isolated margin, one position: `isolatedMargin` is its isolated wallet (Binance `isolatedWallet`). */
export function isolatedLiquidationPrice(position: PositionInput & { isolatedMargin: Decimal }): LiquidationResult {
  return liquidationPrice({ spec: position.spec, legs: [position], walletBalance: position.isolatedMargin });
}

/**
 * Bankruptcy price: the mark price at which the margin balance is zero (maintenance margin taken as
 * zero in the same equation): WB + UPNL1 + Σ uPnL_i = 0. Binance closes liquidated positions at this
 * price; the clearance fee is taken from what remains between the liquidation and bankruptcy prices.
 * Rounded like a liquidation price (never understating risk).
 */
export function bankruptcyPrice(input: Omit<LiquidationInput, 'otherMaintenanceMargin'>): LiquidationResult {
  const { spec, legs } = input;
  const pnl = legs.map((leg) => unrealizedPnlLine(legPosition(spec, leg)));
  return resultOf(spec, solveEquality(spec, accountConstant(input), pnl, []), []);
}

/**
 * OKX isolated liquidation price (where OKX differs from Binance):
 * - OKX position tiers have no maintenance amount: MM = notional × MMR of the tier, on the whole position;
 * - the liquidation condition adds the closing taker fee to the maintenance margin (OKX margin ratio =
 *   equity / (maintenance margin + fees); "Isolated margin mode", https://www.okx.com/help-center/6997123251341),
 *   so the effective ratio is MMR + takerFeeRate;
 * - the tier is chosen by position size in contracts (GET /api/v5/public/position-tiers), by the caller.
 * Linear long:   LP = (margin − E·EP) / (E·(MMR + fee − 1));  short: (margin + E·EP) / (E·(MMR + fee + 1)).
 * Inverse long:  LP = E·(MMR + fee + 1) / (margin + E/EP);   short: E·(MMR + fee − 1) / (margin − E/EP).
 * (E = contracts × ctVal.) Solved by the same equation as Binance's with cum = 0.
 */
export function okxIsolatedLiquidationPrice(
  position: PositionInput & { margin: Decimal; maintMarginRatio: Decimal; takerFeeRate: Decimal },
): LiquidationResult {
  const { spec } = position;
  const pnl = unrealizedPnlLine(legPosition(spec, position));
  const rate = position.maintMarginRatio.plus(position.takerFeeRate);
  const maint: PriceLine = { slope: exposure(spec, position.size).times(rate), intercept: ZERO };
  return resultOf(spec, solveEquality(spec, position.margin, [pnl], [maint]), []);
}

/** Margin balance of a liquidation input at `markPrice`: WB − TMM1 + UPNL1 + Σ uPnL_i (margin asset). */
export function marginBalanceAt(input: LiquidationInput, markPrice: Decimal): Decimal {
  return input.legs.reduce(
    (sum, leg) => sum.plus(unrealizedPnl(legPosition(input.spec, leg), markPrice)),
    accountConstant(input),
  );
}

/** Maintenance margin of the input's legs at `markPrice` (each leg's own bracket). */
export function maintenanceMarginAt(input: LiquidationInput, markPrice: Decimal): Decimal {
  return input.legs.reduce(
    (sum, leg) => sum.plus(maintenanceMargin({ spec: input.spec, size: leg.size, markPrice })),
    ZERO,
  );
}

/** TMM1 and UPNL1 for a cross liquidation price: sums over the positions in the other contracts. */
export function crossAccountTerms(
  others: readonly { position: PositionInput; markPrice: Decimal }[],
): { otherMaintenanceMargin: Decimal; otherUnrealizedPnl: Decimal } {
  let otherMaintenanceMargin = ZERO;
  let otherUnrealizedPnl = ZERO;
  for (const { position, markPrice } of others) {
    otherMaintenanceMargin = otherMaintenanceMargin.plus(maintenanceMargin({ spec: position.spec, size: position.size, markPrice }));
    otherUnrealizedPnl = otherUnrealizedPnl.plus(unrealizedPnl(position, markPrice));
  }
  return { otherMaintenanceMargin, otherUnrealizedPnl };
}
