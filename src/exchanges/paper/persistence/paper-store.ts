/**
 * Persistence of the paper engine, per account, in the caller's transaction: the account's engine
 * state (paper_accounts, locked FOR UPDATE so one account's operations are serialized across
 * instances), and the projections of the engine's events — ledger, orders, fills, positions,
 * funding payments, insurance fund. A restart resumes from exactly what was committed.
 */
import type { EntityManager } from 'typeorm';
import type { DriverPool } from '../../../common/db/driver-pool';
import { toApi, type Decimal } from '../../../common/decimal';
import type { AccountState, EngineEvent } from '../domain/engine-types';
import type { EngineSnapshot } from '../domain/snapshot';
import type { Order, Position } from '../../types';

type EncodedAccount = EngineSnapshot['accounts'][number];

export interface LoadedAccount {
  exchangeAccountId: number;
  userId: number;
  seq: number;
  clock: number;
  state: EncodedAccount;
}

/** Ids of one account's engine are drawn from its own range, so they are unique across accounts. */
export const ID_RANGE = 1_000_000_000;

/**
 * Finished orders kept in the saved state: none. The engine looks a finished order up in its
 * history only within the operation that finished it (in memory); the service reads orders from
 * contract_orders. Every order rewrites the state: without the history it stays under PostgreSQL's
 * 2 kB TOAST threshold (no compression, a smaller WAL record).
 */
const HISTORY_KEPT = 0;

const ts = (ms: number) => new Date(ms);
const s = (d: Decimal | undefined) => (d === undefined ? null : toApi(d));

/**
 * The account's state as the engine saved it: the row's state with its open orders put back from
 * paper_open_orders, in order id order (the engine's own). `p` is the paper_accounts alias.
 */
const stateOf = (p: string) =>
  `${p}.state || jsonb_build_object('openOrders', COALESCE((SELECT jsonb_agg(oo.state ORDER BY oo.order_id) FROM paper_open_orders oo
     WHERE oo.exchange_account_id = ${p}.exchange_account_id), '[]'::jsonb))`;

export async function insertAccount(m: EntityManager, exchangeAccountId: number, seq: number, clock: number, state: EncodedAccount): Promise<void> {
  await m.query(`INSERT INTO paper_accounts (exchange_account_id, seq, clock, active, state) VALUES ($1, $2, $3, FALSE, $4)`, [
    exchangeAccountId,
    seq,
    clock,
    JSON.stringify(storedState(state)),
  ]);
  await writeOpenOrders(m, exchangeAccountId, openOrderChanges(undefined, state));
}

export async function loadAccount(m: EntityManager, exchangeAccountId: number, lock: boolean): Promise<LoadedAccount | null> {
  const rows: { seq: string; clock: string; state: EncodedAccount; user_id: number }[] = await m.query(
    `SELECT p.seq, p.clock, ${stateOf('p')} AS state, a.user_id FROM paper_accounts p JOIN exchange_accounts a ON a.id = p.exchange_account_id
      WHERE p.exchange_account_id = $1 ${lock ? 'FOR UPDATE OF p' : ''}`,
    [exchangeAccountId],
  );
  if (rows.length === 0) return null;
  return { exchangeAccountId, userId: rows[0].user_id, seq: Number(rows[0].seq), clock: Number(rows[0].clock), state: rows[0].state };
}

/** Accounts with open orders or positions: the ones a market tick can change. */
export async function activeAccountIds(m: EntityManager): Promise<number[]> {
  const rows: { id: number }[] = await m.query(`SELECT exchange_account_id AS id FROM paper_accounts WHERE active ORDER BY 1`);
  return rows.map((r) => r.id);
}

/**
 * Every active account's state in one query, unlocked: for finding which ones a tick changes. The
 * state of an account at a version the caller holds (`known`) is not sent (null).
 */
export async function activeAccounts(
  m: EntityManager,
  known: { ids: number[]; versions: number[] } = { ids: [], versions: [] },
  /** Only the accounts of these users (all when undefined). */
  userIds?: readonly number[],
): Promise<(Omit<VersionedAccount, 'state'> & { state: EncodedAccount | null })[]> {
  const rows: { id: number; version: string; seq: string; clock: string; state: EncodedAccount | null; user_id: number }[] = await m.query(
    `SELECT p.exchange_account_id AS id, p.version, p.seq, p.clock, CASE WHEN k.id IS NULL THEN ${stateOf('p')} END AS state, a.user_id
       FROM paper_accounts p JOIN exchange_accounts a ON a.id = p.exchange_account_id
       LEFT JOIN unnest($1::int[], $2::bigint[]) AS k(id, version) ON k.id = p.exchange_account_id AND k.version = p.version
      WHERE p.active AND ($3::int[] IS NULL OR a.user_id = ANY($3::int[])) ORDER BY 1`,
    [known.ids, known.versions, userIds ?? null],
  );
  return rows.map((r) => ({ exchangeAccountId: Number(r.id), userId: r.user_id, version: Number(r.version), seq: Number(r.seq), clock: Number(r.clock), state: r.state }));
}

/** The state as kept: no ledger (it is in paper_ledger), at most HISTORY_KEPT finished orders. */
export function stripLedger(state: EncodedAccount): EncodedAccount {
  const history = (state.orderHistory as unknown[]) ?? [];
  return { ...state, ledger: [], orderHistory: history.slice(history.length - HISTORY_KEPT) as EncodedAccount[string] };
}

