/**
 * Real-time fan-out on loopback, side by side in one run:
 *  1. Socket.IO through the service (MarketDataService.publish → gateway room `markPrice` of BTCUSDT)
 *     to 1,000 connected, subscribed socket.io clients;
 *  2. a raw `ws` server broadcasting the same messages (JSON, one serialization, one send per
 *     client) to 1,000 `ws` clients;
 *  3. REST market order → the trader's `order` event (FILLED), when the orders endpoint exists.
 *
 * For each fan-out: p50/p99 latency publish → receipt at a paced rate, then the deliveries per
 * second of a burst. The clients live in two child processes (500 each) so that they do not share
 * the server's event loop; latency is the receiving process's wall clock minus the message's `ts`
 * (Date.now() at publish: up to 1 ms of rounding on the high side).
 *
 * Run alone: node -r @swc-node/register bench/fanout.bench.ts   (about 35 s; DATABASE_URL optional)
 */
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { io as ioClient, type Socket as IoSocket } from 'socket.io-client';
import request from 'supertest';
import WebSocket, { WebSocketServer } from 'ws';
import { buildApp, configFromEnv } from '../src/bootstrap';
import { MarketDataService } from '../src/market-data/market-data.service';
import { PaperFeeds } from '../src/market-data/paper-feeds';

const CLIENTS = 1000;
const CHILDREN = 2;
const PACED_MESSAGES = 40;
const PACED_RATE_PER_SECOND = 20;
const BURST_MESSAGES = 100;
const ORDERS = 40;
const SYMBOL = 'BTCUSDT';

export interface FanoutFigures {
  clients: number;
  delivered: number;
  expected: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
  burstDeliveriesPerSecond: number;
}

export interface FanoutBenchResult {
  socketIo: FanoutFigures;
  rawWs: FanoutFigures;
  restOrderToEvent: { orders: number; p50Ms: number; p99Ms: number } | null;
}

// ---------------------------------------------------------------- client processes

type ToChild =
  | { cmd: 'connect'; kind: 'socketio' | 'ws'; url: string; token: string; count: number }
  | { cmd: 'report' }
  | { cmd: 'close' };
type FromChild = { ready: true } | { error: string } | { report: { received: number; latencies: number[]; lastReceipt: number } };

function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

async function clientProcess(): Promise<void> {
  const ioSockets: IoSocket[] = [];
  const wsSockets: WebSocket[] = [];
  let received = 0;
  let latencies: number[] = [];
  let lastReceipt = 0;
  const onMessage = (payload: { ts: number }) => {
    const now = wallNow();
    received++;
    latencies.push(now - payload.ts);
    lastReceipt = now;
  };
  const send = (m: FromChild) => process.send?.(m);
  process.on('message', async (m: ToChild) => {
    try {
      if (m.cmd === 'connect' && m.kind === 'socketio') {
        await Promise.all(
          Array.from({ length: m.count }, async () => {
            const s = ioClient(m.url, { transports: ['websocket'], auth: { token: m.token }, reconnection: false, forceNew: true });
            ioSockets.push(s);
            await new Promise<void>((resolve, reject) => {
              s.once('connect', resolve);
              s.once('connect_error', reject);
            });
            const ack = (await s.timeout(20000).emitWithAck('subscribe', { channel: 'markPrice', symbol: SYMBOL })) as { ok: boolean };
            if (!ack.ok) throw new Error('subscription refused');
            s.on('markPrice', onMessage);
          }),
        );
        send({ ready: true });
      } else if (m.cmd === 'connect' && m.kind === 'ws') {
        await Promise.all(
          Array.from({ length: m.count }, async () => {
            const ws = new WebSocket(m.url);
            wsSockets.push(ws);
            await new Promise<void>((resolve, reject) => {
              ws.once('open', () => resolve());
              ws.once('error', reject);
            });
            ws.on('message', (data) => onMessage(JSON.parse(data.toString()) as { ts: number }));
          }),
        );
        send({ ready: true });
      } else if (m.cmd === 'report') {
        send({ report: { received, latencies, lastReceipt } });
        received = 0;
        latencies = [];
        lastReceipt = 0;
      } else if (m.cmd === 'close') {
        for (const s of ioSockets.splice(0)) s.disconnect();
        for (const ws of wsSockets.splice(0)) ws.terminate();
        process.exit(0);
      }
    } catch (e) {
      send({ error: (e as Error).message });
    }
  });
}

class Clients {
  private readonly children: ChildProcess[] = [];

