/**
 * Order placement over HTTP on loopback, side by side in one run:
 *  1. the app on the embedded database (PGlite, DATABASE_URL unset): POST /api/v1/contracts/orders
 *     at maximum throughput (autocannon, closed loop, 16 connections of 4 traders each), then at a steady
 *     500 orders/s (after a first paced load of 3 s at that rate, reported apart as the warm-up) and
 *     at half the measured maximum (open loop), then an authenticated
 *     GET /api/v1/auth/me at maximum throughput — the framework + auth baseline;
 *  2. the same on the PostgreSQL server (DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test;
 *     skipped when unreachable). The bench works in a database of its own on that server, created
 *     and dropped here, so that the tests' data and first admin in the given database are left alone
 *     (without the right to create one, it uses the given database);
 *  3. a bare Fastify route whose POST does one INSERT into contract_orders (same columns as the app
 *     writes, real exchange accounts) through a `pg` pool of the app's default size, on the server:
 *     at maximum throughput, then paced at the steady rate (the latency this machine gives a request
 *     doing one INSERT and nothing else, next to the app's steady p99).
 *
 * The orders are a realistic mix, cycled by every trader: a LIMIT GTC buy 3% below the mark (rests),
 * a MARKET buy, a LIMIT GTC sell 3% above the mark (rests), a MARKET sell (closes the buy) — 0.001
 * BTCUSDT each, so positions stay flat and the opening 10,000 USDT are ample (no deposit needed);
 * open orders are canceled between runs (an account's margin sums its open orders, so an order costs more the more orders rest).
 * Every answer other than 201 is counted and reported.
 *
 * The steady run is paced by this bench, not by autocannon's `overallRate`: autocannon's rate limit
 * sends each connection's quota for the second back to back and then pauses until the next second,
 * which is a burst, not a steady rate. Here request i is sent at t0 + i/rate on a pool of keep-alive
 * sockets, and its latency is counted from that scheduled time (no coordinated omission).
 *
 * The load generators run in a child process so that they do not share the server's event loop.
 *
 * The app is the compiled build (dist/), run with the Node flags of `npm start`.
 *
 * Run alone: npm run bench -- orders   (builds first; about 2 minutes)
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type * as Bootstrap from '../src/bootstrap';
import { freePort } from '../test/support/free-port';

/**
 * The app as it runs in production: the compiled build (`npm run build`, run by `prebench`), not the
 * sources compiled on the fly by the bench's loader (its module exports are accessors, a few per
 * cent slower). The same Node flags as `npm start` (package.json's bench script).
 */
