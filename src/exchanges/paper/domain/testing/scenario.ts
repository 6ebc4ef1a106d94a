/**
 * A deterministic scenario for replay tests and the bench: a synthetic BTCUSDT feed and a seeded
 * stream of mixed orders from a few accounts. Returns every event and the final snapshot.
 */
import { dec } from '../../../../common/decimal';
import { PAPER_CONTRACTS } from '../../../../contracts/domain/paper-contracts';
import { Prng } from '../../../market-feed/prng';
import { SyntheticFeed } from '../../../market-feed/synthetic-feed';
import { PaperEngine } from '../engine';
import type { EngineEvent, PlaceOrderCommand } from '../engine-types';

export const SCENARIO_T0 = Date.UTC(2026, 0, 5, 7, 59, 0);
export const TICK_MS = 250;

export function newScenarioFeed(seed: number): SyntheticFeed {
  return new SyntheticFeed({ symbol: 'BTCUSDT', seed, initialPrice: '60000', tickSize: '0.1', stepSize: '0.001', levelSizeSteps: 300, volatility: 0.0004 });
}

export function newScenarioEngine(accounts: number): PaperEngine {
  const engine = PaperEngine.create({ contracts: PAPER_CONTRACTS });
  for (let i = 0; i < accounts; i++) {
    const accountId = `acc-${i}`;
    engine.openAccount({ accountId, ts: SCENARIO_T0, positionMode: i % 2 === 0 ? 'ONE_WAY' : 'HEDGE' });
    engine.transfer({ accountId, ts: SCENARIO_T0, asset: 'USDT', amount: dec(50000) });
    engine.setLeverage({ accountId, ts: SCENARIO_T0, symbol: 'BTCUSDT', leverage: 5 + (i % 4) * 5 });
    if (i % 3 === 0) engine.setMarginMode({ accountId, ts: SCENARIO_T0, symbol: 'BTCUSDT', marginMode: 'ISOLATED' });
  }
  return engine;
}

/** A random but reproducible order for `accountId` around `mid` (an integer number of ticks). */
export function randomOrder(rng: Prng, accountId: string, hedge: boolean, ts: number, midTicks: number): PlaceOrderCommand {
  const side = rng.next() < 0.5 ? 'BUY' : 'SELL';
  const qty = dec(rng.int(1, 50)).times('0.001');
  const positionSide = hedge ? (rng.next() < 0.5 ? 'LONG' : 'SHORT') : undefined;
  const kind = rng.next();
  const base = { accountId, ts, symbol: 'BTCUSDT', side, qty, positionSide } as const;
  if (kind < 0.4) return { ...base, type: 'MARKET' };
  const offset = rng.int(-30, 30);
  const price = dec(midTicks + offset).times('0.1');
  const tif = (['GTC', 'GTC', 'IOC', 'FOK', 'GTX'] as const)[rng.int(0, 4)];
  if (kind < 0.9) return { ...base, type: 'LIMIT', price, timeInForce: tif };
  return { ...base, type: side === 'BUY' ? 'TAKE_PROFIT_MARKET' : 'STOP_MARKET', stopPrice: dec(midTicks - 200).times('0.1'), workingType: 'MARK_PRICE' };
}

export interface ScenarioRun {
  engine: PaperEngine;
  feed: SyntheticFeed;
  rng: Prng;
  events: EngineEvent[];
  rejections: string[];
}

/** Advances a scenario by `steps` ticks, placing `ordersPerTick` random orders after each. */
export function step(run: ScenarioRun, from: number, steps: number, ordersPerTick: number, accounts: number): number {
  let ts = from;
  for (let i = 0; i < steps; i++) {
    ts += TICK_MS;
    const tick = run.feed.next(ts);
    run.events.push(...run.engine.applyTick(tick).events);
    const midTicks = Number(tick.lastPrice.div('0.1').toFixed(0));
    for (let k = 0; k < ordersPerTick; k++) {
      const n = run.rng.int(0, accounts - 1);
      const cmd = randomOrder(run.rng, `acc-${n}`, n % 2 === 1, ts, midTicks);
      try {
        run.events.push(...run.engine.placeOrder(cmd).events);
      } catch (e) {
        run.rejections.push((e as { code?: string }).code ?? String(e));
      }
    }
  }
  return ts;
}

export function newRun(seed: number, accounts: number): ScenarioRun {
  return { engine: newScenarioEngine(accounts), feed: newScenarioFeed(seed), rng: new Prng(seed ^ 0x5eed), events: [], rejections: [] };
}
