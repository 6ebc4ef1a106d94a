import { dec, toApi } from '../common/decimal';
import type { ContractOrderEntity } from './contract-order.entity';

const d = (v: string | null) => (v === null ? null : toApi(dec(v)));

/** The API's order record: the seed's contract_orders columns, decimals as strings. */
export function toOrderView(o: ContractOrderEntity) {
  return {
    id: o.id,
    accountId: o.exchangeAccountId,
    exchange: o.exchange,
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    positionSide: o.positionSide,
    type: o.type,
    quantity: toApi(dec(o.quantity)),
    price: d(o.price),
    stopPrice: d(o.stopPrice),
    timeInForce: o.timeInForce,
    reduceOnly: o.reduceOnly,
    closePosition: o.closePosition,
    status: o.status,
    filledQty: toApi(dec(o.filledQty ?? '0')),
    avgPrice: d(o.avgPrice),
    commission: d(o.commission),
    commissionAsset: o.commissionAsset,
    callbackRate: d(o.callbackRate),
    workingType: o.workingType,
    rejectReason: o.rejectReason,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}
export type OrderView = ReturnType<typeof toOrderView>;

export interface TradeRow {
  id: string;
  exchange_account_id: number;
  symbol: string;
  trade_id: string;
  order_id: string;
  side: string;
  position_side: string;
  price: string;
  qty: string;
  quote_qty: string;
  realized_pnl: string;
  commission: string;
  commission_asset: string;
  maker: boolean;
  time: Date;
}

export function toTradeView(t: TradeRow) {
  return {
    id: Number(t.id),
    accountId: t.exchange_account_id,
    tradeId: t.trade_id,
    orderId: t.order_id,
    symbol: t.symbol,
    side: t.side,
    positionSide: t.position_side,
    price: toApi(dec(t.price)),
    qty: toApi(dec(t.qty)),
    quoteQty: toApi(dec(t.quote_qty)),
    realizedPnl: toApi(dec(t.realized_pnl)),
    commission: toApi(dec(t.commission)),
    commissionAsset: t.commission_asset,
    maker: t.maker,
    time: t.time.toISOString(),
  };
}

/** A contract_orders row as the driver returns it (snake_case columns) as the entity. */
export function orderEntityFromRow(r: Record<string, unknown>): ContractOrderEntity {
  return {
    id: r.id as number,
    userId: r.user_id as number,
    exchangeAccountId: r.exchange_account_id as number,
    exchange: r.exchange as string,
    symbol: r.symbol as string,
    orderId: r.order_id as string | null,
    clientOrderId: r.client_order_id as string | null,
    side: r.side as 'BUY' | 'SELL',
    positionSide: r.position_side as ContractOrderEntity['positionSide'],
    type: r.type as string,
    quantity: r.quantity as string,
    price: r.price as string | null,
    stopPrice: r.stop_price as string | null,
    timeInForce: r.time_in_force as string | null,
    reduceOnly: r.reduce_only as boolean,
    closePosition: r.close_position as boolean,
    status: r.status as string,
    filledQty: r.filled_qty as string,
    avgPrice: r.avg_price as string | null,
    commission: r.commission as string | null,
    commissionAsset: r.commission_asset as string | null,
    callbackRate: r.callback_rate as string | null,
    workingType: r.working_type as string | null,
    rejectReason: r.reject_reason as string | null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}