function compiledApp(): typeof Bootstrap {
  const file = path.join(__dirname, '..', 'dist', 'src', 'bootstrap.js');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build (npm run bench does)`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as typeof Bootstrap;
}

/**
 * Traders, dealt to CONNECTIONS keep-alive connections (4 each). An exchange caps the orders an
 * account may have open on a contract (200 on Binance, MAX_NUM_ORDERS, and so on the paper
 * exchange): half of the mix rests, so a trader must not send more than about 400 orders between two
 * cancel-alls — at 2,000 orders/s for 10 s that is 64 traders at least.
 */
const TRADERS = 64;
const CONNECTIONS = 16;
const MAX_SECONDS = 10;
const STEADY_RATE = 500;
const STEADY_SECONDS = 10;
const HALF_MAX_SECONDS = 6;
const GET_SECONDS = 5;
const FASTIFY_SECONDS = 8;
const WARMUP_SECONDS = 2;
/**
 * The first paced load after start is slower than any later one (each paced order writes alone:
 * code paths and statement variants the closed runs, whose writes are grouped, had not warmed on
 * every connection): it runs first at the steady rate and is reported on its own row, apart.
 */
const PACED_WARMUP_SECONDS = 3;
const SYMBOL = 'BTCUSDT';
const TICK = 0.1;
const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/test';
/** The app's DB_POOL_SIZE default (the embedded database is served through a pool of 4). */
const POOL_SIZE = 10;

/** The issue's targets, on the server database. */
export const TARGETS = { ordersPerSecond: 2000, steadyP99Ms: 10, ratioToFastify: 0.5 };

export interface LoadFigures {
  seconds: number;
  requests: number;
  ok: number;
  non2xx: number;
  /** 2xx answers other than the expected status (201 for an order). */
  unexpected: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Paced runs: requests still unanswered at the end (a backlog); their wait counts in p50/p99. */
  unanswered: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Paced runs: the 99th percentile of how late the generator itself sent a request (ms). */
  sendLagP99Ms?: number;
  statusCounts: Record<string, number>;
  samples: string[];
}

export interface DatabaseFigures {
  ordersMax: LoadFigures;
  /** The first paced load (at the steady rate), reported apart as a warm-up. */
  ordersPacedWarmup: LoadFigures;
  ordersSteady: LoadFigures;
  /** Paced at half the measured maximum: the latency of a server that keeps up. */
  ordersHalfMax: LoadFigures & { rate: number };
  getMax: LoadFigures;
  /**
   * CPU time of the app's process per answered order (ms), in the max run and in the steady run:
   * a figure the machine's speed swings (other guests on its cores) change much less than req/s.
   * Only when the app runs in the bench's own process (with the embedded database, its CPU too).
   */
  cpuMsPerOrder?: { max: number; steady: number };
  /**
   * The app's garbage-collection pauses during the steady run (when it runs in the bench's own
   * process): a request that arrives during one waits it out, so their length and number bound
   * the steady p99 from below.
   */
  steadyGc?: GcPauses;
}

/** The bare Fastify INSERT route: at maximum throughput, and paced at the steady rate. */
export interface FastifyFigures {
  fastifyInsert: LoadFigures;
  fastifySteady: LoadFigures;
}

/** The app with APP_WORKERS worker processes, and the bare route in as many processes. */
export interface WorkersFigures extends DatabaseFigures, FastifyFigures {
  workers: number;
}

export interface OrdersBenchResult {
  traders: number;
  embedded: DatabaseFigures;
  server: (DatabaseFigures & FastifyFigures & { workers: WorkersFigures | { skipped: string } }) | { skipped: string };
}

// ---------------------------------------------------------------- load generator (child process)

export interface LoadJob {
  mode: 'closed' | 'paced';
  url: string;
  method: 'GET' | 'POST';
  path: string;
  /** Request bodies, cycled by every connection (paced: by every header set); null for a GET. */
  bodies: string[] | null;
  /**
   * One header set per trader. Closed loop: the sets are dealt to the connections in turn (set i to
   * connection i mod `connections`), and each connection cycles through the bodies, each body sent
   * for each of its traders in turn (so every trader sends the bodies in their order). Paced: round
   * robin over the sets.
   */
  headerSets: Record<string, string>[];
  /** Closed loop: connections (default one per header set). */
  connections?: number;
  expectedStatus: number;
  seconds: number;
  /** Paced runs: requests per second. */
  rate?: number;
}

type FromChild = { result: LoadFigures } | { error: string };

const round2 = (x: number) => Math.round(x * 100) / 100;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** `xs` with `x` at index `at` (the array doubled first when full). */
function appendTo(xs: Float64Array<ArrayBuffer>, at: number, x: number): Float64Array<ArrayBuffer> {
  let out = xs;
  if (at === xs.length) {
    out = new Float64Array(xs.length * 2);
    out.set(xs);
  }
  out[at] = x;
  return out;
}

class Recorder {
  private latencies = new Float64Array(1 << 16);
  private count = 0;
  requests = 0;
  ok = 0;
  non2xx = 0;
  unexpected = 0;
  errors = 0;
  unansweredCount = 0;
  readonly statusCounts: Record<string, number> = {};
  readonly samples: string[] = [];

  constructor(private readonly expectedStatus: number) {}

  private push(latencyMs: number): void {
    this.latencies = appendTo(this.latencies, this.count++, latencyMs);
  }

  /** `body` is read for the first few unexpected answers (autocannon's are sampled by `sample`). */
  response(status: number, latencyMs: number, body?: () => string): void {
    this.requests++;
    this.statusCounts[status] = (this.statusCounts[status] ?? 0) + 1;
    if (status >= 200 && status < 300) {
      this.ok++;
      this.push(latencyMs);
    } else {
      this.non2xx++;
    }
    if (status !== this.expectedStatus) {
      if (status >= 200 && status < 300) this.unexpected++;
      if (body) this.sample(status, body());
    }
  }

  sample(status: number, body: string): void {
    if (this.samples.length < 5) this.samples.push(`${status} ${body.slice(0, 300)}`);
  }

  private lags = new Float64Array(1 << 16);
  private lagCount = 0;

  /** Paced runs: how late the generator sent a request after its due time (ms). */
  sendLag(ms: number): void {
    this.lags = appendTo(this.lags, this.lagCount++, ms);
  }

  /** A paced request still unanswered at the end of the run: its wait so far counts as its latency. */
  unanswered(waitedMs: number): void {
    this.requests++;
    this.unansweredCount++;
    this.push(waitedMs);
  }

  error(message: string): void {
    this.errors++;
    if (this.samples.length < 5) this.samples.push(`error ${message}`);
  }

  figures(seconds: number): LoadFigures {
    const sorted = this.latencies.slice(0, this.count).sort();
    return {
      seconds: round2(seconds),
      requests: this.requests,
      ok: this.ok,
      non2xx: this.non2xx,
      unexpected: this.unexpected,
      errors: this.errors,
      unanswered: this.unansweredCount,
      perSecond: Math.round(this.ok / seconds),
      p50Ms: round2(percentile(sorted, 50)),
      p99Ms: round2(percentile(sorted, 99)),
      sendLagP99Ms: this.lagCount > 0 ? round2(percentile(this.lags.slice(0, this.lagCount).sort(), 99)) : undefined,
      statusCounts: this.statusCounts,
      samples: this.samples,
    };
  }
}

interface AutocannonClient {
  setRequests(requests: object[]): void;
}
interface AutocannonInstance {
  on(event: 'response', fn: (client: AutocannonClient, status: number, bytes: number, ms: number) => void): void;
  on(event: 'reqError', fn: (e: Error) => void): void;
}
type Autocannon = (opts: object, cb: (err: Error | null, result: { duration: number; errors: number; timeouts: number }) => void) => AutocannonInstance;

/** Closed loop: each connection sends its next request when the previous one is answered. */
function closedLoop(job: LoadJob): Promise<LoadFigures> {
  // autocannon ships no type declarations
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as Autocannon;
  const rec = new Recorder(job.expectedStatus);
  const bodies = job.bodies ?? [''];
  const connections = job.connections ?? job.headerSets.length;
  let next = 0;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      {
        url: job.url,
        connections,
        duration: job.seconds,
        timeout: 10,
        // The connection's traders in turn for each body. setRequests, not setHeaders: with a list
        // of requests, setHeaders only changes the request in hand, not the others of the cycle.
        setupClient(client: AutocannonClient) {
          const k = next++ % connections;
          const traders = job.headerSets.filter((_, i) => i % connections === k);
          client.setRequests(
            bodies.flatMap((body) =>
              traders.map((set) => ({
                method: job.method,
                path: job.path,
                headers: { ...set, ...(job.bodies ? { 'content-type': 'application/json' } : {}) },
                ...(job.bodies ? { body } : {}),
                // only non-expected answers are kept (a few of them), for the report
                onResponse: (status: number, responseBody: string) => {
                  if (status !== job.expectedStatus) rec.sample(status, String(responseBody));
                },
              })),
            ),
          );
        },
      },
      (err, result) => {
        if (err) return reject(err);
        const figures = rec.figures((performance.now() - started) / 1000);
        figures.errors = Math.max(figures.errors, result.errors + result.timeouts);
        resolve(figures);
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => rec.response(status, ms));
    instance.on('reqError', (e) => rec.error(e.message));
  });
}

/** Seconds a paced run waits for the last answers before counting the rest as unanswered. */
const PACED_GRACE_SECONDS = 3;
/** Keep-alive connections of a paced run at most (a request waits for a free one beyond). */
const PACED_SOCKETS = 64;

/**
 * Open loop at a fixed rate: request i is due at t0 + i/rate; latency counts from that time. A
 * server that cannot keep up builds a backlog: whatever is still unanswered PACED_GRACE_SECONDS after
 * the last send is counted as unanswered, with its waiting time so far as its latency.
 */
function pacedLoop(job: LoadJob): Promise<LoadFigures> {
  const rate = job.rate as number;
  const total = Math.round(rate * job.seconds);
  const url = new URL(job.url);
  const rec = new Recorder(job.expectedStatus);
  const users = job.headerSets.length;
  const bodies = job.bodies;
  // Every distinct request, serialized once: the generator's own cost per request stays small
  // (node:http's client cost about three times autocannon's per request, taken from the 2 cores
  // the server runs on).
  const wire = new Map<string, Buffer>();
  const requestBytes = (i: number): Buffer => {
    const body = bodies ? bodies[Math.floor(i / users) % bodies.length] : undefined;
    const user = i % users;
    const key = `${user}|${body ?? ''}`;
    let bytes = wire.get(key);
    if (!bytes) {
      const headers: Record<string, string | number> = { host: url.host, connection: 'keep-alive', ...job.headerSets[user] };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const head = `${job.method} ${job.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
      bytes = Buffer.from(head + (body ?? ''));
      wire.set(key, bytes);
    }
    return bytes;
  };
  interface Conn {
    socket: net.Socket;
    buffer: Buffer;
    current?: { i: number; due: number };
  }
  const idle: Conn[] = [];
  const all = new Set<Conn>();
  const waiting: { i: number; due: number }[] = [];
  const outstanding = new Map<number, number>();
  const retried = new Set<number>();
  let sent = 0;
  let finished = false;
  // BENCH_TRACE=file: each answered request of the run as a line `due (epoch ms) latency (ms) status`
  const trace: string[] | undefined = process.env.BENCH_TRACE ? [] : undefined;
  return new Promise((resolve) => {
    const t0 = performance.now();
    let cutoff: NodeJS.Timeout | undefined;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (cutoff) clearTimeout(cutoff);
      const now = performance.now();
      for (const due of outstanding.values()) rec.unanswered(now - due);
      outstanding.clear();
      for (const c of all) c.socket.destroy();
      if (trace) fs.writeFileSync(process.env.BENCH_TRACE as string, `${trace.join('\n')}\n`);
      resolve(rec.figures((now - t0) / 1000));
    };
    const settled = (i: number) => {
      outstanding.delete(i);
      if (sent === total && outstanding.size === 0) finish();
    };
    const send = (c: Conn, r: { i: number; due: number }) => {
      rec.sendLag(performance.now() - r.due);
      c.current = r;
      c.socket.write(requestBytes(r.i));
    };
    const release = (c: Conn) => {
      c.current = undefined;
      const next = waiting.shift();
      if (next) send(c, next);
      else idle.push(c);
    };
    /** One response at most per connection at a time (no pipelining): status line, Content-Length, body. */
    const onData = (c: Conn, chunk: Buffer) => {
      c.buffer = c.buffer.length === 0 ? chunk : Buffer.concat([c.buffer, chunk]);
      const end = c.buffer.indexOf('\r\n\r\n');
      if (end < 0 || !c.current) return;
      const head = c.buffer.toString('latin1', 0, end);
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (c.buffer.length < end + 4 + length) return;
      const body = c.buffer.subarray(end + 4, end + 4 + length);
      c.buffer = c.buffer.subarray(end + 4 + length);
      const status = Number(head.slice(9, 12));
      const { i, due } = c.current;
      if (!finished) {
        const latency = performance.now() - due;
        if (trace) trace.push(`${(performance.timeOrigin + due).toFixed(2)} ${latency.toFixed(2)} ${status}`);
        rec.response(status, latency, () => body.toString());
        settled(i);
      }
      release(c);
    };
    const open = (r: { i: number; due: number }) => {
      const c: Conn = { socket: net.connect({ host: url.hostname, port: Number(url.port), noDelay: true }), buffer: Buffer.alloc(0) };
      all.add(c);
      c.socket.on('data', (chunk: Buffer) => onData(c, chunk));
      let failure = 'connection closed';
      c.socket.on('error', (e) => {
        failure = e.message;
      });
      c.socket.on('close', () => {
        all.delete(c);
        const at = idle.indexOf(c);
        if (at >= 0) idle.splice(at, 1);
        const r = c.current;
        c.current = undefined;
        if (!r || finished) return;
        // a keep-alive connection the server closed as the request went out: sent again once
        if (!retried.has(r.i)) {
          retried.add(r.i);
          outstanding.delete(r.i);
          fire(r);
        } else {
          rec.error(failure);
          settled(r.i);
        }
      });
      send(c, r);
    };
    const fire = (r: { i: number; due: number }) => {
      outstanding.set(r.i, r.due);
      const c = idle.pop();
      if (c) send(c, r);
      else if (all.size < PACED_SOCKETS) open(r);
      else waiting.push(r);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && t0 + (sent * 1000) / rate <= now) {
        fire({ i: sent, due: t0 + (sent * 1000) / rate });
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
      else cutoff = setTimeout(finish, PACED_GRACE_SECONDS * 1000);
    };
    tick();
  });
}

