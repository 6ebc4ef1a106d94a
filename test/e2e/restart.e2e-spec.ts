/**
 * A restart of the whole service in mid-scenario resumes exactly: what the paper exchange held
 * (balances, positions, open and conditional orders, fills, ledger) comes back identical from the
 * database, trading goes on from there, and the paper market continues where it stopped instead of
 * starting again from the feed's seed.
 */
import { Client } from 'pg';
import { dec } from '../../src/common/decimal';
import { MarketDataService } from '../../src/market-data/market-data.service';
import { PaperFeeds } from '../../src/market-data/paper-feeds';
import { createTestApp, type TestApp } from '../support/app';
import { waitForMarket } from '../support/market';

const FEED_STATE = 'contract-desk:market-feed';

async function db<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const as = (t: TestApp, token: string) => ({
  get: (url: string) => t.http.get(url).set('Authorization', `Bearer ${token}`),
  post: (url: string, body: object) => t.http.post(url).set('Authorization', `Bearer ${token}`).send(body),
  del: (url: string) => t.http.delete(url).set('Authorization', `Bearer ${token}`),
});

/** What must survive a restart unchanged (amounts that move with the mark price are left out). */
async function holdings(t: TestApp, token: string) {
  const u = as(t, token);
  const account = (await u.get('/api/v1/contracts/account')).body;
  const positions = (await u.get('/api/v1/contracts/positions')).body as Record<string, unknown>[];
  const orders = (await u.get('/api/v1/contracts/orders?limit=100')).body;
  const trades = (await u.get('/api/v1/contracts/trades?limit=100')).body;
  const income = (await u.get('/api/v1/contracts/income?limit=100')).body;
  return {
    wallets: account.assets.map((a: Record<string, unknown>) => ({ asset: a.asset, walletBalance: a.walletBalance })),
    positions: positions.map((p) => ({ symbol: p.symbol, side: p.side, size: p.size, entryPrice: p.entryPrice, leverage: p.leverage, marginMode: p.marginMode })),
    orders,
    trades,
    income,
  };
}

describe('restart in mid-scenario', () => {
  afterAll(() => db((c) => c.query('DELETE FROM market_feed_state WHERE name = $1', [FEED_STATE])));

  it('resumes balances, positions, open orders, fills and ledger exactly, and trading goes on', async () => {
    const t1 = await createTestApp();
    let trader: { id: number; username: string; token: string };
    let before: Awaited<ReturnType<typeof holdings>>;
    let resting: { id: number; orderId: string };
    let stop: { id: number };
    let feedStateAtClose: unknown;
    try {
      trader = await t1.newUser('trader');
      const u = as(t1, trader.token);
      await waitForMarket(t1, trader.token);
      expect((await u.post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.020' })).status).toBe(201);
      expect((await u.post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.005', reduceOnly: true })).status).toBe(201);
      const mark = dec((await u.get('/api/v1/contracts/BTCUSDT/price')).body.markPrice);
      const limit = await u.post('/api/v1/contracts/orders', {
        symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.010', price: mark.times('0.96').round(1, 0).toFixed(1), timeInForce: 'GTC',
      });
      expect(limit.status).toBe(201);
      resting = limit.body;
      const stopRes = await u.post('/api/v1/contracts/orders', {
        symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', quantity: '0.015', stopPrice: mark.times('0.5').round(1, 0).toFixed(1), reduceOnly: true,
      });
      expect(stopRes.status).toBe(201);
      stop = stopRes.body;
      before = await holdings(t1, trader.token);
      expect(before.positions).toHaveLength(1);
      expect(before.orders.items.filter((o: { status: string }) => o.status === 'NEW')).toHaveLength(2);
      expect(before.income.items.length).toBeGreaterThanOrEqual(3); // deposit and two commissions at least
    } finally {
      await t1.close();
      feedStateAtClose = t1.app.get(MarketDataService).latestFeedState();
    }

    // the feed's leader saved where the market stood when it stopped
    const saved = await db((c) => c.query('SELECT state FROM market_feed_state WHERE name = $1', [FEED_STATE]));
    expect(saved.rows[0].state).toEqual(feedStateAtClose);

    const t2 = await createTestApp();
    try {
      const token = await t2.login(trader.username, `password-of-${trader.username}`);
      const u = as(t2, token);
      await waitForMarket(t2, token);
      expect(await holdings(t2, token)).toEqual(before);

      // trading goes on from the restored state: the resting order cancels, the stop is still there
      const canceled = await u.del(`/api/v1/contracts/orders/${resting.id}`);
      expect(canceled.status).toBe(200);
      expect(canceled.body.status).toBe('CANCELED');
      expect((await u.get(`/api/v1/contracts/orders/${stop.id}`)).body.status).toBe('NEW');
      // a new order gets a new exchange order id, never one used before the restart
      const next = await u.post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' });
      expect(next.status).toBe(201);
      const usedIds = before.orders.items.map((o: { orderId: string }) => o.orderId);
      expect(usedIds).not.toContain(next.body.orderId);
      const positions = (await u.get('/api/v1/contracts/positions')).body;
      expect(positions[0].size).toBe(dec(before.positions[0].size as string).plus('0.001').toFixed());
    } finally {
      await t2.close();
    }
  });

  it('continues the market from the saved feed state, not from the seed', async () => {
    // A market that has moved far from the seed's first price, as a long-running service leaves it:
    // the feed's saved state with BTCUSDT's log-price 20% higher.
    const config = { source: 'synthetic', seed: 42 };
    const start = new PaperFeeds(config).next(Date.now()).find((t) => t.symbol === 'BTCUSDT')!.markPrice;
    const walked = new PaperFeeds(config);
    walked.next(Date.now() - 1000);
    const state = walked.snapshot() as unknown as { synthetic: Record<string, { logPrice: number }> };
    state.synthetic.BTCUSDT.logPrice += Math.log(1.2);
    const far = new PaperFeeds(config, JSON.parse(JSON.stringify(state))).next(Date.now()).find((t) => t.symbol === 'BTCUSDT')!.markPrice;
    expect(far.div(start).minus(1).abs().gte('0.1')).toBe(true);
    await db((c) =>
      c.query(
        `INSERT INTO market_feed_state (name, state) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state`,
        [FEED_STATE, JSON.stringify(state)],
      ),
    );

    const t = await createTestApp();
    try {
      const viewer = await t.newUser('viewer');
      const mark = dec((await waitForMarket(t, viewer.token)).markPrice);
      // a few steps from where the saved market stood, far from the seed's first price
      expect(mark.div(far).minus(1).abs().lt('0.01')).toBe(true);
      expect(mark.div(start).minus(1).abs().gt('0.03')).toBe(true);
    } finally {
      await t.close();
    }
  });
});
