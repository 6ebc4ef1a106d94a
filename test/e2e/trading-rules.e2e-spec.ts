import { DataSource } from 'typeorm';
import { dec } from '../../src/common/decimal';
import { createTestApp, type TestApp } from '../support/app';
import { waitForMarket } from '../support/market';

describe('trading rules: isolation, roles, validation, risk limits', () => {
  let t: TestApp;
  let a: { id: number; token: string };
  let b: { id: number; token: string };
  let mark: ReturnType<typeof dec>;
  beforeAll(async () => {
    t = await createTestApp();
    a = await t.newUser('trader');
    b = await t.newUser('trader');
    mark = dec((await waitForMarket(t, a.token)).markPrice);
  });
  afterAll(async () => {
    await t.close();
  });
  const as = (token: string) => ({
    get: (url: string) => t.http.get(url).set('Authorization', `Bearer ${token}`),
    post: (url: string, body: object) => t.http.post(url).set('Authorization', `Bearer ${token}`).send(body),
    put: (url: string, body: object) => t.http.put(url).set('Authorization', `Bearer ${token}`).send(body),
    del: (url: string) => t.http.delete(url).set('Authorization', `Bearer ${token}`),
  });
  const counts = async (userId: number) => {
    const [row] = await t.app.get(DataSource).query(
      `SELECT (SELECT count(*) FROM contract_orders WHERE user_id = $1)::int AS orders, (SELECT count(*) FROM trades WHERE user_id = $1)::int AS trades,
              (SELECT count(*) FROM positions WHERE user_id = $1)::int AS positions`,
      [userId],
    );
    return row;
  };

  it("another user's order, position and trade are 404 or absent; a viewer cannot trade", async () => {
    const order = await as(a.token).post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002' });
    expect(order.status).toBe(201);
    const other = as(b.token);
    expect((await other.get(`/api/v1/contracts/orders/${order.body.id}`)).status).toBe(404);
    const cancel = await other.del(`/api/v1/contracts/orders/${order.body.id}`);
    expect(cancel.status).toBe(404);
    expect(cancel.body.code).toBe('ORDER_NOT_FOUND');
    expect((await other.get('/api/v1/contracts/orders')).body.items).toEqual([]);
    expect((await other.get('/api/v1/contracts/trades')).body.items).toEqual([]);
    expect((await other.get('/api/v1/contracts/positions')).body).toEqual([]);
    const [accountOfA] = await t.app.get(DataSource).query('SELECT id FROM exchange_accounts WHERE user_id = $1', [a.id]);
    const foreign = await other.get(`/api/v1/contracts/account?accountId=${accountOfA.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('ACCOUNT_NOT_FOUND');
    const foreignOrder = await other.post('/api/v1/contracts/orders', { accountId: accountOfA.id, symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.002' });
    expect(foreignOrder.status).toBe(404);
    expect((await as(a.token).get('/api/v1/contracts/positions')).body[0].size).toBe('0.002');

    const viewer = await t.newUser('viewer');
    const denied = await as(viewer.token).post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002' });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('ROLE_REQUIRED');
    expect(await counts(viewer.id)).toEqual({ orders: 0, trades: 0, positions: 0 });
  });

  it('an order by a user disabled or demoted since their last order is refused by its write (no user read before it), and a promotion applies at once', async () => {
    const u = await t.newUser('trader');
    const c = as(u.token);
    const market = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002' };
    expect((await c.post('/api/v1/contracts/orders', market)).status).toBe(201);
    const before = await counts(u.id);
    const db = t.app.get(DataSource);
    // changed behind this instance's back, as another instance would
    await db.query('UPDATE users SET disabled = TRUE WHERE id = $1', [u.id]);
    const disabled = await c.post('/api/v1/contracts/orders', market);
    expect(disabled.status).toBe(401);
    expect(disabled.body.code).toBe('USER_DISABLED');
    expect(await counts(u.id)).toEqual(before);
    await db.query(`UPDATE users SET disabled = FALSE, role = 'viewer' WHERE id = $1`, [u.id]);
    const demoted = await c.post('/api/v1/contracts/orders', market);
    expect(demoted.status).toBe(403);
    expect(demoted.body.code).toBe('ROLE_REQUIRED');
    expect(await counts(u.id)).toEqual(before);
    // a new order again, then the admin demotes through the API
    await db.query(`UPDATE users SET role = 'trader' WHERE id = $1`, [u.id]);
    expect((await c.post('/api/v1/contracts/orders', { ...market, side: 'SELL' })).status).toBe(201);
    const after = await counts(u.id);
    expect(after.orders).toBe(before.orders + 1);
    const patched = await t.http.patch(`/api/v1/admin/users/${u.id}`).set('Authorization', `Bearer ${t.adminToken}`).send({ role: 'viewer' });
    expect(patched.status).toBe(200);
    const refused = await c.post('/api/v1/contracts/orders', market);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ROLE_REQUIRED');
    expect(await counts(u.id)).toEqual(after);
    // a viewer refused once is promoted: the next order goes through
    await t.http.patch(`/api/v1/admin/users/${u.id}`).set('Authorization', `Bearer ${t.adminToken}`).send({ role: 'trader' });
    expect((await c.post('/api/v1/contracts/orders', market)).status).toBe(201);
  });

  it('refuses bad quantities, prices, symbols and leverage with a 400 and its code, and persists nothing', async () => {
    const u = await t.newUser('trader');
    const c = as(u.token);
    const base = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.010', price: mark.times('0.9').round(1, 0).toFixed(1) };
    const cases: [object, string][] = [
      [{ ...base, quantity: '-1' }, 'VALIDATION_FAILED'],
      [{ ...base, quantity: '0' }, 'VALIDATION_FAILED'],
      [{ ...base, quantity: 'ten' }, 'VALIDATION_FAILED'],
      [{ ...base, quantity: 0.01 }, 'VALIDATION_FAILED'],
      [{ ...base, price: '-5' }, 'VALIDATION_FAILED'],
      [{ ...base, price: '0' }, 'VALIDATION_FAILED'],
      [{ ...base, price: 'cheap' }, 'VALIDATION_FAILED'],
      [{ ...base, price: mark.times('0.9').round(1, 0).plus('0.05').toFixed(2) }, 'PRICE_OFF_TICK'],
      [{ ...base, quantity: '0.0105' }, 'QUANTITY_OFF_STEP'],
      [{ ...base, quantity: '0.0001' }, 'QUANTITY_TOO_SMALL'],
      [{ ...base, quantity: '0.001', price: '1000.0' }, 'NOTIONAL_TOO_SMALL'],
      [{ ...base, quantity: '100000' }, 'QUANTITY_TOO_LARGE'],
      [{ ...base, price: mark.times('1.2').round(1, 0).toFixed(1) }, 'PRICE_OUT_OF_BAND'],
      [{ ...base, symbol: 'NOPEUSDT' }, 'UNKNOWN_SYMBOL'],
      [{ ...base, price: undefined }, 'PRICE_REQUIRED'],
      [{ ...base, type: 'MARKET', price: undefined, quantity: undefined }, 'QUANTITY_REQUIRED'],
      [{ ...base, type: 'STOP_MARKET', price: undefined }, 'STOP_PRICE_REQUIRED'],
      [{ ...base, type: 'TRAILING_STOP_MARKET', price: undefined }, 'CALLBACK_RATE_INVALID'],
      [{ ...base, side: 'HOLD' }, 'VALIDATION_FAILED'],
      [{ ...base, hack: 1 }, 'VALIDATION_FAILED'],
    ];
    for (const [body, code] of cases) {
      const res = await c.post('/api/v1/contracts/orders', body);
      expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status: 400, code });
      expect(res.body.message).toEqual(expect.any(String));
    }
    for (const leverage of [0, 126]) {
      const res = await c.post('/api/v1/contracts/leverage', { symbol: 'BTCUSDT', leverage });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const aboveBracket = await c.post('/api/v1/contracts/leverage', { symbol: 'ETHUSDT', leverage: 101 });
    expect(aboveBracket.status).toBe(400);
    expect(aboveBracket.body.code).toBe('LEVERAGE_TOO_HIGH');
    expect(await counts(u.id)).toEqual({ orders: 0, trades: 0, positions: 0 });
    const ledger = await c.get('/api/v1/contracts/income');
    expect(ledger.body.items.map((i: { type: string }) => i.type)).toEqual(['TRANSFER']);
  });

  it("refuses a resting order beyond the contract's open-order limit with MAX_OPEN_ORDERS, persisting nothing; a market order still goes", async () => {
    const u = await t.newUser('trader');
    const c = as(u.token);
    const contract = await c.get('/api/v1/contracts/BTCUSDT');
    expect(contract.body).toMatchObject({ maxNumOrders: 200, maxNumAlgoOrders: 10 });
    const below = mark.times('0.97').round(1, 0);
    for (let i = 0; i < 200; i++) {
      const res = await c.post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: below.minus(dec('0.1').times(i)).toFixed(1) });
      expect(res.status).toBe(201);
    }
    const before = await counts(u.id);
    const wallet = (await c.get('/api/v1/contracts/account')).body;
    const refused = await c.post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: below.minus(30).toFixed(1) });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'MAX_OPEN_ORDERS', message: 'BTCUSDT allows at most 200 open orders per account; 200 are open' });
    expect(await counts(u.id)).toEqual(before);
    expect((await c.get('/api/v1/contracts/account')).body).toEqual(wallet);
    const market = await c.post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' });
    expect(market.status).toBe(201);
    expect(market.body.status).toBe('FILLED');
  });

  it("enforces an admin's per-user limits with their own codes", async () => {
    const u = await t.newUser('trader');
    const admin = as(t.adminToken);
    const perOrder = dec('450').div(mark).round(3, 0);
    const maxPosition = perOrder.times(mark).times('1.5').round(0, 0).toFixed();
    const put = await admin.put(`/api/v1/admin/users/${u.id}/risk-limits`, { maxOrderNotional: '500', maxPositionNotional: maxPosition, maxDailyTrades: 3, maxLeverage: 10 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ userId: u.id, maxOrderNotional: '500', maxPositionNotional: maxPosition, maxDailyTrades: 3, maxLeverage: 10 });
    expect((await admin.get(`/api/v1/admin/users/${u.id}/risk-limits`)).body.maxDailyTrades).toBe(3);
    expect((await as(u.token).get(`/api/v1/admin/users/${u.id}/risk-limits`)).status).toBe(403);
    const c = as(u.token);
    const order = (quantity: string) => c.post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity });
    // default leverage 20 is above the user's 10
    let res = await order('0.002');
    expect(res.body.code).toBe('RISK_MAX_LEVERAGE');
    expect((await c.post('/api/v1/contracts/leverage', { symbol: 'BTCUSDT', leverage: 10 })).status).toBe(200);
    res = await order(dec('600').div(mark).round(3, 3).toFixed(3));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('RISK_MAX_ORDER_NOTIONAL');
    expect(perOrder.gt(0)).toBe(true);
    expect((await order(perOrder.toFixed(3))).status).toBe(201);
    res = await order(perOrder.toFixed(3));
    expect(res.body.code).toBe('RISK_MAX_POSITION_NOTIONAL');
    expect((await c.post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: perOrder.toFixed(3), reduceOnly: true })).status).toBe(201);
    res = await order('0.002');
    expect(res.body).toMatchObject({ status: 'FILLED' });
    res = await order('0.002');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('RISK_MAX_DAILY_TRADES');
    expect(res.body.message).toContain('limit is 3');
  });

  it('limits an admin changes between two orders apply to the very next order, whichever way', async () => {
    const u = await t.newUser('trader');
    const c = as(u.token);
    const admin = as(t.adminToken);
    const order = (quantity: string) => c.post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity });
    const limits = (body: object) => admin.put(`/api/v1/admin/users/${u.id}/risk-limits`, body);
    // the first order reads the account and its (absent) limits; the next ones start from that read
    expect((await order('0.002')).status).toBe(201);
    expect((await limits({ maxOrderNotional: '50' })).status).toBe(200);
    const refused = await order('0.002');
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('RISK_MAX_ORDER_NOTIONAL');
    expect((await limits({ maxOrderNotional: '100000' })).status).toBe(200);
    expect((await order('0.002')).status).toBe(201);
    // a daily limit set after two orders counts them
    expect((await limits({ maxDailyTrades: 2 })).status).toBe(200);
    const third = await order('0.002');
    expect(third.body.code).toBe('RISK_MAX_DAILY_TRADES');
    expect((await limits({})).status).toBe(200);
    expect((await order('0.002')).status).toBe(201);
    expect((await counts(u.id)).orders).toBe(3);
  });

  it('admin paper deposit credits the wallet through the ledger', async () => {
    const u = await t.newUser('trader');
    const res = await as(t.adminToken).post(`/api/v1/admin/users/${u.id}/paper-deposit`, { asset: 'BTC', amount: '0.5' });
    expect(res.status).toBe(201);
    const account = await as(u.token).get('/api/v1/contracts/account');
    expect(account.body.assets.find((x: { asset: string }) => x.asset === 'BTC').walletBalance).toBe('0.5');
    expect((await as(t.adminToken).post(`/api/v1/admin/users/${u.id}/paper-deposit`, { asset: 'BTC', amount: '-1' })).status).toBe(400);
    expect((await as(u.token).post(`/api/v1/admin/users/${u.id}/paper-deposit`, { asset: 'BTC', amount: '1' })).status).toBe(403);
  });

  it('hedge mode holds a long and a short; margin view shows distance and risk level', async () => {
    const u = await t.newUser('trader');
    const c = as(u.token);
    expect((await c.post('/api/v1/contracts/position-mode', { dualSidePosition: true })).status).toBe(200);
    const noSide = await c.post('/api/v1/contracts/orders', { symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' });
    expect(noSide.body.code).toBe('POSITION_SIDE_REQUIRED');
    await waitForMarket(t, u.token, 'ETHUSDT');
    expect((await c.post('/api/v1/contracts/orders', { symbol: 'ETHUSDT', side: 'BUY', positionSide: 'LONG', type: 'MARKET', quantity: '0.010' })).status).toBe(201);
    expect((await c.post('/api/v1/contracts/orders', { symbol: 'ETHUSDT', side: 'SELL', positionSide: 'SHORT', type: 'MARKET', quantity: '0.010' })).status).toBe(201);
    const positions = (await c.get('/api/v1/contracts/positions')).body;
    expect(positions.map((p: { positionSide: string; side: string }) => `${p.positionSide}:${p.side}`).sort()).toEqual(['LONG:LONG', 'SHORT:SHORT']);
    const margin = (await c.get('/api/v1/contracts/margin')).body;
    expect(margin.positions).toHaveLength(2);
    for (const p of margin.positions) expect(['low', 'medium', 'high', 'critical']).toContain(p.riskLevel);
    expect(margin.assets[0].marginRatio).toEqual(expect.stringMatching(/^\d+(\.\d+)?$/));
  });
});
