/**
 * APP_WORKERS: the real entry point with worker processes sharing one port (node:cluster), on the
 * test database and Redis. Each request below goes out on a connection of its own, so the primary
 * hands them to the workers in turn.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { dec, ZERO } from '../../src/common/decimal';
import { freePort } from '../support/free-port';

const root = path.resolve(__dirname, '../..');
const REDIS = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

interface Answer {
  status: number;
  body: Record<string, unknown> & Record<string, never>;
}

/** One request on a connection of its own (no keep-alive agent). */
function call(url: string, method: string, route: string, token?: string, body?: object): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${url}${route}`,
      {
        method,
        agent: false,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
      },
    );
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${route} unanswered after 15 s`)));
    req.end(payload);
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('worker processes (APP_WORKERS)', () => {
  it('refuses more than one worker without a PostgreSQL server and Redis, naming both', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-desk-workers-'));
    const res = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir, APP_WORKERS: '2' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    fs.rmSync(dataDir, { recursive: true, force: true });
    expect(res.status).toBe(78);
    expect(res.stderr).toContain('APP_WORKERS=2');
    expect(res.stderr).toContain('DATABASE_URL');
    expect(res.stderr).toContain('REDIS_URL');
  });

  describe('two workers on one port', () => {
    let child: ChildProcess;
    let output = '';
    let url = '';
    let exited: Promise<number | null>;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-desk-workers-'));
    const workerPids = () => [...output.matchAll(/"msg":"worker listening"[^\n]*"pid":(\d+)/g)].map((m) => Number(m[1]));
    let adminToken = '';

    beforeAll(async () => {
      const port = await freePort();
      child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
        cwd: root,
        env: {
          ...process.env,
          APP_WORKERS: '2',
          LOG_LEVEL: 'debug',
          PORT: String(port),
          DATA_DIR: dataDir,
          REDIS_URL: `${REDIS}?prefix=cd-workers-${process.pid}-${Date.now().toString(36)}`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
      await until('the service to listen', () => (/"msg":"listening"[^\n]*"workers":2/.test(output) ? true : child.exitCode !== null ? Promise.reject(new Error(output)) : undefined), 90_000);
      url = `http://127.0.0.1:${port}`;
      const login = await call(url, 'POST', '/api/v1/auth/login', undefined, { username: 'admin', password: process.env.ADMIN_PASSWORD });
      expect(login.status).toBe(200);
      adminToken = login.body.accessToken as string;
    }, 120_000);

    afterAll(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        for (const pid of workerPids()) if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    async function newTrader(): Promise<string> {
      const username = `workers_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
      const created = await call(url, 'POST', '/api/v1/admin/users', adminToken, { username, password: 'workers-test-password', role: 'trader' });
      expect(created.status).toBe(201);
      const login = await call(url, 'POST', '/api/v1/auth/login', undefined, { username, password: 'workers-test-password' });
      expect(login.status).toBe(200);
      return login.body.accessToken as string;
    }

    it('runs two workers; concurrent market orders of one account, handed out to both, fit its margin and are all accounted for', async () => {
      expect(new Set(workerPids()).size).toBe(2);
      const token = await newTrader();
      // each worker must have market data: the follower gets the leader's ticks through Redis
      const marks = await Promise.all(
        Array.from({ length: 6 }, () =>
          until('market data on every worker', async () => {
            const res = await call(url, 'GET', '/api/v1/contracts/BTCUSDT/price', token);
            return res.status === 200 ? (res.body.markPrice as unknown as string) : undefined;
          }),
        ),
      );
      expect((await call(url, 'POST', '/api/v1/contracts/leverage', token, { symbol: 'BTCUSDT', leverage: 1 })).status).toBe(200);
      // 10000 USDT at 1x, each order ~1/25 of the wallet: 40 orders, about 25 fit
      const qty = dec('390').div(dec(marks[0])).round(3, 0);
      const results = await Promise.all(
        Array.from({ length: 40 }, () => call(url, 'POST', '/api/v1/contracts/orders', token, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: qty.toFixed(3) })),
      );
      const accepted = results.filter((r) => r.status === 201);
      expect(results.filter((r) => r.status !== 201).every((r) => r.status === 400 && r.body.code === 'INSUFFICIENT_MARGIN')).toBe(true);
      expect(accepted.length).toBeGreaterThan(15);
      expect(accepted.length).toBeLessThan(40);
      // read back on several connections (both workers): every one answers the same exact figures
      for (let i = 0; i < 4; i++) {
        const positions = await call(url, 'GET', '/api/v1/contracts/positions', token);
        expect(dec((positions.body as unknown as { size: string }[])[0].size).eq(qty.times(accepted.length))).toBe(true);
        const account = (await call(url, 'GET', '/api/v1/contracts/account', token)).body as unknown as { assets: Record<string, string>[] };
        const commissions = accepted.reduce((s, r) => s.plus(r.body.commission as unknown as string), ZERO);
        expect(dec(account.assets[0].walletBalance).eq(dec('10000').minus(commissions))).toBe(true);
        expect(dec(account.assets[0].availableBalance).gte(0)).toBe(true);
      }
      const listed = await call(url, 'GET', '/api/v1/contracts/orders?limit=100', token);
      expect((listed.body as unknown as { items: unknown[] }).items).toHaveLength(accepted.length);
      // the orders that reached the other worker were placed by the user's owner worker (slot = id mod 2)
      const me = (await call(url, 'GET', '/api/v1/auth/me', token)).body as unknown as { id: number };
      const forwarded = [...output.matchAll(/"msg":"call from another worker","method":"orders.place","slot":(\d+)/g)].map((m) => Number(m[1]));
      expect(forwarded.length).toBeGreaterThan(0);
      expect(new Set(forwarded)).toEqual(new Set([me.id % 2]));
    }, 60_000);

    it('replaces a worker that dies, and keeps answering meanwhile', async () => {
      const [victim, other] = workerPids();
      const from = output.length;
      const log = () => output.slice(from).slice(-3000);
      process.kill(victim, 'SIGKILL');
      // once the primary has seen the worker die (a connection handed to a worker at the very moment
      // it dies is lost with it: node:cluster's hand-off), the other worker answers everything
      await until('the primary to see the worker exit', () => (output.slice(from).includes('"msg":"worker exited"') ? true : undefined));
      let token = '';
      try {
        token = await newTrader();
        for (let i = 0; i < 4; i++) expect((await call(url, 'GET', '/api/v1/auth/me', token)).status).toBe(200);
      } catch (e) {
        throw new Error(`${(e as Error).message}; the service said: ${log()}`);
      }
      const replacement = await until('a new worker', () => workerPids().find((p) => p !== victim && p !== other)).catch((e: Error) => {
        throw new Error(`${e.message}; the service said: ${log()}`);
      });
      expect(alive(replacement)).toBe(true);
      expect(alive(victim)).toBe(false);
      for (let i = 0; i < 6; i++) expect((await call(url, 'GET', '/api/v1/auth/me', token)).status).toBe(200);
    }, 90_000);

    it("places a user's orders itself when the user's owner worker is gone, and orders are forwarded again once it is back", async () => {
      // two users, one owned by each slot: whichever worker is killed owns one of them
      const traders: { token: string; id: number }[] = [];
      while (new Set(traders.map((x) => x.id % 2)).size < 2) {
        const token = await newTrader();
        traders.push({ token, id: ((await call(url, 'GET', '/api/v1/auth/me', token)).body as unknown as { id: number }).id });
      }
      const [victim] = workerPids().filter(alive);
      const from = output.length;
      process.kill(victim, 'SIGKILL');
      await until('the primary to see the worker exit', () => (output.slice(from).includes('"msg":"worker exited"') ? true : undefined));
      const order = (token: string) => call(url, 'POST', '/api/v1/contracts/orders', token, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002' });
      for (const u of traders) {
        // at once: the primary answers that the owner is not there (no waiting for the forward's time-out)
        const started = Date.now();
        const res = await order(u.token);
        expect(res.status).toBe(201);
        expect(res.body.status).toBe('FILLED');
        expect(Date.now() - started).toBeLessThan(5000);
      }
      await until('the replacement worker', () => (output.slice(from).includes('"msg":"worker listening"') ? true : undefined));
      const calls = () => [...output.slice(from).matchAll(/"msg":"call from another worker","method":"orders.place"/g)].length;
      const before = calls();
      // several orders of a user in a row, each on a connection of its own: the workers take turns, so
      // some reach the worker that does not own the user
      for (const u of traders) for (let i = 0; i < 4; i++) expect((await order(u.token)).status).toBe(201);
      expect(calls()).toBeGreaterThan(before);
    }, 90_000);

    it('stops every worker on SIGTERM and exits 0', async () => {
      const pids = workerPids().filter(alive);
      expect(pids.length).toBe(2);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      for (const pid of pids) expect(alive(pid)).toBe(false);
    }, 60_000);
  });
});
