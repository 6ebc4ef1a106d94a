/**
 * Funding and delivery settlement.
 *
 * Funding (Binance, https://www.binance.com/en/support/faq/360033525031): at each funding time
 * (00:00, 08:00, 16:00 UTC for an 8 h interval) every open position pays or receives
 * notional at mark × funding rate (longs pay when the rate is positive). Booked exactly once per
 * position and funding time: a position remembers the latest funding time it has settled (or that
 * passed before it opened), and the market the latest one it has run, so replaying a funding time
 * books nothing. An isolated leg's funding moves its isolated wallet too.
 *
 * Delivery (Binance, https://www.binance.com/en/support/faq/a3401595e1734084959c61491bc0dbe3): at
 * the delivery time every position of the contract is closed at the settlement price, its PnL booked
 * as DELIVERY, its open orders cancelled; afterwards the contract takes no orders.
 */
import type { Decimal } from '../../../common/decimal';
import type { OpContext } from './context';
import * as cm from './contract-math';
import type { AccountState, OrderState } from './engine-types';
import { finish } from './execution';
import { specOf } from './margin';
import { positionView } from './views';

export interface FundingCommand {
  symbol: string;
  fundingTs: number;
  fundingRate: Decimal;
  markPrice: Decimal;
}

export function settleFunding(ctx: OpContext, accounts: Iterable<AccountState>, f: FundingCommand): void {
  const market = ctx.state.markets.get(f.symbol);
  if (market && market.lastFundingTs >= f.fundingTs) return;
  if (market) market.lastFundingTs = f.fundingTs;
  const spec = specOf(ctx.state, f.symbol);
  if (spec.contractType !== 'perpetual') return;
  for (const account of accounts) {
    for (const p of account.positions.values()) {
      if (p.symbol !== f.symbol || p.amount.eq(0) || p.lastFundingTs >= f.fundingTs) continue;
      p.lastFundingTs = f.fundingTs;
      const amount = cm.fundingPayment(spec, p.amount, f.markPrice, f.fundingRate);
      if (p.marginMode === 'ISOLATED') p.isolatedMargin = p.isolatedMargin.plus(amount);
      ctx.book(account, { asset: spec.marginAsset, type: 'FUNDING_FEE', amount, symbol: f.symbol, ref: String(f.fundingTs) });
      ctx.events.push({
        type: 'FUNDING',
        accountId: account.accountId,
        ts: ctx.ts,
        symbol: f.symbol,
        positionSide: p.positionSide,
        fundingTs: f.fundingTs,
        rate: f.fundingRate,
        markPrice: f.markPrice,
        amount,
      });
    }
  }
}

export function settleDelivery(ctx: OpContext, accounts: Iterable<AccountState>, symbol: string, price: Decimal): void {
  const market = ctx.state.markets.get(symbol);
  if (!market || market.deliveredTs !== undefined) return;
  market.deliveredTs = ctx.ts;
  const spec = specOf(ctx.state, symbol);
  for (const account of accounts) {
    const orders: OrderState[] = [...account.openOrders.values()].filter((o) => o.symbol === symbol);
    for (const o of orders) finish(ctx, account, o, 'CANCELED', 'DELIVERY');
    for (const [key, p] of [...account.positions.entries()]) {
      if (p.symbol !== symbol) continue;
      const pnl = cm.realizedPnl(spec, p.amount, p.entryPrice, p.amount.abs(), price);
      ctx.book(account, { asset: spec.marginAsset, type: 'DELIVERY', amount: pnl, symbol, ref: String(ctx.ts) });
      p.amount = p.amount.minus(p.amount);
      p.isolatedMargin = p.isolatedMargin.minus(p.isolatedMargin);
      p.updateTs = ctx.ts;
      ctx.events.push({ type: 'POSITION', accountId: account.accountId, ts: ctx.ts, position: positionView(p) });
      account.positions.delete(key);
    }
  }
  ctx.events.push({ type: 'DELIVERY', ts: ctx.ts, symbol, settlementPrice: price });
}
