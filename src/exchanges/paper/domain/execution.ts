/**
 * Order execution: taking liquidity from the snapshot book, resting, matching resting limit
 * orders against the prints of later ticks, and finishing orders.
 *
 * Time in force (Binance, https://developers.binance.com/docs/derivatives/usds-margined-futures/common-definition):
 * GTC rests what does not fill; IOC fills what it can and expires the rest; FOK fills entirely or is
 * rejected (-5021); GTX (post-only) is rejected when it would take liquidity (-5022).
 * A resting limit order fills when a later print trades through its price (strictly better than its
 * limit), at its own price as maker, up to the printed volume shared in price-then-time priority.
 */
import type { Decimal } from '../../../common/decimal';
import { ExchangeErrorCode as C, rejected } from '../../exchange-errors';
import type { TickTrade } from '../../market-feed/market-tick';
import type { LiquidityRole } from '../../types';
import { crosses, liquidityUpTo, take, type Level } from './book';
import type { OpContext } from './context';
import { ORDER_HISTORY_LIMIT, type AccountState, type OrderState } from './engine-types';
import { applyFill } from './fills';
import { isClosingLeg, reducibleQty } from './order-validation';

export function isReducing(account: AccountState, o: OrderState): boolean {
  return o.reduceOnly || o.closePosition || isClosingLeg(account, o.side, o.positionSide);
}

export function remaining(o: OrderState): Decimal {
  return o.qty.minus(o.executedQty);
}

/** Moves a finished order out of the open set (history capped, oldest dropped first). */
export function finish(ctx: OpContext, account: AccountState, o: OrderState, status: OrderState['status'], reason?: string): void {
  if (!account.openOrders.has(o.orderId)) return;
  o.status = status;
  account.openOrders.delete(o.orderId);
  account.orderHistory.push(o);
  if (account.orderHistory.length > ORDER_HISTORY_LIMIT) account.orderHistory.shift();
  const execution = status === 'FILLED' ? 'TRADE' : status === 'CANCELED' ? 'CANCELED' : 'EXPIRED';
  if (status !== 'FILLED') ctx.orderUpdate(o, execution, reason);
}

/** Fills one slice and publishes the order update (TRADE). */
function fillSlice(ctx: OpContext, account: AccountState, o: OrderState, price: Decimal, qty: Decimal, role: LiquidityRole): void {
  applyFill(ctx, { account, order: o, price, qty, role });
  o.status = remaining(o).eq(0) ? 'FILLED' : 'PARTIALLY_FILLED';
  ctx.orderUpdate(o, 'TRADE');
  expireIdleReduceOnly(ctx, account, o);
}

/**
 * Once a fill leaves nothing to reduce, resting reduce-only orders of that symbol expire (Binance
 * expires them when the position is closed); conditional ones stay until they trigger.
 */
function expireIdleReduceOnly(ctx: OpContext, account: AccountState, filled: OrderState): void {
  // (a Map's iteration goes on correctly past entries `finish` deletes: no copy of every open order per fill)
  for (const o of account.openOrders.values()) {
    if (o.symbol !== filled.symbol || o.type !== 'LIMIT' || !isReducing(account, o)) continue;
    if (o === filled && remaining(o).eq(0)) continue;
    if (workingQty(account, o).eq(0)) finish(ctx, account, o, 'EXPIRED', 'REDUCE_ONLY_NOTHING_TO_REDUCE');
  }
}

/**
 * Reduce-only orders never increase a position: their working quantity is clipped to what the
 * position holds on the closing side at the moment they execute (closePosition: all of it).
 */
export function workingQty(account: AccountState, o: OrderState): Decimal {
  if (!isReducing(account, o)) return remaining(o);
  const reducible = reducibleQty(account, o.symbol, o.side, o.positionSide);
  if (o.closePosition) return reducible;
  const left = remaining(o);
  return left.lt(reducible) ? left : reducible;
}

/**
 * Executes an order as taker against `levels` up to `limit`, then finishes or rests it by its time
 * in force. The order must already be in `account.openOrders`.
 */
