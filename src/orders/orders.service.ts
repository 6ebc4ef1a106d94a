/**
 * The order lifecycle on the paper exchange. Placing an order, in one transaction: lock the account,
 * answer an existing order with the same clientOrderId (idempotency), run the risk checks, record the
 * order, let the engine accept and execute it, and write the engine's state and every event. A
 * refusal rolls all of it back, so an order the exchange never accepted is never reported as placed.
 */
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import type { Caller } from '../auth/auth.decorators';
import { AuthService } from '../auth/auth.service';
import type { Role } from '../auth/user.entity';
import { dec } from '../common/decimal';
import { assertFound, ConflictError, DomainError, ExchangeUnavailableError, ValidationError } from '../common/errors';
import type { Page } from '../common/http/pagination.dto';
import { ContractsService } from '../contracts/contracts.service';
import { PAPER, PaperExchangeService, type EngineCommand } from '../exchanges/paper/paper-exchange.service';
import type { TradingView } from '../exchanges/paper/domain/queries';
import { alongWithCheck, type NewOrderRow, type ReadAlong, type VersionedAccount } from '../exchanges/paper/persistence/paper-store';
import { WorkerCalls } from '../common/cluster/worker-calls';
import { BoundedMap } from '../common/concurrency/bounded-map';
import { KeyedSerial } from '../common/concurrency/keyed-serial';
import type { LimitsRead } from '../risk/risk-limits.repository';
import type { OrderContext } from '../risk/risk.service';
import type { Order } from '../exchanges/types';
import { RiskService } from '../risk/risk.service';
import { ContractOrderEntity } from './contract-order.entity';
import type { ListOrdersQueryDto, ListTradesQueryDto, PlaceOrderDto } from './dto/order.dto';
import { rowMapper, toOrderView, toTradeView, type OrderView, type TradeRow } from './order.mapper';

const FINAL = new Set(['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED']);

/** Order rows read in an operation's transaction, by order id, for the event listeners to reuse. */
function rowsById(rows: ContractOrderEntity[]): Map<string, ContractOrderEntity> {
  return new Map(rows.flatMap((r) => (r.orderId ? [[r.orderId, r] as const] : [])));
}


/** Optimistic tries of one order before it takes the locked path. */
const OPTIMISTIC_ATTEMPTS = 3;

type Placed = { order: OrderView; created: boolean };

/** The order placement another worker forwards to the user's owner (see `place`). */
const PLACE_ON_OWNER = 'orders.place';
interface PlaceOnOwner {
  caller: Caller;
  dto: PlaceOrderDto;
  clientOrderId: string;
}
/** How long a forwarded placement may take before the worker that received it places it itself. */
const FORWARD_TIMEOUT_MS = 10_000;

/** (User, requested account) pairs whose limits are kept between orders (least recently set dropped). */
const KEPT_LIMITS = 10_000;
/**
 * After the state kept here for an account turned out stale twice within this time (another
 * instance wrote the account since, each time), its orders here read first for this long instead of
 * trying the kept state: orders of one account arriving at several instances in turn would
 * otherwise each be run and written once for nothing before being read and run again. A single
 * write elsewhere (a cancel or a setting on another instance) costs one try, not this long of reads.
 */
const CONTENDED_MS = 5000;

/** What an optimistic try starts from: the account's state and the limits, as read or as kept. */
interface OptimisticRead {
  account: VersionedAccount;
  requestedAccountId: number | null;
  limits: LimitsRead;
}