/** `stripLedger` of an account as the engine holds it (in place): the same state as the stripped record decodes to. */
export function stripLedgerOf(account: AccountState): void {
  account.ledger = [];
  account.orderHistory = account.orderHistory.slice(account.orderHistory.length - HISTORY_KEPT);
}

/** The state as the paper_accounts row holds it: kept as above, its open orders in their own rows. */
function storedState(state: EncodedAccount): EncodedAccount {
  return { ...stripLedger(state), openOrders: [] };
}

type EncodedOrder = { [k: string]: unknown };

/** Same JSON, for the flat records of an encoded order (nested values compared as JSON). */
function sameRecord(a: EncodedOrder, b: EncodedOrder): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object' || JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}

/** The open orders an operation removed, and the ones it added or changed (`before` undefined: all are new). */
export function openOrderChanges(before: EncodedAccount | undefined, after: EncodedAccount): { removed: string[]; upserts: EncodedOrder[] } {
  const was = (before?.openOrders as EncodedOrder[] | undefined) ?? [];
  const now = after.openOrders as EncodedOrder[];
  // The usual case without a map: the orders before, in their order, minus some, plus new ones at the end.
  const upserts: EncodedOrder[] = [];
  const removed: string[] = [];
  let j = 0;
  let i = 0;
  for (; i < now.length; i++) {
    const o = now[i];
    while (j < was.length && was[j].orderId !== o.orderId) removed.push(was[j++].orderId as string);
    if (j === was.length) break;
    const prev = was[j++];
    if (prev !== o && !sameRecord(prev, o)) upserts.push(o);
  }
  if (i === now.length) {
    while (j < was.length) removed.push(was[j++].orderId as string);
    return { removed, upserts };
  }
  // Every order before is matched or taken as removed: the rest are new, unless one of them is an
  // order taken as removed (orders not in the engine's order): then compared by id.
  const rest = now.slice(i);
  if (removed.length > 0) {
    const gone = new Set(removed);
    if (rest.some((o) => gone.has(o.orderId as string))) return openOrderChangesById(was, now);
  }
  return { removed, upserts: upserts.concat(rest) };
}

function openOrderChangesById(was: EncodedOrder[], now: EncodedOrder[]): { removed: string[]; upserts: EncodedOrder[] } {
  const old = new Map(was.map((o) => [o.orderId as string, o]));
  const upserts: EncodedOrder[] = [];
  for (const o of now) {
    const id = o.orderId as string;
    const prev = old.get(id);
    old.delete(id);
    if (prev !== o && (!prev || !sameRecord(prev, o))) upserts.push(o);
  }
  return { removed: [...old.keys()], upserts };
}

/** The SQL of writing open-order changes: parameters (account, removed ids, upserted orders as JSON). */
const DELETE_OPEN_ORDERS = `DELETE FROM paper_open_orders WHERE exchange_account_id = $1 AND order_id = ANY($2::bigint[])`;
const UPSERT_OPEN_ORDER = `ON CONFLICT (exchange_account_id, order_id) DO UPDATE SET state = EXCLUDED.state`;
const UPSERT_OPEN_ORDERS = `INSERT INTO paper_open_orders (exchange_account_id, order_id, state)
  SELECT $1, (o->>'orderId')::bigint, o FROM jsonb_array_elements($2::jsonb) o ${UPSERT_OPEN_ORDER}`;

async function writeOpenOrders(m: EntityManager, exchangeAccountId: number, changes: { removed: string[]; upserts: EncodedOrder[] }): Promise<void> {
  if (changes.removed.length > 0) await m.query(DELETE_OPEN_ORDERS, [exchangeAccountId, changes.removed]);
  if (changes.upserts.length > 0) await m.query(UPSERT_OPEN_ORDERS, [exchangeAccountId, JSON.stringify(changes.upserts)]);
}

export interface SaveInput {
  loaded: LoadedAccount;
  seq: number;
  clock: number;
  state: EncodedAccount;
  events: EngineEvent[];
  /** Positions of the account after the operation (engine views at the current marks); asked only when they changed. */
  positions: () => Position[];
  exchange: string;
}

interface OrderUpdate {
  order: Order;
  reason?: string;
}

/** The last reason a list of one order's updates gave, else null. */
const reasonOf = (list: OrderUpdate[]) => list.reduce<string | null>((r, u) => u.reason ?? r, null);

/**
 * The rows an operation's events project to, in the events' order (ids are drawn in that order):
 * ledger entries and fills as the tables' columns (times in ms), each order's fees summed, each
 * order's updates in order (the orders in the order of their first update), and the events that
 * take statements of their own.
 */
