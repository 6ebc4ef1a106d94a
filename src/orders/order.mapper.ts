import { dec, toApi } from '../common/decimal';
import type { EntityMetadata } from 'typeorm';
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

/**
 * Maps rows as the driver returns them (database column names, values parsed by the driver) to the
 * entity, by the entity's column metadata.
 */
export function rowMapper<T>(metadata: EntityMetadata): (row: Record<string, unknown>) => T {
  const columns = metadata.columns.map((c) => [c.propertyName, c.databaseName] as const);
  return (row) => {
    const entity: Record<string, unknown> = {};
    for (const [property, column] of columns) entity[property] = row[column];
    return entity as T;
  };
}
