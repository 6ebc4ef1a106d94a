/**
 * The audit log: administrative and account-setting actions are written with their actor, target,
 * route, outcome, client address and request id — refusals by the route included — with every
 * secret redacted; only admins read it, filtered and paged.
 */
import { DataSource } from 'typeorm';
import { createTestApp, uniqueName, type TestApp } from '../support/app';
import { waitForMarket } from '../support/market';

interface Entry {
  id: string;
  time: string;
  actorUserId: number | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  method: string;
  path: string;
  status: number;
  outcome: string;
  errorCode: string | null;
  ip: string | null;
  requestId: string | null;
  details: { params?: Record<string, string>; query?: Record<string, unknown>; body?: Record<string, unknown> };
}

describe('audit log', () => {
  let t: TestApp;
  let adminId: number;
  beforeAll(async () => {
    t = await createTestApp();
    adminId = (await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${t.adminToken}`)).body.id;
  });
  afterAll(async () => {
    await t.close();
  });
  const log = async (query: string) => {
    const res = await t.http.get(`/api/v1/admin/audit-logs?${query}`).set('Authorization', `Bearer ${t.adminToken}`);
    expect(res.status).toBe(200);
    return res.body as { items: Entry[]; nextCursor: string | null };
  };

  it("writes an admin's actions with their outcome, refusals included, and never a password", async () => {
    const username = uniqueName('audited');
    const password = `secret-${Math.random().toString(36).slice(2)}-password`;
    const created = await t.http.post('/api/v1/admin/users').set('Authorization', `Bearer ${t.adminToken}`).set('X-Request-Id', 'audit-create-1')
      .send({ username, password, role: 'trader' });
    expect(created.status).toBe(201);
    const userId = created.body.id as number;

    const [create] = (await log(`action=user.create&actorId=${adminId}&limit=1`)).items;
    expect(create).toMatchObject({
      actorUserId: adminId, action: 'user.create', targetType: 'user', method: 'POST', path: '/api/v1/admin/users', status: 201,
      outcome: 'succeeded', errorCode: null, requestId: 'audit-create-1',
    });
    expect(create.ip).toBeTruthy();
    expect(create.details.body).toEqual({ username, password: '[redacted]', role: 'trader' });

    // a refused change is written as failed and changes nothing
    const refused = await t.http.put(`/api/v1/admin/users/${userId}/risk-limits`).set('Authorization', `Bearer ${t.adminToken}`).send({ maxLeverage: 0 });
    expect(refused.status).toBe(400);
    const set = await t.http.put(`/api/v1/admin/users/${userId}/risk-limits`).set('Authorization', `Bearer ${t.adminToken}`).send({ maxLeverage: 5 });
    expect(set.status).toBe(200);
    const limits = (await log(`action=risk_limits.set&targetType=user&targetId=${userId}`)).items;
    expect(limits.map((e) => [e.outcome, e.status, e.errorCode])).toEqual([['succeeded', 200, null], ['failed', 400, 'VALIDATION_FAILED']]);
    expect(limits[0].details).toEqual({ params: { id: String(userId) }, body: { maxLeverage: 5 } });
    expect((await log(`targetType=user&targetId=${userId}&outcome=failed`)).items.map((e) => e.action)).toEqual(['risk_limits.set']);

    const missing = await t.http.post('/api/v1/admin/users/999999/paper-deposit').set('Authorization', `Bearer ${t.adminToken}`).send({ asset: 'USDT', amount: '10' });
    expect(missing.status).toBe(404);
    expect((await log('action=paper.deposit&limit=1')).items[0]).toMatchObject({ targetId: '999999', outcome: 'failed', status: 404, errorCode: missing.body.code });

    // a failed login is written with the name tried, not the password
    const wrong = await t.http.post('/api/v1/auth/login').send({ username, password: `${password}-wrong` });
    expect(wrong.status).toBe(401);
    const [login] = (await log('action=auth.login&outcome=failed&limit=1')).items;
    expect(login).toMatchObject({ actorUserId: null, status: 401, errorCode: wrong.body.code });
    expect(login.details.body).toEqual({ username, password: '[redacted]' });

    // the password appears nowhere in the log
    const [{ n }] = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM audit_logs WHERE details::text LIKE $1`, [`%${password}%`]);
    expect(n).toBe(0);
  });

  it("writes a trader's account settings under the trader, and is read by admins only, in pages", async () => {
    const trader = await t.newUser('trader');
    await waitForMarket(t, trader.token);
    for (const leverage of [3, 4, 5]) {
      expect((await t.http.post('/api/v1/contracts/leverage').set('Authorization', `Bearer ${trader.token}`).send({ symbol: 'BTCUSDT', leverage })).status).toBe(200);
    }
    const first = await log(`actorId=${trader.id}&action=account.set_leverage&limit=2`);
    expect(first.items.map((e) => e.details.body?.leverage)).toEqual([5, 4]);
    expect(first.nextCursor).not.toBeNull();
    const second = await log(`actorId=${trader.id}&action=account.set_leverage&limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((e) => e.details.body?.leverage)).toEqual([3]);
    expect(second.nextCursor).toBeNull();
    // placing orders is not written here (contract_orders keeps every order)
    expect((await t.http.post('/api/v1/contracts/orders').set('Authorization', `Bearer ${trader.token}`).send({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002' })).status).toBe(201);
    expect((await log(`actorId=${trader.id}`)).items.every((e) => e.action === 'account.set_leverage')).toBe(true);

    const denied = await t.http.get('/api/v1/admin/audit-logs').set('Authorization', `Bearer ${trader.token}`);
    expect(denied.status).toBe(403);
    const bad = await t.http.get('/api/v1/admin/audit-logs?outcome=maybe').set('Authorization', `Bearer ${t.adminToken}`);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });
});
