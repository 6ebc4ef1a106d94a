/**
 * Order checks against the contract's filters and leverage brackets, with stable codes, and the
 * largest quantity an available balance can open.
 *
 * Filters as Binance defines them (https://developers.binance.com/docs/derivatives/usds-margined-futures/common-definition,
 * "Filters"): PRICE_FILTER price ≥ minPrice, ≤ maxPrice, (price − minPrice) % tickSize = 0; LOT_SIZE /
 * MARKET_LOT_SIZE quantity ≥ minQty, ≤ maxQty, (quantity − minQty) % stepSize = 0; MIN_NOTIONAL
 * price × quantity ≥ notional (market orders at the mark price). Each check is off when its value is 0.
 * Position limit: Binance error -2027 "Exceeded the maximum allowable position at current leverage"
 * (the notional must not exceed the cap of the last bracket allowing the leverage).
 */
import { dec, isMultipleOf, minDec, maxDec, ONE, ZERO } from '../../common/decimal';
import type { Decimal } from '../../common/decimal';
import { RiskRejectedError, ValidationError } from '../../common/errors';
import { maxNotionalForLeverage } from './brackets';
import { notional } from './calculator';
import type { ContractSpec } from './contract-spec';
import { roundQuantity } from './rounding';

export type OrderType = 'LIMIT' | 'MARKET';

export type OrderCheckCode =
  | 'PRICE_NOT_POSITIVE'
  | 'PRICE_OUT_OF_RANGE'
  | 'PRICE_OFF_TICK'
  | 'QUANTITY_NOT_POSITIVE'
  | 'QUANTITY_OFF_STEP'
  | 'QUANTITY_TOO_SMALL'
  | 'QUANTITY_TOO_LARGE'
  | 'NOTIONAL_TOO_SMALL'
  | 'LEVERAGE_INVALID'
  | 'LEVERAGE_TOO_HIGH'
  | 'POSITION_TOO_LARGE';

/** Codes that are a risk refusal (RiskRejectedError) rather than a malformed order (ValidationError). */
const RISK_CODES: ReadonlySet<OrderCheckCode> = new Set<OrderCheckCode>(['LEVERAGE_TOO_HIGH', 'POSITION_TOO_LARGE']);

export interface OrderCheckInput {
  readonly spec: ContractSpec;
  readonly orderType: OrderType;
  /** The limit price; for a MARKET order the mark price (price filters are then not applied). */
  readonly price: Decimal;
  /** Contracts. */
  readonly quantity: Decimal;
  readonly leverage: number;
  /** Contracts of the position on the order's side once it fills (default: `quantity`). */
  readonly resultingPositionSize?: Decimal;
}

export type OrderCheckResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: OrderCheckCode; readonly message: string };

const pass: OrderCheckResult = { ok: true };
const fail = (code: OrderCheckCode, message: string): OrderCheckResult => ({ ok: false, code, message });

function checkPrice(spec: ContractSpec, price: Decimal): OrderCheckResult {
  if (spec.minPrice.gt(ZERO) && price.lt(spec.minPrice)) return fail('PRICE_OUT_OF_RANGE', `price ${price.toFixed()} is below the minimum ${spec.minPrice.toFixed()}`);
  if (spec.maxPrice.gt(ZERO) && price.gt(spec.maxPrice)) return fail('PRICE_OUT_OF_RANGE', `price ${price.toFixed()} is above the maximum ${spec.maxPrice.toFixed()}`);
  if (!isMultipleOf(price.minus(spec.minPrice), spec.tickSize)) return fail('PRICE_OFF_TICK', `price ${price.toFixed()} is not a multiple of the tick ${spec.tickSize.toFixed()}`);
  return pass;
}

function checkQuantity(spec: ContractSpec, orderType: OrderType, quantity: Decimal): OrderCheckResult {
  if (quantity.lt(spec.minQty)) return fail('QUANTITY_TOO_SMALL', `quantity ${quantity.toFixed()} is below the minimum ${spec.minQty.toFixed()}`);
  if (!isMultipleOf(quantity.minus(spec.minQty), spec.stepSize)) return fail('QUANTITY_OFF_STEP', `quantity ${quantity.toFixed()} is not a multiple of the step ${spec.stepSize.toFixed()}`);
  const maxQty = orderType === 'MARKET' ? spec.marketMaxQty : spec.maxQty;
  if (maxQty.gt(ZERO) && quantity.gt(maxQty)) return fail('QUANTITY_TOO_LARGE', `quantity ${quantity.toFixed()} is above the ${orderType} maximum ${maxQty.toFixed()}`);
  return pass;
}

