/**
 * The paper exchange inside the service: the pure engine (domain/) run per account on the state
 * persisted in PostgreSQL. Every operation locks the account's row, restores an engine holding that
 * account and the current markets, applies the command, and writes the new state and the event
 * projections in the caller's transaction — so orders of one account are serialized across
 * instances, nothing acknowledged is lost on a restart, and what a client sees was committed.
 *
 * Market ticks (from the feed, on the leader) are applied to every active account the same way.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { dec } from '../../common/decimal';
import { BoundedMap } from '../../common/concurrency/bounded-map';
import { poolSizeOf } from '../../common/db/data-source';
import { driverPool } from '../../common/db/driver-pool';
import { ExchangeUnavailableError, NotFoundError } from '../../common/errors';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { ContractSpec } from '../../contracts/domain';
import { lastFundingTime, type MarketTick } from '../market-feed/market-tick';
import { fundingIntervalMs } from './domain/contract-math';
import type { AccountState, EngineEvent, EngineState } from './domain/engine-types';
import { tickBounds, untouchedBy, type TickBounds } from './domain/tick-bounds';
import { PaperEngine, type Result } from './domain/engine';
import { decodeBase, type DecodedBase, type EngineSnapshot } from './domain/snapshot';
import type { AccountView, TradingView } from './domain/queries';
import {
  activeAccountIds,
  activeAccounts,
  ID_RANGE,
  insertAccount,
  loadAccount,
  optimisticWritable,
  readForOrder,
  saveAccount,
  stripLedger,
  stripLedgerOf,
  prepareOrderWrite,
  type LoadedAccount,
  type NewOrderRow,
  type OrderRead,
  type Queryable,
  type ReadAlong,
  type VersionedAccount,
} from './persistence/paper-store';
import { OrderWriteBatcher } from './persistence/order-write-batcher';

/** Accounts whose state the optimistic order path keeps between orders (least recently used dropped). */
const KNOWN_ACCOUNTS = 10_000;

export const PAPER = 'paper';

/** What an operation produced, for the caller to answer and to publish after the commit. */
export interface PaperOutcome<T> {
  value: T;
  events: EngineEvent[];
  userId: number;
  exchangeAccountId: number;
  view: AccountView;
}

/** One engine command on an account (the engine holds that account and the current markets). */
export type EngineCommand<T> = (engine: PaperEngine, ctx: { accountId: string; ts: number; view: () => AccountView }) => Result<T>;

/** An account locked for the caller's transaction: its view, and one command to run on it. */
export interface LockedAccount {
  view: AccountView;
  execute<T>(command: EngineCommand<T>): Promise<PaperOutcome<T>>;
}

/**
 * What a listener gets per account. `orderRows`: the rows of the events' orders as the operation's
 * transaction left them, by order id, when the caller has read them already (a listener reuses them
 * instead of reading them again).
 */
export type EventListener = (
  outcomes: { userId: number; exchangeAccountId: number; events: EngineEvent[]; view: AccountView; orderRows?: ReadonlyMap<string, object> }[],
) => void;

/**
 * An account whose view is computed when first read. V8 (Node 20) keeps alive, in every young
 * collection until the next full one, all that the accessor functions of an object literal with a
 * `get` reach: made per call, such literals had each order's engine state promoted to the old
 * generation (about 1 MB per scavenge at 500 orders/s). A prototype getter has no such cost.
 */
class LazyView {
  private computed: AccountView | undefined;
  private compute: (() => AccountView) | undefined;

  constructor(
    readonly exchangeAccountId: number,
    readonly userId: number,
    compute: () => AccountView,
  ) {
    this.compute = compute;
  }

  get view(): AccountView {
    if (this.computed === undefined) {
      this.computed = (this.compute as () => AccountView)();
      this.compute = undefined;
    }
    return this.computed;
  }
}

/**
 * An outcome whose account view is computed when first read (the engine is not used afterwards):
 * an order that only rests changes no balance or position, and nobody reads the view.
 */
