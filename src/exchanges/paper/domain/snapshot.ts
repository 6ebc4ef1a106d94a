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

/**
 * Shallow: Decimal → string, Date → ISO string, undefined dropped, nested objects encoded too. The
 * own enumerable string keys in their order, as `Object.entries` gives them, without its array of
 * pairs per object (the state's records are plain objects: nothing inherited is enumerable).
 */
function enc(obj: object): Encoded {
  const out: Encoded = {};
  const record = obj as Record<string, unknown>;
  for (const k in record) {
    if (!Object.hasOwn(record, k)) continue;
    const v = record[k];
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

/**
 * Encoded order records and their decoded values are remembered both ways: decoding a record seen
 * before copies the values decoded the first time, and encoding an order whose fields are all still
 * the values of its last encoding (compared by identity: decimals are immutable, an order's fields
 * are flat) answers that same record. An account's unchanged open orders are then neither parsed
 * nor formatted again from one operation to the next, and a store can tell them unchanged by
 * identity.
 */
const orderTemplates = new WeakMap<Encoded, OrderState>();
/** Every field of OrderState (`copyOrder` copies these; a field added to OrderState goes in both). */
export const ORDER_FIELDS = [
  'orderId', 'clientOrderId', 'accountId', 'symbol', 'side', 'positionSide', 'type', 'timeInForce', 'qty', 'price', 'stopPrice',
  'activationPrice', 'callbackRate', 'workingType', 'reduceOnly', 'closePosition', 'status', 'executedQty', 'cumQuote', 'createdTs',
  'updateTs', 'triggered', 'trailExtreme',
] as const satisfies readonly (keyof OrderState)[];
/** Fails to compile when OrderState has a field ORDER_FIELDS lacks. */
const EVERY_ORDER_FIELD: Exclude<keyof OrderState, (typeof ORDER_FIELDS)[number]> extends never ? true : never = true;
void EVERY_ORDER_FIELD;

/** The fields of OrderState that are not `readonly`: the ones an order's life changes. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type WritableKeys<T> = { [K in keyof T]-?: Same<{ [Q in K]: T[K] }, { -readonly [Q in K]: T[K] }> extends true ? K : never }[keyof T];
/** What `unchanged` compares: every writable field of OrderState (the rest are fixed at opening). */
export const WRITABLE_ORDER_FIELDS = [
  'orderId', 'clientOrderId', 'qty', 'stopPrice', 'status', 'executedQty', 'cumQuote', 'updateTs', 'triggered', 'trailExtreme',
] as const satisfies readonly WritableKeys<OrderState>[];
/** Fails to compile when a field of OrderState is made writable without being added above. */
const EVERY_WRITABLE_FIELD: Exclude<WritableKeys<OrderState>, (typeof WRITABLE_ORDER_FIELDS)[number]> extends never ? true : never = true;
void EVERY_WRITABLE_FIELD;

/**
 * An order's last encoding, on the order object itself (a symbol: not a field — not encoded, not
 * copied by `copyOrder`, invisible to JSON): a decoded order carries the record it came from, and an
 * order an engine keeps from one operation to the next carries its last encoding.
 */
const ENCODING = Symbol('encoding');
/** `owner`: the order the encoding is of (a copy made by spreading an order carries its symbol too). */
type WithEncoding = OrderState & { [ENCODING]?: { owner: OrderState; template: OrderState; encoded: Encoded } };

function decodeOrder(raw: Encoded): OrderState {
  let template = orderTemplates.get(raw);
  if (!template) {
    template = copyOrder(decFields<OrderState>(raw, ORDER));
    orderTemplates.set(raw, template);
  }
  const order = copyOrder(template) as WithEncoding;
  order[ENCODING] = { owner: order, template, encoded: raw };
  return order;
}

/**
 * A copy with every field of an order, in one order, and the slot of its last encoding (one object
 * shape for every order, so copying, comparing and reading the encoding stay monomorphic); absent
 * fields are undefined. The engine makes its new orders with it too (`orderRecord`).
 */
function copyOrder(t: OrderState): OrderState {
  const copy: WithEncoding = {
    orderId: t.orderId,
    clientOrderId: t.clientOrderId,
    accountId: t.accountId,
    symbol: t.symbol,
    side: t.side,
    positionSide: t.positionSide,
    type: t.type,
    timeInForce: t.timeInForce,
    qty: t.qty,
    price: t.price,
    stopPrice: t.stopPrice,
    activationPrice: t.activationPrice,
    callbackRate: t.callbackRate,
    workingType: t.workingType,
    reduceOnly: t.reduceOnly,
    closePosition: t.closePosition,
    status: t.status,
    executedQty: t.executedQty,
    cumQuote: t.cumQuote,
    createdTs: t.createdTs,
    updateTs: t.updateTs,
    triggered: t.triggered,
    trailExtreme: t.trailExtreme,
    [ENCODING]: undefined,
  };
  return copy;
}

/** An order record of the one shape every order has (see `copyOrder`), for an order the engine opens. */
export function orderRecord(fields: OrderState): OrderState {
  return copyOrder(fields);
}

/**
 * Every writable field identical (decimals by identity) — the readonly ones cannot have changed
 * since the template was copied from the same order (`owner`). Spelled out field by field, like
 * `copyOrder`: a loop over the field names is a keyed (megamorphic) load per field, several times
 * slower, and this runs for every open order of an account on every operation. The snapshot test
 * changes each field of WRITABLE_ORDER_FIELDS in turn and expects a new encoding.
 */
function unchanged(o: OrderState, t: OrderState): boolean {
  return (
    o.status === t.status &&
    o.executedQty === t.executedQty &&
    o.updateTs === t.updateTs &&
    o.cumQuote === t.cumQuote &&
    o.qty === t.qty &&
    o.stopPrice === t.stopPrice &&
    o.triggered === t.triggered &&
    o.trailExtreme === t.trailExtreme &&
    o.orderId === t.orderId &&
    o.clientOrderId === t.clientOrderId
  );
}

function encodeOrder(o: OrderState): Encoded {
  const last = (o as WithEncoding)[ENCODING];
  if (last !== undefined && last.owner === o && unchanged(o, last.template)) return last.encoded;
  const encoded = enc(o);
  const template = copyOrder(o);
  orderTemplates.set(encoded, template);
  (o as WithEncoding)[ENCODING] = { owner: o, template, encoded };
  return encoded;
}

function encodeOrders(orders: Iterable<OrderState>, size: number): Encoded[] {
  const out = new Array<Encoded>(size);
  let i = 0;
  for (const o of orders) out[i++] = encodeOrder(o);
  return out;
}

/** One account as it appears in `EngineSnapshot.accounts`. */
export function encodeAccount(a: AccountState): Encoded {
  return {
    accountId: a.accountId,
    positionMode: a.positionMode,
    wallets: [...a.wallets.entries()].map(([asset, amount]) => enc({ asset, amount })),
    settings: [...a.settings.entries()].map(([symbol, v]) => enc({ symbol, ...v })),
    positions: [...a.positions.values()].map(enc),
    openOrders: encodeOrders(a.openOrders.values(), a.openOrders.size),
    orderHistory: a.orderHistory.map(encodeOrder),
    ledger: a.ledger.map(enc),
  };
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
  const order = (o: Json) => decodeOrder(o as Encoded);
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
  return forkWith(base, accounts.map(decodeAccount), seq, ts);
}

/** `forkState` holding accounts already decoded (the engine then owns and mutates them). */
export function forkWith(base: DecodedBase, accounts: readonly AccountState[], seq: number, ts: number): EngineState {
  // the level arrays are copied, not the levels: taking from the book replaces a level, never mutates it
  return {
    seq,
    ts,
    contracts: base.contracts,
    markets: new Map([...base.markets].map(([symbol, m]) => [symbol, { ...m, bids: m.bids.slice(), asks: m.asks.slice() }])),
    insuranceFund: new Map(base.insuranceFund),
    accounts: new Map(accounts.map((account) => [account.accountId, account])),
  };
}
