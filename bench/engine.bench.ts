/**
 * Paper engine throughput:
 *  1. orders per second: a seeded mix of market and limit orders (GTC/IOC/FOK/GTX, some stops)
 *     from 100 accounts, with a synthetic-feed tick every 10 orders;
 *  2. price ticks per second with 10,000 open positions being marked (half isolated, half cross):
 *     each tick runs funding/trigger/matching/liquidation checks, the liquidation check through
 *     the contract math's hot path (a bigint comparison per position, big.js only near a threshold).
 *
 * Run alone: node -r @swc-node/register bench/engine.bench.ts
 */
import { performance } from 'perf_hooks';
import { dec } from '../src/common/decimal';
import { PAPER_CONTRACTS } from '../src/contracts/domain/paper-contracts';
import type { MarketTick } from '../src/exchanges/market-feed/market-tick';
import { nextFundingTime } from '../src/exchanges/market-feed/market-tick';
import { Prng } from '../src/exchanges/market-feed/prng';
import { PaperEngine } from '../src/exchanges/paper/domain/engine';
import { newRun, randomOrder, SCENARIO_T0, TICK_MS } from '../src/exchanges/paper/domain/testing/scenario';

export interface EngineBenchResult {
  ordersPerSecond: number;
  orders: number;
  rejected: number;
  ticksPerSecond: number;
  positions: number;
  liquidations: number;
}

function benchOrders(total: number): { ordersPerSecond: number; orders: number; rejected: number } {
  const accounts = 100;
  const run = newRun(2026, accounts);
  let ts = SCENARIO_T0;
  let rejected = 0;
  let elapsed = 0;
  let midTicks = 600000;
  for (let i = 0; i < total; i++) {
    if (i % 10 === 0) {
      ts += TICK_MS;
      const tick = run.feed.next(ts);
      midTicks = Number(tick.lastPrice.div('0.1').toFixed(0));
      run.engine.applyTick(tick);
    }
    const n = run.rng.int(0, accounts - 1);
    const cmd = randomOrder(run.rng, `acc-${n}`, n % 2 === 1, ts, midTicks);
    const t0 = performance.now();
    try {
      run.engine.placeOrder(cmd);
    } catch {
      rejected += 1;
    }
    elapsed += performance.now() - t0;
  }
  return { ordersPerSecond: Math.round((total / elapsed) * 1000), orders: total, rejected };
}

function bookTick(ts: number, midTicks: number, depthQty: string): MarketTick {
  const price = (t: number) => dec(t).times('0.1');
  const levels = (dir: 1 | -1) => Array.from({ length: 10 }, (_, i) => ({ price: price(midTicks + dir * (i + 1)), qty: dec(depthQty) }));
  return {
    symbol: 'BTCUSDT',
    ts,
    lastPrice: price(midTicks),
    markPrice: price(midTicks),
    indexPrice: price(midTicks),
    fundingRate: dec('0.0001'),
    nextFundingTs: nextFundingTime(ts),
    bids: levels(-1),
    asks: levels(1),
    trades: [{ price: price(midTicks), qty: dec('0.5'), side: 'BUY' }],
  };
}

function benchTicks(positions: number, ticks: number): { ticksPerSecond: number; positions: number; liquidations: number } {
  const engine = PaperEngine.create({ contracts: PAPER_CONTRACTS });
  const rng = new Prng(77);
  let ts = Date.UTC(2026, 0, 5, 1, 0, 0);
  engine.applyTick(bookTick(ts, 600000, '100000'));
  for (let i = 0; i < positions; i++) {
    const accountId = `p-${i}`;
    engine.openAccount({ accountId, ts });
    engine.transfer({ accountId, ts, asset: 'USDT', amount: dec(5000) });
    engine.setLeverage({ accountId, ts, symbol: 'BTCUSDT', leverage: rng.int(2, 50) });
    if (i % 2 === 0) engine.setMarginMode({ accountId, ts, symbol: 'BTCUSDT', marginMode: 'ISOLATED' });
    engine.placeOrder({ accountId, ts, symbol: 'BTCUSDT', side: rng.next() < 0.5 ? 'BUY' : 'SELL', type: 'MARKET', qty: dec(rng.int(1, 100)).times('0.001') });
  }
  let mid = 600000;
  let liquidations = 0;
  // warm the threshold cache once, then time the ticks
  engine.applyTick(bookTick(++ts, mid, '100000'));
  const t0 = performance.now();
  for (let i = 0; i < ticks; i++) {
    ts += TICK_MS;
    mid += rng.int(-40, 40) - 25; // a falling market: high-leverage longs get liquidated on the way
    for (const e of engine.applyTick(bookTick(ts, mid, '100000')).events) if (e.type === 'LIQUIDATION') liquidations += 1;
  }
  const elapsed = performance.now() - t0;
  return { ticksPerSecond: Math.round((ticks / elapsed) * 1000), positions, liquidations };
}

export async function run(): Promise<EngineBenchResult> {
  const orders = benchOrders(20000);
  const ticks = benchTicks(10000, 500);
  const result = { ...orders, ...ticks };
  console.log(`paper engine: ${result.ordersPerSecond} orders/s (${result.orders} mixed orders, ${result.rejected} refused by the venue rules)`);
  console.log(`paper engine: ${result.ticksPerSecond} ticks/s marking ${result.positions} open positions (${result.liquidations} liquidations on the way)`);
  return result;
}

if (require.main === module) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
