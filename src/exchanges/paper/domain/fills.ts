/**
 * Applying one execution to an account: position (open, add, reduce, flip), isolated wallet,
 * realized PnL, commission, each wallet change a ledger entry.
 *
 * Binance semantics (https://www.binance.com/en/support/faq/360033162192): realized PnL is booked
 * on the reducing part of a fill (`rp` of ORDER_TRADE_UPDATE); commission = notional × rate of the
 * fill's role (maker/taker); in one-way mode a fill larger than the position closes it and opens the
 * rest the other way at the same price. An isolated leg takes initial margin from the cross wallet
 * into its own wallet when it grows, and releases it pro rata when it shrinks.
 */
import { type Decimal, ZERO } from '../../../common/decimal';
import type { Fill, LiquidityRole, PositionSide } from '../../types';
import type { OpContext } from './context';
import * as cm from './contract-math';
import type { AccountState, OrderState, PositionState } from './engine-types';
import { lastFundingTime } from '../../market-feed/market-tick';
import { specOf } from './margin';
import { positionKey, positionView } from './views';

export function legSide(account: AccountState, o: { side: 'BUY' | 'SELL'; positionSide: PositionSide }): PositionSide {
  return account.positionMode === 'ONE_WAY' ? 'BOTH' : o.positionSide;
}

export function getPosition(account: AccountState, symbol: string, positionSide: PositionSide): PositionState | undefined {
  return account.positions.get(positionKey(symbol, positionSide));
}

export interface FillInput {
  account: AccountState;
  order: OrderState;
  price: Decimal;
  qty: Decimal;
  role: LiquidityRole;
  /** Liquidation fills pay no commission (the clearance fee is booked by the liquidation). */
  commission?: boolean;
}

export function applyFill(ctx: OpContext, f: FillInput): Fill {
  const { account, order, price, qty } = f;
  const spec = specOf(ctx.state, order.symbol);
  const side = legSide(account, order);
  const key = positionKey(order.symbol, side);
  const settings = account.settings.get(order.symbol) ?? { leverage: cm.defaultLeverage(spec), marginMode: 'CROSSED' as const };
  let pos = account.positions.get(key);
  if (!pos) {
    pos = {
      symbol: order.symbol,
      positionSide: side,
      amount: ZERO,
      entryPrice: ZERO,
      isolatedMargin: ZERO,
      marginMode: settings.marginMode,
      leverage: settings.leverage,
      lastFundingTs: lastFundingTime(ctx.ts, cm.fundingIntervalMs(spec)),
      updateTs: ctx.ts,
    };
    account.positions.set(key, pos);
  }
  const delta = order.side === 'BUY' ? qty : qty.neg();
  let realized = ZERO;
  if (pos.amount.eq(0) || pos.amount.gt(0) === delta.gt(0)) {
    pos.entryPrice = pos.amount.eq(0) ? price : cm.averageEntryPrice(spec, pos.amount, pos.entryPrice, qty, price);
    if (pos.amount.eq(0)) pos.lastFundingTs = lastFundingTime(ctx.ts, cm.fundingIntervalMs(spec));
    pos.amount = pos.amount.plus(delta);
    if (pos.marginMode === 'ISOLATED') pos.isolatedMargin = pos.isolatedMargin.plus(cm.initialMargin(spec, qty, price, pos.leverage));
  } else {
    const closeQty = qty.lt(pos.amount.abs()) ? qty : pos.amount.abs();
    realized = cm.realizedPnl(spec, pos.amount, pos.entryPrice, closeQty, price);
    if (pos.marginMode === 'ISOLATED') {
      const released = cm.roundMoney(pos.isolatedMargin.times(closeQty).div(pos.amount.abs()), 'down');
      pos.isolatedMargin = pos.isolatedMargin.minus(released);
    }
    pos.amount = pos.amount.plus(delta);
    const opened = qty.minus(closeQty);
    if (opened.gt(0)) {
      // one-way flip: the rest opens the other way at the fill price
      pos.entryPrice = price;
      pos.lastFundingTs = lastFundingTime(ctx.ts, cm.fundingIntervalMs(spec));
      if (pos.marginMode === 'ISOLATED') pos.isolatedMargin = pos.isolatedMargin.plus(cm.initialMargin(spec, opened, price, pos.leverage));
    }
    if (pos.amount.eq(0)) {
      pos.entryPrice = ZERO;
      if (pos.marginMode === 'ISOLATED') pos.isolatedMargin = ZERO;
    }
  }
  pos.updateTs = ctx.ts;
  const fee = f.commission === false ? ZERO : cm.commission(spec, qty, price, f.role);
  const tradeId = ctx.nextId();
  ctx.book(account, { asset: spec.marginAsset, type: 'REALIZED_PNL', amount: realized, symbol: order.symbol, ref: tradeId });
  ctx.book(account, { asset: spec.marginAsset, type: 'COMMISSION', amount: fee.neg(), symbol: order.symbol, ref: tradeId });
  order.executedQty = order.executedQty.plus(qty);
  order.cumQuote = order.cumQuote.plus(price.times(qty));
  const fill: Fill = {
    tradeId,
    orderId: order.orderId,
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    positionSide: side,
    price,
    qty,
    fee,
    feeAsset: spec.marginAsset,
    role: f.role,
    realizedPnl: realized,
    ts: ctx.ts,
  };
  ctx.events.push({ type: 'FILL', accountId: account.accountId, ts: ctx.ts, fill });
  ctx.events.push({ type: 'POSITION', accountId: account.accountId, ts: ctx.ts, position: positionView(pos) });
  if (pos.amount.eq(0)) account.positions.delete(key);
  return fill;
}
