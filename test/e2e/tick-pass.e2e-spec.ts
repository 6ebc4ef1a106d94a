/**
 * The leader's tick pass on the database: an ordinary batch is first tried on every active account
 * from one unlocked read and only the accounts it changes are processed under their lock; a batch
 * that crosses a funding time goes through every active account under its lock. Both must give what
 * the engine gives: a resting order filled by the prints, one funding payment per funding time, and
 * nothing written for an account the batch does not change. The state kept for the optimistic order
 * path is never set back by the pass's read, and a locked write drops it. The test drives the market itself.
 */
import { DataSource } from 'typeorm';
import { dec } from '../../src/common/decimal';
import { nextFundingTime, type MarketTick } from '../../src/exchanges/market-feed/market-tick';
import { PaperExchangeService } from '../../src/exchanges/paper/paper-exchange.service';
import { MarketDataService } from '../../src/market-data/market-data.service';
import { PaperFeeds } from '../../src/market-data/paper-feeds';
import { createTestApp, type TestApp } from '../support/app';
import { moved } from '../support/ticks';

describe('leader tick pass', () => {
  let t: TestApp;
  let publish: (ticks: MarketTick[]) => Promise<void>;
  const feeds = new PaperFeeds({ source: 'synthetic', seed: 5 });
  // an hour into a funding period, well after any tick the feed itself could make meanwhile
  let ts = nextFundingTime(Date.now() + 3_600_000) + 3_600_000;
  const btc = (ticks: MarketTick[]) => ticks.find((x) => x.symbol === 'BTCUSDT')!;

  beforeAll(async () => {
    t = await createTestApp({ MARKET_FEED_INTERVAL_MS: '60000' });
    const md = t.app.get(MarketDataService);
    publish = (ticks) => md.publish(ticks);
    await publish(feeds.next(ts));
  });
  afterAll(async () => {
    await t.close();
  });

  it('fills a resting order from the prints, books one funding payment per funding time, and leaves untouched accounts unwritten', async () => {
    const filler = await t.newUser('trader');
    const idle = await t.newUser('trader');
    const as = (u: { token: string }) => ({
      get: (url: string) => t.http.get(url).set('Authorization', `Bearer ${u.token}`),
      post: (url: string, body: object) => t.http.post(url).set('Authorization', `Bearer ${u.token}`).send(body),
    });
    const base = btc(feeds.next((ts += 250)));
    await publish([base]);
    const limitPrice = base.markPrice.times('0.97').round(1, 0);
    const long = await as(filler).post('/api/v1/contracts/orders', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' });
    expect(long.status).toBe(201);
    const resting = await as(filler).post('/api/v1/contracts/orders', {
      symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.005', price: limitPrice.toFixed(1),
    });
    expect(resting.body.status).toBe('NEW');
    // the idle account rests an order far from anything the test prints
    const far = await as(idle).post('/api/v1/contracts/orders', {
      symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.005', price: base.markPrice.times('0.955').round(1, 0).toFixed(1),
    });
    expect(far.body.status).toBe('NEW');
    const ds = t.app.get(DataSource);
    const stateOf = async (userId: number) =>
      (await ds.query(`SELECT p.seq::text, p.updated_at FROM paper_accounts p JOIN exchange_accounts a ON a.id = p.exchange_account_id WHERE a.user_id = $1`, [userId]))[0];
    const idleBefore = await stateOf(idle.id);

    // ordinary batches: nothing prints through the limit, then a sell prints through it
    await publish([moved(base, '0.99', (ts += 250))]);
    expect((await as(filler).get(`/api/v1/contracts/orders/${resting.body.id}`)).body.status).toBe('NEW');
    await publish([moved(base, '0.968', (ts += 250), [{ price: limitPrice.minus('0.1'), qty: dec('1'), side: 'SELL' }])]);
    const filled = (await as(filler).get(`/api/v1/contracts/orders/${resting.body.id}`)).body;
    expect(filled).toMatchObject({ status: 'FILLED', filledQty: '0.005', avgPrice: limitPrice.toFixed(1) });
    expect((await as(filler).get('/api/v1/contracts/positions')).body[0].size).toBe('0.015');
    // the idle account was not written by any of these batches
    expect(await stateOf(idle.id)).toEqual(idleBefore);

    // a batch across the next funding time books one payment: size × mark × rate, longs pay a positive rate
    const fundingTime = nextFundingTime(ts);
    const crossing = moved(base, '0.97', fundingTime + 500);
    const withRate = { ...crossing, fundingRate: dec('0.0001') };
    await publish([withRate]);
    ts = fundingTime + 500;
    await publish([{ ...moved(base, '0.97', (ts += 250)), fundingRate: dec('0.0001') }]);
    const payments = (await as(filler).get('/api/v1/contracts/funding-payments')).body.items as { amount: string; markPrice: string; fundingTime: string }[];
    expect(payments).toHaveLength(1);
    expect(payments[0].fundingTime).toBe(new Date(fundingTime).toISOString());
    expect(dec(payments[0].amount).eq(dec('0.015').times(withRate.markPrice).times('0.0001').neg())).toBe(true);
    // the idle account has no position: no payment, still unwritten
    expect((await as(idle).get('/api/v1/contracts/funding-payments')).body.items).toEqual([]);
  });

  it('restores an account whose state no order here left once per version: later batches within its bounds skip it, a print through its price still fills it', async () => {
    const u = await t.newUser('trader');
    const auth = { Authorization: `Bearer ${u.token}` };
    const base = btc(feeds.next((ts += 250)));
    await publish([base]);
    const price = base.markPrice.times('0.95').round(1, 0);
    const limit = (p: string) => ({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.005', price: p });
    const kept = await t.http.post('/api/v1/contracts/orders').set(auth).send(limit(price.toFixed(1)));
    const other = await t.http.post('/api/v1/contracts/orders').set(auth).send(limit(price.minus('100').toFixed(1)));
    expect([kept.body.status, other.body.status]).toEqual(['NEW', 'NEW']);
    // a cancel takes the locked path: the account's current state is not one an order here left
    expect((await t.http.delete(`/api/v1/contracts/orders/${other.body.id}`).set(auth)).status).toBe(200);
    const ds = t.app.get(DataSource);
    const [{ id: accountId }] = await ds.query(`SELECT id FROM exchange_accounts WHERE user_id = $1 AND exchange = 'paper'`, [u.id]);
    const paper = t.app.get(PaperExchangeService) as unknown as { engineFor(loaded: { exchangeAccountId: number }, ...rest: unknown[]): unknown };
    const restores = jest.spyOn(paper, 'engineFor');
    const restored = () => restores.mock.calls.filter(([loaded]) => loaded.exchangeAccountId === accountId).length;
    try {
      await publish([moved(base, '0.99', (ts += 250))]);
      expect(restored()).toBe(1);
      // the same version within its bounds: not restored again
      await publish([moved(base, '0.985', (ts += 250))]);
      await publish([moved(base, '0.98', (ts += 250))]);
      expect(restored()).toBe(1);
      // a sell printing through its price is not within them: the account is run and the order fills
      await publish([moved(base, '0.96', (ts += 250), [{ price: price.minus('0.1'), qty: dec('1'), side: 'SELL' }])]);
      expect(restored()).toBeGreaterThan(1);
      expect((await t.http.get(`/api/v1/contracts/orders/${kept.body.id}`).set(auth)).body).toMatchObject({ status: 'FILLED', filledQty: '0.005' });
    } finally {
      restores.mockRestore();
    }
  });

  it('liquidates an isolated position whose mark passes its liquidation price: close-out order, fee to the insurance fund, exact wallet', async () => {
    const u = await t.newUser('trader');
    const auth = { Authorization: `Bearer ${u.token}` };
    const base = btc(feeds.next((ts += 250)));
    await publish([base]);
    expect((await t.http.post('/api/v1/contracts/margin-mode').set(auth).send({ symbol: 'BTCUSDT', marginMode: 'isolated' })).status).toBe(200);
    expect((await t.http.post('/api/v1/contracts/leverage').set(auth).send({ symbol: 'BTCUSDT', leverage: 50 })).status).toBe(200);
    const buy = await t.http.post('/api/v1/contracts/orders').set(auth).send({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' });
    expect(buy.status).toBe(201);
    const [pos] = (await t.http.get('/api/v1/contracts/positions').set(auth)).body;
    const liq = dec(pos.liquidationPrice);
    expect(liq.lt(dec(buy.body.avgPrice))).toBe(true);
    const ds = t.app.get(DataSource);
    const fundBefore = dec(((await ds.query(`SELECT balance::text FROM paper_insurance_fund WHERE asset = 'USDT'`))[0]?.balance as string) ?? '0');

    // the mark falls just through the liquidation price, short of the bankruptcy price: the margin
    // left at the mark pays the clearance fee (a gap past the bankruptcy price would leave none)
    const factor = liq.times('0.9995').div(base.markPrice).toFixed(10);
    await publish([moved(base, factor, (ts += 250))]);
    expect((await t.http.get('/api/v1/contracts/positions').set(auth)).body).toEqual([]);
    const orders = (await t.http.get('/api/v1/contracts/orders').set(auth)).body.items as { clientOrderId: string; side: string; status: string; filledQty: string }[];
    const closeOut = orders.find((o) => o.clientOrderId.startsWith('autoclose-'));
    expect(closeOut).toMatchObject({ side: 'SELL', status: 'FILLED', filledQty: '0.01' });
    const income = (await t.http.get('/api/v1/contracts/income?limit=100').set(auth)).body.items as { type: string; amount: string }[];
    const clearance = income.filter((e) => e.type === 'INSURANCE_CLEAR');
    expect(clearance.length).toBeGreaterThanOrEqual(1);
    expect(clearance.some((e) => dec(e.amount).lt(0))).toBe(true);
    const fundAfter = dec((await ds.query(`SELECT balance::text FROM paper_insurance_fund WHERE asset = 'USDT'`))[0].balance as string);
    // what the account paid to the insurance fund is what the fund received
    const paid = clearance.reduce((sum, e) => sum.plus(e.amount), dec(0)).neg();
    expect(fundAfter.minus(fundBefore).eq(paid)).toBe(true);
    // the wallet is the start less everything the ledger booked, and the ledger sums to it
    const account = (await t.http.get('/api/v1/contracts/account').set(auth)).body.assets[0];
    const ledgerSum = income.reduce((sum, e) => sum.plus(e.amount), dec(0));
    expect(dec(account.walletBalance).eq(ledgerSum)).toBe(true);
    expect(dec(account.walletBalance).lt('10000')).toBe(true);
  });

  /** A new trader at a fresh mark, resting 0.005 BTCUSDT buys at a factor of it. */
  async function restingTrader() {
    const u = await t.newUser('trader');
    const auth = { Authorization: `Bearer ${u.token}` };
    const base = btc(feeds.next((ts += 250)));
    await publish([base]);
    const ds = t.app.get(DataSource);
    const [{ id: accountId }] = await ds.query(`SELECT id FROM exchange_accounts WHERE user_id = $1 AND exchange = 'paper'`, [u.id]);
    return {
      u,
      accountId: accountId as number,
      rest: (factor: string) =>
        t.http.post('/api/v1/contracts/orders').set(auth)
          .send({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.005', price: base.markPrice.times(factor).round(1, 0).toFixed(1) }),
      cancel: (id: number) => t.http.delete(`/api/v1/contracts/orders/${id}`).set(auth),
    };
  }

  /** Runs `body` counting the optimistic path's reads of an account before placing. */
  async function countingReads(body: (reads: jest.SpyInstance) => Promise<void>): Promise<void> {
    const reads = jest.spyOn(t.app.get(PaperExchangeService), 'readForOrder');
    try {
      await body(reads);
    } finally {
      reads.mockRestore();
    }
  }

  it("keeps the newest state an order here wrote when the pass's read answers an older version", async () => {
    const { u, accountId, rest } = await restingTrader();
    const ds = t.app.get(DataSource);
    const row = async () => (await ds.query(`SELECT version::int AS version, seq::text, clock::text, state FROM paper_accounts WHERE exchange_account_id = $1`, [accountId]))[0];
    expect((await rest('0.96')).status).toBe(201);
    const older = await row();
    expect((await rest('0.95')).status).toBe(201);
    const newer = await row();
    expect(newer.version).toBe(older.version + 1);
    const paper = t.app.get(PaperExchangeService);
    expect(paper.keptAccount(u.id, undefined)?.version).toBe(newer.version);
    // the pass's read answered as if before the second order's commit: the row as it was then
    const put = (r: typeof older) =>
      ds.query(`UPDATE paper_accounts SET version = $2, seq = $3, clock = $4, state = $5 WHERE exchange_account_id = $1`, [accountId, r.version, r.seq, r.clock, r.state]);
    await put(older);
    try {
      const views = await paper.activeViews([u.id]);
      expect(views.map((v) => v.exchangeAccountId)).toEqual([accountId]);
    } finally {
      await put(newer);
    }
    expect(paper.keptAccount(u.id, undefined)?.version).toBe(newer.version);
    // so the next order goes on the kept state, without a read first
    await countingReads(async (reads) => {
      expect((await rest('0.955')).body.status).toBe('NEW');
      expect(reads).not.toHaveBeenCalled();
      expect((await row()).version).toBe(newer.version + 1);
    });
  });

  it("keeps the pass's read when it answers a newer version than the kept one (a write made elsewhere)", async () => {
    const { u, accountId, rest } = await restingTrader();
    const ds = t.app.get(DataSource);
    const version = async () => (await ds.query(`SELECT version::int AS version FROM paper_accounts WHERE exchange_account_id = $1`, [accountId]))[0].version as number;
    expect((await rest('0.96')).status).toBe(201);
    const paper = t.app.get(PaperExchangeService);
    const before = await version();
    expect(paper.keptAccount(u.id, undefined)?.version).toBe(before);
    // another instance's write: the row moves on, nothing is dropped here
    await ds.query(`UPDATE paper_accounts SET version = version + 1 WHERE exchange_account_id = $1`, [accountId]);
    await paper.activeViews([u.id]);
    expect(paper.keptAccount(u.id, undefined)?.version).toBe(before + 1);
    // so the next order goes on what the pass read: no read first, no conflict
    await countingReads(async (reads) => {
      expect((await rest('0.955')).body.status).toBe('NEW');
      expect(reads).not.toHaveBeenCalled();
      expect(await version()).toBe(before + 2);
    });
  });

  it('after a write on the locked path (a cancel), the next order reads once and the one after goes on the kept state', async () => {
    const { rest, cancel } = await restingTrader();
    const first = await rest('0.96');
    expect(first.body.status).toBe('NEW');
    expect((await cancel(first.body.id)).body.status).toBe('CANCELED');
    await countingReads(async (reads) => {
      expect((await rest('0.955')).body.status).toBe('NEW');
      expect(reads).toHaveBeenCalledTimes(1);
      expect((await rest('0.95')).body.status).toBe('NEW');
      expect(reads).toHaveBeenCalledTimes(1);
    });
  });

  it('does not keep what the pass read before a locked write that committed while the read was answered', async () => {
    const { u, rest, cancel } = await restingTrader();
    const a = await rest('0.96');
    const b = await rest('0.955');
    expect([a.body.status, b.body.status]).toEqual(['NEW', 'NEW']);
    // a locked write: nothing is kept for the account now, so the pass's read sends its state
    expect((await cancel(a.body.id)).status).toBe(200);
    const paper = t.app.get(PaperExchangeService);
    expect(paper.keptAccount(u.id, undefined)).toBeUndefined();
    const manager = t.app.get(DataSource).manager;
    const query = manager.query.bind(manager);
    let answered!: () => void;
    const readAnswered = new Promise<void>((resolve) => (answered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = jest.spyOn(manager, 'query').mockImplementation(async (sql: string, params?: Parameters<typeof query>[1]) => {
      const rows = await query(sql, params);
      if (sql.includes('unnest($1::int[], $2::bigint[])')) {
        answered();
        await released;
      }
      return rows;
    });
    const pass = paper.activeViews([u.id]);
    await readAnswered;
    held.mockRestore();
    // another locked write commits after the read was answered, before the pass goes on
    expect((await cancel(b.body.id)).status).toBe(200);
    release();
    await pass;
    expect(paper.keptAccount(u.id, undefined)).toBeUndefined();
    await countingReads(async (reads) => {
      expect((await rest('0.95')).body.status).toBe('NEW');
      expect((await rest('0.945')).body.status).toBe('NEW');
      expect(reads).toHaveBeenCalledTimes(1);
    });
  });
});