export function executeAsTaker(ctx: OpContext, account: AccountState, o: OrderState, levels: Level[], limit: Decimal | undefined): void {
  let qty = workingQty(account, o);
  if (o.closePosition && o.qty.eq(0)) o.qty = qty;
  if (qty.lte(0)) {
    finish(ctx, account, o, 'EXPIRED', 'REDUCE_ONLY_NOTHING_TO_REDUCE');
    return;
  }
  for (const e of take(levels, o.side, qty, limit)) {
    fillSlice(ctx, account, o, e.price, e.qty, 'TAKER');
    qty = qty.minus(e.qty);
  }
  if (remaining(o).eq(0)) {
    finish(ctx, account, o, 'FILLED');
  } else if (limit === undefined || o.timeInForce === 'IOC' || o.timeInForce === 'FOK' || qty.lte(0)) {
    // market orders and IOC expire what the book could not fill; a clipped reduce-only order too
    finish(ctx, account, o, 'EXPIRED', limit === undefined ? 'BOOK_EXHAUSTED' : 'IOC_REMAINDER');
  }
}

/**
 * Resting limit orders of `symbol` in price-then-time priority, for one side — only those a print
 * at `extreme` (the tick's lowest trade price for bids, its highest for asks) goes through: the
 * others cannot fill on this tick, and matching never reaches them (it stops at the first order a
 * print does not go through). Usually none, so nothing is sorted.
 */
function restingFor(accounts: Iterable<AccountState>, symbol: string, side: 'BUY' | 'SELL', extreme: Decimal): { account: AccountState; order: OrderState }[] {
  const out: { account: AccountState; order: OrderState }[] = [];
  for (const account of accounts) {
    for (const order of account.openOrders.values()) {
      if (order.symbol !== symbol || order.side !== side || order.price === undefined) continue;
      if (order.type !== 'LIMIT' && !order.triggered) continue;
      if (side === 'BUY' ? !extreme.lt(order.price) : !extreme.gt(order.price)) continue;
      out.push({ account, order });
    }
  }
  out.sort((a, b) => {
    const c = a.order.price!.cmp(b.order.price!);
    if (c !== 0) return side === 'BUY' ? -c : c;
    return compareIds(a.order.orderId, b.order.orderId);
  });
  return out;
}

/** Fills resting limit orders against the prints of a tick (maker fills, volume-limited). */
export function matchResting(ctx: OpContext, accounts: Iterable<AccountState>, symbol: string, trades: readonly TickTrade[]): void {
  if (trades.length === 0) return;
  let low = trades[0].price;
  let high = trades[0].price;
  for (const t of trades) {
    if (t.price.lt(low)) low = t.price;
    if (t.price.gt(high)) high = t.price;
  }
  const books = { BUY: restingFor(accounts, symbol, 'BUY', low), SELL: restingFor(accounts, symbol, 'SELL', high) };
  for (const t of trades) {
    for (const side of ['BUY', 'SELL'] as const) {
      let volume = t.qty;
      for (const { account, order } of books[side]) {
        if (volume.lte(0)) break;
        if (order.status === 'FILLED' || !account.openOrders.has(order.orderId)) continue;
        const through = side === 'BUY' ? t.price.lt(order.price!) : t.price.gt(order.price!);
        if (!through) break;
        const want = workingQty(account, order);
        if (want.lte(0)) {
          finish(ctx, account, order, 'EXPIRED', 'REDUCE_ONLY_NOTHING_TO_REDUCE');
          continue;
        }
        const q = want.lt(volume) ? want : volume;
        fillSlice(ctx, account, order, order.price!, q, 'MAKER');
        volume = volume.minus(q);
        if (remaining(order).eq(0)) finish(ctx, account, order, 'FILLED');
      }
    }
  }
}

/**
 * Pre-checks that refuse an order before it touches the state: GTX that would take liquidity
 * (Binance -5022), FOK that the book cannot fill entirely (-5021).
 */
export function assertTimeInForce(o: Pick<OrderState, 'side' | 'timeInForce'>, qty: Decimal, levels: readonly Level[], limit: Decimal | undefined): void {
  if (o.timeInForce === 'GTX' && levels.some((l) => l.qty.gt(0) && crosses(o.side, l.price, limit))) {
    throw rejected(C.POST_ONLY_WOULD_CROSS, 'post-only (GTX) order would take liquidity and was rejected');
  }
  if (o.timeInForce === 'FOK' && liquidityUpTo(levels, o.side, limit).lt(qty)) {
    throw rejected(C.FOK_NOT_FILLABLE, 'FOK order could not be filled entirely and was rejected');
  }
}

/** Order ids are decimal counters: shorter is older, then lexicographic. */
function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
