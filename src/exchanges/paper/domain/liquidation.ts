/**
 * Liquidation (Binance "Liquidation Protocols", https://www.binance.com/en/support/faq/360033525271):
 * a leg is liquidated when its margin balance ≤ its maintenance margin at the mark price (isolated:
 * per leg; cross: per account and margin asset, all cross legs together). The engine then
 *   1. cancels the open orders of what it liquidates (isolated: the leg's symbol; cross: the asset's),
 *   2. closes each leg at its bankruptcy price (the calculator's, on the tick), booking the PnL,
 *   3. charges the clearance fee (INSURANCE_CLEAR) to the insurance fund (see `liquidate`),
 *   4. if the wallet went below zero, the insurance fund covers the deficit (INSURANCE_CLEAR, positive),
 *   5. emits a LIQUIDATION event per leg (the order's client id starts "autoclose-", as on Binance).
 *
 * Hot path: each leg carries the calculator's liquidation bound as a scaled integer
 * (contracts/domain/hot-path.ts); a tick compares the scaled mark with it and runs the exact Decimal
 * test only when it is reached, so marking 10,000 positions does not run big.js 10,000 times.
 */
import { maxDec, minDec, ZERO } from '../../../common/decimal';
import type { OpContext } from './context';
import * as cm from './contract-math';
import type { AccountState, OrderState, PositionState } from './engine-types';
import { finish } from './execution';
import { applyFill } from './fills';
import { assetMargin, liquidationInput, markOf, positionMaintenance, positionUpnl, specOf } from './margin';
import type { EngineState } from './engine-types';
import type { LiquidationThreshold } from '../../../contracts/domain/hot-path';
import { orderRecord } from './snapshot';

/**
 * Runtime-only hot-path bound of a leg (not in the snapshot; rebuilt on demand): the calculator's
 * threshold as a scaled integer, or 'exact' when the leg depends on other contracts' marks (a cross
 * leg with cross positions in other contracts).
 */
export type Threshold = { kind: 'exact' } | { kind: 'hot'; bound: LiquidationThreshold };

export function thresholdOf(state: EngineState, account: AccountState, p: PositionState): Threshold {
  if (p.marginMode === 'CROSSED') {
    for (const o of account.positions.values()) if (o.marginMode === 'CROSSED' && o.symbol !== p.symbol) return { kind: 'exact' };
  }
  const bound = cm.liquidationThreshold(liquidationInput(state, account, p));
  return bound ? { kind: 'hot', bound } : { kind: 'exact' };
}

/** One bigint comparison when the mark is on the hot-path scale; otherwise "check exactly". */
export function nearThreshold(t: Threshold, markScaled: bigint | null): boolean {
  if (t.kind === 'exact' || markScaled === null) return true;
  return cm.thresholdReached(t.bound, markScaled);
}

/** Exact test of one leg (isolated) or of the account's cross legs of the leg's asset. */
export function isLiquidatable(state: EngineState, account: AccountState, p: PositionState): boolean {
  if (p.marginMode === 'ISOLATED') {
    return p.isolatedMargin.plus(positionUpnl(state, p)).lte(positionMaintenance(state, p));
  }
  const m = assetMargin(state, account, specOf(state, p.symbol).marginAsset);
  return m.crossMaintenance.gt(0) && m.crossWallet.plus(m.crossUpnl).lte(m.crossMaintenance);
}

function cancelOrders(ctx: OpContext, account: AccountState, match: (o: OrderState) => boolean): void {
  for (const o of [...account.openOrders.values()]) if (match(o)) finish(ctx, account, o, 'CANCELED', 'LIQUIDATION');
}

/**
 * Liquidates `legs`: one isolated leg, or every cross leg of one margin asset.
 *
 * Clearance fee = min(liquidationFeeRate × notional at the mark, margin balance left at the mark),
 * never below zero. Each contract's legs close at the bankruptcy price of the margin less that fee
 * (the calculator's, on the tick), so the account loses exactly its margin (isolated: the leg's
 * wallet), of which the fee goes to the insurance fund (Binance: the clearance fee is what remains
 * between the liquidation and the bankruptcy price, https://www.binance.com/en/support/faq/360033525271).
 */
