/**
 * Checks on a new order, in Binance's order (https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/New-Order):
 * filters (tick, step, min/max qty, min notional), position side against the position mode,
 * closePosition only on STOP_MARKET / TAKE_PROFIT_MARKET, reduce-only against the position,
 * conditional orders that would trigger at once (-2021), duplicate client ids.
 */
import { type Decimal, isMultipleOf, ZERO } from '../../../common/decimal';
import type { ContractSpec } from '../../../contracts/domain/contract-spec';
import { ExchangeErrorCode as C, invalid, rejected } from '../../exchange-errors';
import { CONDITIONAL_ORDER_TYPES, type OrderSide, type OrderType, type PositionSide } from '../../types';
import type { AccountState, MarketState, PlaceOrderCommand } from './engine-types';
import { getPosition } from './fills';

const LIMIT_TYPES: ReadonlySet<OrderType> = new Set<OrderType>(['LIMIT', 'STOP', 'TAKE_PROFIT']);

export function needsPrice(type: OrderType): boolean {
  return LIMIT_TYPES.has(type);
}

/** Positive qty that closes: how much of a position an order on this side may reduce. */
export function reducibleQty(account: AccountState, symbol: string, side: OrderSide, positionSide: PositionSide): Decimal {
  const leg = account.positionMode === 'ONE_WAY' ? 'BOTH' : positionSide;
  const pos = getPosition(account, symbol, leg);
  if (!pos) return ZERO;
  if (side === 'BUY' && pos.amount.lt(0)) return pos.amount.abs();
  if (side === 'SELL' && pos.amount.gt(0)) return pos.amount;
  return ZERO;
}

/** In hedge mode SELL LONG and BUY SHORT close; they are reduce-only by nature (Binance). */
export function isClosingLeg(account: AccountState, side: OrderSide, positionSide: PositionSide): boolean {
  return account.positionMode === 'HEDGE' && ((side === 'SELL' && positionSide === 'LONG') || (side === 'BUY' && positionSide === 'SHORT'));
}

export function resolvePositionSide(account: AccountState, cmd: PlaceOrderCommand): PositionSide {
  const ps = cmd.positionSide ?? 'BOTH';
  if (account.positionMode === 'ONE_WAY' && ps !== 'BOTH') {
    throw rejected(C.POSITION_SIDE_MISMATCH, `positionSide ${ps} is not allowed in one-way mode`);
  }
  if (account.positionMode === 'HEDGE' && ps === 'BOTH') {
    throw rejected(C.POSITION_SIDE_MISMATCH, 'positionSide LONG or SHORT is required in hedge mode');
  }
  if (account.positionMode === 'HEDGE' && cmd.reduceOnly) {
    throw invalid(C.INVALID_ORDER, 'reduceOnly is not sent in hedge mode; positionSide decides', 'reduceOnly');
  }
  return ps;
}

export function validateFilters(spec: ContractSpec, cmd: PlaceOrderCommand, qty: Decimal): void {
  if (cmd.closePosition) {
    if (cmd.type !== 'STOP_MARKET' && cmd.type !== 'TAKE_PROFIT_MARKET') {
      throw invalid(C.INVALID_ORDER, 'closePosition is only for STOP_MARKET and TAKE_PROFIT_MARKET', 'closePosition');
    }
  } else {
    if (qty.lte(0) || !isMultipleOf(qty, spec.stepSize)) throw invalid(C.INVALID_QUANTITY, `qty ${qty.toFixed()} is not a positive multiple of ${spec.stepSize.toFixed()}`, 'qty');
    if (qty.lt(spec.minQty)) throw invalid(C.INVALID_QUANTITY, `qty is below the minimum ${spec.minQty.toFixed()}`, 'qty');
    const max = cmd.type === 'MARKET' || cmd.type.endsWith('_MARKET') ? spec.marketMaxQty : spec.maxQty;
    if (max.gt(0) && qty.gt(max)) throw invalid(C.INVALID_QUANTITY, `qty is above the maximum ${max.toFixed()}`, 'qty');
  }
  for (const [field, v] of [['price', cmd.price], ['stopPrice', cmd.stopPrice], ['activationPrice', cmd.activationPrice]] as const) {
    if (v === undefined) continue;
    if (v.lte(0) || !isMultipleOf(v, spec.tickSize)) throw invalid(C.INVALID_PRICE, `${field} ${v.toFixed()} is not a positive multiple of ${spec.tickSize.toFixed()}`, field);
    if (spec.minPrice.gt(0) && v.lt(spec.minPrice)) throw invalid(C.INVALID_PRICE, `${field} is below ${spec.minPrice.toFixed()}`, field);
    if (spec.maxPrice.gt(0) && v.gt(spec.maxPrice)) throw invalid(C.INVALID_PRICE, `${field} is above ${spec.maxPrice.toFixed()}`, field);
  }
  if (needsPrice(cmd.type) && cmd.price === undefined) throw invalid(C.INVALID_ORDER, `${cmd.type} needs a price`, 'price');
  if (!needsPrice(cmd.type) && cmd.price !== undefined) throw invalid(C.INVALID_ORDER, `${cmd.type} takes no price`, 'price');
  const conditional = CONDITIONAL_ORDER_TYPES.has(cmd.type);
  if (conditional && cmd.type !== 'TRAILING_STOP_MARKET' && cmd.stopPrice === undefined) {
    throw invalid(C.INVALID_ORDER, `${cmd.type} needs a stopPrice`, 'stopPrice');
  }
  if (cmd.type === 'TRAILING_STOP_MARKET') {
    const r = cmd.callbackRate;
    // Binance: callbackRate from 0.1 to 10 (percent)
    if (!r || r.lt('0.1') || r.gt(10)) throw invalid(C.INVALID_ORDER, 'callbackRate must be between 0.1 and 10 (percent)', 'callbackRate');
  }
  if (cmd.timeInForce === 'GTX' && cmd.type !== 'LIMIT') throw invalid(C.INVALID_ORDER, 'GTX (post-only) is for LIMIT orders', 'timeInForce');
}

/** Binance -2021 "Order would immediately trigger": the trigger is already reached. */
export function assertWouldNotTrigger(cmd: PlaceOrderCommand, market: MarketState | undefined): void {
  if (!CONDITIONAL_ORDER_TYPES.has(cmd.type) || cmd.type === 'TRAILING_STOP_MARKET' || !market || !cmd.stopPrice) return;
  const ref = (cmd.workingType ?? 'CONTRACT_PRICE') === 'MARK_PRICE' ? market.tick.markPrice : market.tick.lastPrice;
  if (stopReached(cmd.type, cmd.side, cmd.stopPrice, ref)) {
    throw rejected(C.ORDER_WOULD_IMMEDIATELY_TRIGGER, `${cmd.type} ${cmd.side} at ${cmd.stopPrice.toFixed()} would trigger immediately at ${ref.toFixed()}`);
  }
}

/**
 * Binance trigger rules: STOP/STOP_MARKET BUY when price ≥ stopPrice, SELL when price ≤ stopPrice;
 * TAKE_PROFIT/TAKE_PROFIT_MARKET BUY when price ≤ stopPrice, SELL when price ≥ stopPrice.
 */
export function stopReached(type: OrderType, side: OrderSide, stopPrice: Decimal, price: Decimal): boolean {
  const stop = type === 'STOP' || type === 'STOP_MARKET';
  const up = stop ? side === 'BUY' : side === 'SELL';
  return up ? price.gte(stopPrice) : price.lte(stopPrice);
}