function projectEvents(events: EngineEvent[]) {
  const ledger: { entry_id: string; time: number; asset: string; type: string; amount: string; balance_after: string; symbol: string; ref: string }[] = [];
  const trades: {
    symbol: string; trade_id: string; order_id: string; side: string; position_side: string; price: string; qty: string; quote_qty: string;
    realized_pnl: string; commission: string; commission_asset: string; maker: boolean; time: number;
  }[] = [];
  const fees = new Map<string, { fee: Decimal; asset: string }>();
  const orderUpdates = new Map<string, OrderUpdate[]>();
  const funding: Extract<EngineEvent, { type: 'FUNDING' }>[] = [];
  const insurance: Extract<EngineEvent, { type: 'INSURANCE_FUND' }>[] = [];
  let positionsChanged = false;
  for (const e of events) {
    switch (e.type) {
      case 'BALANCE': {
        const l = e.entry;
        ledger.push({ entry_id: l.id, time: l.ts, asset: l.asset, type: l.type, amount: toApi(l.amount), balance_after: toApi(l.balanceAfter), symbol: l.symbol, ref: l.ref });
        break;
      }
      case 'ORDER_UPDATE': {
        const list = orderUpdates.get(e.order.clientOrderId);
        if (list) list.push({ order: e.order, reason: e.reason });
        else orderUpdates.set(e.order.clientOrderId, [{ order: e.order, reason: e.reason }]);
        break;
      }
      case 'FILL': {
        const f = e.fill;
        trades.push({ symbol: f.symbol, trade_id: f.tradeId, order_id: f.orderId, side: f.side, position_side: f.positionSide, price: toApi(f.price),
          qty: toApi(f.qty), quote_qty: toApi(f.price.times(f.qty)), realized_pnl: toApi(f.realizedPnl), commission: toApi(f.fee),
          commission_asset: f.feeAsset, maker: f.role === 'MAKER', time: f.ts });
        const prev = fees.get(f.orderId);
        fees.set(f.orderId, { fee: prev ? prev.fee.plus(f.fee) : f.fee, asset: f.feeAsset });
        break;
      }
      case 'POSITION':
      case 'LIQUIDATION':
      case 'DELIVERY':
        positionsChanged = true;
        break;
      case 'FUNDING':
        funding.push(e);
        break;
      case 'INSURANCE_FUND':
        insurance.push(e);
        break;
    }
  }
  return { ledger, trades, fees, orderUpdates, positionsChanged, funding, insurance };
}

/** Writes the account's new state and every event's projection. */
export async function saveAccount(m: EntityManager, input: SaveInput): Promise<void> {
  const { loaded, events } = input;
  const id = loaded.exchangeAccountId;
  const active = (input.state.positions as unknown[]).length > 0 || (input.state.openOrders as unknown[]).length > 0;
  await m.query(`UPDATE paper_accounts SET seq = $2, clock = $3, active = $4, state = $5, version = version + 1, updated_at = now() WHERE exchange_account_id = $1`, [
    id,
    input.seq,
    input.clock,
    active,
    JSON.stringify(storedState(input.state)),
  ]);
  await writeOpenOrders(m, id, openOrderChanges(loaded.state, input.state));
  const { ledger, trades, fees, orderUpdates, positionsChanged, funding, insurance } = projectEvents(events);
  // one statement per change: an upsert cannot touch the same asset twice in one statement
  for (const e of insurance) {
    await m.query(
      `INSERT INTO paper_insurance_fund (asset, balance) VALUES ($1, $2)
       ON CONFLICT (asset) DO UPDATE SET balance = paper_insurance_fund.balance + EXCLUDED.balance`,
      [e.asset, toApi(e.change)],
    );
  }
  for (const updates of orderUpdates.values()) await upsertOrder(m, loaded, input.exchange, updates);
  // Each table's rows in one statement, in the events' order (ids are drawn in that order).
  await insertRows(
    m,
    `INSERT INTO paper_ledger (exchange_account_id, entry_id, time, asset, type, amount, balance_after, symbol, ref) VALUES`,
    ledger.map((l) => [id, l.entry_id, ts(l.time), l.asset, l.type, l.amount, l.balance_after, l.symbol, l.ref]),
  );
  await insertRows(
    m,
    `INSERT INTO trades (user_id, exchange_account_id, exchange, symbol, trade_id, order_id, side, position_side, price, qty, quote_qty,
       realized_pnl, commission, commission_asset, maker, time) VALUES`,
    trades.map((t) => [loaded.userId, id, input.exchange, t.symbol, t.trade_id, t.order_id, t.side, t.position_side, t.price, t.qty, t.quote_qty,
      t.realized_pnl, t.commission, t.commission_asset, t.maker, ts(t.time)]),
  );
  await insertRows(
    m,
    `INSERT INTO funding_payments (exchange_account_id, symbol, position_side, funding_time, funding_rate, mark_price, amount, asset) VALUES`,
    // the symbol twice: a parameter used both as a VALUES column and in the subquery would get two
    // types deduced (varchar and text) and PostgreSQL refuses the statement
    funding.map((e) => [id, e.symbol, e.positionSide, ts(e.fundingTs), toApi(e.rate), toApi(e.markPrice), toApi(e.amount), input.exchange, e.symbol]),
    `ON CONFLICT (exchange_account_id, symbol, position_side, funding_time) DO NOTHING`,
    (p) => `(${p.slice(0, 7).join(', ')}, (SELECT margin_asset FROM contracts WHERE exchange = ${p[7]} AND symbol = ${p[8]}))`,
  );
  if (fees.size > 0) {
    const orderIds: string[] = [];
    const amounts: string[] = [];
    const assets: string[] = [];
    for (const [orderId, f] of fees) {
      orderIds.push(orderId);
      amounts.push(toApi(f.fee));
      assets.push(f.asset);
    }
    await m.query(
      `UPDATE contract_orders o SET commission = COALESCE(o.commission, 0) + f.fee, commission_asset = f.asset
         FROM unnest($2::text[], $3::numeric[], $4::text[]) AS f(order_id, fee, asset)
        WHERE o.exchange = $1 AND o.order_id = f.order_id`,
      [input.exchange, orderIds, amounts, assets],
    );
  }
  if (positionsChanged) await syncPositions(m, loaded, input.exchange, input.positions());
}

