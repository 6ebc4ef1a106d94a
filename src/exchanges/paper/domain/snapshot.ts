/**
 * The engine's state as JSON (decimal strings, arrays in the state's own iteration order, so a
 * restored engine iterates, matches and numbers exactly as the original). Contracts travel with the
 * state so `restore(snapshot)` needs nothing else.
 */
import { dec, type Decimal, ZERO } from '../../../common/decimal';
import type { ContractSpec } from '../../../contracts/domain/contract-spec';
import type { MarketTick } from '../../market-feed/market-tick';
import type { AccountState, EngineState, LedgerEntry, MarketState, OrderState, PositionState, SymbolSettings } from './engine-types';

export const SNAPSHOT_VERSION = 1;

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type Encoded = { [k: string]: Json };

export interface EngineSnapshot {
  version: number;
  seq: number;
  ts: number;
  contracts: Encoded[];
  accounts: Encoded[];
  markets: Encoded[];
  insuranceFund: [string, string][];
}

const DecimalClass = ZERO.constructor;

function isDecimal(v: unknown): v is Decimal {
  return v instanceof DecimalClass;
}

/** Shallow: Decimal → string, Date → ISO string, undefined dropped, nested objects encoded too. */
function enc(obj: object): Encoded {
  const out: Encoded = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    out[k] = encValue(v);
  }
  return out;
}

function encValue(v: unknown): Json {
  if (isDecimal(v)) return v.toFixed();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(encValue);
  if (v !== null && typeof v === 'object') return enc(v);
  return v as Json;
}

function decFields<T>(raw: Encoded, fields: readonly string[]): T {
  const out: Record<string, unknown> = { ...raw };
  for (const f of fields) if (typeof raw[f] === 'string') out[f] = dec(raw[f]);
  return out as T;
}

const SPEC = ['contractSize', 'tickSize', 'minPrice', 'maxPrice', 'stepSize', 'minQty', 'maxQty', 'marketMaxQty', 'minNotional', 'makerFeeRate', 'takerFeeRate', 'liquidationFeeRate'];
const BRACKET = ['notionalFloor', 'notionalCap', 'maintMarginRatio', 'cum'];
const ORDER = ['qty', 'price', 'stopPrice', 'activationPrice', 'callbackRate', 'executedQty', 'cumQuote', 'trailExtreme'];
const POSITION = ['amount', 'entryPrice', 'isolatedMargin'];
const LEDGER = ['amount', 'balanceAfter'];
const TICK = ['lastPrice', 'markPrice', 'indexPrice', 'fundingRate'];
const LEVEL = ['price', 'qty'];

/** One account as it appears in `EngineSnapshot.accounts`. */
export function encodeAccount(a: AccountState): Encoded {
  return enc({
    accountId: a.accountId,
    positionMode: a.positionMode,
    wallets: [...a.wallets.entries()].map(([asset, amount]) => ({ asset, amount })),
    settings: [...a.settings.entries()].map(([symbol, v]) => ({ symbol, ...v })),
    positions: [...a.positions.values()],
    openOrders: [...a.openOrders.values()],
    orderHistory: a.orderHistory,
    ledger: a.ledger,
  });
}

export function encodeState(s: EngineState): EngineSnapshot {
  return {
    version: SNAPSHOT_VERSION,
    seq: s.seq,
    ts: s.ts,
    contracts: [...s.contracts.values()].map(enc),
    accounts: [...s.accounts.values()].map(encodeAccount),
    markets: [...s.markets.values()].map((m) => enc(m)),
    insuranceFund: [...s.insuranceFund.entries()].map(([asset, v]) => [asset, v.toFixed()]),
  };
}

function decodeSpec(raw: Encoded): ContractSpec {
  const spec = decFields<Record<string, unknown>>(raw, SPEC);
  spec.brackets = (raw.brackets as Encoded[]).map((b) => decFields(b, BRACKET));
  if (typeof raw.expiryDate === 'string') spec.expiryDate = new Date(raw.expiryDate);
  return spec as unknown as ContractSpec;
}

