/**
 * Placing an order: every check first (nothing changes when one fails), then the order is opened
 * and, unless it is conditional, executed against the current snapshot's book.
 *
 * Margin check (Binance "available balance" https://www.binance.com/en/support/faq/360033162192):
 * the part of the order that opens or increases exposure needs its initial margin at the reference
 * price (limit price; for a market order the VWAP it would walk) plus the taker fee on it, out of
 * the available balance — which already holds the margin of other open orders. Otherwise
 * INSUFFICIENT_MARGIN (Binance -2019). The position notional after the order must stay within the
 * leverage bracket's cap (Binance -2027).
 */
import { type Decimal, ZERO } from '../../../common/decimal';
import { maxNotionalForLeverage } from '../../../contracts/domain/brackets';
import type { ContractSpec } from '../../../contracts/domain/contract-spec';
import { ExchangeErrorCode as C, invalid, rejected } from '../../exchange-errors';
import { CONDITIONAL_ORDER_TYPES, type PositionSide } from '../../types';
import { take, vwap, type Level } from './book';
import type { OpContext } from './context';
import * as cm from './contract-math';
import type { AccountState, MarketState, OrderState, PlaceOrderCommand } from './engine-types';
import { assertTimeInForce, executeAsTaker, isReducing, workingQty } from './execution';
import { getPosition } from './fills';
import { assetMargin, specOf } from './margin';
import { assertWouldNotTrigger, reducibleQty, resolvePositionSide, validateFilters } from './order-validation';
import { orderRecord } from './snapshot';
import { shouldTrigger, triggerPrice } from './triggers';

export function bookSide(market: MarketState, side: 'BUY' | 'SELL'): Level[] {
  return side === 'BUY' ? market.asks : market.bids;
}

function buildOrder(ctx: OpContext, account: AccountState, cmd: PlaceOrderCommand, positionSide: PositionSide, qty: Decimal): OrderState {
  return orderRecord({
    orderId: '',
    clientOrderId: cmd.clientOrderId ?? '',
    accountId: account.accountId,
    symbol: cmd.symbol,
    side: cmd.side,
    positionSide,
    type: cmd.type,
    timeInForce: cmd.timeInForce ?? 'GTC',
    qty,
    price: cmd.price,
    stopPrice: cmd.stopPrice,
    activationPrice: cmd.activationPrice,
    callbackRate: cmd.callbackRate,
    workingType: cmd.workingType ?? 'CONTRACT_PRICE',
    reduceOnly: cmd.reduceOnly === true,
    closePosition: cmd.closePosition === true,
    status: 'NEW',
    executedQty: ZERO,
    cumQuote: ZERO,
    createdTs: ctx.ts,
    updateTs: ctx.ts,
    triggered: false,
  });
}

function assertTradable(spec: ContractSpec, market: MarketState | undefined, ts: number): void {
  if (market?.deliveredTs !== undefined || (spec.deliveryTs != null && ts >= spec.deliveryTs)) {
    throw rejected(C.CONTRACT_EXPIRED, `${spec.symbol} has been delivered`);
  }
}

/** Reference price for margin: the limit, the trigger, or the VWAP a market order would walk. */
function referencePrice(o: OrderState, market: MarketState | undefined, qty: Decimal): Decimal {
  if (o.price) return o.price;
  if (o.type === 'MARKET' && market) {
    const copy = bookSide(market, o.side).slice(); // take() replaces the levels it takes from
    const p = vwap(take(copy, o.side, qty, undefined));
    if (p.gt(0)) return p;
  }
  return o.stopPrice ?? o.activationPrice ?? market?.tick.markPrice ?? ZERO;
}

function assertMargin(ctx: OpContext, account: AccountState, spec: ContractSpec, o: OrderState, market: MarketState | undefined): void {
  if (isReducing(account, o)) return;
  const reducible = account.positionMode === 'ONE_WAY' ? reducibleQty(account, o.symbol, o.side, o.positionSide) : ZERO;
  const opening = o.qty.minus(reducible);
  if (opening.lte(0)) return;
  const price = referencePrice(o, market, o.qty);
  const leverage = account.settings.get(o.symbol)?.leverage ?? cm.defaultLeverage(spec);
  if (spec.kind === 'linear' && spec.minNotional.gt(0) && o.qty.times(price).times(spec.contractSize).lt(spec.minNotional)) {
    throw invalid(C.MIN_NOTIONAL, `order notional is below ${spec.minNotional.toFixed()}`, 'qty');
  }
  const pos = getPosition(account, o.symbol, account.positionMode === 'ONE_WAY' ? 'BOTH' : o.positionSide);
  const after = cm.notional(spec, (pos?.amount.abs() ?? ZERO).plus(opening), price);
  if (after.gt(maxNotionalForLeverage(spec.brackets, leverage))) {
    throw rejected(C.POSITION_LIMIT_EXCEEDED, `position notional ${after.toFixed()} would exceed the cap at ${leverage}x`);
  }
  const required = cm.initialMargin(spec, opening, price, leverage).plus(cm.commission(spec, opening, price, 'TAKER'));
  const available = assetMargin(ctx.state, account, spec.marginAsset).available;
  if (available.lt(required)) {
    throw rejected(C.INSUFFICIENT_MARGIN, `order needs ${required.toFixed()} ${spec.marginAsset}; available is ${available.toFixed()}`);
  }
}