/** Rows per statement, well below PostgreSQL's 65,535 parameters for the widest row. */
const ROWS_PER_INSERT = 500;

/**
 * `head` followed by one VALUES tuple per row (parameters numbered in order; `tuple` shapes a row's
 * placeholders, a plain list by default) and `tail`. Nothing is sent for no rows.
 */
async function insertRows(m: EntityManager, head: string, rows: unknown[][], tail = '', tuple = (p: string[]) => `(${p.join(', ')})`): Promise<void> {
  for (let from = 0; from < rows.length; from += ROWS_PER_INSERT) {
    const chunk = rows.slice(from, from + ROWS_PER_INSERT);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => tuple(row.map((v) => `$${params.push(v)}`)));
    await m.query(`${head} ${tuples.join(', ')} ${tail}`, params);
  }
}

/**
 * One order's updates of an operation: the row ends as after applying them one by one — the last
 * update's state, and the last reason given (else the row's own) — in one statement.
 */
async function upsertOrder(m: EntityManager, loaded: LoadedAccount, exchange: string, updates: OrderUpdate[]): Promise<void> {
  const setRow = async (o: Order, reason: string | null): Promise<boolean> => {
    // Through a CTE: TypeORM answers a bare UPDATE with [rows, count], which is never empty.
    const updated: unknown[] = await m.query(
      `WITH u AS (
         UPDATE contract_orders SET order_id = $3, status = $4, filled_qty = $5, avg_price = $6, updated_at = $7,
             reject_reason = COALESCE($8, reject_reason)
          WHERE exchange_account_id = $1 AND client_order_id = $2 RETURNING id)
       SELECT id FROM u`,
      [loaded.exchangeAccountId, o.clientOrderId, o.orderId, o.status, toApi(o.executedQty), o.executedQty.gt(0) ? toApi(o.avgPrice) : null, ts(o.updateTs), reason],
    );
    return updated.length > 0;
  };
  const last = updates[updates.length - 1].order;
  if (await setRow(last, reasonOf(updates))) return;
  const { order: o, reason } = updates[0];
  // An order the engine created itself (a liquidation's close-out): recorded as the exchange reports it.
  await m.query(
    `INSERT INTO contract_orders (user_id, exchange_account_id, exchange, symbol, order_id, client_order_id, side, position_side, type,
       quantity, price, stop_price, time_in_force, reduce_only, close_position, status, filled_qty, avg_price, working_type,
       reject_reason, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21)`,
    [loaded.userId, loaded.exchangeAccountId, exchange, o.symbol, o.orderId, o.clientOrderId, o.side, o.positionSide, o.type,
      toApi(o.qty.gt(0) ? o.qty : o.executedQty), s(o.price), s(o.stopPrice), o.timeInForce, o.reduceOnly, o.closePosition, o.status,
      toApi(o.executedQty), o.executedQty.gt(0) ? toApi(o.avgPrice) : null, o.workingType, reason ?? null, ts(o.updateTs)],
  );
  if (updates.length > 1) await setRow(last, reasonOf(updates.slice(1)));
}

/** A position leg's row replaces the one it had. */
const UPSERT_POSITION = `ON CONFLICT (exchange_account_id, symbol, position_side) DO UPDATE SET side = EXCLUDED.side, size = EXCLUDED.size,
       entry_price = EXCLUDED.entry_price, mark_price = EXCLUDED.mark_price, liquidation_price = EXCLUDED.liquidation_price,
       margin = EXCLUDED.margin, unrealized_pnl = EXCLUDED.unrealized_pnl, leverage = EXCLUDED.leverage,
       margin_mode = EXCLUDED.margin_mode, updated_at = now()`;

/** The `positions` rows mirror the engine's open legs (closed legs are removed). */
async function syncPositions(m: EntityManager, loaded: LoadedAccount, exchange: string, positions: Position[]): Promise<void> {
  const open = positions.filter((p) => !p.qty.eq(0));
  const keep = open.map((p) => `${p.symbol}:${p.positionSide}`);
  await m.query(
    `DELETE FROM positions WHERE exchange_account_id = $1 AND NOT ((symbol || ':' || position_side) = ANY($2::text[]))`,
    [loaded.exchangeAccountId, keep],
  );
  // open holds one leg per (symbol, position side), so one upsert statement touches each row once
  await insertRows(
    m,
    `INSERT INTO positions (user_id, exchange_account_id, exchange, symbol, side, position_side, size, entry_price, mark_price,
       liquidation_price, margin, unrealized_pnl, leverage, margin_mode) VALUES`,
    open.map((p) => {
      const r = positionRecord(p);
      return [loaded.userId, loaded.exchangeAccountId, exchange, r.symbol, r.side, r.position_side, r.size, r.entry_price, r.mark_price,
        r.liquidation_price, r.margin, r.unrealized_pnl, r.leverage, r.margin_mode];
    }),
    UPSERT_POSITION,
  );
}

// ---------------------------------------------------------------- the optimistic order path

/**
 * The optimistic path's statements go to the driver's pool, named: each connection parses and plans
 * them once, then only binds them (planning the write statement cost more than executing it).
 */
export type Queryable = DriverPool;

/** An account as read at a version (`state` from the row, or the cached state of that version). */
export interface VersionedAccount extends LoadedAccount {
  version: number;
}

/**
 * What a caller reads along with the account, in the same statement, and requires unchanged when
 * the order is written — defined by the module that owns those tables (the risk limits).
 */