function decodeTick(raw: Encoded): MarketTick {
  const t = decFields<Record<string, unknown>>(raw, TICK);
  t.bids = (raw.bids as Encoded[]).map((l) => decFields(l, LEVEL));
  t.asks = (raw.asks as Encoded[]).map((l) => decFields(l, LEVEL));
  t.trades = (raw.trades as Encoded[]).map((l) => decFields(l, LEVEL));
  return t as unknown as MarketTick;
}

function decodeMarket(raw: Encoded): MarketState {
  const m = { ...raw } as Record<string, unknown>;
  m.tick = decodeTick(raw.tick as Encoded);
  m.bids = (raw.bids as Encoded[]).map((l) => decFields(l, LEVEL));
  m.asks = (raw.asks as Encoded[]).map((l) => decFields(l, LEVEL));
  return m as unknown as MarketState;
}

function decodeAccount(raw: Encoded): AccountState {
  const order = (o: Json) => decFields<OrderState>(o as Encoded, ORDER);
  return {
    accountId: raw.accountId as string,
    positionMode: raw.positionMode as AccountState['positionMode'],
    wallets: new Map((raw.wallets as Encoded[]).map((w) => [w.asset as string, dec(w.amount as string)])),
    settings: new Map(
      (raw.settings as Encoded[]).map((s) => [s.symbol as string, { leverage: s.leverage, marginMode: s.marginMode } as SymbolSettings]),
    ),
    positions: new Map(
      (raw.positions as Encoded[]).map((p) => {
        const pos = decFields<PositionState>(p, POSITION);
        return [`${pos.symbol}:${pos.positionSide}`, pos];
      }),
    ),
    openOrders: new Map((raw.openOrders as Json[]).map((o) => {
      const x = order(o);
      return [x.orderId, x];
    })),
    orderHistory: (raw.orderHistory as Json[]).map(order),
    ledger: (raw.ledger as Encoded[]).map((e) => decFields<LedgerEntry>(e, LEDGER)),
  };
}

export function decodeState(snap: EngineSnapshot): EngineState {
  if (snap.version !== SNAPSHOT_VERSION) throw new Error(`engine snapshot version ${snap.version} is not ${SNAPSHOT_VERSION}`);
  const contracts = new Map(snap.contracts.map((c) => {
    const spec = decodeSpec(c);
    return [spec.symbol, spec];
  }));
  const markets = new Map(snap.markets.map((m) => {
    const market = decodeMarket(m);
    return [market.tick.symbol, market];
  }));
  return {
    seq: snap.seq,
    ts: snap.ts,
    contracts,
    accounts: new Map(snap.accounts.map((a) => {
      const account = decodeAccount(a);
      return [account.accountId, account];
    })),
    markets,
    insuranceFund: new Map(snap.insuranceFund.map(([asset, v]) => [asset, dec(v)])),
  };
}

/** A snapshot's contracts, markets and insurance fund, decoded once and forked per operation. */
export type DecodedBase = Omit<EngineState, 'accounts'>;

export function decodeBase(snap: EngineSnapshot): DecodedBase {
  const { accounts: _accounts, ...base } = decodeState({ ...snap, accounts: [] });
  return base;
}

/**
 * An engine state on `base` holding the given encoded accounts — the same as decoding the snapshot
 * with those accounts, without decoding its markets again. What an operation mutates is copied:
 * the book levels (taker fills consume them), the market records and the insurance fund; contracts
 * and ticks are never mutated and are shared.
 */
export function forkState(base: DecodedBase, accounts: readonly Encoded[], seq: number, ts: number): EngineState {
  const level = (l: { price: Decimal; qty: Decimal }) => ({ price: l.price, qty: l.qty });
  return {
    seq,
    ts,
    contracts: base.contracts,
    markets: new Map([...base.markets].map(([symbol, m]) => [symbol, { ...m, bids: m.bids.map(level), asks: m.asks.map(level) }])),
    insuranceFund: new Map(base.insuranceFund),
    accounts: new Map(accounts.map((a) => {
      const account = decodeAccount(a);
      return [account.accountId, account];
    })),
  };
}