/**
 * Binance MAX_NUM_ORDERS / MAX_NUM_ALGO_ORDERS (-2025 "Reach max open order limit"): an order that
 * can rest is refused when the account already has the contract's limit of open orders on it (and a
 * conditional one when it has the limit of conditional ones). An order that never rests (MARKET, IOC
 * and FOK limits) is not: closing a position with a market order is never refused for this.
 */
function assertOpenOrderRoom(spec: ContractSpec, account: AccountState, cmd: PlaceOrderCommand): void {
  const conditional = CONDITIONAL_ORDER_TYPES.has(cmd.type);
  const rests = conditional || (cmd.type === 'LIMIT' && cmd.timeInForce !== 'IOC' && cmd.timeInForce !== 'FOK');
  if (!rests || !(spec.maxNumOrders > 0 || (conditional && spec.maxNumAlgoOrders > 0))) return;
  let open = 0;
  let algo = 0;
  for (const o of account.openOrders.values()) {
    if (o.symbol !== cmd.symbol) continue;
    open++;
    if (CONDITIONAL_ORDER_TYPES.has(o.type)) algo++;
  }
  if (spec.maxNumOrders > 0 && open >= spec.maxNumOrders) {
    throw rejected(C.MAX_OPEN_ORDERS, `${spec.symbol} allows at most ${spec.maxNumOrders} open orders per account; ${open} are open`);
  }
  if (conditional && spec.maxNumAlgoOrders > 0 && algo >= spec.maxNumAlgoOrders) {
    throw rejected(C.MAX_OPEN_ORDERS, `${spec.symbol} allows at most ${spec.maxNumAlgoOrders} open conditional orders per account; ${algo} are open`);
  }
}

export function placeOrder(ctx: OpContext, account: AccountState, cmd: PlaceOrderCommand): OrderState {
  const spec = specOf(ctx.state, cmd.symbol);
  const market = ctx.state.markets.get(cmd.symbol);
  assertTradable(spec, market, ctx.ts);
  const positionSide = resolvePositionSide(account, cmd);
  if (!cmd.closePosition && cmd.qty === undefined) throw invalid(C.INVALID_QUANTITY, 'qty is required', 'qty');
  const qty = cmd.closePosition ? ZERO : cmd.qty!;
  validateFilters(spec, cmd, qty);
  if (cmd.clientOrderId !== undefined) {
    for (const x of account.openOrders.values()) {
      if (x.clientOrderId === cmd.clientOrderId) throw rejected(C.DUPLICATE_CLIENT_ORDER_ID, `client order id ${cmd.clientOrderId} is already used by an open order`);
    }
  }
  assertOpenOrderRoom(spec, account, cmd);
  const o = buildOrder(ctx, account, cmd, positionSide, qty);
  const conditional = CONDITIONAL_ORDER_TYPES.has(o.type);
  const reducing = isReducing(account, o);
  if (reducing && !conditional && reducibleQty(account, o.symbol, o.side, positionSide).eq(0)) {
    throw rejected(C.REDUCE_ONLY_REJECTED, 'reduce-only order has no position to reduce');
  }
  if (!conditional && !market) throw rejected(C.NO_MARKET_DATA, `no market data for ${o.symbol} yet`);
  assertWouldNotTrigger(cmd, market);
  if (!conditional && market) {
    const levels = bookSide(market, o.side);
    const limit = o.type === 'LIMIT' ? o.price : undefined;
    assertTimeInForce(o, workingQty(account, o), levels, limit);
    if (o.type === 'MARKET' && !levels.some((l) => l.qty.gt(0))) throw rejected(C.NO_LIQUIDITY, `the ${o.symbol} book has no liquidity`);
  }
  assertMargin(ctx, account, spec, o, market);

  o.orderId = ctx.nextId();
  if (o.clientOrderId === '') o.clientOrderId = `paper-${o.orderId}`;
  account.openOrders.set(o.orderId, o);
  ctx.orderUpdate(o, 'NEW');
  if (conditional) {
    if (o.type === 'TRAILING_STOP_MARKET' && market) shouldTrigger(o, triggerPrice(o, market.tick));
    return o;
  }
  executeAsTaker(ctx, account, o, bookSide(market!, o.side), o.type === 'LIMIT' ? o.price : undefined);
  return o;
}