function loadProcess(): void {
  process.on('message', (job: LoadJob | 'exit') => {
    if (job === 'exit') process.exit(0);
    (job.mode === 'paced' ? pacedLoop(job) : closedLoop(job)).then(
      (result) => process.send?.({ result } satisfies FromChild),
      (e: unknown) => process.send?.({ error: e instanceof Error ? e.message : String(e) } satisfies FromChild),
    );
  });
}

export class LoadGenerator {
  private readonly child: ChildProcess = fork(__filename, ['--load'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

  run(job: LoadJob): Promise<LoadFigures> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: FromChild) => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        if ('error' in m) reject(new Error(`load generator: ${m.error}`));
        else resolve(m.result);
      };
      const onExit = (code: number | null) => reject(new Error(`load generator exited with ${code}`));
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(job);
    });
  }

  close(): void {
    if (this.child.connected) this.child.send('exit');
  }
}

// ---------------------------------------------------------------- the app under load

interface Trader {
  userId: number;
  token: string;
}

export function envWithout(...keys: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of keys) delete env[k];
  return env;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The order mix at the current mark: prices on the tick, 3% either side (the band is 5%). */
export function orderBodies(markPrice: number): string[] {
  const ticks = (p: number) => Math.round(p / TICK);
  const below = (Math.floor(ticks(markPrice) * 0.97) * TICK).toFixed(1);
  const above = (Math.ceil(ticks(markPrice) * 1.03) * TICK).toFixed(1);
  return [
    { symbol: SYMBOL, side: 'BUY', type: 'LIMIT', price: below, quantity: '0.001', timeInForce: 'GTC' },
    { symbol: SYMBOL, side: 'BUY', type: 'MARKET', quantity: '0.001' },
    { symbol: SYMBOL, side: 'SELL', type: 'LIMIT', price: above, quantity: '0.001', timeInForce: 'GTC' },
    { symbol: SYMBOL, side: 'SELL', type: 'MARKET', quantity: '0.001' },
  ].map((b) => JSON.stringify(b));
}