class LazyOutcome<T> extends LazyView implements PaperOutcome<T> {
  readonly value: T;
  readonly events: EngineEvent[];

  constructor(result: Result<T>, userId: number, exchangeAccountId: number, view: () => AccountView) {
    super(exchangeAccountId, userId, view);
    this.value = result.value;
    this.events = result.events;
  }
}

/**
 * The `handOver` of a kept engine state: made here, not in `placeIfUnchanged`, so that the function
 * the kept state holds closes over the flag alone — a closure made there would hold that call's
 * whole scope (its engine, with its copy of the markets, and its snapshot) until the next order.
 */
function handOverTo(handOff: { done: boolean }): () => void {
  return () => {
    handOff.done = true;
  };
}

/** What `publish` hands the listeners: the outcome's view still read only when needed (see `LazyView`). */
class PublishedOutcome {
  readonly userId: number;
  readonly exchangeAccountId: number;
  readonly events: EngineEvent[];

  constructor(
    private readonly outcome: PaperOutcome<unknown>,
    readonly orderRows: ReadonlyMap<string, object> | undefined,
  ) {
    this.userId = outcome.userId;
    this.exchangeAccountId = outcome.exchangeAccountId;
    this.events = outcome.events;
  }

  get view(): AccountView {
    return this.outcome.view;
  }
}

@Injectable()
export class PaperExchangeService {
  private readonly logger = new Logger(PaperExchangeService.name);
  /** An engine with no accounts that only follows the market: the source of market snapshots. */
  private market: PaperEngine | undefined;
  private marketSnapshot: EngineSnapshot | undefined;
  private contracts: ContractSpec[] = [];
  private readonly listeners: EventListener[] = [];
  private tickChain: Promise<void> = Promise.resolve();
  /** The optimistic order path: each account's state as of its version, as last read or written here. */
  private readonly known = new BoundedMap<number, VersionedAccount>(KNOWN_ACCOUNTS);
  /** Market snapshots decoded once, for every engine restored on them. */
  private readonly decoded = new WeakMap<EngineSnapshot, DecodedBase>();
  /** The optimistic order path: the account a (user, requested account) pair resolved to last. */
  private readonly accountOf = new BoundedMap<string, number>(KNOWN_ACCOUNTS);
  /**
   * The optimistic order path: each account's engine state as the last order written here left it,
   * at the version that order wrote — taken over (not decoded again) by the account's next order.
   * `handOver` tells the order that left it that its engine no longer holds it.
   */
  private readonly live = new BoundedMap<number, { version: number; account: AccountState; handOver(): void }>(KNOWN_ACCOUNTS);

  /**
   * When each account's kept state was last dropped for a write on the locked path (a count of such
   * drops): a pass's read begun before it may answer the state before that write, not to be kept.
   */
  private readonly droppedAt = new BoundedMap<number, number>(KNOWN_ACCOUNTS);
  private drops = 0;

