import { canonicalDecimal } from '../common/decimal';
import type { EntityMetadata } from 'typeorm';
import type { ContractOrderEntity } from './contract-order.entity';

const d = (v: string | null) => (v === null ? null : canonicalDecimal(v));

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
    quantity: canonicalDecimal(o.quantity),
    price: d(o.price),
    stopPrice: d(o.stopPrice),
    timeInForce: o.timeInForce,
    reduceOnly: o.reduceOnly,
    closePosition: o.closePosition,
    status: o.status,
    filledQty: canonicalDecimal(o.filledQty ?? '0'),
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
    price: canonicalDecimal(t.price),
    qty: canonicalDecimal(t.qty),
    quoteQty: canonicalDecimal(t.quote_qty),
    realizedPnl: canonicalDecimal(t.realized_pnl),
    commission: canonicalDecimal(t.commission),
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
  // One object literal with every property (names from the entity's metadata, quoted as JSON
  // strings): one shape for every entity, its properties in the object, no growing by keyed stores.
  const fields = metadata.columns.map((c) => `${JSON.stringify(c.propertyName)}: row[${JSON.stringify(c.databaseName)}]`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('row', `return { ${fields.join(', ')} };`) as (row: Record<string, unknown>) => T;
}
