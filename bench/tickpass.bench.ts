/**
 * The leader's tick pass on a database: how long one batch of market ticks takes to go through the
 * paper accounts that hold positions and resting orders, on the embedded database and on a database
 * of its own on the PostgreSQL server (DATABASE_URL, default 127.0.0.1:5432). Two kinds of batch:
 *  - an ordinary batch: every active account is tried in memory from one unlocked read, and only
 *    the ones it changes are processed under their lock;
 *  - a batch that crosses a funding time: every active account is processed under its lock in its
 *    own transaction (as every batch was before the unlocked pre-pass).
 * The feed's own interval is set to a minute and the bench's ticks are stamped an hour ahead, so
 * only the bench's batches run.
 *
 * Run alone: node -r @swc-node/register bench/tickpass.bench.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { buildApp, configFromEnv } from '../src/bootstrap';
import { nextFundingTime, type MarketTick } from '../src/exchanges/market-feed/market-tick';
import { MarketDataService } from '../src/market-data/market-data.service';
import { PaperFeeds } from '../src/market-data/paper-feeds';
import { benchDatabase } from './orders.bench';

const ACCOUNTS = 100;
const BATCHES = 20;

export interface TickPassFigures {
  database: string;
  accounts: number;
  ordinaryMsPerBatch: number;
  crossingMsPerBatch: number;
}

async function measure(database: string, databaseUrl: string | undefined): Promise<TickPassFigures> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-desk-tickpass-'));
  const adminPassword = `bench-${process.pid}-${Date.now()}`;
  const config = configFromEnv({
    ...process.env,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    ADMIN_USERNAME: `admin_tp_${process.pid}`,
    ADMIN_PASSWORD: adminPassword,
    LOG_LEVEL: 'error',
    MARKET_FEED_INTERVAL_MS: '60000',
  });
  const built = await buildApp(config, { logger: false });
  try {
    const http = request(built.app.getHttpServer());
    const login = async (username: string, password: string) =>
      (await http.post('/api/v1/auth/login').send({ username, password })).body.accessToken as string;
    const adminToken = await login(`admin_tp_${process.pid}`, adminPassword);
    const md = built.app.get(MarketDataService);
    const feeds = new PaperFeeds({ source: 'synthetic', seed: 11 });
    // inside one funding period, an hour after the next funding time
    let ts = nextFundingTime(Date.now() + 3_600_000) + 3_600_000;
    await md.publish(feeds.next(ts));
    const btc = (ticks: MarketTick[]) => ticks.find((t) => t.symbol === 'BTCUSDT')!;
    const mark = btc(feeds.next((ts += 250))).markPrice;
    await md.publish(feeds.next(ts));

    for (let i = 0; i < ACCOUNTS; i++) {
      const username = `tp_${process.pid}_${Date.now().toString(36)}_${i}`;
      await http.post('/api/v1/admin/users').set('Authorization', `Bearer ${adminToken}`).send({ username, password: 'tickpass-bench-pw', role: 'trader' });
      const token = await login(username, 'tickpass-bench-pw');
      const auth = { Authorization: `Bearer ${token}` };
      await http.post('/api/v1/contracts/orders').set(auth).send({ symbol: 'BTCUSDT', side: i % 2 ? 'SELL' : 'BUY', type: 'MARKET', quantity: '0.002' });
      await http.post('/api/v1/contracts/orders').set(auth).send({
        symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.002', price: mark.times('0.96').round(1, 0).toFixed(1),
      });
    }

    const timeBatches = async (n: number, step: number): Promise<number> => {
      const started = performance.now();
      for (let i = 0; i < n; i++) await md.publish(feeds.next((ts += step)));
      return (performance.now() - started) / n;
    };
    const ordinaryMsPerBatch = await timeBatches(BATCHES, 250);
    // each batch a funding period later: every one crosses a funding time
    const crossingMsPerBatch = await timeBatches(Math.max(3, BATCHES / 4), 8 * 3_600_000);
    return { database, accounts: ACCOUNTS, ordinaryMsPerBatch: round(ordinaryMsPerBatch), crossingMsPerBatch: round(crossingMsPerBatch) };
  } finally {
    await built.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

export async function run(): Promise<TickPassFigures[]> {
  const results = [await measure('embedded', undefined)];
  const db = await benchDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', 'contract_desk_tickpass_bench');
  if ('skipped' in db) {
    process.stdout.write(`server: skipped (${db.skipped})\n`);
    return results;
  }
  try {
    results.push(await measure('server', db.url));
  } finally {
    await db.drop();
  }
  return results;
}

export function print(results: TickPassFigures[]): void {
  const lines = [
    `leader tick pass, ${ACCOUNTS} accounts each with a BTCUSDT position and a resting limit order`,
    `${'database'.padEnd(10)} ${'ordinary batch ms'.padStart(18)} ${'funding-crossing batch ms'.padStart(26)}`,
    ...results.map((r) => `${r.database.padEnd(10)} ${String(r.ordinaryMsPerBatch).padStart(18)} ${String(r.crossingMsPerBatch).padStart(26)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (require.main === module) {
  void run().then(print, (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