  /** Order writes of different accounts waiting for a statement go together (group commit). */
  readonly writes: OrderWriteBatcher;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // never more than half the pool (the rest for reads, cancels and the tick pass)
    const statements = Math.max(1, Math.min(config.database.orderWriteStatements, Math.floor(poolSizeOf(config.database) / 2)));
    this.writes = new OrderWriteBatcher(() => this.pool, statements);
  }

  /** Sets the tradable contracts (called once the contract specs are loaded). */
  useContracts(contracts: ContractSpec[]): void {
    this.contracts = contracts;
    this.market = PaperEngine.create({ contracts });
    this.marketSnapshot = this.market.snapshot();
  }

  onEvents(listener: EventListener): void {
    this.listeners.push(listener);
  }

  private emit(outcomes: Parameters<EventListener>[0]): void {
    for (const l of this.listeners) {
      try {
        l(outcomes);
      } catch (e) {
        this.logger.error(e as Error);
      }
    }
  }

  /** The latest tick of a symbol, or undefined before the first one. */
  lastTick(symbol: string): MarketTick | undefined {
    return this.market?.market(symbol);
  }

  private requireMarket(): { engine: PaperEngine; snapshot: EngineSnapshot } {
    if (!this.market || !this.marketSnapshot) throw new ExchangeUnavailableError('NO_MARKET_DATA', 'The paper exchange has no contracts loaded yet');
    return { engine: this.market, snapshot: this.marketSnapshot };
  }

  /** Creates and funds the paper account of a new exchange account (PAPER_INITIAL_BALANCE USDT). */
  async initialize(m: EntityManager, exchangeAccountId: number): Promise<void> {
    const base = this.requireMarket().snapshot;
    const seq = exchangeAccountId * ID_RANGE;
    const engine = PaperEngine.restore({ ...base, accounts: [], seq, ts: 0 });
    const ts = Date.now();
    engine.openAccount({ accountId: String(exchangeAccountId), ts });
    const amount = dec(this.config.paper.initialBalance);
    const res = amount.gt(0) ? engine.transfer({ accountId: String(exchangeAccountId), ts, asset: 'USDT', amount }) : { events: [] as EngineEvent[] };
    const snap = engine.snapshotAccount(String(exchangeAccountId));
    await insertAccount(m, exchangeAccountId, seq, ts, snap.account);
    const loaded: LoadedAccount = { exchangeAccountId, userId: 0, seq, clock: ts, state: snap.account };
    const [{ user_id }] = (await m.query('SELECT user_id FROM exchange_accounts WHERE id = $1', [exchangeAccountId])) as { user_id: number }[];
    loaded.userId = user_id;
    await saveAccount(m, { loaded, seq: snap.seq, clock: ts, state: snap.account, events: res.events, positions: () => [], exchange: PAPER });
  }

  /** The market snapshot decoded (once per snapshot). */
  private decodedBase(markets: EngineSnapshot): DecodedBase {
    let base = this.decoded.get(markets);
    if (!base) {
      base = decodeBase(markets);
      this.decoded.set(markets, base);
    }
    return base;
  }

  /** Restores an engine holding one account and the given market state. */
  private engineFor(loaded: LoadedAccount, markets: EngineSnapshot): PaperEngine {
    return PaperEngine.restoreOn(this.decodedBase(markets), [loaded.state], loaded.seq, Math.max(loaded.clock, markets.ts));
  }

  private async load(m: EntityManager, exchangeAccountId: number, lock: boolean): Promise<LoadedAccount> {
    let loaded = await loadAccount(m, exchangeAccountId, lock);
    if (!loaded) {
      // A paper exchange account created before the engine was attached gets its engine state now.
      const [row] = (await m.query(`SELECT exchange FROM exchange_accounts WHERE id = $1`, [exchangeAccountId])) as { exchange: string }[];
      if (row?.exchange !== PAPER) throw new NotFoundError('ACCOUNT_NOT_FOUND', `Paper account ${exchangeAccountId} was not found`);
      if (m.queryRunner?.isTransactionActive) await this.initialize(m, exchangeAccountId);
      else await this.dataSource.transaction((tx) => this.initialize(tx, exchangeAccountId));
      loaded = await loadAccount(m, exchangeAccountId, lock);
    }
    return loaded as LoadedAccount;
  }

  /**
   * Runs one engine command on an account inside the caller's transaction (the account row is
   * locked until it commits). A refused command throws before anything is written.
   */
  async execute<T>(m: EntityManager, exchangeAccountId: number, command: EngineCommand<T>): Promise<PaperOutcome<T>> {
    const { snapshot } = this.requireMarket();
    const loaded = await this.load(m, exchangeAccountId, true);
    return this.run(m, loaded, this.engineFor(loaded, snapshot), snapshot, command);
  }

  /** Applies the command to the engine restored from `loaded` at `snapshot`, then persists. */
  private run<T>(m: EntityManager, loaded: LoadedAccount, engine: PaperEngine, snapshot: EngineSnapshot, command: EngineCommand<T>): Promise<PaperOutcome<T>> {
    const accountId = String(loaded.exchangeAccountId);
    const ts = Math.max(Date.now(), loaded.clock, snapshot.ts);
    const result = command(engine, { accountId, ts, view: () => engine.getAccount(accountId) });
    return this.persist(m, loaded, engine, result, ts);
  }

  private async persist<T>(m: EntityManager, loaded: LoadedAccount, engine: PaperEngine, result: Result<T>, ts: number): Promise<PaperOutcome<T>> {
    const accountId = String(loaded.exchangeAccountId);
    // The state kept for the optimistic path is older than this write: the account's next order
    // reads first, rather than trying the kept version, meeting a conflict and reading first for a
    // while. (Not replaced by this state: the transaction may still roll back.)
    this.known.delete(loaded.exchangeAccountId);
    this.droppedAt.set(loaded.exchangeAccountId, ++this.drops);
    const snap = engine.snapshotAccount(accountId);
    const outcome = new LazyOutcome(result, loaded.userId, loaded.exchangeAccountId, () => engine.getAccount(accountId));
    await saveAccount(m, { loaded, seq: snap.seq, clock: Math.max(ts, snap.ts), state: snap.account, events: result.events, positions: () => outcome.view.positions, exchange: PAPER });
    return outcome;
  }

  /** Publishes what a committed operation produced (with the rows of its orders when the caller has them). */
  publish(outcome: PaperOutcome<unknown>, orderRows?: ReadonlyMap<string, object>): void {
    if (outcome.events.length === 0) return;
    this.emit([new PublishedOutcome(outcome, orderRows)]);
  }

  /**
   * Locks the account's row for the caller's transaction and returns it at the current marks, with
   * `execute` to run one command on the account as locked: the same as `execute(m, id, command)`
   * without reading and restoring the account a second time — the row is locked by this transaction,
   * so it cannot have changed, and the engine of the view is reused while the market snapshot is
   * the same (reading the view does not change the engine). Callers must not write the account's
   * paper_accounts row in between (nothing but `execute` does). A second `execute` reads afresh.
   */
  async lockForUpdate(m: EntityManager, exchangeAccountId: number): Promise<LockedAccount> {
    const { snapshot } = this.requireMarket();
    let loaded: LoadedAccount | undefined = await this.load(m, exchangeAccountId, true);
    let engine: PaperEngine | undefined = this.engineFor(loaded, snapshot);
    const engineSnapshot = snapshot;
    const view = engine.getAccount(String(exchangeAccountId));
    return {
      view,
      execute: async <T>(command: EngineCommand<T>): Promise<PaperOutcome<T>> => {
        if (!loaded) return this.execute(m, exchangeAccountId, command);
        const current = this.requireMarket().snapshot;
        const l = loaded;
        const e = current === engineSnapshot && engine ? engine : this.engineFor(l, current);
        loaded = undefined;
        engine = undefined;
        return this.run(m, l, e, current, command);
      },
    };
  }

  // ------------------------------------------------------------ the optimistic order path

  /** The driver's pool: the optimistic path's two statements go to it directly. */
  private get pool(): Queryable {
    return driverPool(this.dataSource);
  }

  private remember(account: VersionedAccount): void {
    this.known.set(account.exchangeAccountId, account);
  }

  /**
   * Keeps an account read outside its orders' turn (by a pass over many accounts) unless a newer
   * version is kept already, or its kept state was dropped for a locked write after the read began
   * (`readFrom`, the drop count then): such a read may have been answered before orders or writes
   * made meanwhile here, and keeping it would make the account's next order try an old version (a
   * conflict, then reads first for a while). Versions only grow.
   */
  private rememberUnlessNewer(account: VersionedAccount, readFrom: number): void {
    if ((this.droppedAt.get(account.exchangeAccountId) ?? 0) > readFrom) return;
    const kept = this.known.get(account.exchangeAccountId);
    if (kept === undefined || kept.version < account.version) this.remember(account);
  }

  /**
   * The caller's paper account for placing an order (the given one, else the default), read without a
   * lock with what `along` reads — the state is not sent again when the one kept here is current.
   * Undefined when the locked path must resolve it (no such account, or no engine state yet).
   */
  async readForOrder(userId: number, accountId: number | undefined, along: ReadAlong): Promise<OrderRead | undefined> {
    const key = `${userId}:${accountId ?? ''}`;
    const hint = this.accountOf.get(key);
    const cached = hint === undefined ? undefined : this.known.get(hint);
    const read = await readForOrder(this.pool, userId, accountId, cached, along);
    if (!read) return undefined;
    this.accountOf.set(key, read.account.exchangeAccountId);
    if (!read.stateOmitted) this.remember(read.account);
    return read;
  }

  /**
   * The account (user, requested account) resolved to last, as last read or written here, when kept:
   * an order can be tried on it without reading first — its write checks the version and the
   * account, and a conflict reads afresh.
   */
  keptAccount(userId: number, accountId: number | undefined): VersionedAccount | undefined {
    const id = this.accountOf.get(`${userId}:${accountId ?? ''}`);
    const account = id === undefined ? undefined : this.known.get(id);
    return account?.userId === userId ? account : undefined;
  }

  /**
   * The account as read, at the current marks (the engine that `placeIfUnchanged` then runs on): on
   * the state the last order here left, when that is the version read, else decoded from the read.
   */
  viewOf(account: VersionedAccount): { view: TradingView; engine: PaperEngine; snapshot: EngineSnapshot } {
    const { snapshot } = this.requireMarket();
    const live = this.takeLive(account);
    const engine = live
      ? PaperEngine.restoreOnAccounts(this.decodedBase(snapshot), [live], account.seq, Math.max(account.clock, snapshot.ts))
      : this.engineFor(account, snapshot);
    return { view: engine.getTradingView(String(account.exchangeAccountId)), engine, snapshot };
  }

  /** The engine state the last order left for this account, if it is the version given; taken (one taker). */
  private takeLive(account: VersionedAccount): AccountState | undefined {
    const kept = this.live.get(account.exchangeAccountId);
    if (!kept) return undefined;
    this.live.delete(account.exchangeAccountId);
    if (kept.version !== account.version) return undefined;
    kept.handOver();
    // as the state kept in the row: no ledger, no finished orders
    stripLedgerOf(kept.account);
    return kept.account;
  }

  /**
   * Runs an order command on the account as read (`viewOf`) and writes the outcome in one statement
   * if the account is still at the version read, still the one requested, and what was read along
   * still has the stamp read (`checked`). 'conflict': another writer came first, nothing was
   * written (read again); 'locked': the outcome has events the one statement does not cover
   * (liquidation, funding, delivery), nothing was written (take the locked path). A refusal throws.
   */
  async placeIfUnchanged<T>(
    account: VersionedAccount,
    checked: { requestedAccountId: number | null; along: ReadAlong; stamp: unknown },
    at: { engine: PaperEngine; snapshot: EngineSnapshot },
    newOrder: NewOrderRow,
    command: EngineCommand<T>,
  ): Promise<{ outcome: PaperOutcome<T>; rows: Record<string, unknown>[] } | 'conflict' | 'locked'> {
    const { engine, snapshot } = at;
    const accountId = String(account.exchangeAccountId);
    const ts = Math.max(Date.now(), account.clock, snapshot.ts);
    const result = command(engine, { accountId, ts, view: () => engine.getAccount(accountId) });
    if (!optimisticWritable(result.events)) return 'locked';
    const snap = engine.snapshotAccount(accountId);
    const clock = Math.max(ts, snap.ts);
    // Once the next order has taken the engine's state over, a view read late comes from the
    // snapshot (the same state, decoded anew).
    const handOff = { done: false };
    const outcome = new LazyOutcome(result, account.userId, account.exchangeAccountId, () =>
      handOff.done ? this.engineFor({ ...account, seq: snap.seq, clock, state: snap.account }, snapshot).getAccount(accountId) : engine.getAccount(accountId),
    );
    let rows: Record<string, unknown>[] | undefined;
    try {
      rows = await this.writes.write(prepareOrderWrite({
        account, seq: snap.seq, clock, state: snap.account, events: result.events, positions: () => engine.getPositions(accountId), exchange: PAPER, newOrder,
        checked,
      }));
    } finally {
      // what is kept here is only trusted again once read or written
      if (!rows) this.known.delete(account.exchangeAccountId);
    }
    if (!rows) return 'conflict';
    this.remember({ ...account, version: account.version + 1, seq: snap.seq, clock, state: stripLedger(snap.account) });
    this.live.set(account.exchangeAccountId, { version: account.version + 1, account: engine.accountState(accountId), handOver: handOverTo(handOff) });
    return { outcome, rows };
  }

  /**
   * Every active account's state from one unlocked read; the accounts whose state is kept here at
   * their current version are not sent again.
   */
  private async activeLoaded(userIds?: readonly number[]): Promise<VersionedAccount[]> {
    // what is kept now (the query answers against these versions, whatever happens to the cache meanwhile)
    const held = new Map([...this.known.values()].map((k) => [k.exchangeAccountId, k]));
    const readFrom = this.drops;
    const ids: number[] = [];
    const versions: number[] = [];
    for (const k of held.values()) {
      ids.push(k.exchangeAccountId);
      versions.push(k.version);
    }
    const out: VersionedAccount[] = [];
    for (const row of await activeAccounts(this.dataSource.manager, { ids, versions }, userIds)) {
      if (row.state === null) {
        out.push(held.get(row.exchangeAccountId) as VersionedAccount);
      } else {
        const account: VersionedAccount = { ...row, state: row.state };
        this.rememberUnlessNewer(account, readFrom);
        out.push(account);
      }
    }
    return out;
  }

  /**
   * Every active account (positions or open orders) at the current marks — only the given users'
   * when `userIds` is given, only those holding positions with `withPositions` — from one unlocked
   * read; each view is computed when first read.
   */
  async activeViews(userIds?: readonly number[], options: { withPositions?: boolean } = {}): Promise<{ exchangeAccountId: number; userId: number; view: AccountView }[]> {
    const { snapshot } = this.requireMarket();
    if (userIds?.length === 0) return [];
    const loaded = await this.activeLoaded(userIds);
    // with `withPositions`, accounts holding only open orders are left out before anything is decoded
    const wanted = options.withPositions ? loaded.filter((l) => ((l.state.positions as unknown[] | undefined)?.length ?? 0) > 0) : loaded;
    return wanted.map(
      (loaded) => new LazyView(loaded.exchangeAccountId, loaded.userId, () => this.engineFor(loaded, snapshot).getAccount(String(loaded.exchangeAccountId))),
    );
  }

  /** The account at the current marks, without locking (reads). */
  async view(exchangeAccountId: number, m: EntityManager = this.dataSource.manager): Promise<AccountView> {
    const { snapshot } = this.requireMarket();
    const loaded = await this.load(m, exchangeAccountId, false);
    return this.engineFor(loaded, snapshot).getAccount(String(exchangeAccountId));
  }

  /** The market snapshot before each batch, so the leader's account pass sees every crossing (funding). */
  private readonly baseOf = new WeakMap<MarketTick[], EngineSnapshot>();

  /** Every instance: the market engine follows the ticks (marks, books, funding rates). */
  followTicks(ticks: MarketTick[]): void {
    const { engine } = this.requireMarket();
    const before = this.marketSnapshot as EngineSnapshot;
    const fresh = ticks.filter((t) => this.contracts.some((c) => c.symbol === t.symbol) && t.ts >= before.ts);
    if (fresh.length === 0) return;
    for (const t of fresh) engine.applyTick(t);
    this.marketSnapshot = engine.snapshot();
    this.baseOf.set(ticks, before);
    if (this.marketWaiters.length > 0 && this.hasMarketData()) for (const resolve of this.marketWaiters.splice(0)) resolve(true);
  }

  private readonly marketWaiters: ((ready: boolean) => void)[] = [];

  /** True once the first batch of the feed's ticks has been applied here (orders can be priced and checked). */
  hasMarketData(): boolean {
    const market = this.market;
    return market !== undefined && this.contracts.some((c) => market.market(c.symbol) !== undefined);
  }

  /**
   * Resolves true once the market has reached this instance, false after `timeoutMs` without it: an
   * instance waits for it before it takes connections, so that it never answers an order
   * NO_MARKET_DATA while the cluster has a market.
   */
  whenMarketData(timeoutMs: number): Promise<boolean> {
    if (this.hasMarketData()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.marketWaiters.indexOf(done);
        if (i >= 0) this.marketWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      const done = (ready: boolean) => {
        clearTimeout(timer);
        resolve(ready);
      };
      this.marketWaiters.push(done);
    });
  }

  /**
   * The feed's leader: every active account is marked, triggered, matched, funded and liquidated
   * against the batch, each account in its own transaction, batches one at a time.
   */
  processTicks(ticks: MarketTick[]): Promise<void> {
    const base = this.baseOf.get(ticks);
    if (!base) return Promise.resolve();
    const run = this.tickChain.then(() => this.applyToAccounts(ticks, base));
    this.tickChain = run.catch((e: unknown) => this.logger.error(e as Error));
    return run;
  }

  private async applyToAccounts(ticks: MarketTick[], before: EngineSnapshot): Promise<void> {
    const fresh = ticks.filter((t) => this.contracts.some((c) => c.symbol === t.symbol) && t.ts >= before.ts);
    if (fresh.length === 0) return;
    // A batch that crosses a funding time or an expiry goes through every active account under its
    // lock (a position opened concurrently must not miss a crossing). Any other batch is first tried
    // on all active accounts at once, read without locks in one query: only the accounts it changes
    // are then processed under their lock, from their state as locked. What a tick does not change
    // needs no transaction; what a concurrent order changes meanwhile is seen by the next tick
    // (triggers and liquidations are checked against levels, not crossings).
    const ids = this.crossesSchedule(fresh, before) ? await activeAccountIds(this.dataSource.manager) : await this.changedBy(fresh, before);
    const outcomes: Parameters<EventListener>[0] = [];
    for (const id of ids) {
      try {
        const outcome = await this.dataSource.transaction(async (m) => {
          const loaded = await this.load(m, id, true);
          const { engine, events, last } = this.applyBatch(loaded, before, fresh);
          if (events.length === 0) return undefined;
          return this.persist(m, loaded, engine, { value: undefined, events }, last);
        });
        if (outcome) outcomes.push({ userId: outcome.userId, exchangeAccountId: outcome.exchangeAccountId, events: outcome.events, view: outcome.view });
      } catch (e) {
        this.logger.error({ msg: 'tick processing failed for an account', exchangeAccountId: id, error: (e as Error).message });
      }
    }
    if (outcomes.length > 0) this.emit(outcomes);
  }

  /**
   * The account restored at `before` with the batch applied, each tick stamped no earlier than the
   * account's clock; with `stopAtFirstEvent`, up to the first tick that changes it.
   */
  private applyBatch(
    loaded: LoadedAccount,
    before: EngineSnapshot,
    fresh: MarketTick[],
    options: { stopAtFirstEvent?: boolean; engine?: PaperEngine } = {},
  ) {
    const engine = options.engine ?? this.engineFor(loaded, before);
    const events: EngineEvent[] = [];
    let last = loaded.clock;
    for (const t of fresh) {
      last = Math.max(t.ts, last);
      events.push(...engine.applyTick({ ...t, ts: last }).events);
      if (options.stopAtFirstEvent && events.length > 0) break;
    }
    return { engine, events, last };
  }

  /** Tick bounds computed per engine state left by an order (at its version). */
  private readonly boundsKept = new WeakMap<AccountState, { version: number; bounds: TickBounds | undefined }>();
  /**
   * Tick bounds of accounts whose state was restored by the tick pass (no order here left it), at
   * the version restored: the next batches skip them without restoring them again.
   */
  private readonly boundsRead = new BoundedMap<number, { version: number; bounds: TickBounds | undefined }>(KNOWN_ACCOUNTS);

  /**
   * The tick bounds of an account as read (see tick-bounds.ts), without decoding anything: from the
   * state the last order here left, when it is that version or a later one (an order written since
   * the read; whatever the batch would have done to the version read, the pass under the account's
   * lock would do to the current one), else as computed when the tick pass last restored that very
   * version; undefined otherwise.
   */
  private boundsOf(loaded: VersionedAccount, markets: EngineSnapshot): TickBounds | undefined {
    const kept = this.live.get(loaded.exchangeAccountId);
    if (!kept || kept.version < loaded.version) {
      const read = this.boundsRead.get(loaded.exchangeAccountId);
      return read?.version === loaded.version ? read.bounds : undefined;
    }
    const known = this.boundsKept.get(kept.account);
    if (known?.version === kept.version) return known.bounds;
    // read only: the decoded markets are shared, not copied
    const state: EngineState = { ...this.decodedBase(markets), accounts: new Map([[kept.account.accountId, kept.account]]) };
    const bounds = tickBounds(state, kept.account);
    this.boundsKept.set(kept.account, { version: kept.version, bounds });
    return bounds;
  }

  /** Does the batch cross a funding time or a delivery, or is it the first batch the engine sees? */
  private crossesSchedule(fresh: MarketTick[], before: EngineSnapshot): boolean {
    if (before.ts <= 0 || before.markets.length === 0) return true;
    const last = Math.max(...fresh.map((t) => t.ts));
    for (const c of this.contracts) {
      if (c.contractType === 'delivery') {
        if (c.deliveryTs != null && before.ts < c.deliveryTs && c.deliveryTs <= last) return true;
      } else if (c.fundingIntervalHours > 0) {
        const interval = fundingIntervalMs(c);
        if (lastFundingTime(last, interval) !== lastFundingTime(before.ts, interval)) return true;
      }
    }
    return false;
  }

  /**
   * The active accounts the batch would change, found by running it on each one's unlocked state.
   * The event loop is given back between accounts: requests are served in between instead of
   * waiting for the whole pass.
   */
  private async changedBy(fresh: MarketTick[], before: EngineSnapshot): Promise<number[]> {
    const changed: number[] = [];
    for (const loaded of await this.activeLoaded()) {
      // an account whose bounds the batch stays within is not restored at all
      const bounds = this.boundsOf(loaded, before);
      if (bounds && untouchedBy(bounds, fresh)) continue;
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        const engine = this.engineFor(loaded, before);
        if (!bounds) {
          // restored: its bounds, kept for this version's next batches, may spare running this one
          const restored = engine.tickBounds(String(loaded.exchangeAccountId));
          this.boundsRead.set(loaded.exchangeAccountId, { version: loaded.version, bounds: restored });
          if (restored && untouchedBy(restored, fresh)) continue;
        }
        if (this.applyBatch(loaded, before, fresh, { stopAtFirstEvent: true, engine }).events.length > 0) changed.push(loaded.exchangeAccountId);
      } catch {
        // Whatever failed here fails again under the lock, where it is reported.
        changed.push(loaded.exchangeAccountId);
      }
    }
    return changed;
  }
}