function newClientOrderId(): string {
  return `cd-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}

/** The leg an order is for: LONG or SHORT in hedge mode, BOTH (or omitted) in one-way mode. */
function positionSideFor(view: TradingView, dto: PlaceOrderDto): 'BOTH' | 'LONG' | 'SHORT' {
  const positionSide = dto.positionSide ?? (view.positionMode === 'HEDGE' ? undefined : 'BOTH');
  if (view.positionMode === 'HEDGE' && (positionSide === undefined || positionSide === 'BOTH')) {
    throw new ValidationError('POSITION_SIDE_REQUIRED', 'In hedge mode an order needs positionSide LONG or SHORT', [
      { field: 'positionSide', code: 'POSITION_SIDE_REQUIRED', message: 'LONG or SHORT in hedge mode' },
    ]);
  }
  if (view.positionMode === 'ONE_WAY' && positionSide !== 'BOTH') {
    throw new ValidationError('POSITION_SIDE_MISMATCH', 'In one-way mode positionSide is BOTH (or omitted)', [
      { field: 'positionSide', code: 'POSITION_SIDE_MISMATCH', message: 'BOTH in one-way mode' },
    ]);
  }
  return positionSide as 'BOTH' | 'LONG' | 'SHORT';
}

/** The order's row as the request gives it (defaults as Binance reports them). */
function newOrderRow(userId: number, exchangeAccountId: number, exchange: string, symbol: string, clientOrderId: string, positionSide: string, dto: PlaceOrderDto): NewOrderRow {
  return {
    user_id: userId,
    exchange_account_id: exchangeAccountId,
    exchange,
    symbol,
    client_order_id: clientOrderId,
    side: dto.side,
    position_side: positionSide,
    type: dto.type,
    quantity: dto.quantity ?? '0',
    price: dto.price ?? null,
    stop_price: dto.stopPrice ?? null,
    time_in_force: dto.timeInForce ?? (dto.type === 'LIMIT' || dto.type === 'STOP' || dto.type === 'TAKE_PROFIT' ? 'GTC' : null),
    reduce_only: dto.reduceOnly ?? false,
    close_position: dto.closePosition ?? false,
    callback_rate: dto.callbackRate ?? null,
    working_type: dto.workingType ?? (dto.type === 'LIMIT' || dto.type === 'MARKET' ? null : 'CONTRACT_PRICE'),
  };
}

/** The engine command placing the order. */
function placeCommand(symbol: string, dto: PlaceOrderDto, positionSide: 'BOTH' | 'LONG' | 'SHORT', clientOrderId: string): EngineCommand<Order> {
  return (engine, c) =>
    engine.placeOrder({
      accountId: c.accountId,
      ts: c.ts,
      symbol,
      side: dto.side,
      type: dto.type,
      qty: dto.quantity === undefined ? undefined : dec(dto.quantity),
      price: dto.price === undefined ? undefined : dec(dto.price),
      stopPrice: dto.stopPrice === undefined ? undefined : dec(dto.stopPrice),
      callbackRate: dto.callbackRate === undefined ? undefined : dec(dto.callbackRate),
      activationPrice: dto.activationPrice === undefined ? undefined : dec(dto.activationPrice),
      positionSide,
      timeInForce: dto.timeInForce,
      workingType: dto.workingType,
      reduceOnly: dto.reduceOnly,
      closePosition: dto.closePosition,
      clientOrderId,
    });
}

/** Who may place orders (the controller's @Roles; the optimistic write requires it again). */
export const PLACE_ORDER_ROLES: Role[] = ['trader'];

@Injectable()
export class OrdersService {
  /** Orders of one (user, requested account) are taken one at a time in this instance. */
  private readonly serial = new KeyedSerial();
  /** The limits each (user, requested account) read last, kept for its next order with the account's state. */
  private readonly keptLimits = new BoundedMap<string, LimitsRead>(KEPT_LIMITS);
  /** Until when each (user, requested account) reads before trying (see CONTENDED_MS). */
  private readonly contendedUntil = new BoundedMap<string, number>(KEPT_LIMITS);
  /** When each (user, requested account) last found the state kept here stale. */
  private readonly staleAt = new BoundedMap<string, number>(KEPT_LIMITS);
  /** contract_orders rows as the driver returns them, as entities. */
  private readonly orderFromRow: (row: Record<string, unknown>) => ContractOrderEntity;
  /**
   * What an order reads along with the account and its write requires: the risk limits unchanged, and
   * the caller still enabled and allowed to place orders (the route's guard may have let the request
   * in on the caller's last read: @CallerRecheckedOnWrite).
   */
  private readonly along: ReadAlong;

  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly contracts: ContractsService,
    private readonly paper: PaperExchangeService,
    private readonly risk: RiskService,
    private readonly auth: AuthService,
    private readonly calls: WorkerCalls,
  ) {
    this.orderFromRow = rowMapper<ContractOrderEntity>(dataSource.getMetadata(ContractOrderEntity));
    this.along = alongWithCheck(risk.limitsAlong, auth.callerCheck(PLACE_ORDER_ROLES));
    // the dto came through JSON: its fields as validated, on a plain object
    calls.handle<PlaceOnOwner, Placed>(PLACE_ON_OWNER, ({ caller, dto, clientOrderId }) => this.placeHere(caller, dto, clientOrderId));
  }

  /**
   * Places an order. Orders of one account are taken one at a time per instance, each first on the
   * optimistic path: the account read without a lock (with the risk limits, one statement), the
   * checks and the engine run in memory, and the outcome written in one statement only if the
   * account's version is still the one read — across instances, a concurrent writer makes the write
   * a no-op and the order is tried again on the new state. The read of the previous order is kept
   * (the account's state as written, the limits as read): the next order is tried on it with no
   * read at all, its write also checking the account's owner and the limits' stamp; a refusal or a
   * conflict there is not answered but tried again on a fresh read. An outcome the one statement does not
   * cover (a liquidation, a funding, a delivery), an account without engine state yet, or repeated
   * conflicts take the locked path (one transaction holding the account's row lock).
   */
  async place(caller: Caller, dto: PlaceOrderDto): Promise<Placed> {
    // One id for every try of this request: a try whose commit went unacknowledged makes the next
    // one meet the unique key (and answer that order) instead of placing a second order.
    const clientOrderId = dto.clientOrderId ?? newClientOrderId();
    // With worker processes, the user's orders are placed by the worker owning the user (one
    // worker keeps the account's state); if it is not there or does not answer in time, here — with
    // the same client order id, so that the order is placed once at most.
    const owner = this.calls.ownerOf(caller.id);
    if (owner !== undefined && owner !== this.calls.slot) {
      const answer = await this.calls.call<Placed>(owner, PLACE_ON_OWNER, { caller, dto, clientOrderId } satisfies PlaceOnOwner, FORWARD_TIMEOUT_MS);
      if (answer.ok) return answer.value;
    }
    return this.placeHere(caller, dto, clientOrderId);
  }

  private async placeHere(caller: Caller, dto: PlaceOrderDto, clientOrderId: string): Promise<Placed> {
    const key = `${caller.id}:${dto.accountId ?? ''}`;
    return this.serial.run(key, async () => {
      // First on the last read kept, when there is one (no read: its write checks that nothing it
      // relied on changed); anything else than a written order then reads afresh.
      const account = this.paper.keptAccount(caller.id, dto.accountId);
      const limits = this.keptLimits.get(key);
      if (account && limits && this.risk.stillCurrent(limits) && !((this.contendedUntil.get(key) ?? 0) > Date.now())) {
        const placed = await this.placeOptimistic(caller, dto, clientOrderId, { account, requestedAccountId: dto.accountId ?? null, limits }, true);
        if (placed === 'locked') return this.placeLocked(caller, dto, clientOrderId);
        if (placed === 'stale') this.foundStale(key);
        else if (placed !== 'conflict') return placed;
      }
      for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
        const read = await this.paper.readForOrder(caller.id, dto.accountId, this.along);
        if (!read) break;
        // the caller as read now: a user disabled or demoted since the guard's read is refused here
        this.auth.checkRead(caller.id, read.along, PLACE_ORDER_ROLES);
        const limits = this.risk.limitsRead(read.along);
        this.keptLimits.set(key, limits);
        const placed = await this.placeOptimistic(caller, dto, clientOrderId, { account: read.account, requestedAccountId: read.requestedAccountId, limits }, false);
        if (placed === 'locked') break;
        if (placed !== 'conflict' && placed !== 'stale') return placed;
      }
      return this.placeLocked(caller, dto, clientOrderId);
    });
  }

  /** The kept state was stale: the second time within CONTENDED_MS, orders read first for that long. */
  private foundStale(key: string): void {
    const now = Date.now();
    const last = this.staleAt.get(key);
    if (last !== undefined && now - last < CONTENDED_MS) this.contendedUntil.set(key, now + CONTENDED_MS);
    this.staleAt.set(key, now);
  }

  /**
   * One optimistic try. 'stale': the account had moved on since the read, nothing was written.
   * `kept`: the read is the one kept from the previous order, possibly stale — a refusal (or the
   * unique key) is then not answered but taken as a 'conflict' (read afresh and checked again).
   */
  private async placeOptimistic(caller: Caller, dto: PlaceOrderDto, clientOrderId: string, read: OptimisticRead, kept: boolean): Promise<Placed | 'stale' | 'conflict' | 'locked'> {
    const { account, limits } = read;
    const ctx = this.orderContext(dto, PAPER);
    const { spec } = ctx;
    try {
      const at = this.paper.viewOf(account);
      const positionSide = positionSideFor(at.view, dto);
      this.risk.checkAccountWith({ ...ctx, userId: caller.id, exchangeAccountId: account.exchangeAccountId, view: at.view, positionSide }, limits.limits, limits.ordersToday);
      const newOrder = newOrderRow(caller.id, account.exchangeAccountId, PAPER, spec.symbol, clientOrderId, positionSide, dto);
      const checked = { requestedAccountId: read.requestedAccountId, along: this.along, stamp: limits.stamp };
      const written = await this.paper.placeIfUnchanged(account, checked, at, newOrder, placeCommand(spec.symbol, dto, positionSide, clientOrderId));
      if (written === 'conflict') return 'stale';
      if (written === 'locked') return written;
      // the new order counts for today's limit unless it was refused
      if (limits.ordersToday !== null && written.rows[0].status !== 'REJECTED') limits.ordersToday += 1;
      const rows = written.rows.map(this.orderFromRow);
      this.paper.publish(written.outcome, rowsById(rows));
      return { order: toOrderView(rows[0]), created: true };
    } catch (e) {
      const duplicate = (e as { code?: string }).code === '23505';
      if (kept && (e instanceof DomainError || duplicate)) return 'conflict';
      // The same clientOrderId again answers the first order, whatever this one would have met
      // (an open order with that id, the unique key on a concurrent insert, a limit now reached);
      // a generated id meets the unique key only when an earlier try of this request committed.
      if (dto.clientOrderId !== undefined || duplicate) {
        const existing = await this.dataSource.getRepository(ContractOrderEntity).findOne({ where: { exchangeAccountId: account.exchangeAccountId, clientOrderId } });
        if (existing) return { order: toOrderView(existing), created: dto.clientOrderId === undefined };
      }
      throw e;
    }
  }

  /** The contract, its mark and the order's shape checked (no account needed). */
  private orderContext(dto: PlaceOrderDto, exchange: string): OrderContext {
    const spec = this.contracts.findSpec(dto.symbol, exchange);
    if (!spec) throw new ValidationError('UNKNOWN_SYMBOL', `Unknown symbol ${dto.symbol}`, [{ field: 'symbol', code: 'UNKNOWN_SYMBOL', message: `Unknown symbol ${dto.symbol}` }]);
    const tick = this.paper.lastTick(spec.symbol);
    if (!tick) throw new ExchangeUnavailableError('NO_MARKET_DATA', `No market data for ${spec.symbol} yet; try again shortly`);
    const ctx = { spec, dto, markPrice: tick.markPrice };
    this.risk.checkShape(ctx);
    return ctx;
  }

  /** The locked path: the whole placement in one transaction holding the account's row lock. */
  private async placeLocked(caller: Caller, dto: PlaceOrderDto, clientOrderId: string): Promise<Placed> {
    // the guard may have answered from the caller's last read; this path checks no caller in its writes
    await this.auth.recheck(caller.id, PLACE_ORDER_ROLES);
    const account = await this.accounts.resolveForUser(caller.id, dto.accountId);
    const ctx = this.orderContext(dto, account.exchange);
    const { spec } = ctx;

    const result = await this.dataSource.transaction(async (m) => {
      const locked = await this.paper.lockForUpdate(m, account.id);
      const view = locked.view;
      const known: unknown[] = await m.query(`SELECT 1 FROM contract_orders WHERE exchange_account_id = $1 AND client_order_id = $2`, [account.id, clientOrderId]);
      if (known.length > 0) {
        const existing = await m.getRepository(ContractOrderEntity).findOneOrFail({ where: { exchangeAccountId: account.id, clientOrderId } });
        return { existing, outcome: undefined };
      }
      const positionSide = positionSideFor(view, dto);
      await this.risk.checkAccount(m, { ...ctx, userId: caller.id, exchangeAccountId: account.id, view, positionSide });
      const repo = m.getRepository(ContractOrderEntity);
      const r = newOrderRow(caller.id, account.id, account.exchange, spec.symbol, clientOrderId, positionSide, dto);
      await repo.insert(
        repo.create({
          userId: r.user_id,
          exchangeAccountId: r.exchange_account_id,
          exchange: r.exchange,
          symbol: r.symbol,
          clientOrderId,
          side: dto.side,
          positionSide: r.position_side as ContractOrderEntity['positionSide'],
          type: r.type,
          quantity: r.quantity,
          price: r.price,
          stopPrice: r.stop_price,
          timeInForce: r.time_in_force,
          reduceOnly: r.reduce_only,
          closePosition: r.close_position,
          status: 'NEW',
          filledQty: '0',
          callbackRate: r.callback_rate,
          workingType: r.working_type,
        }),
      );
      const placed = await locked.execute(placeCommand(spec.symbol, dto, positionSide, clientOrderId));
      const row = await repo.findOneOrFail({ where: { exchangeAccountId: account.id, clientOrderId } });
      return { existing: undefined, outcome: placed, row };
    });
    if (result.existing) return { order: toOrderView(result.existing), created: false };
    this.paper.publish(result.outcome!, rowsById([result.row!]));
    return { order: toOrderView(result.row!), created: true };
  }

  private async ownOrder(m: EntityManager, caller: Caller, id: number): Promise<ContractOrderEntity> {
    const order = await m.getRepository(ContractOrderEntity).findOne({ where: { id, userId: caller.id } });
    return assertFound(order, 'ORDER_NOT_FOUND', `Order ${id} was not found`);
  }

  async get(caller: Caller, id: number): Promise<OrderView> {
    return toOrderView(await this.ownOrder(this.dataSource.manager, caller, id));
  }

  async cancel(caller: Caller, id: number): Promise<OrderView> {
    const pre = await this.ownOrder(this.dataSource.manager, caller, id);
    const result = await this.dataSource.transaction(async (m) => {
      const locked = await this.paper.lockForUpdate(m, pre.exchangeAccountId);
      const order = await this.ownOrder(m, caller, id);
      if (FINAL.has(order.status) || !order.orderId) {
        throw new ConflictError('ORDER_NOT_CANCELABLE', `Order ${id} is ${order.status} and cannot be canceled`);
      }
      const command: EngineCommand<Order> = (engine, c) =>
        engine.cancelOrder({ accountId: c.accountId, ts: c.ts, symbol: order.symbol, orderId: order.orderId as string });
      // an order never changes account; the locked one is the order's
      const canceled = order.exchangeAccountId === pre.exchangeAccountId ? await locked.execute(command) : await this.paper.execute(m, order.exchangeAccountId, command);
      return { canceled, row: await this.ownOrder(m, caller, id) };
    });
    this.paper.publish(result.canceled, rowsById([result.row]));
    return toOrderView(result.row);
  }

  async cancelAll(caller: Caller, symbol: string, accountId?: number): Promise<OrderView[]> {
    const account = await this.accounts.resolveForUser(caller.id, accountId);
    if (!this.contracts.findSpec(symbol, account.exchange)) throw new ValidationError('UNKNOWN_SYMBOL', `Unknown symbol ${symbol}`);
    const result = await this.dataSource.transaction(async (m) => {
      const outcome = await this.paper.execute(m, account.id, (engine, c) => engine.cancelAll({ accountId: c.accountId, ts: c.ts, symbol }));
      const ids = outcome.value.map((o) => o.orderId);
      const rows = ids.length === 0 ? [] : await m.getRepository(ContractOrderEntity).createQueryBuilder('o')
        .where('o.exchange_account_id = :a AND o.order_id IN (:...ids)', { a: account.id, ids }).orderBy('o.id', 'ASC').getMany();
      return { outcome, rows };
    });
    this.paper.publish(result.outcome, rowsById(result.rows));
    return result.rows.map(toOrderView);
  }

  async list(caller: Caller, q: ListOrdersQueryDto): Promise<Page<OrderView>> {
    const qb = this.dataSource.getRepository(ContractOrderEntity).createQueryBuilder('o').where('o.user_id = :u', { u: caller.id });
    if (q.accountId !== undefined) qb.andWhere('o.exchange_account_id = :a', { a: q.accountId });
    if (q.symbol) qb.andWhere('o.symbol = :s', { s: q.symbol });
    if (q.status) qb.andWhere('o.status = :st', { st: q.status });
    if (q.cursor) qb.andWhere('o.id < :c', { c: Number.parseInt(q.cursor, 10) });
    const rows = await qb.orderBy('o.id', 'DESC').take(q.limit + 1).getMany();
    const items = rows.slice(0, q.limit);
    return { items: items.map(toOrderView), nextCursor: rows.length > q.limit ? String(items[items.length - 1].id) : null };
  }

  async trades(caller: Caller, q: ListTradesQueryDto) {
    const params: unknown[] = [caller.id];
    let where = 'user_id = $1';
    if (q.accountId !== undefined) where += ` AND exchange_account_id = $${params.push(q.accountId)}`;
    if (q.symbol) where += ` AND symbol = $${params.push(q.symbol)}`;
    if (q.cursor) where += ` AND id < $${params.push(q.cursor)}`;
    const rows: TradeRow[] = await this.dataSource.query(`SELECT * FROM trades WHERE ${where} ORDER BY id DESC LIMIT $${params.push(q.limit + 1)}`, params);
    const items = rows.slice(0, q.limit);
    return { items: items.map(toTradeView), nextCursor: rows.length > q.limit ? String(items[items.length - 1].id) : null };
  }
}