function checkLeverage(spec: ContractSpec, leverage: number): OrderCheckResult {
  if (!Number.isInteger(leverage) || leverage < 1) return fail('LEVERAGE_INVALID', `leverage must be a whole number ≥ 1, was ${leverage}`);
  if (leverage > spec.maxLeverage) return fail('LEVERAGE_TOO_HIGH', `leverage ${leverage} is above the maximum ${spec.maxLeverage}`);
  return pass;
}

/**
 * Checks an order in a fixed order (price, leverage, quantity, notional, position) and returns the
 * first failure with its stable code.
 */
export function checkOrder(input: OrderCheckInput): OrderCheckResult {
  const { spec, price, quantity } = input;
  if (price.lte(ZERO)) return fail('PRICE_NOT_POSITIVE', `price must be positive, was ${price.toFixed()}`);
  if (quantity.lte(ZERO)) return fail('QUANTITY_NOT_POSITIVE', `quantity must be positive, was ${quantity.toFixed()}`);
  const checks = [
    () => (input.orderType === 'LIMIT' ? checkPrice(spec, price) : pass),
    () => checkLeverage(spec, input.leverage),
    () => checkQuantity(spec, input.orderType, quantity),
    () => {
      if (spec.minNotional.lte(ZERO)) return pass;
      const orderNotional = notional(spec, quantity, price);
      return orderNotional.lt(spec.minNotional)
        ? fail('NOTIONAL_TOO_SMALL', `notional ${orderNotional.toFixed()} is below the minimum ${spec.minNotional.toFixed()}`)
        : pass;
    },
    () => {
      const positionNotional = notional(spec, input.resultingPositionSize ?? quantity, price);
      const cap = maxNotionalForLeverage(spec.brackets, input.leverage);
      return positionNotional.gt(cap)
        ? fail('POSITION_TOO_LARGE', `position notional ${positionNotional.toFixed()} is above ${cap.toFixed()} allowed at ${input.leverage}x`)
        : pass;
    },
  ];
  for (const check of checks) {
    const result = check();
    if (!result.ok) return result;
  }
  return pass;
}

/** `checkOrder`, throwing: ValidationError for a malformed order, RiskRejectedError for a limit. */
export function assertOrderAllowed(input: OrderCheckInput): void {
  const result = checkOrder(input);
  if (result.ok) return;
  if (RISK_CODES.has(result.code)) throw new RiskRejectedError(result.code, result.message);
  throw new ValidationError(result.code, result.message);
}

/**
 * Largest quantity (contracts) that `availableBalance` (margin asset) can open at `price` and
 * `leverage`, paying initial margin and the opening fee: cost per contract = notional × (1/leverage
 * + feeRate). Capped by the bracket cap for the leverage (less the current position's notional) and
 * by maxQty / marketMaxQty; rounded DOWN to the step; zero when below minQty or min notional.
 */
export function maxOpenQuantity(input: {
  spec: ContractSpec;
  availableBalance: Decimal;
  leverage: number;
  price: Decimal;
  feeRate?: Decimal;
  currentSize?: Decimal;
  orderType?: OrderType;
}): Decimal {
  const { spec, price } = input;
  if (input.availableBalance.lte(ZERO)) return ZERO;
  const leverageOk = checkLeverage(spec, input.leverage);
  if (!leverageOk.ok) return ZERO;
  const perContract = notional(spec, ONE, price);
  const feeRate = maxDec(input.feeRate ?? spec.takerFeeRate, ZERO);
  const costPerContract = perContract.div(dec(input.leverage)).plus(perContract.times(feeRate));
  const byBalance = input.availableBalance.div(costPerContract);
  const capNotional = maxNotionalForLeverage(spec.brackets, input.leverage).minus(notional(spec, input.currentSize ?? ZERO, price));
  const byBracket = maxDec(capNotional, ZERO).div(perContract);
  const byFilter = (input.orderType ?? 'LIMIT') === 'MARKET' ? spec.marketMaxQty : spec.maxQty;
  const quantity = roundQuantity(spec, minDec(minDec(byBalance, byBracket), byFilter));
  if (quantity.lt(spec.minQty)) return ZERO;
  if (spec.minNotional.gt(ZERO) && notional(spec, quantity, price).lt(spec.minNotional)) return ZERO;
  return quantity;
}