export interface ReadAlong {
  /** Part of the statements' names: one text per name. */
  name: string;
  /** Select-list columns; `user` and `account` are the SQL expressions of the owner's and the account's id. */
  columns(user: string, account: string): string;
  /** The column whose value the write requires unchanged. */
  stampColumn: string;
  /** The condition that the stamp is still `stamp` (a parameter). */
  unchanged(user: string, stamp: string): string;
}

/**
 * A condition the write requires of current values (no stamp), with the columns read along to
 * answer a refusal — defined by the module that owns those tables (the caller's user).
 */
export interface ReadAlongCheck {
  name: string;
  columns(user: string): string;
  requires(user: string): string;
}

/** `along` and `check` read in the same statement, and both required by the write. */
export function alongWithCheck(along: ReadAlong, check: ReadAlongCheck): ReadAlong {
  return {
    name: `${along.name}+${check.name}`,
    columns: (user, account) => `${along.columns(user, account)},\n            ${check.columns(user)}`,
    stampColumn: along.stampColumn,
    unchanged: (user, stamp) => `${along.unchanged(user, stamp)}\n          AND ${check.requires(user)}`,
  };
}

/** A paper account read for placing an order. */
export interface OrderRead {
  account: VersionedAccount;
  /** The state was not sent: the cached one of this version is current. */
  stateOmitted: boolean;
  /** The account id the request named, or null for the caller's default paper account. */
  requestedAccountId: number | null;
  /** The columns read along (`ReadAlong.columns`), as the driver returns them. */
  along: Record<string, unknown>;
}

/**
 * The caller's paper account (the given one, else the default) and what `along` reads, in one
 * statement without a lock. `cached` names the account id and version whose state the caller holds:
 * the state is then not sent again. Undefined when the caller has no such paper account (or its
 * engine state is not created yet).
 */
export async function readForOrder(
  q: Queryable,
  userId: number,
  accountId: number | undefined,
  cached: { exchangeAccountId: number; version: number; state: EncodedAccount } | undefined,
  along: ReadAlong,
): Promise<OrderRead | undefined> {
  const { rows } = await q.query({
    name: `paper_read_for_order:${along.name}`,
    text: `SELECT a.id, p.version, p.seq, p.clock, CASE WHEN a.id = $3 AND p.version = $4 THEN NULL ELSE ${stateOf('p')} END AS state,
            ${along.columns('a.user_id', 'a.id')}
       FROM exchange_accounts a
       JOIN paper_accounts p ON p.exchange_account_id = a.id
      WHERE a.user_id = $1 AND (CASE WHEN $2::int IS NULL THEN a.exchange = 'paper' AND a.is_default ELSE a.id = $2::int END)`,
    values: [userId, accountId ?? null, cached?.exchangeAccountId ?? null, cached?.version ?? null],
  });
  const r = rows[0];
  if (!r) return undefined;
  const id = Number(r.id);
  const version = Number(r.version);
  const stateOmitted = r.state === null && cached !== undefined && cached.exchangeAccountId === id && cached.version === version;
  if (r.state === null && !stateOmitted) return undefined;
  return {
    account: { exchangeAccountId: id, userId, version, seq: Number(r.seq), clock: Number(r.clock), state: stateOmitted ? cached!.state : (r.state as EncodedAccount) },
    stateOmitted,
    requestedAccountId: accountId ?? null,
    along: r,
  };
}

/** The columns of the order being placed, as the request gives them (the engine's outcome is added). */
export interface NewOrderRow {
  user_id: number;
  exchange_account_id: number;
  exchange: string;
  symbol: string;
  client_order_id: string;
  side: string;
  position_side: string | null;
  type: string;
  quantity: string;
  price: string | null;
  stop_price: string | null;
  time_in_force: string | null;
  reduce_only: boolean;
  close_position: boolean;
  callback_rate: string | null;
  working_type: string | null;
}

/** Events the one-statement write covers; anything else (liquidation, funding, delivery) takes the locked path. */
const OPTIMISTIC_EVENTS = new Set(['BALANCE', 'ORDER_UPDATE', 'FILL', 'POSITION']);

export function optimisticWritable(events: EngineEvent[]): boolean {
  return events.every((e) => OPTIMISTIC_EVENTS.has(e.type));
}

const iso = (ms: number) => new Date(ms).toISOString();

/** An order's state after an operation, as the contract_orders columns it sets. */
interface OrderOutcome {
  order_id: string;
  status: string;
  filled_qty: string;
  avg_price: string | null;
  updated_at: string;
  reject_reason: string | null;
  commission: string | null;
  commission_asset: string | null;
}

/**
 * The new order's row: as requested, with its outcome when the operation has one (else NEW, nothing
 * filled). Every column spelled out in one order (one object shape): spreading the request and the
 * outcome into a literal took a slow generic path, 2 % of the order path's CPU.
 */
function createdRow(n: NewOrderRow, o: OrderOutcome | undefined): Record<string, unknown> {
  return {
    user_id: n.user_id,
    exchange_account_id: n.exchange_account_id,
    exchange: n.exchange,
    symbol: n.symbol,
    client_order_id: n.client_order_id,
    side: n.side,
    position_side: n.position_side,
    type: n.type,
    quantity: n.quantity,
    price: n.price,
    stop_price: n.stop_price,
    time_in_force: n.time_in_force,
    reduce_only: n.reduce_only,
    close_position: n.close_position,
    callback_rate: n.callback_rate,
    working_type: n.working_type,
    order_id: o ? o.order_id : null,
    status: o ? o.status : 'NEW',
    filled_qty: o ? o.filled_qty : '0',
    avg_price: o ? o.avg_price : null,
    updated_at: o ? o.updated_at : null,
    reject_reason: o ? o.reject_reason : null,
    commission: o ? o.commission : null,
    commission_asset: o ? o.commission_asset : null,
  };
}

