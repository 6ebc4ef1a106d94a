/**
 * One market snapshot applied to the engine, in this order:
 *   1. the market state takes the tick (book copied: taker fills consume the copy);
 *   2. a delivery contract at or past its delivery time settles at the tick's index price;
 *   3. a perpetual crossing a funding time settles funding at the tick's rate and mark;
 *   4. conditional orders whose trigger price (workingType) is reached trigger and execute;
 *   5. resting limit orders fill against the tick's prints;
 *   6. legs at or past their liquidation condition at the new mark are liquidated.
 */
import type { MarketTick } from '../../market-feed/market-tick';
import { lastFundingTime } from '../../market-feed/market-tick';
import type { OpContext } from './context';
import * as cm from './contract-math';
import type { AccountState, MarketState, PositionState } from './engine-types';
import { executeAsTaker, matchResting } from './execution';
import { settleDelivery, settleFunding } from './funding';
import { isLiquidatable, liquidate, nearThreshold, thresholdOf, type Threshold } from './liquidation';
import { specOf } from './margin';
import { bookSide } from './placement';
import { shouldTrigger, triggerPrice } from './triggers';

/** Runtime cache of liquidation thresholds per account (dropped whenever the account changes). */
export type ThresholdCache = Map<string, Map<PositionState, Threshold>>;

export function processTick(ctx: OpContext, tick: MarketTick, cache: ThresholdCache): void {
  const state = ctx.state;
  const spec = specOf(state, tick.symbol);
  const copy = (levels: MarketTick['bids']) => levels.map((l) => ({ price: l.price, qty: l.qty }));
  let market = state.markets.get(tick.symbol);
  if (!market) {
    market = { tick, bids: copy(tick.bids), asks: copy(tick.asks), lastFundingTs: lastFundingTime(tick.ts, cm.fundingIntervalMs(spec)) };
    state.markets.set(tick.symbol, market);
  } else {
    market.tick = tick;
    market.bids = copy(tick.bids);
    market.asks = copy(tick.asks);
  }
  if (market.deliveredTs !== undefined) return;
  const accounts = [...state.accounts.values()];
  if (spec.contractType === 'delivery' && spec.deliveryTs != null && tick.ts >= spec.deliveryTs) {
    settleDelivery(ctx, accounts, tick.symbol, tick.indexPrice);
    return;
  }
  const fundingTs = lastFundingTime(tick.ts, cm.fundingIntervalMs(spec));
  if (spec.contractType === 'perpetual' && fundingTs > market.lastFundingTs) {
    settleFunding(ctx, accounts, { symbol: tick.symbol, fundingTs, fundingRate: tick.fundingRate, markPrice: tick.markPrice });
  }
  runTriggers(ctx, accounts, market);
  matchResting(ctx, accounts, tick.symbol, tick.trades);
  for (const e of ctx.events) if ('accountId' in e) cache.delete(e.accountId);
  runLiquidations(ctx, accounts, tick, cache);
}

function runTriggers(ctx: OpContext, accounts: AccountState[], market: MarketState): void {
  for (const account of accounts) {
    if (account.openOrders.size === 0) continue;
    for (const o of [...account.openOrders.values()]) {
      if (o.symbol !== market.tick.symbol || o.triggered || o.type === 'LIMIT' || o.type === 'MARKET') continue;
      if (!account.openOrders.has(o.orderId)) continue;
      if (!shouldTrigger(o, triggerPrice(o, market.tick))) continue;
      o.triggered = true;
      ctx.orderUpdate(o, 'TRIGGERED');
      const limit = o.type === 'STOP' || o.type === 'TAKE_PROFIT' ? o.price : undefined;
      executeAsTaker(ctx, account, o, bookSide(market, o.side), limit);
    }
  }
}

function runLiquidations(ctx: OpContext, accounts: AccountState[], tick: MarketTick, cache: ThresholdCache): void {
  const state = ctx.state;
  const mark = cm.scaledMark(tick.markPrice);
  for (const account of accounts) {
    if (account.positions.size === 0) continue;
    let thresholds = cache.get(account.accountId);
    if (!thresholds) {
      thresholds = new Map();
      cache.set(account.accountId, thresholds);
    }
    for (const p of [...account.positions.values()]) {
      if (!account.positions.has(`${p.symbol}:${p.positionSide}`)) continue;
      let t = thresholds.get(p);
      if (!t) {
        t = thresholdOf(state, account, p);
        thresholds.set(p, t);
      }
      if (p.symbol !== tick.symbol && t.kind !== 'exact') continue;
      if (!nearThreshold(t, mark) || !isLiquidatable(state, account, p)) continue;
      const legs = p.marginMode === 'ISOLATED' ? [p] : crossLegs(state, account, p);
      liquidate(ctx, account, legs);
      cache.delete(account.accountId);
      thresholds = new Map();
      cache.set(account.accountId, thresholds);
    }
  }
}

function crossLegs(state: OpContext['state'], account: AccountState, p: PositionState): PositionState[] {
  const asset = specOf(state, p.symbol).marginAsset;
  return [...account.positions.values()].filter((x) => x.marginMode === 'CROSSED' && specOf(state, x.symbol).marginAsset === asset);
}
