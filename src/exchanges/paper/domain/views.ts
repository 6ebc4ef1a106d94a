/** Copies of engine state for events and queries (never the mutable objects themselves). */
import { isPositive, ZERO } from '../../../common/decimal';
import type { Order } from '../../types';
import type { OrderState, PositionState, PositionView } from './engine-types';

export function orderView(o: OrderState): Order {
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    positionSide: o.positionSide,
    type: o.type,
    timeInForce: o.timeInForce,
    qty: o.qty,
    price: o.price,
    stopPrice: o.stopPrice,
    activationPrice: o.activationPrice,
    callbackRate: o.callbackRate,
    workingType: o.workingType,
    reduceOnly: o.reduceOnly,
    closePosition: o.closePosition,
    status: o.status,
    executedQty: o.executedQty,
    cumQuote: o.cumQuote,
    avgPrice: isPositive(o.executedQty) ? o.cumQuote.div(o.executedQty) : ZERO,
    createdTs: o.createdTs,
    updateTs: o.updateTs,
  };
}

export function positionView(p: PositionState): PositionView {
  return {
    symbol: p.symbol,
    positionSide: p.positionSide,
    amount: p.amount,
    entryPrice: p.entryPrice,
    isolatedMargin: p.isolatedMargin,
    marginMode: p.marginMode,
    leverage: p.leverage,
  };
}

export function positionKey(symbol: string, positionSide: string): string {
  return `${symbol}:${positionSide}`;
}