/** Another order's row as the operation changed it (by its client order id). */
function updatedRow(exchangeAccountId: number, clientOrderId: string, o: OrderOutcome): Record<string, unknown> {
  return {
    exchange_account_id: exchangeAccountId,
    client_order_id: clientOrderId,
    order_id: o.order_id,
    status: o.status,
    filled_qty: o.filled_qty,
    avg_price: o.avg_price,
    updated_at: o.updated_at,
    reject_reason: o.reject_reason,
    commission: o.commission,
    commission_asset: o.commission_asset,
  };
}

/** What an order write needs (see `prepareOrderWrite`). */
export type OrderWriteInput = Omit<SaveInput, 'loaded'> & {
  account: VersionedAccount;
  newOrder: NewOrderRow;
  /** What the order was checked against, checked again by the write: the account as requested, what was read along. */
  checked: { requestedAccountId: number | null; along: ReadAlong; stamp: unknown };
};

/** One order's outcome as the rows it writes, each naming its account: ready to be written with others. */
export interface OrderWrite {
  accountId: number;
  along: ReadAlong;
  /** The statement parts it needs (bits of `PART`). */
  parts: number;
  account: Record<string, unknown>;
  created: Record<string, unknown>;
  others: Record<string, unknown>[];
  ledger: Record<string, unknown>[];
  trades: Record<string, unknown>[];
  /** Positions changed: the legs kept (by `symbol:positionSide`), the rest of the account's are deleted. */
  keep?: { id: number; keep: string[] };
  legs: Record<string, unknown>[];
  closed: { id: number; order_id: string }[];
  resting: { id: number; state: unknown }[];
}

const PART = { updated: 1, ledger: 2, fills: 4, positions: 8, closed: 16, resting: 32 } as const;

/**
 * The write statement's optional parts, in the statement's order: the part each belongs to (a
 * write's `parts` bit; positions have two), the rows it sends as one JSON parameter, and its CTE
 * given that parameter. Both the text and the parameters are built from this one list.
 */
const WRITE_PARTS: { bit: number; rows: (w: OrderWrite) => unknown[]; cte: (param: string) => string }[] = [
  {
    bit: PART.updated,
    rows: (w) => w.others,
    cte: (param) => `updated AS (
       UPDATE contract_orders c SET order_id = u.order_id, status = u.status, filled_qty = u.filled_qty, avg_price = u.avg_price,
           updated_at = u.updated_at, reject_reason = COALESCE(u.reject_reason, c.reject_reason),
           commission = CASE WHEN u.commission IS NULL THEN c.commission ELSE COALESCE(c.commission, 0) + u.commission END,
           commission_asset = COALESCE(u.commission_asset, c.commission_asset)
         FROM json_populate_recordset(NULL::contract_orders, ${param}::json) u JOIN acct ON acct.id = u.exchange_account_id
        WHERE c.exchange_account_id = u.exchange_account_id AND c.client_order_id = u.client_order_id
       RETURNING c.*)`,
  },
  {
    bit: PART.ledger,
    rows: (w) => w.ledger,
    cte: (param) => `ledger AS (
       INSERT INTO paper_ledger (exchange_account_id, entry_id, time, asset, type, amount, balance_after, symbol, ref)
       SELECT l.exchange_account_id, l.entry_id, l.time, l.asset, l.type, l.amount, l.balance_after, l.symbol, l.ref
         FROM json_populate_recordset(NULL::paper_ledger, ${param}::json) WITH ORDINALITY AS l
         JOIN acct ON acct.id = l.exchange_account_id ORDER BY l.ordinality)`,
  },
  {
    bit: PART.fills,
    rows: (w) => w.trades,
    cte: (param) => `fills AS (
       INSERT INTO trades (user_id, exchange_account_id, exchange, symbol, trade_id, order_id, side, position_side, price, qty, quote_qty,
         realized_pnl, commission, commission_asset, maker, time)
       SELECT t.user_id, t.exchange_account_id, t.exchange, t.symbol, t.trade_id, t.order_id, t.side, t.position_side, t.price, t.qty, t.quote_qty,
         t.realized_pnl, t.commission, t.commission_asset, t.maker, t.time
         FROM json_populate_recordset(NULL::trades, ${param}::json) WITH ORDINALITY AS t
         JOIN acct ON acct.id = t.exchange_account_id ORDER BY t.ordinality)`,
  },
  {
    bit: PART.positions,
    rows: (w) => (w.keep ? [w.keep] : []),
    cte: (param) => `gone AS (
       DELETE FROM positions p USING json_to_recordset(${param}::json) AS g(id int, keep text[])
         JOIN acct ON acct.id = g.id
        WHERE p.exchange_account_id = g.id AND NOT ((p.symbol || ':' || p.position_side) = ANY(g.keep)))`,
  },
  {
    bit: PART.positions,
    rows: (w) => w.legs,
    cte: (param) => `legs AS (
       INSERT INTO positions (user_id, exchange_account_id, exchange, symbol, side, position_side, size, entry_price, mark_price,
         liquidation_price, margin, unrealized_pnl, leverage, margin_mode)
       SELECT x.user_id, x.exchange_account_id, x.exchange, x.symbol, x.side, x.position_side, x.size, x.entry_price, x.mark_price, x.liquidation_price,
         x.margin, x.unrealized_pnl, x.leverage, x.margin_mode
         FROM json_populate_recordset(NULL::positions, ${param}::json) x JOIN acct ON acct.id = x.exchange_account_id
       ${UPSERT_POSITION})`,
  },
  {
    bit: PART.closed,
    rows: (w) => w.closed,
    cte: (param) => `closed AS (
       DELETE FROM paper_open_orders o USING json_to_recordset(${param}::json) AS c(id int, order_id bigint)
         JOIN acct ON acct.id = c.id
        WHERE o.exchange_account_id = c.id AND o.order_id = c.order_id)`,
  },
  {
    bit: PART.resting,
    rows: (w) => w.resting,
    cte: (param) => `resting AS (
       INSERT INTO paper_open_orders (exchange_account_id, order_id, state)
       SELECT r.id, (r.state->>'orderId')::bigint, r.state
         FROM json_to_recordset(${param}::json) AS r(id int, state jsonb) JOIN acct ON acct.id = r.id
       ${UPSERT_OPEN_ORDER})`,
  },
];

