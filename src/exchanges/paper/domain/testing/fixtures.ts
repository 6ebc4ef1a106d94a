/** Builders for engine tests: ticks from decimal strings, an engine with a funded account. */
import { dec } from '../../../../common/decimal';
import { PAPER_CONTRACTS } from '../../../../contracts/domain/paper-contracts';
import type { MarketTick } from '../../../market-feed/market-tick';
import { nextFundingTime } from '../../../market-feed/market-tick';
import type { OrderSide, PositionMode } from '../../../types';
import { PaperEngine } from '../engine';
import type { EngineEvent } from '../engine-types';

export const T0 = Date.UTC(2026, 0, 5, 1, 0, 0);

export interface TickSpec {
  last: string;
  mark?: string;
  index?: string;
  funding?: string;
  /** [price, qty] best first. */
  bids?: [string, string][];
  asks?: [string, string][];
  trades?: [string, string, OrderSide][];
}

export function aTick(symbol: string, ts: number, t: TickSpec): MarketTick {
  const level = ([price, qty]: [string, string]) => ({ price: dec(price), qty: dec(qty) });
  return {
    symbol,
    ts,
    lastPrice: dec(t.last),
    markPrice: dec(t.mark ?? t.last),
    indexPrice: dec(t.index ?? t.mark ?? t.last),
    fundingRate: dec(t.funding ?? '0.0001'),
    nextFundingTs: nextFundingTime(ts),
    bids: (t.bids ?? []).map(level),
    asks: (t.asks ?? []).map(level),
    trades: (t.trades ?? []).map(([price, qty, side]) => ({ price: dec(price), qty: dec(qty), side })),
  };
}

/** A symmetric book of `levels` levels one `step` apart around `mid`, each `qty` deep. */
export function aBookTick(symbol: string, ts: number, mid: string, opts: { step?: string; qty?: string; levels?: number; mark?: string; funding?: string; trades?: [string, string, OrderSide][] } = {}): MarketTick {
  const step = dec(opts.step ?? '1');
  const m = dec(mid);
  const bids: [string, string][] = [];
  const asks: [string, string][] = [];
  for (let i = 1; i <= (opts.levels ?? 5); i++) {
    bids.push([m.minus(step.times(i)).toFixed(), opts.qty ?? '1']);
    asks.push([m.plus(step.times(i)).toFixed(), opts.qty ?? '1']);
  }
  return aTick(symbol, ts, { last: mid, mark: opts.mark ?? mid, funding: opts.funding, bids, asks, trades: opts.trades });
}

export function anEngine(p: { accountId?: string; deposit?: Record<string, string>; positionMode?: PositionMode } = {}): PaperEngine {
  const engine = PaperEngine.create({ contracts: PAPER_CONTRACTS });
  const accountId = p.accountId ?? 'a1';
  engine.openAccount({ accountId, ts: T0, positionMode: p.positionMode });
  for (const [asset, amount] of Object.entries(p.deposit ?? { USDT: '10000' })) {
    engine.transfer({ accountId, ts: T0, asset, amount: dec(amount) });
  }
  return engine;
}

export function eventsOf<K extends EngineEvent['type']>(events: readonly EngineEvent[], type: K): Extract<EngineEvent, { type: K }>[] {
  return events.filter((e): e is Extract<EngineEvent, { type: K }> => e.type === type);
}
