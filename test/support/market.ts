import { PaperExchangeService } from '../../src/exchanges/paper/paper-exchange.service';
import type { TestApp } from './app';

/**
 * Waits until the paper market has ticked for `symbol` (the feed runs every MARKET_FEED_INTERVAL_MS):
 * its price is served, and the paper exchange of this instance follows it (orders are priced on it).
 */
export async function waitForMarket(t: TestApp, token: string, symbol = 'BTCUSDT', timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  const paper = t.app.get(PaperExchangeService);
  for (;;) {
    const res = await t.http.get(`/api/v1/contracts/${symbol}/price`).set('Authorization', `Bearer ${token}`);
    if (res.status === 200 && paper.lastTick(symbol)) return res.body as { markPrice: string; lastPrice: string; indexPrice: string; fundingRate: string };
    if (Date.now() > until) throw new Error(`no market data for ${symbol}: ${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
