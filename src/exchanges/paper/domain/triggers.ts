/**
 * Conditional orders (Binance STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET,
 * TRAILING_STOP_MARKET; https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/New-Order):
 * each tick reads the price its `workingType` names (MARK_PRICE → mark, CONTRACT_PRICE → last) and
 * triggers the order when reached; it then works as MARKET (…_MARKET, trailing) or as a GTC LIMIT at
 * its `price` (STOP, TAKE_PROFIT).
 *
 * Trailing stop (https://www.binance.com/en/support/faq/360042299292): once the price reaches the
 * activation price (at once when none), a SELL tracks the highest price and triggers when the price
 * falls `callbackRate` % from it; a BUY tracks the lowest and triggers on a rise of `callbackRate` %.
 */
import { type Decimal, dec } from '../../../common/decimal';
import type { MarketTick } from '../../market-feed/market-tick';
import type { OrderState } from './engine-types';
import { stopReached } from './order-validation';

const HUNDRED = dec(100);

export function triggerPrice(o: OrderState, tick: MarketTick): Decimal {
  return o.workingType === 'MARK_PRICE' ? tick.markPrice : tick.lastPrice;
}

/** Advances the order's trailing state with `price` and says whether it triggers now. */
export function shouldTrigger(o: OrderState, price: Decimal): boolean {
  if (o.type !== 'TRAILING_STOP_MARKET') return stopReached(o.type, o.side, o.stopPrice!, price);
  if (o.trailExtreme === undefined) {
    const active = o.activationPrice === undefined || (o.side === 'SELL' ? price.gte(o.activationPrice) : price.lte(o.activationPrice));
    if (!active) return false;
    o.trailExtreme = price;
  }
  if (o.side === 'SELL') {
    if (price.gt(o.trailExtreme)) o.trailExtreme = price;
    const stop = o.trailExtreme.times(HUNDRED.minus(o.callbackRate!)).div(HUNDRED);
    o.stopPrice = stop;
    return price.lte(stop);
  }
  if (price.lt(o.trailExtreme)) o.trailExtreme = price;
  const stop = o.trailExtreme.times(HUNDRED.plus(o.callbackRate!)).div(HUNDRED);
  o.stopPrice = stop;
  return price.gte(stop);
}
