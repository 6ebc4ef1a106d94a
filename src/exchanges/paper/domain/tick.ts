/**
 * One market snapshot applied to the engine, in this order:
 *   1. the market state takes the tick (book copied: taker fills consume the copy);
 *   2. a delivery contract at or past its delivery time settles at the tick's index price;
 *   3. a perpetual crossing a funding time settles funding at the tick's rate and mark;
 *   4. conditional orders whose trigger price (workingType) is reached trigger and execute;
 *   5. resting limit orders fill against the tick's prints;
 *   6. legs at or past their liquidation condition at the new mark are liquidated.
 * Only accounts with open orders take part in 4–5, only the symbol's indexed legs in 6.
 */
import type { MarketTick } from '../../market-feed/market-tick';
import { lastFundingTime } from '../../market-feed/market-tick';
import type { OpContext } from './context';
import * as cm from './contract-math';
import type { AccountState, MarketState, PositionState } from './engine-types';
import { executeAsTaker, matchResting } from './execution';
import { settleDelivery, settleFunding } from './funding';
import { isLiquidatable, liquidate, nearThreshold } from './liquidation';
import type { LiquidationWatch, WatchedLeg } from './liquidation-watch';
import { specOf } from './margin';
import { bookSide } from './placement';
import { shouldTrigger, triggerPrice } from './triggers';

export function processTick(ctx: OpContext, tick: MarketTick, watch: LiquidationWatch): void {
  const state = ctx.state;
  const spec = specOf(state, tick.symbol);
  const copy = (levels: MarketTick['bids']) => levels.map((l) => ({ price: l.price, qty: l.qty }));
  let market = state.markets.get(tick.symbol);
  if (!market) {
    // A market first seen (a fresh engine, or the first tick after a restart) has no funding time of
    // its own yet: each position's own lastFundingTs decides, so a position held through a funding
    // time while no tick was processed (the service was down) still pays or receives it once.
    market = { tick, bids: copy(tick.bids), asks: copy(tick.asks), lastFundingTs: 0 };
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
  const withOrders = accounts.filter((a) => a.openOrders.size > 0);
  runTriggers(ctx, withOrders, market);
  matchResting(ctx, withOrders, tick.symbol, tick.trades);
  for (const e of ctx.events) if ('accountId' in e) watch.markDirty(e.accountId);
  runLiquidations(ctx, tick, watch);
}

function runTriggers(ctx: OpContext, accounts: AccountState[], market: MarketState): void {
  for (const account of accounts) {
    if (account.openOrders.size === 0) continue;
    // (a Map's iteration skips entries deleted meanwhile and goes on correctly: no copy per tick)
    for (const o of account.openOrders.values()) {
      if (o.symbol !== market.tick.symbol || o.triggered || o.type === 'LIMIT' || o.type === 'MARKET') continue;
      if (!shouldTrigger(o, triggerPrice(o, market.tick))) continue;
      o.triggered = true;
      ctx.orderUpdate(o, 'TRIGGERED');
      const limit = o.type === 'STOP' || o.type === 'TAKE_PROFIT' ? o.price : undefined;
      executeAsTaker(ctx, account, o, bookSide(market, o.side), limit);
    }
  }
}

/**
 * Checks the symbol's legs: one bigint comparison each (hot path), the exact Decimal test only when
 * the bound is reached. Candidates are collected first, then liquidated in order, re-testing each
 * (an earlier liquidation of the same account may have changed it).
 */
function runLiquidations(ctx: OpContext, tick: MarketTick, watch: LiquidationWatch): void {
  const state = ctx.state;
  watch.refresh(state);
  const mark = cm.scaledMark(tick.markPrice);
  const hits: WatchedLeg[] = [];
  for (const w of watch.legsFor(tick.symbol)) if (nearThreshold(w.threshold, mark)) hits.push(w);
  // the index's order depends on when accounts were re-indexed (e.g. after a restore): sort for replay
  hits.sort((a, b) => cmpStr(a.account.accountId, b.account.accountId) || cmpStr(a.leg.symbol, b.leg.symbol) || cmpStr(a.leg.positionSide, b.leg.positionSide));
  for (const { account, leg } of hits) {
    if (account.positions.get(`${leg.symbol}:${leg.positionSide}`) !== leg) continue;
    if (!isLiquidatable(state, account, leg)) continue;
    liquidate(ctx, account, leg.marginMode === 'ISOLATED' ? [leg] : crossLegs(state, account, leg));
    watch.markDirty(account.accountId);
  }
}

function crossLegs(state: OpContext['state'], account: AccountState, p: PositionState): PositionState[] {
  const asset = specOf(state, p.symbol).marginAsset;
  return [...account.positions.values()].filter((x) => x.marginMode === 'CROSSED' && specOf(state, x.symbol).marginAsset === asset);
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