export interface AppUnderLoad {
  url: string;
  traders: Trader[];
  markPrice(): Promise<number>;
  cancelAll(): Promise<void>;
  accounts(): Promise<{ userId: number; exchangeAccountId: number }[]>;
  close(): Promise<void>;
  /** The app's CPU time so far (ms), when it runs in this process. */
  cpuMs?(): number;
}

/** Garbage-collection pauses of this process over a period: young (scavenges) and full (mark-compact). */
export interface GcPauses {
  seconds: number;
  scavenges: number;
  scavengeMaxMs: number;
  full: number;
  fullMaxMs: number;
  /** Every pause, young and full, incremental marking steps included (ms). */
  totalMs: number;
}

/** Records this process's GC pauses until the returned function is called, which answers them. */
function recordGc(): () => GcPauses {
  const entries: { kind: number; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) entries.push({ kind: (e as { detail?: { kind?: number } }).detail?.kind ?? 0, ms: e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const started = performance.now();
  return () => {
    observer.disconnect();
    const young = entries.filter((e) => e.kind === constants.NODE_PERFORMANCE_GC_MINOR);
    const full = entries.filter((e) => e.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    const max = (xs: { ms: number }[]) => xs.reduce((m, e) => Math.max(m, e.ms), 0);
    return {
      seconds: (performance.now() - started) / 1000,
      scavenges: young.length,
      scavengeMaxMs: max(young),
      full: full.length,
      fullMaxMs: max(full),
      totalMs: entries.reduce((t, e) => t + e.ms, 0),
    };
  };
}

/** CPU time of this process so far, user and system (ms). */
function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * The traders of a running app (created through its admin API, each logged in) and the client-side
 * helpers the runs need; `agent` reaches the app, `query` its database.
 */
async function tradersOf(
  agent: ReturnType<typeof request>,
  url: string,
  label: string,
  adminPassword: string,
  query: (sql: string, values: unknown[]) => Promise<Record<string, unknown>[]>,
): Promise<Omit<AppUnderLoad, 'close'>> {
  const login = async (username: string, password: string) => {
    const res = await agent.post('/api/v1/auth/login').send({ username, password });
    if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.accessToken as string;
  };
  const adminToken = await login('admin', adminPassword);
  const traders: Trader[] = [];
  for (let i = 0; i < TRADERS; i++) {
    const username = `orders_${label}_${process.pid}_${i}`;
    const password = `orders-bench-password-${i}`;
    const res = await agent.post('/api/v1/admin/users').set('Authorization', `Bearer ${adminToken}`).send({ username, password, role: 'trader' });
    if (res.status !== 201) throw new Error(`user creation answered ${res.status}: ${JSON.stringify(res.body)}`);
    traders.push({ userId: res.body.id as number, token: await login(username, password) });
  }
  const markPrice = async () => {
    for (let waited = 0; ; waited += 100) {
      const res = await agent.get(`/api/v1/contracts/${SYMBOL}/price`).set('Authorization', `Bearer ${traders[0].token}`);
      if (res.status === 200) return Number(res.body.markPrice);
      if (waited > 10_000) throw new Error(`price answered ${res.status}: ${JSON.stringify(res.body)}`);
      await sleep(100);
    }
  };
  return {
    url,
    traders,
    markPrice,
    async cancelAll() {
      for (const t of traders) {
        const res = await agent.delete(`/api/v1/contracts/orders?symbol=${SYMBOL}`).set('Authorization', `Bearer ${t.token}`);
        if (res.status !== 200) throw new Error(`cancel all answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
    },
    async accounts() {
      const rows = await query(`SELECT id, user_id FROM exchange_accounts WHERE user_id = ANY($1::int[]) AND exchange = 'paper' ORDER BY user_id`, [
        traders.map((t) => t.userId),
      ]);
      return rows.map((r) => ({ userId: r.user_id as number, exchangeAccountId: r.id as number }));
    },
  };
}

/** The app in this process (one instance), on the database `env` names. */
export async function startApp(env: NodeJS.ProcessEnv, label: string): Promise<AppUnderLoad> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `contract-desk-orders-${label}-`));
  const adminPassword = `bench-${process.pid}-${Date.now()}`;
  let built: Awaited<ReturnType<typeof Bootstrap.buildApp>> | undefined;
  try {
    const { buildApp, configFromEnv } = compiledApp();
    const config = configFromEnv({
      ...env,
      DATA_DIR: dataDir,
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: adminPassword,
      LOG_LEVEL: 'error',
    });
    built = await buildApp(config, { logger: false });
    await built.app.listen(0, '127.0.0.1');
    const app = built;
    const url = `http://127.0.0.1:${(app.app.getHttpServer().address() as { port: number }).port}`;
    const dataSource = app.app.get(DataSource);
    const client = await tradersOf(request(app.app.getHttpServer()), url, label, adminPassword, (sql, values) => dataSource.query(sql, values));
    return {
      ...client,
      cpuMs: ownCpuMs,
      async close() {
        await app.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await built?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

/** The Node flags of `npm start` (package.json's start script): the service's processes run with them here too. */
function startFlags(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { scripts } = require('../package.json') as { scripts: { start: string } };
  return scripts.start.split(/\s+/).filter((word) => word.startsWith('--'));
}

/**
 * The app as `npm start` runs it with APP_WORKERS=`workers`: the compiled main in a process of its
 * own (the primary), with that many worker processes on one port, on the server database `env`
 * names and the Redis server it names.
 */
export async function startWorkers(env: NodeJS.ProcessEnv, label: string, workers: number): Promise<AppUnderLoad> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `contract-desk-orders-${label}-`));
  const adminPassword = `bench-${process.pid}-${Date.now()}`;
  const port = await freePort();
  const main = path.join(__dirname, '..', 'dist', 'src', 'main.js');
  const child = fork(main, [], {
    env: { ...env, APP_WORKERS: String(workers), PORT: String(port), DATA_DIR: dataDir, ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: adminPassword, LOG_LEVEL: 'error' },
    // BENCH_APP_NODE_FLAGS: more flags for the service's processes (say, --cpu-prof to profile them)
    execArgv: [...startFlags(), ...(process.env.BENCH_APP_NODE_FLAGS ?? '').split(' ').filter(Boolean)],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 2 });
  pool.on('error', () => undefined);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await pool.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the workers did not listen within 60 s: ${output.slice(-500)}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/"msg":"listening"/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the service exited with ${code}: ${output.slice(-500)}`));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const client = await tradersOf(request(url), url, label, adminPassword, async (sql, values) => (await pool.query(sql, values)).rows);
    return { ...client, close: stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function measureApp(app: AppUnderLoad, load: LoadGenerator): Promise<DatabaseFigures> {
  const headerSets = app.traders.map((t) => ({ authorization: `Bearer ${t.token}` }));
  const orders = (mode: 'closed' | 'paced', seconds: number, bodies: string[], rate?: number): LoadJob => ({
    mode,
    url: app.url,
    method: 'POST',
    path: '/api/v1/contracts/orders',
    bodies,
    headerSets,
    connections: CONNECTIONS,
    expectedStatus: 201,
    seconds,
    rate,
  });
  await load.run(orders('closed', WARMUP_SECONDS, orderBodies(await app.markPrice())));
  await app.cancelAll();
  // the app's CPU per answered order over one run (the load generator is a process of its own)
  const cpuPerOrder = async (mode: 'closed' | 'paced', seconds: number, rate?: number): Promise<{ figures: LoadFigures; cpu: number; gc?: GcPauses }> => {
    const job = orders(mode, seconds, orderBodies(await app.markPrice()), rate);
    const before = app.cpuMs?.() ?? 0;
    const gc = app.cpuMs ? recordGc() : undefined;
    const figures = await load.run(job);
    return { figures, cpu: app.cpuMs ? (app.cpuMs() - before) / Math.max(1, figures.ok) : NaN, gc: gc?.() };
  };
  const max = await cpuPerOrder('closed', MAX_SECONDS);
  const ordersMax = max.figures;
  await app.cancelAll();
  const ordersPacedWarmup = await load.run(orders('paced', PACED_WARMUP_SECONDS, orderBodies(await app.markPrice()), STEADY_RATE));
  await app.cancelAll();
  const steady = await cpuPerOrder('paced', STEADY_SECONDS, STEADY_RATE);
  const ordersSteady = steady.figures;
  await app.cancelAll();
  const halfRate = Math.max(1, Math.round(ordersMax.perSecond / 2));
  const ordersHalfMax = { ...(await load.run(orders('paced', HALF_MAX_SECONDS, orderBodies(await app.markPrice()), halfRate))), rate: halfRate };
  await app.cancelAll();
  const getMax = await load.run({
    mode: 'closed',
    url: app.url,
    method: 'GET',
    path: '/api/v1/auth/me',
    bodies: null,
    headerSets,
    connections: CONNECTIONS,
    expectedStatus: 200,
    seconds: GET_SECONDS,
  });
  const cpuMsPerOrder = app.cpuMs ? { max: max.cpu, steady: steady.cpu } : undefined;
  return { ordersMax, ordersPacedWarmup, ordersSteady, ordersHalfMax, getMax, cpuMsPerOrder, steadyGc: steady.gc };
}

// ---------------------------------------------------------------- bare Fastify + pg INSERT

const INSERT_ORDER = `INSERT INTO contract_orders (user_id, exchange_account_id, exchange, symbol, client_order_id, side, position_side, type,
    quantity, price, stop_price, time_in_force, reduce_only, close_position, status, filled_qty, callback_rate, working_type)
  VALUES ($1, $2, 'paper', $3, $4, $5, 'BOTH', $6, $7, $8, NULL, $9, FALSE, FALSE, 'NEW', 0, NULL, NULL)
  RETURNING *`;

/** The bare route: POST /orders does the one INSERT, through a pool of the app's default size. */
async function bareFastify(databaseUrl: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const { default: Fastify } = await import('fastify');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE, options: '-c TimeZone=UTC' });
  // pool.end() resolves once its clients are told to end, not once they are gone
  pool.on('error', () => undefined);
  const server = Fastify({ logger: false });
  server.post('/orders', async (req, reply) => {
    const b = req.body as { symbol: string; side: string; type: string; quantity: string; price?: string; timeInForce?: string };
    const userId = Number(req.headers['x-user-id']);
    const accountId = Number(req.headers['x-account-id']);
    const clientOrderId = `cd-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const { rows } = await pool.query(INSERT_ORDER, [userId, accountId, b.symbol, clientOrderId, b.side, b.type, b.quantity, b.price ?? null, b.timeInForce ?? (b.type === 'LIMIT' ? 'GTC' : null)]);
    reply.code(201);
    return rows[0];
  });
  await server.listen({ host: '127.0.0.1', port });
  return {
    port: (server.server.address() as { port: number }).port,
    async close() {
      await server.close();
      await pool.end();
    },
  };
}

/**
 * The bare route in `workers` processes on one port (node:cluster, like APP_WORKERS): run in a child
 * process of the bench (`--fastify-cluster`), whose workers run `bareFastify`.
 */
function fastifyCluster(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cluster = require('node:cluster') as typeof import('node:cluster').default;
  const databaseUrl = process.env.BENCH_FASTIFY_DATABASE_URL as string;
  const port = Number(process.env.BENCH_FASTIFY_PORT);
  if (cluster.isWorker) {
    void bareFastify(databaseUrl, port).then(
      () => process.send?.('ready'),
      (e: unknown) => {
        process.stderr.write(`bare Fastify worker failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
    return;
  }
  const workers = Number(process.env.BENCH_FASTIFY_WORKERS);
  let ready = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('message', (m) => {
      if (m === 'ready' && ++ready === workers) process.send?.('ready');
    });
  }
  cluster.on('exit', (_w, code) => {
    if (code !== 0 && code !== null) process.exit(1);
  });
  process.on('message', (m) => {
    if (m !== 'exit') return;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
    process.exit(0);
  });
}

async function measureFastify(
  databaseUrl: string,
  accounts: { userId: number; exchangeAccountId: number }[],
  bodies: string[],
  load: LoadGenerator,
  workers = 1,
): Promise<FastifyFigures> {
  let server: { port: number; close(): Promise<void> };
  if (workers === 1) {
    server = await bareFastify(databaseUrl, 0);
  } else {
    const port = await freePort();
    const child = fork(__filename, ['--fastify-cluster'], {
      env: { ...process.env, BENCH_FASTIFY_DATABASE_URL: databaseUrl, BENCH_FASTIFY_PORT: String(port), BENCH_FASTIFY_WORKERS: String(workers) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      void exited.then(() => reject(new Error('the bare Fastify workers exited')));
    });
    server = {
      port,
      async close() {
        if (child.connected) child.send('exit');
        await exited;
      },
    };
  }
  try {
    const job = (seconds: number, rate?: number): LoadJob => ({
      mode: rate === undefined ? 'closed' : 'paced',
      rate,
      url: `http://127.0.0.1:${server.port}`,
      method: 'POST',
      path: '/orders',
      bodies,
      headerSets: accounts.map((a) => ({ 'x-user-id': String(a.userId), 'x-account-id': String(a.exchangeAccountId) })),
      connections: CONNECTIONS,
      expectedStatus: 201,
      seconds,
    });
    await load.run(job(WARMUP_SECONDS));
    const fastifyInsert = await load.run(job(FASTIFY_SECONDS));
    // the same paced load as the app's steady run: the latency floor of this machine for one INSERT per request
    await load.run(job(PACED_WARMUP_SECONDS, STEADY_RATE));
    const fastifySteady = await load.run(job(STEADY_SECONDS, STEADY_RATE));
    return { fastifyInsert, fastifySteady };
  } finally {
    await server.close();
  }
}

// ---------------------------------------------------------------- the run

/** A database of the bench's own on the server (so that nothing else's data or admin is touched). */
export async function benchDatabase(serverUrl: string, prefix = 'contract_desk_orders_bench'): Promise<{ url: string; drop(): Promise<void> } | { skipped: string }> {
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (e) {
    return { skipped: `PostgreSQL server unreachable (${(e as Error).message})` };
  }
  const name = `${prefix}_${process.pid}`;
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } catch {
    // no CREATEDB right: the given database itself (its first admin must then be the bench's)
    return { url: serverUrl, drop: () => admin.end() };
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      try {
        // the closed pools' connections end asynchronously: let them go before forcing the rest
        for (let waited = 0; waited < 3000; waited += 100) {
          const [{ n }] = (await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [name])).rows as { n: number }[];
          if (n === 0) break;
          await sleep(100);
        }
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

export async function run(): Promise<OrdersBenchResult> {
  // the app in this process runs with this process's flags: the same as the service's, or the figures are not the service's
  const missing = startFlags().filter((flag) => !process.execArgv.includes(flag));
  if (missing.length > 0) console.warn(`warning: this process lacks the Node flags of npm start (${missing.join(' ')}): run it with npm run bench`);
  const load = new LoadGenerator();
  try {
    // 1. embedded
    const embeddedApp = await startApp(envWithout('DATABASE_URL', 'REDIS_URL'), 'embedded');
    let embedded: DatabaseFigures;
    try {
      embedded = await measureApp(embeddedApp, load);
    } finally {
      await embeddedApp.close();
    }

    // 2. server, 3. bare Fastify INSERT on the same server database
    const db = await benchDatabase(process.env.DATABASE_URL ?? DEFAULT_SERVER_URL);
    if ('skipped' in db) return { traders: TRADERS, embedded, server: db };
    try {
      return { traders: TRADERS, embedded, server: await measureServer(db.url, load) };
    } catch (e) {
      return { traders: TRADERS, embedded, server: { skipped: `failed: ${(e as Error).message}` } };
    } finally {
      await db.drop();
    }
  } finally {
    load.close();
  }
}

/** Worker processes of the multi-process runs: BENCH_WORKERS, else one per core. */
const WORKERS = Number(process.env.BENCH_WORKERS ?? os.cpus().length);

/** Is something listening at the Redis URL's host and port? */
function reachable(redisUrl: string): Promise<boolean> {
  const url = new URL(redisUrl);
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 6379) });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The app on the server database, then the bare Fastify INSERT on the same database and accounts;
 * then both again with WORKERS processes each (the app as `npm start` runs it with APP_WORKERS, on a
 * database of its own and Redis).
 */
async function measureServer(
  url: string,
  load: LoadGenerator,
): Promise<DatabaseFigures & FastifyFigures & { workers: WorkersFigures | { skipped: string } }> {
  const serverApp = await startApp({ ...envWithout('REDIS_URL'), DATABASE_URL: url }, 'server');
  let figures: DatabaseFigures;
  let accounts: { userId: number; exchangeAccountId: number }[];
  let bodies: string[];
  try {
    figures = await measureApp(serverApp, load);
    accounts = await serverApp.accounts();
    bodies = orderBodies(await serverApp.markPrice());
  } finally {
    await serverApp.close();
  }
  const fastify = await measureFastify(url, accounts, bodies, load);
  return { ...figures, ...fastify, workers: await measureWorkers(load) };
}

export async function measureWorkers(load: LoadGenerator): Promise<WorkersFigures | { skipped: string }> {
  if (WORKERS < 2) return { skipped: `BENCH_WORKERS=${WORKERS}` };
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!(await reachable(redisUrl))) return { skipped: 'no Redis server (REDIS_URL, else 127.0.0.1:6379): workers share ticks through it' };
  const db = await benchDatabase(process.env.DATABASE_URL ?? DEFAULT_SERVER_URL, 'contract_desk_workers_bench');
  if ('skipped' in db) return db;
  try {
    const prefixed = new URL(redisUrl);
    prefixed.searchParams.set('prefix', `cd-orders-bench-${process.pid}`);
    const app = await startWorkers({ ...process.env, DATABASE_URL: db.url, REDIS_URL: prefixed.toString() }, 'workers', WORKERS);
    let figures: DatabaseFigures;
    let accounts: { userId: number; exchangeAccountId: number }[];
    let bodies: string[];
    try {
      figures = await measureApp(app, load);
      accounts = await app.accounts();
      bodies = orderBodies(await app.markPrice());
    } finally {
      await app.close();
    }
    return { workers: WORKERS, ...figures, ...(await measureFastify(db.url, accounts, bodies, load, WORKERS)) };
  } catch (e) {
    return { skipped: `failed: ${(e as Error).message}` };
  } finally {
    await db.drop();
  }
}

export function print(r: OrdersBenchResult): void {
  const head = `${'run'.padEnd(46)} ${'database'.padEnd(9)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'non-2xx'.padStart(8)} ${'failed'.padStart(7)}`;
  const row = (name: string, database: string, f: LoadFigures) =>
    `${name.padEnd(46)} ${database.padEnd(9)} ${String(f.perSecond).padStart(7)} ${f.p50Ms.toFixed(2).padStart(9)} ${f.p99Ms.toFixed(2).padStart(9)} ${String(f.non2xx).padStart(8)} ${String(f.errors + f.unanswered).padStart(7)}`;
  const lines = [
    `order placement over HTTP on loopback, ${os.cpus().length} cores; ${r.traders} traders on ${CONNECTIONS} connections, each trader cycling`,
    `LIMIT GTC buy -3% / MARKET buy / LIMIT GTC sell +3% / MARKET sell, 0.001 ${SYMBOL} ("failed": connection errors, or unanswered at the end of a paced run)`,
    head,
  ];
  // the open loop counts a request's latency from its due time: a late send (the generator shares the cores) is in it
  const sendLag = (f: LoadFigures) => `  the load generator's own lateness in sending, p99: ${f.sendLagP99Ms?.toFixed(2) ?? '-'} ms (part of the latencies above)`;
  const block = (database: string, d: DatabaseFigures) => {
    lines.push(row(`POST orders, max (${CONNECTIONS} conns, ${MAX_SECONDS} s)`, database, d.ordersMax));
    lines.push(row(`  first paced load, ${STEADY_RATE}/s (${PACED_WARMUP_SECONDS} s, warm-up)`, database, d.ordersPacedWarmup));
    lines.push(row(`POST orders, steady ${STEADY_RATE}/s (${STEADY_SECONDS} s, open loop)`, database, d.ordersSteady));
    lines.push(sendLag(d.ordersSteady));
    lines.push(row(`POST orders, steady ${d.ordersHalfMax.rate}/s = max/2 (${HALF_MAX_SECONDS} s)`, database, d.ordersHalfMax));
    lines.push(row(`GET /auth/me, max (${CONNECTIONS} conns, ${GET_SECONDS} s)`, database, d.getMax));
    if (d.cpuMsPerOrder) {
      const what = database === 'embedded' ? 'app and embedded database' : 'app';
      lines.push(`  CPU per order (${what}, one process): ${d.cpuMsPerOrder.max.toFixed(3)} ms at max, ${d.cpuMsPerOrder.steady.toFixed(3)} ms at ${STEADY_RATE}/s`);
    }
    if (d.steadyGc) {
      const g = d.steadyGc;
      lines.push(
        `  GC pauses in the steady run (${g.seconds.toFixed(1)} s): ${g.scavenges} scavenges (max ${g.scavengeMaxMs.toFixed(1)} ms), ` +
          `${g.full} full (max ${g.fullMaxMs.toFixed(1)} ms), ${g.totalMs.toFixed(0)} ms in all`,
      );
    }
  };
  const fastifyRows = (database: string, f: FastifyFigures) => {
    lines.push(row(`bare Fastify + pg INSERT, max (${CONNECTIONS} conns, ${FASTIFY_SECONDS} s)`, database, f.fastifyInsert));
    lines.push(row(`bare Fastify + pg INSERT, steady ${STEADY_RATE}/s (${STEADY_SECONDS} s)`, database, f.fastifySteady));
    lines.push(sendLag(f.fastifySteady));
  };
  const clean = (f: LoadFigures) => f.non2xx + f.errors + f.unanswered + f.unexpected === 0;
  const problems: string[] = [];
  // every run's figures (other entries, such as the CPU per order, are not runs)
  const check = (name: string, entry: unknown) => {
    if (typeof entry !== 'object' || entry === null || !('perSecond' in entry)) return;
    const f = entry as LoadFigures;
    if (clean(f)) return;
    problems.push(
      `  ${name}: ${f.non2xx} non-2xx, ${f.unexpected} unexpected 2xx, ${f.errors} errors, ${f.unanswered} unanswered; status counts ${JSON.stringify(f.statusCounts)}`,
      ...f.samples.map((x) => `      ${x}`),
    );
  };
  block('embedded', r.embedded);
  for (const [k, f] of Object.entries(r.embedded)) check(`embedded ${k}`, f);
  if ('skipped' in r.server) {
    lines.push(`server database: skipped — ${r.server.skipped}`);
  } else {
    const s = r.server;
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    const targets = (label: string, app: DatabaseFigures, fastify: LoadFigures) => {
      const ratio = app.ordersMax.perSecond / fastify.perSecond;
      lines.push(
        `app order throughput / bare Fastify INSERT throughput (${label}): ${ratio.toFixed(2)}x`,
        `targets (${label})${' '.repeat(Math.max(1, 43 - label.length - 10))}target     measured`,
        `  orders/s at max throughput               >= ${String(TARGETS.ordersPerSecond).padEnd(6)} ${String(app.ordersMax.perSecond).padStart(8)}      ${verdict(app.ordersMax.perSecond >= TARGETS.ordersPerSecond && clean(app.ordersMax))}`,
        `  p99 at a steady ${STEADY_RATE} orders/s            <= ${`${TARGETS.steadyP99Ms} ms`.padEnd(6)} ${app.ordersSteady.p99Ms.toFixed(2).padStart(8)} ms   ${verdict(app.ordersSteady.p99Ms <= TARGETS.steadyP99Ms && clean(app.ordersSteady))}`,
        `  app orders / bare Fastify INSERT         >= ${`${TARGETS.ratioToFastify}x`.padEnd(6)} ${ratio.toFixed(2).padStart(8)}x     ${verdict(ratio >= TARGETS.ratioToFastify && clean(app.ordersMax) && clean(fastify))}`,
      );
    };
    block('server', s);
    fastifyRows('server', s);
    const { workers, ...single } = s;
    for (const [k, f] of Object.entries(single)) check(`server ${k}`, f);
    if ('skipped' in workers) {
      lines.push(`server, worker processes: skipped — ${workers.skipped}`);
    } else {
      const label = `server×${workers.workers}`;
      lines.push(`the same with ${workers.workers} worker processes (APP_WORKERS=${workers.workers}; the bare route in ${workers.workers} processes too):`);
      block(label, workers);
      fastifyRows(label, workers);
      const { workers: _n, ...figures } = workers;
      for (const [k, f] of Object.entries(figures)) check(`${label} ${k}`, f);
    }
    targets('server database, one process', s, s.fastifyInsert);
    if (!('skipped' in workers)) targets(`server database, ${workers.workers} worker processes`, workers, workers.fastifyInsert);
  }
  if (problems.length > 0) lines.push('answers other than the expected status (not counted in req/s):', ...problems);
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (require.main === module) {
  if (process.argv[2] === '--load') {
    loadProcess();
  } else if (process.argv[2] === '--fastify-cluster') {
    fastifyCluster();
  } else {
    const started = Date.now();
    run()
      .then((r) => {
        print(r);
        process.stdout.write(`total ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        process.exit(0);
      })
      .catch((e: unknown) => {
        process.stderr.write(`orders bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exit(1);
      });
  }
}
