import { JwtService } from '@nestjs/jwt';
import { dec, isDecimalString } from '../../src/common/decimal';
import { MarketDataService } from '../../src/market-data/market-data.service';
import type { MarkPriceEvent } from '../../src/market-data/market-data.types';
import { PaperExchangeService } from '../../src/exchanges/paper/paper-exchange.service';
import { LiveAccountPublisher } from '../../src/positions/live-account.publisher';
import { UserEventsService } from '../../src/realtime/user-events.service';
import { UserPresence } from '../../src/realtime/user-presence';
import { createTestApp, type TestApp } from '../support/app';
import { waitForMarket } from '../support/market';
import { emitWithAck, listen, nextEvent, record, sleep, Sockets } from './socket-helpers';

describe('Socket.IO gateway', () => {
  let t: TestApp;
  let url: string;
  const sockets = new Sockets();

  beforeAll(async () => {
    t = await createTestApp();
    url = await listen(t.app);
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await t.close();
  });

  describe('handshake', () => {
    it('refuses a missing, a malformed, a forged and an expired token before any event, with the code', async () => {
      expect((await sockets.refusal(url)).data).toEqual({ code: 'TOKEN_MISSING' });
      expect((await sockets.refusal(url, 'not.a.token')).data).toEqual({ code: 'TOKEN_INVALID' });
      const forged = await new JwtService({ secret: 'another-secret-that-is-long-enough-000000' }).signAsync({ sub: '1' });
      expect((await sockets.refusal(url, forged)).data).toEqual({ code: 'TOKEN_INVALID' });
      const expired = await new JwtService({ secret: t.config.auth.jwtSecret }).signAsync({ sub: '1', exp: Math.floor(Date.now() / 1000) - 10 });
      const refusal = await sockets.refusal(url, expired);
      expect(refusal.data).toEqual({ code: 'TOKEN_EXPIRED' });
      expect(refusal.message).toBe('The token has expired');
    });

    it('refuses a disabled user and accepts a valid token', async () => {
      const u = await t.newUser('viewer');
      const socket = await sockets.connect(url, u.token);
      expect(socket.connected).toBe(true);
      await t.http.patch(`/api/v1/admin/users/${u.id}`).set('Authorization', `Bearer ${t.adminToken}`).send({ disabled: true });
      expect((await sockets.refusal(url, u.token)).data).toEqual({ code: 'USER_DISABLED' });
    });

    it("ends a user's open sessions when an admin disables the user, and no other user's", async () => {
      const u = await t.newUser('trader');
      const other = await t.newUser('trader');
      const [s1, s2] = [await sockets.connect(url, u.token), await sockets.connect(url, u.token)];
      const bystander = await sockets.connect(url, other.token);
      const ended = [s1, s2].map((s) => nextEvent<{ code: string }>(s, 'session_ended'));
      const disconnected = [s1, s2].map((s) => new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason))));
      const patch = await t.http.patch(`/api/v1/admin/users/${u.id}`).set('Authorization', `Bearer ${t.adminToken}`).send({ disabled: true });
      expect(patch.status).toBe(200);
      expect((await Promise.all(ended)).map((e) => e.code)).toEqual(['USER_DISABLED', 'USER_DISABLED']);
      expect(await Promise.all(disconnected)).toEqual(['io server disconnect', 'io server disconnect']);
      await sleep(100);
      expect(bystander.connected).toBe(true);
    });

    it('ends a session when its token expires', async () => {
      const u = await t.newUser('viewer');
      const shortLived = await new JwtService({ secret: t.config.auth.jwtSecret }).signAsync({ sub: String(u.id), exp: Math.floor(Date.now() / 1000) + 2 });
      const socket = await sockets.connect(url, shortLived);
      expect(socket.connected).toBe(true);
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
      const ended = await nextEvent<{ code: string; message: string }>(socket, 'session_ended', 5000);
      expect(ended.code).toBe('TOKEN_EXPIRED');
      expect(await disconnected).toBe('io server disconnect');
    });
  });

  describe('market data subscriptions', () => {
    it('streams markPrice for BTCUSDT at the feed rate, with decimal strings, until unsubscribed', async () => {
      const u = await t.newUser('viewer');
      const socket = await sockets.connect(url, u.token);
      const first = nextEvent<MarkPriceEvent>(socket, 'markPrice');
      const ack = await emitWithAck(socket, 'subscribe', { channel: 'markPrice', symbol: 'BTCUSDT' });
      expect(ack).toEqual({ ok: true, channel: 'markPrice', symbol: 'BTCUSDT' });
      const firstEvent = await first;
      expect(firstEvent).toEqual({
        symbol: 'BTCUSDT',
        markPrice: expect.any(String),
        indexPrice: expect.any(String),
        fundingRate: expect.any(String),
        nextFundingTime: expect.any(Number),
        ts: expect.any(Number),
      });
      for (const v of [firstEvent.markPrice, firstEvent.indexPrice, firstEvent.fundingRate]) expect(isDecimalString(v)).toBe(true);

      const interval = t.config.marketFeed.intervalMs;
      const seen = record<MarkPriceEvent>(socket, 'markPrice');
      await sleep(interval * 12);
      seen.stop();
      // About one update per interval (timers may slip by one either way under load).
      expect(seen.items.length).toBeGreaterThanOrEqual(8);
      expect(seen.items.length).toBeLessThanOrEqual(14);
      const ts = seen.items.map((e) => e.ts);
      for (let i = 1; i < ts.length; i++) {
        expect(ts[i] - ts[i - 1]).toBeGreaterThanOrEqual(interval);
        expect((ts[i] - ts[i - 1]) % interval).toBe(0);
      }
      expect(seen.items.every((e) => e.symbol === 'BTCUSDT')).toBe(true);

      // The REST cache agrees with what was pushed.
      const price = t.app.get(MarketDataService).getPrice('BTCUSDT');
      expect(price.ts).toBeGreaterThanOrEqual(ts[ts.length - 1]);

      const unack = await emitWithAck(socket, 'unsubscribe', { channel: 'markPrice', symbol: 'BTCUSDT' });
      expect(unack).toEqual({ ok: true, channel: 'markPrice', symbol: 'BTCUSDT' });
      const after = record<MarkPriceEvent>(socket, 'markPrice');
      await sleep(interval * 4);
      after.stop();
      expect(after.items).toEqual([]);
    });

    it('answers an invalid subscription with an error ack and keeps the connection usable', async () => {
      const u = await t.newUser('viewer');
      const socket = await sockets.connect(url, u.token);
      expect(await emitWithAck(socket, 'subscribe', { channel: 'candles', symbol: 'BTCUSDT' })).toEqual({
        ok: false,
        code: 'INVALID_CHANNEL',
        message: expect.stringContaining('markPrice'),
      });
      expect(await emitWithAck(socket, 'subscribe', { channel: 'markPrice', symbol: 'DOGEUSDT' })).toEqual({
        ok: false,
        code: 'SYMBOL_NOT_FOUND',
        message: expect.any(String),
      });
      expect(await emitWithAck(socket, 'subscribe', 'markPrice')).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
      expect(await emitWithAck(socket, 'subscribe', { channel: 'markPrice', symbol: 'BTCUSDT', exchange: 'nowhere' })).toMatchObject({
        ok: false,
        code: 'SYMBOL_NOT_FOUND',
      });
      expect(socket.connected).toBe(true);
      const depth = nextEvent<{ symbol: string; bids: [string, string][]; asks: [string, string][] }>(socket, 'depth');
      expect(await emitWithAck(socket, 'subscribe', { channel: 'depth', symbol: 'ETHUSDT' })).toEqual({ ok: true, channel: 'depth', symbol: 'ETHUSDT' });
      const book = await depth;
      expect(book.symbol).toBe('ETHUSDT');
      expect(book.bids.length).toBeGreaterThan(0);
      expect(Number(book.bids[0][0])).toBeLessThan(Number(book.asks[0][0]));
    });
  });

  describe('private events', () => {
    it('delivers events emitted to user A to A only, without a subscription', async () => {
      const a = await t.newUser('trader');
      const b = await t.newUser('trader');
      const sa = await sockets.connect(url, a.token);
      const sb = await sockets.connect(url, b.token);
      const seenByB = ['order', 'trade', 'position', 'account', 'alert'].map((e) => record(sb, e));
      const events = t.app.get(UserEventsService);
      const gotOrder = nextEvent(sa, 'order');
      const gotAlert = nextEvent(sa, 'alert');
      events.emitToUser(a.id, 'order', { id: 1, symbol: 'BTCUSDT', status: 'NEW', quantity: '0.010' });
      events.emitToUser(a.id, 'alert', { code: 'MARGIN_RATIO', message: 'margin ratio above 80%' });
      expect(await gotOrder).toEqual({ id: 1, symbol: 'BTCUSDT', status: 'NEW', quantity: '0.010' });
      expect(await gotAlert).toEqual({ code: 'MARGIN_RATIO', message: 'margin ratio above 80%' });
      await sleep(200);
      expect(seenByB.flatMap((r) => r.items)).toEqual([]);
    });

    it("a REST market order by A produces A's order, trade, position and account events; B receives none", async () => {
      const a = await t.newUser('trader');
      const b = await t.newUser('trader');
      await waitForMarket(t, a.token);
      const sa = await sockets.connect(url, a.token);
      const sb = await sockets.connect(url, b.token);
      const seenByB = ['order', 'trade', 'position', 'account', 'alert'].map((e) => record(sb, e));
      const order = nextEvent<{ id: number; status: string }>(sa, 'order', 5000, (o) => o.status === 'FILLED');
      const trade = nextEvent<{ symbol: string; price: string; qty: string }>(sa, 'trade');
      const position = nextEvent<{ symbol: string; side: string; size: string }>(sa, 'position');
      const account = nextEvent<{ asset: string; walletBalance: string }>(sa, 'account');
      const res = await t.http
        .post('/api/v1/contracts/orders')
        .set('Authorization', `Bearer ${a.token}`)
        .send({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' });
      expect(res.status).toBe(201);
      expect(await order).toMatchObject({ id: res.body.id, symbol: 'BTCUSDT', status: 'FILLED', filledQty: '0.01' });
      const fill = await trade;
      expect(fill).toMatchObject({ symbol: 'BTCUSDT', qty: '0.01', price: res.body.avgPrice });
      expect(await position).toMatchObject({ symbol: 'BTCUSDT', side: 'LONG', size: '0.01' });
      expect((await account).asset).toBe('USDT');
      await sleep(300);
      expect(seenByB.flatMap((r) => r.items)).toEqual([]);
    });

    it('keeps a holder\'s account and position live as the mark moves, without any trade, about once a second', async () => {
      const a = await t.newUser('trader');
      const b = await t.newUser('trader');
      await waitForMarket(t, a.token);
      const res = await t.http
        .post('/api/v1/contracts/orders')
        .set('Authorization', `Bearer ${a.token}`)
        .send({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' });
      expect(res.status).toBe(201);
      const sa = await sockets.connect(url, a.token);
      const sb = await sockets.connect(url, b.token);
      await sleep(200); // the order's own events are past
      const accounts = record<Record<string, string>>(sa, 'account');
      const positions = record<Record<string, string>>(sa, 'position');
      const seenByB = ['account', 'position'].map((e) => record(sb, e));
      const started = Date.now();
      while (accounts.items.length < 3 && Date.now() - started < 6000) await sleep(50);
      const elapsed = Date.now() - started;
      expect(accounts.items.length).toBeGreaterThanOrEqual(3);
      // throttled: three rounds take at least ~2 intervals
      expect(elapsed).toBeGreaterThanOrEqual(1500);
      for (const e of accounts.items) {
        expect(e.asset).toBe('USDT');
        expect(dec(e.marginBalance).eq(dec(e.walletBalance).plus(e.unrealizedPnl))).toBe(true);
        expect(dec(e.initialMargin).gt(0)).toBe(true);
      }
      expect(positions.items.length).toBeGreaterThanOrEqual(3);
      expect(positions.items.every((p) => p.symbol === 'BTCUSDT' && p.size === '0.01' && isDecimalString(p.markPrice))).toBe(true);
      // computed at the current marks: the unrealized PnL is size × (mark − entry)
      const last = positions.items[positions.items.length - 1];
      expect(dec(last.unrealizedPnl).eq(dec(last.markPrice).minus(last.entryPrice).times('0.01'))).toBe(true);
      expect(seenByB.flatMap((r) => r.items)).toEqual([]);
    });

    it("reads only the accounts of users with a socket for the live updates, and nothing while nobody listens", async () => {
      const a = await t.newUser('trader');
      const b = await t.newUser('trader');
      await waitForMarket(t, a.token);
      for (const u of [a, b]) {
        const res = await t.http.post('/api/v1/contracts/orders').set('Authorization', `Bearer ${u.token}`).send({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' });
        expect(res.status).toBe(201);
      }
      const paper = t.app.get(PaperExchangeService);
      const publisher = t.app.get(LiveAccountPublisher);
      const read = jest.spyOn(paper, 'activeViews');
      try {
        const sa = await sockets.connect(url, a.token);
        expect(await publisher.publishAll()).toBeGreaterThanOrEqual(1);
        const users = read.mock.calls.at(-1)?.[0];
        expect(users).toContain(a.id);
        expect(users).not.toContain(b.id);
        sa.disconnect();
        sockets.closeAll();
        const presence = t.app.get(UserPresence);
        for (let waited = 0; presence.users().length > 0 && waited < 3000; waited += 50) await sleep(50);
        read.mockClear();
        expect(await publisher.publishAll()).toBe(0);
        expect(read).not.toHaveBeenCalled();
      } finally {
        read.mockRestore();
      }
    });
  });
});

describe('Socket.IO gateway with WS_PUBLIC_MARKET_DATA=true', () => {
  let t: TestApp;
  let url: string;
  const sockets = new Sockets();

  beforeAll(async () => {
    t = await createTestApp({ WS_PUBLIC_MARKET_DATA: 'true' });
    url = await listen(t.app);
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await t.close();
  });

  it('admits a socket without a token for market data only, and still refuses a bad token', async () => {
    const anonymous = await sockets.connect(url);
    const mark = nextEvent<MarkPriceEvent>(anonymous, 'markPrice');
    expect(await emitWithAck(anonymous, 'subscribe', { channel: 'markPrice', symbol: 'BTCUSDT' })).toMatchObject({ ok: true });
    expect((await mark).symbol).toBe('BTCUSDT');
    expect((await sockets.refusal(url, 'not.a.token')).data).toEqual({ code: 'TOKEN_INVALID' });

    const a = await t.newUser('viewer');
    const sa = await sockets.connect(url, a.token);
    const privateSeen = record(anonymous, 'order');
    const got = nextEvent(sa, 'order');
    t.app.get(UserEventsService).emitToUser(a.id, 'order', { id: 7, symbol: 'BTCUSDT', status: 'NEW' });
    await got;
    await sleep(100);
    expect(privateSeen.items).toEqual([]);
  });
});
