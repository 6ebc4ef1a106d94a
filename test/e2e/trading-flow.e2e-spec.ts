import { dec } from '../../src/common/decimal';
import { createTestApp, type TestApp } from '../support/app';
import { waitForMarket } from '../support/market';

describe('trading flow (as a client does it)', () => {
  let t: TestApp;
  let trader: { id: number; token: string };
  beforeAll(async () => {
    t = await createTestApp();
    trader = await t.newUser('trader');
    await waitForMarket(t, trader.token);
  });
  afterAll(async () => {
    await t.close();
  });
  const as = (token: string) => ({
    get: (url: string) => t.http.get(url).set('Authorization', `Bearer ${token}`),
    post: (url: string, body: object) => t.http.post(url).set('Authorization', `Bearer ${token}`).send(body),
    del: (url: string) => t.http.delete(url).set('Authorization', `Bearer ${token}`),
  });

  it('login → contracts → market order → position → account → limit → cancel → 409 → reduce-only close → PnL', async () => {
    const u = as(trader.token);
    expect((await u.get('/api/v1/contracts')).status).toBe(200);

    const market = await u.post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' });
    expect(market.status).toBe(201);
    expect(market.body).toMatchObject({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', status: 'FILLED', quantity: '0.01', filledQty: '0.01', commissionAsset: 'USDT' });
    expect(market.body.orderId).toEqual(expect.any(String));
    const avg = dec(market.body.avgPrice);
    // taker fee = notional × 0.0004, exactly
    expect(dec(market.body.commission).eq(avg.times('0.01').times('0.0004'))).toBe(true);

    const positions = await u.get('/api/v1/contracts/positions');
    expect(positions.status).toBe(200);
    expect(positions.body).toHaveLength(1);
    const pos = positions.body[0];
    expect(pos).toMatchObject({ symbol: 'BTCUSDT', side: 'LONG', size: '0.01', marginMode: 'cross' });
    expect(dec(pos.entryPrice).eq(avg)).toBe(true);

    const account = await u.get('/api/v1/contracts/account');
    const usdt = account.body.assets.find((a: { asset: string }) => a.asset === 'USDT');
    expect(dec(usdt.initialMargin).gt(0)).toBe(true);
    expect(dec(usdt.walletBalance).eq(dec('10000').minus(market.body.commission))).toBe(true);

    // the position's liquidation price is the calculator's, for the same cross account
    const calc = await u.post('/api/v1/contracts/BTCUSDT/calculator', {
      side: 'LONG', marginMode: 'cross', leverage: pos.leverage, quantity: pos.size, entryPrice: pos.entryPrice, walletBalance: usdt.walletBalance,
    });
    expect(calc.status).toBe(200);
    expect(pos.liquidationPrice).toBe(calc.body.liquidationPrice);

    const mark = dec((await u.get('/api/v1/contracts/BTCUSDT/price')).body.markPrice);
    const limitPrice = mark.times('0.9').round(1, 0).toFixed(1);
    const limit = await u.post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.010', price: limitPrice, timeInForce: 'GTC' });
    expect(limit.status).toBe(201);
    // the order as placed is the order as stored, field for field
    expect((await u.get(`/api/v1/contracts/orders/${limit.body.id}`)).body).toEqual(limit.body);
    expect((await u.get(`/api/v1/contracts/orders/${market.body.id}`)).body).toEqual(market.body);
    expect(limit.body.status).toBe('NEW');
    const canceled = await u.del(`/api/v1/contracts/orders/${limit.body.id}`);
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('CANCELED');
    const again = await u.del(`/api/v1/contracts/orders/${market.body.id}`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ORDER_NOT_CANCELABLE');

    const close = await u.post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.010', reduceOnly: true });
    expect(close.status).toBe(201);
    expect(close.body.status).toBe('FILLED');
    expect((await u.get('/api/v1/contracts/positions')).body).toEqual([]);

    const trades = await u.get('/api/v1/contracts/trades?symbol=BTCUSDT');
    expect(trades.body.items).toHaveLength(2);
    const closing = trades.body.items[0];
    const expectedPnl = dec(closing.price).minus(avg).times('0.01');
    expect(dec(closing.realizedPnl).eq(expectedPnl)).toBe(true);
    const income = await u.get('/api/v1/contracts/income');
    const types = income.body.items.map((i: { type: string }) => i.type);
    expect(types).toEqual(expect.arrayContaining(['TRANSFER', 'COMMISSION']));
    if (!expectedPnl.eq(0)) expect(types).toContain('REALIZED_PNL');
    // the ledger sums to the wallet balance
    const wallet = dec((await u.get('/api/v1/contracts/account')).body.assets[0].walletBalance);
    const sum = income.body.items.reduce((s: ReturnType<typeof dec>, i: { amount: string }) => s.plus(i.amount), dec(0));
    expect(sum.eq(wallet)).toBe(true);
  });
});