  constructor() {
    for (let i = 0; i < CHILDREN; i++) this.children.push(fork(__filename, ['--clients'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  private ask(child: ChildProcess, m: ToChild): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      const onMessage = (r: FromChild) => {
        child.off('message', onMessage);
        if ('error' in r) reject(new Error(`client process: ${r.error}`));
        else resolve(r);
      };
      child.on('message', onMessage);
      child.send(m);
    });
  }

  async connect(kind: 'socketio' | 'ws', url: string, token: string): Promise<void> {
    await Promise.all(this.children.map((c) => this.ask(c, { cmd: 'connect', kind, url, token, count: CLIENTS / CHILDREN })));
  }

  async report(): Promise<{ received: number; latencies: number[]; lastReceipt: number }> {
    const reports = await Promise.all(this.children.map((c) => this.ask(c, { cmd: 'report' })));
    const parts = reports.map((r) => (r as { report: { received: number; latencies: number[]; lastReceipt: number } }).report);
    return {
      received: parts.reduce((s, p) => s + p.received, 0),
      latencies: parts.flatMap((p) => p.latencies),
      lastReceipt: Math.max(...parts.map((p) => p.lastReceipt)),
    };
  }

  close(): void {
    for (const c of this.children) {
      if (c.connected) c.send({ cmd: 'close' });
    }
  }
}

// ---------------------------------------------------------------- measurement

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Paced messages for latency, then a burst for throughput; `publish(ts)` sends one message. */
async function measure(clients: Clients, publish: (ts: number) => void): Promise<FanoutFigures> {
  await sleep(300);
  await clients.report(); // discard anything before the start (e.g. the value sent on subscribing)
  for (let i = 0; i < PACED_MESSAGES; i++) {
    publish(Date.now());
    await sleep(1000 / PACED_RATE_PER_SECOND);
  }
  await sleep(500);
  const paced = await clients.report();
  const burstStart = wallNow();
  for (let i = 0; i < BURST_MESSAGES; i++) {
    publish(Date.now());
    await yieldToIo();
  }
  const expectedBurst = BURST_MESSAGES * CLIENTS;
  let burst = { received: 0, latencies: [] as number[], lastReceipt: 0 };
  for (let waited = 0; waited < 15000; waited += 250) {
    await sleep(250);
    const r = await clients.report();
    burst = { received: burst.received + r.received, latencies: burst.latencies, lastReceipt: Math.max(burst.lastReceipt, r.lastReceipt) };
    if (burst.received >= expectedBurst) break;
  }
  return {
    clients: CLIENTS,
    delivered: paced.received + burst.received,
    expected: PACED_MESSAGES * CLIENTS + expectedBurst,
    p50LatencyMs: round(percentile(paced.latencies, 50)),
    p99LatencyMs: round(percentile(paced.latencies, 99)),
    burstDeliveriesPerSecond: Math.round((burst.received / Math.max(1, burst.lastReceipt - burstStart)) * 1000),
  };
}

// ---------------------------------------------------------------- the run

export async function run(): Promise<FanoutBenchResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-desk-fanout-'));
  const adminPassword = `bench-${process.pid}-${Date.now()}`;
  // The feed's own interval is long so that the bench's ticks are the only ones pushed.
  const config = configFromEnv({
    ...process.env,
    DATA_DIR: dataDir,
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: adminPassword,
    LOG_LEVEL: 'error',
    MARKET_FEED_INTERVAL_MS: '60000',
    WS_PUBLIC_MARKET_DATA: 'false',
  });
  const built = await buildApp(config, { logger: false });
  const clients = new Clients();
  let wss: WebSocketServer | undefined;
  try {
    await built.app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(built.app.getHttpServer().address() as { port: number }).port}`;
    const http = request(built.app.getHttpServer());
    const login = async (username: string, password: string) =>
      (await http.post('/api/v1/auth/login').send({ username, password })).body.accessToken as string;
    const adminToken = await login('admin', adminPassword);
    const trader = { username: `fanout_${process.pid}`, password: 'fanout-bench-password' };
    await http.post('/api/v1/admin/users').set('Authorization', `Bearer ${adminToken}`).send({ ...trader, role: 'trader' });
    const token = await login(trader.username, trader.password);

    const marketData = built.app.get(MarketDataService);
    const feeds = new PaperFeeds({ source: 'synthetic', seed: 7 });
    const tickAt = (ts: number) => {
      marketData.publish(feeds.next(ts)).catch(() => undefined);
    };
    tickAt(Date.now());

    // 1. Socket.IO through the service
    await clients.connect('socketio', url, token);
    const socketIo = await measure(clients, tickAt);
    clients.close();

    // 2. raw ws, the same payloads
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss!.once('listening', () => resolve()));
    const wsUrl = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    const wsClients = new Clients();
    try {
      await wsClients.connect('ws', wsUrl, token);
      const server = wss;
      const rawWs = await measure(wsClients, (ts) => {
        const tick = feeds.next(ts).find((t) => t.symbol === SYMBOL)!;
        const data = JSON.stringify({
          symbol: SYMBOL,
          markPrice: tick.markPrice.toFixed(),
          indexPrice: tick.indexPrice.toFixed(),
          fundingRate: tick.fundingRate.toFixed(),
          nextFundingTime: tick.nextFundingTs,
          ts,
        });
        for (const c of server.clients) c.send(data);
      });

      // 3. REST order → order event
      let restOrderToEvent: FanoutBenchResult['restOrderToEvent'] = null;
      const probe = await http.get('/api/v1/contracts/orders').set('Authorization', `Bearer ${token}`);
      if (probe.status !== 404 || probe.body?.code !== 'ROUTE_NOT_FOUND') {
        restOrderToEvent = await orderLatency(url, token, http, tickAt);
      }
      return { socketIo, rawWs, restOrderToEvent };
    } finally {
      wsClients.close();
    }
  } finally {
    clients.close();
    await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
    await built.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function orderLatency(
  url: string,
  token: string,
  http: ReturnType<typeof request>,
  tickAt: (ts: number) => void,
): Promise<{ orders: number; p50Ms: number; p99Ms: number }> {
  const socket = ioClient(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  // An order's FILLED event may arrive before its HTTP response: keep arrivals by id.
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  socket.on('order', (o: { id: number | string; status: string }) => {
    if (o.status !== 'FILLED') return;
    const at = performance.now();
    arrived.set(String(o.id), at);
    waiting.get(String(o.id))?.(at);
  });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < ORDERS; i++) {
      if (i % 10 === 0) tickAt(Date.now());
      const start = performance.now();
      let settle!: (at: number) => void;
      const seen = new Promise<number>((resolve) => (settle = resolve));
      const res = await http
        .post('/api/v1/contracts/orders')
        .set('Authorization', `Bearer ${token}`)
        .send({ symbol: SYMBOL, side: i % 2 === 0 ? 'BUY' : 'SELL', type: 'MARKET', quantity: '0.001' });
      if (res.status !== 201) throw new Error(`order answered ${res.status}: ${res.body?.code}`);
      const id = String(res.body.id);
      waiting.set(id, settle);
      const early = arrived.get(id);
      const at = early ?? (await Promise.race([seen, sleep(5000).then(() => Number.NaN)]));
      if (Number.isNaN(at)) throw new Error('no order event within 5 s');
      latencies.push(at - start);
    }
  } finally {
    socket.disconnect();
  }
  return { orders: ORDERS, p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)) };
}

export function print(r: FanoutBenchResult): void {
  const row = (name: string, f: FanoutFigures) =>
    `${name.padEnd(10)} ${String(f.clients).padStart(7)} ${`${f.delivered}/${f.expected}`.padStart(15)} ${String(f.p50LatencyMs).padStart(8)} ${String(f.p99LatencyMs).padStart(8)} ${String(f.burstDeliveriesPerSecond).padStart(12)}`;
  process.stdout.write(
    [
      `fan-out of ${PACED_MESSAGES} paced (${PACED_RATE_PER_SECOND}/s) + ${BURST_MESSAGES} burst markPrice messages, loopback`,
      `${'transport'.padEnd(10)} ${'clients'.padStart(7)} ${'delivered'.padStart(15)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'burst msg/s'.padStart(12)}`,
      row('socket.io', r.socketIo),
      row('raw ws', r.rawWs),
      r.restOrderToEvent
        ? `REST market order → 'order' event: ${r.restOrderToEvent.orders} orders, p50 ${r.restOrderToEvent.p50Ms} ms, p99 ${r.restOrderToEvent.p99Ms} ms`
        : 'REST market order → order event: skipped (no orders endpoint)',
      '',
    ].join('\n'),
  );
}

if (require.main === module) {
  if (process.argv[2] === '--clients') {
    void clientProcess();
  } else {
    const started = Date.now();
    run()
      .then((r) => {
        print(r);
        process.stdout.write(`total ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        process.exit(0);
      })
      .catch((e: unknown) => {
        process.stderr.write(`fanout bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      });
  }
}