/**
 * An order's outcome projected to rows (nothing written): the account's new state, the new order's
 * row, the other orders' updates, ledger entries, fills with commissions, positions and open orders.
 */
export function prepareOrderWrite(input: OrderWriteInput): OrderWrite {
  const { account, events, newOrder } = input;
  const id = account.exchangeAccountId;
  const active = (input.state.positions as unknown[]).length > 0 || (input.state.openOrders as unknown[]).length > 0;
  const openOrders = openOrderChanges(account.state, input.state);
  if (!optimisticWritable(events)) throw new Error('the optimistic write covers only balance, order, fill and position events');
  const { ledger, trades, fees, orderUpdates: updates, positionsChanged } = projectEvents(events);
  const outcomeOf = (list: OrderUpdate[]): OrderOutcome => {
    const o = list[list.length - 1].order;
    const fee = fees.get(o.orderId);
    fees.delete(o.orderId);
    return { order_id: o.orderId, status: o.status, filled_qty: toApi(o.executedQty), avg_price: o.executedQty.gt(0) ? toApi(o.avgPrice) : null,
      updated_at: iso(o.updateTs), reject_reason: reasonOf(list), commission: fee ? toApi(fee.fee) : null, commission_asset: fee?.asset ?? null };
  };
  const own = updates.get(newOrder.client_order_id);
  updates.delete(newOrder.client_order_id);
  const created = createdRow(newOrder, own ? outcomeOf(own) : undefined);
  const others = [...updates.entries()].map(([clientOrderId, list]) => updatedRow(id, clientOrderId, outcomeOf(list)));
  if (fees.size > 0) throw new Error('a fill of an order without an update');
  const open = positionsChanged ? input.positions().filter((p) => !p.qty.eq(0)) : [];
  const owner = { user_id: account.userId, exchange_account_id: id, exchange: input.exchange };
  const write: OrderWrite = {
    accountId: id,
    along: input.checked.along,
    parts: 0,
    account: {
      id, version: account.version, seq: input.seq, clock: input.clock, active, state: storedState(input.state), user_id: account.userId,
      requested: input.checked.requestedAccountId, stamp: input.checked.stamp,
    },
    created,
    others,
    ledger: ledger.map((l) => ({
      exchange_account_id: id, entry_id: l.entry_id, time: iso(l.time), asset: l.asset, type: l.type, amount: l.amount, balance_after: l.balance_after,
      symbol: l.symbol, ref: l.ref,
    })),
    trades: trades.map((t) => ({
      user_id: owner.user_id, exchange_account_id: id, exchange: owner.exchange, symbol: t.symbol, trade_id: t.trade_id, order_id: t.order_id,
      side: t.side, position_side: t.position_side, price: t.price, qty: t.qty, quote_qty: t.quote_qty, realized_pnl: t.realized_pnl,
      commission: t.commission, commission_asset: t.commission_asset, maker: t.maker, time: iso(t.time),
    })),
    keep: positionsChanged ? { id, keep: open.map((p) => `${p.symbol}:${p.positionSide}`) } : undefined,
    legs: open.map((p) => ({ ...positionRecord(p), ...owner })),
    closed: openOrders.removed.map((orderId) => ({ id, order_id: orderId })),
    resting: openOrders.upserts.map((state) => ({ id, state })),
  };
  write.parts =
    (others.length > 0 ? PART.updated : 0) | (ledger.length > 0 ? PART.ledger : 0) | (trades.length > 0 ? PART.fills : 0) |
    (positionsChanged ? PART.positions : 0) | (write.closed.length > 0 ? PART.closed : 0) | (write.resting.length > 0 ? PART.resting : 0);
  return write;
}

/**
 * Writes orders' outcomes, of different accounts, in one statement — each only if its account is
 * still at the version read, still the one requested, still the caller's, and what was read along
 * still has the stamp read (`along`, the same for all). Answers per write the order rows written
 * (the new one first), or undefined when its account had moved on (nothing of it written). A
 * failure (a second order with the same clientOrderId meets the unique key) writes nothing at all.
 *
 * The statement has only the parts the writes need (a resting order writes no fill, ledger or
 * position): PostgreSQL sets up every part of a statement on each execution, empty or not. Each
 * combination of parts is a statement of its own name.
 */
