/**
 * Alerts kept and acknowledged: a forced stop-loss and a position near its liquidation price raise
 * alerts that are kept (listed to admins whether or not the user was connected), pushed to the
 * user's sockets with their id, and acknowledged once. The market is driven by the test.
 */
import { dec } from '../../src/common/decimal';
import type { MarketTick } from '../../src/exchanges/market-feed/market-tick';
import { DataSource } from 'typeorm';
import { AlertsService } from '../../src/alerts/alerts.service';
import { LiquidationRiskMonitor } from '../../src/alerts/liquidation-risk.monitor';
import { PaperExchangeService } from '../../src/exchanges/paper/paper-exchange.service';
import { MarketDataService } from '../../src/market-data/market-data.service';
import { PaperFeeds } from '../../src/market-data/paper-feeds';
import { createTestApp, type TestApp } from '../support/app';
import { listen, nextEvent, sleep, Sockets } from '../realtime/socket-helpers';
import { moved } from '../support/ticks';

interface Alert {
  id: string;
  userId: number;
  accountId: number | null;
  code: string;
  severity: string;
  symbol: string | null;
  message: string;
  details: Record<string, string>;
  acknowledgedAt: string | null;
  acknowledgedBy: number | null;
}

describe('alerts', () => {
  let t: TestApp;
  let url: string;
  const sockets = new Sockets();
  const feeds = new PaperFeeds({ source: 'synthetic', seed: 42 });
  let ts = Date.now() + 600_000;
  let publish: (ticks: MarketTick[]) => Promise<void>;
  let base: MarketTick;

  beforeAll(async () => {
    t = await createTestApp({ MARKET_FEED_INTERVAL_MS: '60000' });
    url = await listen(t.app);
    const md = t.app.get(MarketDataService);
    publish = (ticks) => md.publish(ticks);
    await publish(feeds.next(ts));
    base = feeds.next((ts += 1000)).find((x) => x.symbol === 'BTCUSDT')!;
    await publish([moved(base, '1', (ts += 1000))]);
  });
  afterAll(async () => {
    sockets.closeAll();
    await t.close();
  });

  const admin = () => ({
    get: (path: string) => t.http.get(path).set('Authorization', `Bearer ${t.adminToken}`),
    post: (path: string) => t.http.post(path).set('Authorization', `Bearer ${t.adminToken}`),
  });
  const alertsOf = async (userId: number, query = '') => {
    const res = await admin().get(`/api/v1/admin/alerts?userId=${userId}${query}`);
    expect(res.status).toBe(200);
    return res.body.items as Alert[];
  };
  const longAt20x = async (token: string, marginMode: 'cross' | 'isolated' = 'cross') => {
    const as = (req: ReturnType<TestApp['http']['post']>) => req.set('Authorization', `Bearer ${token}`);
    if (marginMode === 'isolated') expect((await as(t.http.post('/api/v1/contracts/margin-mode')).send({ symbol: 'BTCUSDT', marginMode })).status).toBe(200);
    expect((await as(t.http.post('/api/v1/contracts/leverage')).send({ symbol: 'BTCUSDT', leverage: 20 })).status).toBe(200);
    const buy = await as(t.http.post('/api/v1/contracts/orders')).send({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' });
    expect(buy.status).toBe(201);
    expect(buy.body.status).toBe('FILLED');
  };
  /** Publishes the mark at `factor` until `probe` holds (the monitors run on ticks). */
  const holdUntil = async <T>(factor: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      await publish([moved(base, factor, (ts += 1000))]);
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out at ${factor}`);
      await sleep(250);
    }
  };

  it('keeps a forced stop-loss alert, pushes it with its id, lists it to admins only, and acknowledges it once', async () => {
    const limited = await t.newUser('trader');
    expect((await t.http.put(`/api/v1/admin/users/${limited.id}/risk-limits`).set('Authorization', `Bearer ${t.adminToken}`).send({ forcedStopLossPct: '50' })).status).toBe(200);
    await longAt20x(limited.token);
    const socket = await sockets.connect(url, limited.token);
    const pushed = nextEvent<{ id: string; code: string }>(socket, 'alert', 15_000, (a) => a.code === 'FORCED_STOP_LOSS');

    // 3 % down at 20x: ROE about −60 %, past the −50 % limit
    const [kept] = await holdUntil('0.97', async () => {
      const list = await alertsOf(limited.id, '&code=FORCED_STOP_LOSS');
      return list.length > 0 ? list : undefined;
    });
    expect(kept).toMatchObject({ userId: limited.id, code: 'FORCED_STOP_LOSS', severity: 'critical', symbol: 'BTCUSDT', acknowledgedAt: null });
    expect(kept.details).toMatchObject({ positionSide: 'BOTH', limitPct: '50' });
    expect(dec(kept.details.roePct).lte(-50)).toBe(true);
    expect((await pushed).id).toBe(kept.id);

    // viewers and traders do not read alerts
    expect((await t.http.get('/api/v1/admin/alerts').set('Authorization', `Bearer ${limited.token}`)).status).toBe(403);

    const ack = await admin().post(`/api/v1/admin/alerts/${kept.id}/ack`);
    expect(ack.status).toBe(200);
    expect(ack.body.acknowledgedAt).not.toBeNull();
    const me = await admin().get('/api/v1/auth/me');
    expect(ack.body.acknowledgedBy).toBe(me.body.id);
    const again = await admin().post(`/api/v1/admin/alerts/${kept.id}/ack`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ALERT_ALREADY_ACKNOWLEDGED');
    expect((await alertsOf(limited.id, '&code=FORCED_STOP_LOSS'))[0].acknowledgedAt).toBe(ack.body.acknowledgedAt);
    expect((await alertsOf(limited.id, '&code=FORCED_STOP_LOSS&acknowledged=false'))).toEqual([]);
    expect((await alertsOf(limited.id, '&code=FORCED_STOP_LOSS&acknowledged=true')).map((a) => a.id)).toEqual([kept.id]);

    const missing = await admin().post('/api/v1/admin/alerts/999999999/ack');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('ALERT_NOT_FOUND');
    const bad = await admin().post('/api/v1/admin/alerts/abc/ack');
    expect(bad.status).toBe(400);
    const badFilter = await admin().get('/api/v1/admin/alerts?acknowledged=maybe');
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.code).toBe('VALIDATION_FAILED');
    await publish([moved(base, '1', (ts += 1000))]);
  }, 60_000);

  it('raises LIQUIDATION_RISK once per level for a position nearing its liquidation price, for a user with no socket open', async () => {
    const trader = await t.newUser('trader');
    // isolated: the position's own margin carries it, so it has a liquidation price near the entry
    await longAt20x(trader.token, 'isolated');
    const position = async () => (await t.http.get('/api/v1/contracts/positions').set('Authorization', `Bearer ${trader.token}`)).body[0] as { liquidationPrice: string; size: string };
    const liq = dec((await position()).liquidationPrice);
    const markNow = base.markPrice;
    // at about 1 % above the liquidation price: critical (within 2 %), the position still open
    const factor = liq.times('1.01').div(markNow).round(4, 3).toFixed(4);
    const critical = await holdUntil(factor, async () => {
      const list = (await alertsOf(trader.id, '&code=LIQUIDATION_RISK')).filter((a) => a.severity === 'critical');
      return list.length > 0 ? list : undefined;
    });
    expect(critical).toHaveLength(1);
    expect(critical[0]).toMatchObject({ symbol: 'BTCUSDT', code: 'LIQUIDATION_RISK' });
    expect(critical[0].details.liquidationPrice).toBe(liq.toFixed());
    expect(dec(critical[0].details.distancePct).lt(2)).toBe(true);
    expect((await position()).size).toBe('0.01');

    // more passes at the same level raise nothing more
    const before = (await alertsOf(trader.id, '&code=LIQUIDATION_RISK')).length;
    for (let i = 0; i < 4; i++) {
      await publish([moved(base, factor, (ts += 1000))]);
      await sleep(700);
    }
    expect((await alertsOf(trader.id, '&code=LIQUIDATION_RISK')).length).toBe(before);

    // a new leader (a monitor with nothing in memory) carries on from the level kept in the database
    const ds = t.app.get(DataSource);
    const levels = async () => ds.query(`SELECT symbol, position_side, level FROM liquidation_risk_levels WHERE exchange_account_id = $1`, [critical[0].accountId]);
    expect(await levels()).toEqual([{ symbol: 'BTCUSDT', position_side: 'BOTH', level: 'critical' }]);
    const newLeader = new LiquidationRiskMonitor(t.app.get(PaperExchangeService), t.app.get(MarketDataService), t.app.get(AlertsService), ds);
    await newLeader.check();
    expect((await alertsOf(trader.id, '&code=LIQUIDATION_RISK')).length).toBe(before);
    // moved back beyond 7.5 % (5 % above the entry, about 9.5 % above the liquidation price): re-armed, and the next approach alerts again
    await publish([moved(base, '1.05', (ts += 1000))]);
    await newLeader.check();
    expect(await levels()).toEqual([]);
    const again = await holdUntil(factor, async () => {
      const list = (await alertsOf(trader.id, '&code=LIQUIDATION_RISK')).filter((a) => a.severity === 'critical');
      return list.length > 1 ? list : undefined;
    });
    expect(again).toHaveLength(2);
    await publish([moved(base, '1', (ts += 1000))]);
  }, 60_000);
});
