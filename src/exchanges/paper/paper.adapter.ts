/**
 * PaperExchangeAdapter: the ExchangeAdapter of the built-in paper exchange, over the pure engine.
 * No Nest, no database: the application layer injects the clock, feeds market ticks (`applyTick`,
 * from its own timing loop over a MarketFeed) and, to persist, passes `onEvents`, which runs after
 * each engine operation and before anything is published — a persistence wrapper writes the events
 * (and `engine.snapshot()` if it keeps one) in the same transaction as its order rows there; if it
 * throws, the operation's events are not published and the caller sees the error.
 *
 * Operations are serialized (one engine operation at a time, in call order).
 */
import { dec, type Decimal } from '../../common/decimal';
import { NotFoundError } from '../../common/errors';
import type { ContractSpec } from '../../contracts/domain/contract-spec';
import { PAPER_CONTRACTS } from '../../contracts/domain/paper-contracts';
import type {
  ExchangeAdapter,
  HistoryQuery,
  IncomeQuery,
  MarketStreamHandlers,
  OrderRef,
  PlaceOrderParams,
  PlaceOrderResult,
  Unsubscribe,
  UserStreamHandlers,
} from '../base';
import { ALL_ORDER_TYPES, ALL_TIME_IN_FORCE, type ExchangeCapabilities } from '../capabilities';
import { ExchangeErrorCode as C } from '../exchange-errors';
import type { MarketTick } from '../market-feed/market-tick';
import type { Balance, Depth, FundingRateRecord, Income, MarginMode, MarkPrice, Order, Position, PositionMode, PositionSide, Ticker } from '../types';
import { PaperEngine, type Result } from './domain/engine';
import type { EngineEvent } from './domain/engine-types';
import { toUserEvents } from './paper-stream';

export const PAPER_CAPABILITIES: ExchangeCapabilities = {
  linear: true,
  inverse: true,
  perpetual: true,
  delivery: true,
  orderTypes: ALL_ORDER_TYPES,
  timeInForce: ALL_TIME_IN_FORCE,
  workingTypes: ['MARK_PRICE', 'CONTRACT_PRICE'],
  reduceOnly: true,
  closePosition: true,
  hedgeMode: true,
  isolatedMargin: true,
  crossMargin: true,
  modifyIsolatedMargin: true,
  incomeHistory: true,
  fundingHistory: true,
  marketStream: true,
  userStream: true,
  simulated: true,
};

export interface PaperAdapterOptions {
  /** Epoch ms for each command; the app injects its clock, tests a manual one. */
  clock: () => number;
  engine?: PaperEngine;
  contracts?: readonly ContractSpec[];
  accountId?: string;
  /** Opening balances when the account does not exist yet, e.g. { USDT: '10000' }. */
  initialBalances?: Record<string, string>;
  /** Persistence hook: runs after each engine operation, before its events are published. */
  onEvents?: (events: EngineEvent[], operation: string) => void | Promise<void>;
}

export class PaperExchangeAdapter implements ExchangeAdapter {
  readonly name = 'paper';
  readonly capabilities = PAPER_CAPABILITIES;
  readonly engine: PaperEngine;
  readonly accountId: string;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly market = new Set<{ symbols: Set<string>; h: MarketStreamHandlers }>();
  private readonly user = new Set<UserStreamHandlers>();
  private readonly fundingHistory = new Map<string, FundingRateRecord[]>();
  private readonly lastBoundary = new Map<string, number>();

  constructor(private readonly options: PaperAdapterOptions) {
    this.engine = options.engine ?? PaperEngine.create({ contracts: options.contracts ?? PAPER_CONTRACTS });
    this.accountId = options.accountId ?? 'paper';
    if (!this.engine.accountIds().includes(this.accountId)) {
      const ts = options.clock();
      this.engine.openAccount({ accountId: this.accountId, ts });
      for (const [asset, amount] of Object.entries(options.initialBalances ?? {})) {
        this.engine.transfer({ accountId: this.accountId, ts, asset, amount: dec(amount) });
      }
    }
  }