export async function writeOrdersIfUnchanged(q: Queryable, along: ReadAlong, writes: readonly OrderWrite[]): Promise<(Record<string, unknown>[] | undefined)[]> {
  const ids = new Set(writes.map((w) => w.accountId));
  if (ids.size !== writes.length) throw new Error('one write per account in a statement');
  if (writes.some((w) => w.along !== along)) throw new Error('the writes of a statement read along the same');
  const parts = writes.reduce((bits, w) => bits | w.parts, 0);
  // by account id: with `locked` below, every statement (of any instance) locks accounts in one order
  const sorted = [...writes].sort((a, b) => a.accountId - b.accountId);
  const values: unknown[] = [JSON.stringify(sorted.map((w) => w.account)), JSON.stringify(sorted.map((w) => w.created))];
  for (const part of WRITE_PARTS) if (parts & part.bit) values.push(JSON.stringify(sorted.flatMap(part.rows)));
  const name = `paper_write_orders:${along.name}:${parts}`;
  let text = writeTexts.get(name);
  if (text === undefined) {
    text = writeStatementText(along, parts);
    writeTexts.set(name, text);
  }
  const { rows } = await q.query({ name, text, values });
  // each write's rows: its new order first, then the others it updated; none when its account moved on
  const byAccount = new Map<number, Record<string, unknown>[]>();
  for (const row of rows as Record<string, unknown>[]) {
    const id = Number(row.exchange_account_id);
    const list = byAccount.get(id);
    if (list) list.push(row);
    else byAccount.set(id, [row]);
  }
  return writes.map((w) => byAccount.get(w.accountId));
}

/**
 * The text of the write statement with the given parts (its name is `paper_write_orders:` with
 * the read-along's name and the parts: one text per name, built once). Its parameters: $1 the
 * accounts, $2 the new orders, then one per part present (`WRITE_PARTS`).
 */
function writeStatementText(along: ReadAlong, parts: number): string {
  let n = 2;
  const sql = WRITE_PARTS.filter((part) => parts & part.bit).map((part) => part.cte(`$${++n}`));
  return `WITH x AS (
       SELECT * FROM json_to_recordset($1::json)
         AS x(id int, version bigint, seq bigint, clock bigint, active boolean, state jsonb, user_id int, requested int, stamp text)),
     locked AS (
       SELECT p.exchange_account_id AS id FROM paper_accounts p WHERE p.exchange_account_id IN (SELECT id FROM x)
        ORDER BY p.exchange_account_id FOR UPDATE),
     acct AS (
       UPDATE paper_accounts p SET seq = x.seq, clock = x.clock, active = x.active, state = x.state, version = p.version + 1, updated_at = now()
         FROM x
        WHERE p.exchange_account_id = x.id AND p.version = x.version AND p.exchange_account_id IN (SELECT id FROM locked)
          AND EXISTS (SELECT 1 FROM exchange_accounts a WHERE a.id = x.id AND a.user_id = x.user_id AND (x.requested = x.id OR x.requested IS NULL AND a.is_default))
          AND ${along.unchanged('x.user_id', 'x.stamp')}
       RETURNING p.exchange_account_id AS id),
     created AS (
       INSERT INTO contract_orders (user_id, exchange_account_id, exchange, symbol, order_id, client_order_id, side, position_side, type,
         quantity, price, stop_price, time_in_force, reduce_only, close_position, status, filled_qty, avg_price, commission, commission_asset,
         callback_rate, working_type, reject_reason, created_at, updated_at)
       SELECT o.user_id, o.exchange_account_id, o.exchange, o.symbol, o.order_id, o.client_order_id, o.side, o.position_side, o.type,
         o.quantity, o.price, o.stop_price, o.time_in_force, o.reduce_only, o.close_position, o.status, o.filled_qty, o.avg_price, o.commission,
         o.commission_asset, o.callback_rate, o.working_type, o.reject_reason, now() AT TIME ZONE 'UTC', COALESCE(o.updated_at, now() AT TIME ZONE 'UTC')
         FROM json_populate_recordset(NULL::contract_orders, $2::json) o JOIN acct ON acct.id = o.exchange_account_id
       RETURNING *)${sql.map((x) => `,\n     ${x}`).join('')}
     SELECT * FROM created${parts & PART.updated ? ' UNION ALL SELECT * FROM updated' : ''}`;
}

/** The write statements' texts by name (a few dozen at most: one per read-along and combination of parts). */
const writeTexts = new Map<string, string>();

/** A position leg as the `positions` table holds it. */
function positionRecord(p: Position): Record<string, unknown> {
  return {
    symbol: p.symbol,
    side: p.qty.gt(0) ? 'LONG' : 'SHORT',
    position_side: p.positionSide,
    size: toApi(p.qty.abs().round(8, 0)),
    entry_price: toApi(p.entryPrice.round(8, 1)),
    mark_price: toApi(p.markPrice.round(8, 1)),
    liquidation_price: p.liquidationPrice.gt(0) ? toApi(p.liquidationPrice.round(8, 1)) : null,
    margin: toApi((p.marginMode === 'ISOLATED' ? p.isolatedMargin : p.initialMargin).round(8, 0)),
    unrealized_pnl: toApi(p.unrealizedPnl.round(8, 0)),
    leverage: p.leverage,
    margin_mode: p.marginMode === 'ISOLATED' ? 'isolated' : 'cross',
  };
}