export function liquidate(ctx: OpContext, account: AccountState, legs: PositionState[]): void {
  const state = ctx.state;
  const first = legs[0];
  const asset = specOf(state, first.symbol).marginAsset;
  const symbols = [...new Set(legs.map((l) => l.symbol))];
  cancelOrders(ctx, account, (o) => symbols.includes(o.symbol) && (first.marginMode === 'CROSSED' || account.positionMode === 'ONE_WAY' || o.positionSide === first.positionSide));
  const isolated = first.marginMode === 'ISOLATED';
  const m = assetMargin(state, account, asset);
  let notionalAtMark = ZERO;
  let upnl = ZERO;
  for (const l of legs) {
    notionalAtMark = notionalAtMark.plus(cm.notional(specOf(state, l.symbol), l.amount.abs(), markOf(state, l.symbol, l.entryPrice)));
    upnl = upnl.plus(positionUpnl(state, l));
  }
  const left = isolated ? first.isolatedMargin.plus(upnl) : m.crossWallet.plus(m.crossUpnl);
  const rate = specOf(state, first.symbol).liquidationFeeRate;
  const fee = maxDec(ZERO, minDec(cm.roundMoney(notionalAtMark.times(rate), 'up'), cm.roundMoney(left, 'down')));
  const plan = symbols.map((symbol) => {
    const group = legs.filter((l) => l.symbol === symbol);
    const input = liquidationInput(state, account, group[0]);
    const own = group.reduce((sum, l) => sum.plus(positionUpnl(state, l)), ZERO);
    const walletBalance = isolated ? first.isolatedMargin.minus(fee) : m.crossWallet.minus(fee);
    const otherUnrealizedPnl = isolated ? ZERO : m.crossUpnl.minus(own);
    const bp = cm.bankruptcyPrice({ spec: input.spec, legs: group, walletBalance, otherUnrealizedPnl });
    return { group, price: bp ?? markOf(state, symbol, group[0].entryPrice) };
  });
  let ref = '';
  for (const { group, price } of plan) {
    for (const leg of group) {
      const amount = leg.amount;
      const order = closeOrder(ctx, account, leg);
      ref = order.orderId;
      applyFill(ctx, { account, order, price, qty: amount.abs(), role: 'TAKER', commission: false });
      order.status = 'FILLED';
      ctx.orderUpdate(order, 'CALCULATED');
      account.orderHistory.push(order);
      ctx.events.push({
        type: 'LIQUIDATION',
        accountId: account.accountId,
        ts: ctx.ts,
        symbol: leg.symbol,
        positionSide: leg.positionSide,
        amount,
        markPrice: markOf(state, leg.symbol, price),
        bankruptcyPrice: price,
        fee: leg === legs[legs.length - 1] ? fee : ZERO,
        marginMode: leg.marginMode,
      });
    }
  }
  ctx.book(account, { asset, type: 'INSURANCE_CLEAR', amount: fee.neg(), symbol: first.symbol, ref });
  ctx.insurance(asset, fee);
  const wallet = account.wallets.get(asset) ?? ZERO;
  if (wallet.lt(0)) {
    // the insurance fund covers a deficit (a gap past the bankruptcy price, tick rounding)
    ctx.book(account, { asset, type: 'INSURANCE_CLEAR', amount: wallet.neg(), symbol: first.symbol, ref });
    ctx.insurance(asset, wallet);
  }
}

/** The engine's liquidation order (Binance client id "autoclose-…"). */
function closeOrder(ctx: OpContext, account: AccountState, leg: PositionState): OrderState {
  const orderId = ctx.nextId();
  return orderRecord({
    orderId,
    clientOrderId: `autoclose-${orderId}`,
    accountId: account.accountId,
    symbol: leg.symbol,
    side: leg.amount.gt(0) ? 'SELL' : 'BUY',
    positionSide: leg.positionSide,
    type: 'MARKET',
    timeInForce: 'IOC',
    qty: leg.amount.abs(),
    workingType: 'MARK_PRICE',
    reduceOnly: true,
    closePosition: false,
    status: 'NEW',
    executedQty: ZERO,
    cumQuote: ZERO,
    createdTs: ctx.ts,
    updateTs: ctx.ts,
    triggered: false,
  });
}