  /** Runs one engine operation, persists its events through `onEvents`, then publishes them. */
  private op<T>(name: string, fn: (ts: number) => Result<T>): Promise<T> {
    const next = this.queue.then(async () => {
      const r = fn(this.options.clock());
      if (this.options.onEvents && r.events.length > 0) await this.options.onEvents(r.events, name);
      this.publishUser(r.events);
      return r.value;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Feeds one market snapshot (the app's feed loop calls this). */
  applyTick(tick: MarketTick): Promise<EngineEvent[]> {
    return this.op('tick', () => {
      const r = this.engine.applyTick(tick);
      this.publishMarket(tick);
      return { value: r.events, events: r.events };
    });
  }

  private spec(symbol: string): ContractSpec {
    const spec = this.engine.contracts.find((c) => c.symbol === symbol);
    if (!spec) throw new NotFoundError(C.SYMBOL_NOT_FOUND, `contract ${symbol} is not listed on the paper exchange`);
    return spec;
  }

  private tick(symbol: string): MarketTick {
    this.spec(symbol);
    const t = this.engine.market(symbol);
    if (!t) throw new NotFoundError(C.NO_MARKET_DATA, `no market data for ${symbol} yet`);
    return t;
  }

  async getContracts(): Promise<ContractSpec[]> {
    return this.engine.contracts;
  }

  async getContract(p: { symbol: string }): Promise<ContractSpec> {
    return this.spec(p.symbol);
  }

  async getTicker(p: { symbol: string }): Promise<Ticker> {
    const t = this.tick(p.symbol);
    return { symbol: t.symbol, lastPrice: t.lastPrice, ts: t.ts };
  }

  async getMarkPrice(p: { symbol: string }): Promise<MarkPrice> {
    const t = this.tick(p.symbol);
    return { symbol: t.symbol, markPrice: t.markPrice, indexPrice: t.indexPrice, fundingRate: t.fundingRate, nextFundingTs: t.nextFundingTs, ts: t.ts };
  }

  async getDepth(p: { symbol: string; limit?: number }): Promise<Depth> {
    const t = this.tick(p.symbol);
    const n = p.limit ?? 100;
    return { symbol: t.symbol, bids: t.bids.slice(0, n), asks: t.asks.slice(0, n), ts: t.ts };
  }

  async getFundingHistory(p: HistoryQuery & { symbol: string }): Promise<FundingRateRecord[]> {
    return window(this.fundingHistory.get(p.symbol) ?? [], (r) => r.fundingTs, p);
  }

  placeOrder(p: PlaceOrderParams): Promise<PlaceOrderResult> {
    return this.op('placeOrder', (ts) => {
      const r = this.engine.placeOrder({ ...p, accountId: this.accountId, ts });
      const fills = r.events.flatMap((e) => (e.type === 'FILL' && e.fill.orderId === r.value.orderId ? [e.fill] : []));
      const order = this.engine.getOrder({ accountId: this.accountId, symbol: p.symbol, orderId: r.value.orderId });
      return { value: { order, fills }, events: r.events };
    });
  }

  cancelOrder(p: OrderRef): Promise<Order> {
    return this.op('cancelOrder', (ts) => this.engine.cancelOrder({ ...p, accountId: this.accountId, ts }));
  }

  async getOrder(p: OrderRef): Promise<Order> {
    await this.queue;
    return this.engine.getOrder({ ...p, accountId: this.accountId });
  }

  async listOpenOrders(p: { symbol?: string }): Promise<Order[]> {
    await this.queue;
    return this.engine.getAccount(this.accountId).openOrders.filter((o) => !p.symbol || o.symbol === p.symbol);
  }

  async getPositions(p: { symbol?: string }): Promise<Position[]> {
    await this.queue;
    return this.engine.getAccount(this.accountId).positions.filter((x) => !p.symbol || x.symbol === p.symbol);
  }

  async getBalances(): Promise<Balance[]> {
    await this.queue;
    return this.engine.getAccount(this.accountId).balances;
  }

  setLeverage(p: { symbol: string; leverage: number }) {
    return this.op('setLeverage', (ts) => {
      const r = this.engine.setLeverage({ ...p, accountId: this.accountId, ts });
      return { value: { symbol: p.symbol, ...r.value }, events: r.events };
    });
  }

  setMarginMode(p: { symbol: string; marginMode: MarginMode }): Promise<void> {
    return this.op('setMarginMode', (ts) => this.engine.setMarginMode({ ...p, accountId: this.accountId, ts }));
  }

  async getPositionMode(): Promise<PositionMode> {
    await this.queue;
    return this.engine.getAccount(this.accountId).positionMode;
  }

  setPositionMode(p: { mode: PositionMode }): Promise<void> {
    return this.op('setPositionMode', (ts) => this.engine.setPositionMode({ ...p, accountId: this.accountId, ts }));
  }

  modifyIsolatedMargin(p: { symbol: string; positionSide?: PositionSide; delta: Decimal }): Promise<Position> {
    return this.op('modifyIsolatedMargin', (ts) => {
      const r = this.engine.modifyIsolatedMargin({ ...p, accountId: this.accountId, ts });
      const side = p.positionSide ?? 'BOTH';
      const position = this.engine.getAccount(this.accountId).positions.find((x) => x.symbol === p.symbol && x.positionSide === side)!;
      return { value: position, events: r.events };
    });
  }

  /** Deposit (> 0) or withdraw (< 0) on the paper account: a TRANSFER income. */
  transfer(p: { asset: string; amount: Decimal }): Promise<void> {
    return this.op('transfer', (ts) => this.engine.transfer({ ...p, accountId: this.accountId, ts }));
  }

  async getIncome(p: IncomeQuery): Promise<Income[]> {
    await this.queue;
    const rows = this.engine
      .getAccount(this.accountId)
      .ledger.filter((e) => (!p.symbol || e.symbol === p.symbol) && (!p.type || e.type === p.type))
      .map((e) => ({ id: e.id, symbol: e.symbol, type: e.type, amount: e.amount, asset: e.asset, ts: e.ts, tradeId: e.ref, raw: e }));
    return window(rows, (r) => r.ts, p);
  }

  marketStream(p: { symbols: string[] }, handlers: MarketStreamHandlers): Unsubscribe {
    const sub = { symbols: new Set(p.symbols), h: handlers };
    this.market.add(sub);
    return () => this.market.delete(sub);
  }

  userStream(handlers: UserStreamHandlers): Unsubscribe {
    this.user.add(handlers);
    return () => this.user.delete(handlers);
  }

  async close(): Promise<void> {
    await this.queue;
    this.market.clear();
    this.user.clear();
  }

  /** A funding record each time a perpetual's tick crosses a funding time (the rate and mark it settled at). */
  private recordFunding(tick: MarketTick): FundingRateRecord | undefined {
    if (this.spec(tick.symbol).contractType !== 'perpetual') return undefined;
    const boundary = this.engine.fundingTimeAt(tick.symbol, tick.ts);
    const last = this.lastBoundary.get(tick.symbol);
    this.lastBoundary.set(tick.symbol, boundary);
    if (last === undefined || boundary <= last) return undefined;
    const record = { symbol: tick.symbol, fundingRate: tick.fundingRate, fundingTs: boundary, markPrice: tick.markPrice };
    const history = this.fundingHistory.get(tick.symbol) ?? [];
    history.push(record);
    this.fundingHistory.set(tick.symbol, history);
    return record;
  }

  private publishMarket(tick: MarketTick): void {
    const record = this.recordFunding(tick);
    for (const { symbols, h } of this.market) {
      if (!symbols.has(tick.symbol)) continue;
      safe(h.error, () => {
        h.ticker?.({ symbol: tick.symbol, lastPrice: tick.lastPrice, ts: tick.ts });
        h.markPrice?.({ symbol: tick.symbol, markPrice: tick.markPrice, indexPrice: tick.indexPrice, fundingRate: tick.fundingRate, nextFundingTs: tick.nextFundingTs, ts: tick.ts });
        h.depth?.({ symbol: tick.symbol, bids: tick.bids, asks: tick.asks, ts: tick.ts });
        for (const t of tick.trades) h.trades?.({ symbol: tick.symbol, price: t.price, qty: t.qty, side: t.side, ts: tick.ts });
        if (record) h.funding?.(record);
      });
    }
  }

  private publishUser(events: EngineEvent[]): void {
    if (this.user.size === 0) return;
    const mine = events.filter((e) => !('accountId' in e) || e.accountId === this.accountId);
    if (mine.length === 0) return;
    const view = this.engine.getAccount(this.accountId);
    for (const h of this.user) safe(h.error, () => toUserEvents(mine, view, h));
  }
}

function safe(onError: ((e: Error) => void) | undefined, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    onError?.(e as Error);
  }
}

function window<T>(rows: T[], tsOf: (r: T) => number, q: HistoryQuery): T[] {
  const out = rows.filter((r) => (q.startTs === undefined || tsOf(r) >= q.startTs) && (q.endTs === undefined || tsOf(r) <= q.endTs));
  return q.limit !== undefined ? out.slice(-q.limit) : out;
}
