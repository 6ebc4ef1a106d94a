/**
 * Two instances of the service on one database and one Redis: private events cross instances
 * through the Redis adapter, market data reaches the followers' sockets, and the market feed moves
 * to the survivor when its leader stops. Needs Redis on 127.0.0.1:6379 (REDIS_TEST_URL to change it).
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { FeedRunner } from '../../src/market-data/feed-runner.service';
import type { MarkPriceEvent } from '../../src/market-data/market-data.types';
import { userRoom } from '../../src/realtime/realtime-events';
import { UserEventsService } from '../../src/realtime/user-events.service';
import { UserPresence } from '../../src/realtime/user-presence';
import { createTestApp, type TestApp } from '../support/app';
import { waitForMarket } from '../support/market';
import { emitWithAck, listen, nextEvent, record, sleep, Sockets } from './socket-helpers';

const REDIS = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

async function assertRedisReachable(): Promise<void> {
  const client = createClient({ url: REDIS, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw new Error(`This suite needs Redis at ${REDIS} (set REDIS_TEST_URL to another server): ${(e as Error).message}`);
  } finally {
    if (client.isOpen) await client.close();
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(50);
  }
  return Date.now() - start;
}

describe('two instances on one database and Redis', () => {
  const instances: { t: TestApp; url: string; closed: boolean }[] = [];
  const sockets = new Sockets();
  // A prefix of its own, so that parallel runs on the same Redis and database do not meet.
  const prefix = `cd-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const env = { REDIS_URL: `${REDIS}?prefix=${prefix}` };

  beforeAll(async () => {
    await assertRedisReachable();
    for (let i = 0; i < 2; i++) {
      const t = await createTestApp(env);
      instances.push({ t, url: await listen(t.app), closed: false });
    }
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    sockets.closeAll();
    for (const i of instances) if (!i.closed) await i.t.close();
  });

  it('an event emitted to A on instance 1 reaches A on instance 2, and B on neither', async () => {
    const [one, two] = instances;
    const a = await one.t.newUser('trader');
    const b = await one.t.newUser('trader');
    const aOnTwo = await sockets.connect(two.url, a.token);
    const bOnOne = await sockets.connect(one.url, b.token);
    const bOnTwo = await sockets.connect(two.url, b.token);
    const seenByB = [bOnOne, bOnTwo].flatMap((s) => ['order', 'trade', 'position'].map((e) => record(s, e)));
    const got = nextEvent(aOnTwo, 'position');
    one.t.app.get(UserEventsService).emitToUser(a.id, 'position', { symbol: 'BTCUSDT', side: 'LONG', size: '0.010' });
    expect(await got).toEqual({ symbol: 'BTCUSDT', side: 'LONG', size: '0.010' });
    await sleep(200);
    expect(seenByB.flatMap((r) => r.items)).toEqual([]);
  });

  it("a REST order placed through instance 1 reaches A's socket on instance 2", async () => {
    const [one, two] = instances;
    const a = await one.t.newUser('trader');
    await waitForMarket(one.t, a.token);
    const aOnTwo = await sockets.connect(two.url, a.token);
    const orders = record<{ id: number; status: string; symbol: string }>(aOnTwo, 'order');
    const trades = record<{ orderId: number | string }>(aOnTwo, 'trade');
    const res = await one.t.http
      .post('/api/v1/contracts/orders')
      .set('Authorization', `Bearer ${a.token}`)
      .send({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002' });
    expect(res.status).toBe(201);
    await waitFor(() => orders.items.some((o) => o.id === res.body.id && o.status === 'FILLED'), 5000, "A's order event on instance 2");
    await waitFor(() => trades.items.length > 0, 5000, "A's trade event on instance 2");
    expect(orders.items.every((o) => o.symbol === 'BTCUSDT')).toBe(true);
  });

  /** The Socket.IO broadcasts to the user's room that cross Redis while `fn` runs (and 300 ms after). */
  async function crossingFor(userId: number, fn: () => Promise<void>): Promise<number> {
    const spy = createClient({ url: REDIS });
    spy.on('error', () => undefined);
    await spy.connect();
    let crossed = 0;
    await spy.pSubscribe(`${prefix}#socket.io#*`, (_message, channel) => {
      if (channel.includes(`#${userRoom(userId)}#`)) crossed++;
    });
    try {
      await fn();
      await sleep(300);
      return crossed;
    } finally {
      await spy.close();
    }
  }

  it('sends nothing through Redis for a user with no socket anywhere; a socket on another instance gets the events; once it is gone nothing is sent again', async () => {
    const [one, two] = instances;
    const a = await one.t.newUser('trader');
    await waitForMarket(one.t, a.token);
    const order = async () => {
      const res = await one.t.http
        .post('/api/v1/contracts/orders')
        .set('Authorization', `Bearer ${a.token}`)
        .send({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002' });
      expect(res.status).toBe(201);
      return res.body as { id: number };
    };
    expect(await crossingFor(a.id, async () => void (await order()))).toBe(0);

    const aOnTwo = await sockets.connect(two.url, a.token);
    // announced before the handshake completed
    expect(one.t.app.get(UserPresence).present(a.id)).toBe(true);
    const orders = record<{ id: number; status: string }>(aOnTwo, 'order');
    let placed: { id: number } | undefined;
    expect(await crossingFor(a.id, async () => void (placed = await order()))).toBeGreaterThan(0);
    await waitFor(() => orders.items.some((o) => o.id === placed?.id && o.status === 'FILLED'), 5000, "A's order event on instance 2");

    aOnTwo.disconnect();
    await waitFor(() => !one.t.app.get(UserPresence).present(a.id), 5000, "instance 1 learning that A's socket is gone");
    expect(await crossingFor(a.id, async () => void (await order()))).toBe(0);
  });

  it('an instance started later knows who is connected elsewhere; when an instance stops, the others forget its sockets', async () => {
    const [one, two] = instances;
    const a = await one.t.newUser('trader');
    const b = await one.t.newUser('trader');
    const aOnTwo = await sockets.connect(two.url, a.token);
    const three = await createTestApp(env);
    try {
      // read from Redis at start: A's socket on instance 2 is known, B (connected nowhere) is not
      expect(three.app.get(UserPresence).present(a.id)).toBe(true);
      expect(three.app.get(UserPresence).present(b.id)).toBe(false);
      await waitForMarket(three, a.token);
      const orders = record<{ id: number; status: string }>(aOnTwo, 'order');
      const res = await three.http
        .post('/api/v1/contracts/orders')
        .set('Authorization', `Bearer ${a.token}`)
        .send({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002' });
      // (the answer's body shown when it is not a 201)
      expect({ status: res.status, error: res.status === 201 ? undefined : res.body }).toEqual({ status: 201, error: undefined });
      await waitFor(() => orders.items.some((o) => o.id === res.body.id), 5000, "A's order event from instance 3 on instance 2");

      const bOnThree = await sockets.connect(await listen(three.app), b.token);
      expect(bOnThree.connected).toBe(true);
      expect(one.t.app.get(UserPresence).present(b.id)).toBe(true);
    } finally {
      await three.close();
    }
    await waitFor(() => !one.t.app.get(UserPresence).present(b.id), 5000, 'instance 1 forgetting the sockets of the stopped instance');
    expect(one.t.app.get(UserPresence).present(a.id)).toBe(true);
  });

  it('runs the feed on one instance; when that leader stops, the survivor takes over within seconds', async () => {
    const runners = instances.map((i) => i.t.app.get(FeedRunner));
    await waitFor(() => runners.some((r) => r.isLeader), 5000, 'the election of a feed leader');
    await sleep(1500); // a few election rounds: there must still be exactly one leader
    expect(runners.filter((r) => r.isLeader)).toHaveLength(1);
    const leaderIndex = runners.findIndex((r) => r.isLeader);
    const leader = instances[leaderIndex];
    const survivor = instances[1 - leaderIndex];

    // The follower serves market data it receives from the leader.
    const user = await survivor.t.newUser('viewer');
    const socket = await sockets.connect(survivor.url, user.token);
    expect(await emitWithAck(socket, 'subscribe', { channel: 'markPrice', symbol: 'BTCUSDT' })).toMatchObject({ ok: true });
    const before = record<MarkPriceEvent>(socket, 'markPrice');
    await waitFor(() => before.items.length >= 3, 3000, 'markPrice updates relayed by the follower');
    before.stop();

    await leader.t.close();
    leader.closed = true;
    const closedAt = Date.now();
    const lastTs = before.items[before.items.length - 1].ts;
    const after = record<MarkPriceEvent>(socket, 'markPrice');
    const resumedIn = await waitFor(() => after.items.some((e) => e.ts > Math.max(lastTs, closedAt)), 5000, 'markPrice updates after the leader stopped');
    await waitFor(() => after.items.length >= 3, 2000, 'a steady markPrice stream from the new leader');
    after.stop();
    expect(resumedIn).toBeLessThan(5000);
    expect(runners[1 - leaderIndex].isLeader).toBe(true);
    const ts = after.items.map((e) => e.ts);
    for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeGreaterThan(ts[i - 1]);
  });
});
