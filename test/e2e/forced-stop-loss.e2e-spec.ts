/**
 * The forced stop-loss of an admin's risk limits: when a position's ROE falls to −pct % at the mark
 * price, the service closes it at market and alerts the user; a position above the limit, and a
 * user without the limit, keep theirs. The market is driven by the test (the feed's own interval is
 * a minute, and the test's ticks are stamped later than any tick the feed could make meanwhile).
 */
import { dec } from '../../src/common/decimal';
import type { MarketTick } from '../../src/exchanges/market-feed/market-tick';
import { MarketDataService } from '../../src/market-data/market-data.service';
import { PaperFeeds } from '../../src/market-data/paper-feeds';
import { createTestApp, type TestApp } from '../support/app';
import { listen, nextEvent, Sockets } from '../realtime/socket-helpers';
import { moved } from '../support/ticks';

describe('forced stop-loss', () => {
  let t: TestApp;
  let url: string;
  const sockets = new Sockets();
  const feeds = new PaperFeeds({ source: 'synthetic', seed: 42 });
  let ts = Date.now() + 600_000;
  let publish: (ticks: MarketTick[]) => Promise<void>;

  beforeAll(async () => {
    t = await createTestApp({ MARKET_FEED_INTERVAL_MS: '60000' });
    url = await listen(t.app);
    const md = t.app.get(MarketDataService);
    publish = (ticks) => md.publish(ticks);
    await publish(feeds.next(ts));
  });
  afterAll(async () => {
    sockets.closeAll();
    await t.close();
  });

  it('closes at market the position whose ROE reaches the limit, alerts its user, and leaves the others', async () => {
    const limited = await t.newUser('trader');
    const free = await t.newUser('trader');
    const put = await t.http
      .put(`/api/v1/admin/users/${limited.id}/risk-limits`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .send({ forcedStopLossPct: '50' });
    expect(put.status).toBe(200);
    expect(put.body.forcedStopLossPct).toBe('50');

    for (const u of [limited, free]) {
      const as = (req: ReturnType<TestApp['http']['post']>) => req.set('Authorization', `Bearer ${u.token}`);
      expect((await as(t.http.post('/api/v1/contracts/leverage')).send({ symbol: 'BTCUSDT', leverage: 20 })).status).toBe(200);
      const buy = await as(t.http.post('/api/v1/contracts/orders')).send({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' });
      expect(buy.status).toBe(201);
      expect(buy.body.status).toBe('FILLED');
    }
    const socket = await sockets.connect(url, limited.token);
    const alert = nextEvent<{ code: string; symbol: string; limitPct: string; roePct: string }>(socket, 'alert', 10_000);

    const positions = async (token: string) =>
      (await t.http.get('/api/v1/contracts/positions').set('Authorization', `Bearer ${token}`)).body as { size: string; unrealizedPnl: string; initialMargin?: string }[];
    const base = feeds.next((ts += 1000)).find((x) => x.symbol === 'BTCUSDT')!;

    // 2 % down at 20x: ROE about −40 %, above the −50 % limit: nothing happens
    await publish([moved(base, '0.98', (ts += 1000))]);
    expect((await positions(limited.token)).map((p) => p.size)).toEqual(['0.01']);

    // 3 % down: ROE about −60 %: the limited user's position is closed at market
    await publish([moved(base, '0.97', (ts += 1000))]);
    expect(await positions(limited.token)).toEqual([]);
    expect((await positions(free.token)).map((p) => p.size)).toEqual(['0.01']);

    const orders = (await t.http.get('/api/v1/contracts/orders?symbol=BTCUSDT').set('Authorization', `Bearer ${limited.token}`)).body.items as {
      clientOrderId: string; side: string; type: string; status: string; reduceOnly: boolean; filledQty: string;
    }[];
    const close = orders.find((o) => o.clientOrderId.startsWith('fsl-'));
    expect(close).toMatchObject({ side: 'SELL', type: 'MARKET', status: 'FILLED', reduceOnly: true, filledQty: '0.01' });
    const trades = (await t.http.get('/api/v1/contracts/trades?symbol=BTCUSDT').set('Authorization', `Bearer ${limited.token}`)).body.items as { side: string; realizedPnl: string }[];
    const closing = trades.filter((x) => x.side === 'SELL');
    expect(closing).toHaveLength(1);
    expect(dec(closing[0].realizedPnl).lt(0)).toBe(true);

    const a = await alert;
    expect(a).toMatchObject({ code: 'FORCED_STOP_LOSS', symbol: 'BTCUSDT', limitPct: '50' });
    expect(dec(a.roePct).lte(-50)).toBe(true);

    // the next tick finds nothing more to close
    await publish([moved(base, '0.96', (ts += 1000))]);
    const after = (await t.http.get('/api/v1/contracts/orders?symbol=BTCUSDT').set('Authorization', `Bearer ${limited.token}`)).body.items as { clientOrderId: string }[];
    expect(after.filter((o) => o.clientOrderId.startsWith('fsl-'))).toHaveLength(1);
  });
});
