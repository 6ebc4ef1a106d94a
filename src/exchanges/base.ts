/**
 * ExchangeAdapter: the one interface every venue implements (paper, Binance USDⓈ-M/COIN-M, OKX V5
 * SWAP/FUTURES). Operations take one named-parameter object and return domain types with Decimal
 * fields, each keeping the venue's raw payload. Failures are the typed errors of common/errors with
 * the codes of ./exchange-errors (ExchangeRejectedError INSUFFICIENT_MARGIN, NotFoundError
 * ORDER_NOT_FOUND, ExchangeUnavailableError, RateLimitedError...).
 *
 * Streams are subscribe functions returning an unsubscribe function; the adapter owns reconnects.
 */
import type { Decimal } from '../common/decimal';
import type { ContractSpec } from '../contracts/domain/contract-spec';
import type { ExchangeCapabilities } from './capabilities';
import type {
  Balance,
  Depth,
  Fill,
  FundingRateRecord,
  Income,
  IncomeType,
  MarginMode,
  MarkPrice,
  Order,
  OrderSide,
  OrderType,
  Position,
  PositionMode,
  PositionSide,
  PublicTrade,
  Ticker,
  TimeInForce,
  WorkingType,
} from './types';

export * from './types';
export type { ExchangeCapabilities } from './capabilities';

export interface PlaceOrderParams {
  symbol: string;
  side: OrderSide;
  type: OrderType;
  /** Required unless `closePosition`. */
  qty?: Decimal;
  price?: Decimal;
  stopPrice?: Decimal;
  /** Trailing stop: callback in percent (Binance `callbackRate` 0.1..10; OKX `callbackRatio` × 100). */
  callbackRate?: Decimal;
  activationPrice?: Decimal;
  /** Defaults to BOTH in one-way mode; required (LONG/SHORT) in hedge mode. */
  positionSide?: PositionSide;
  timeInForce?: TimeInForce;
  /** Default CONTRACT_PRICE, as on Binance. */
  workingType?: WorkingType;
  reduceOnly?: boolean;
  closePosition?: boolean;
  /** Idempotency key; the venue refuses a duplicate among open orders. */
  clientOrderId?: string;
}

export interface OrderRef {
  symbol: string;
  orderId?: string;
  clientOrderId?: string;
}

export interface PlaceOrderResult {
  order: Order;
  /** Fills executed immediately (market orders, crossing limits). */
  fills: Fill[];
}

export interface HistoryQuery {
  symbol?: string;
  startTs?: number;
  endTs?: number;
  limit?: number;
}

export interface IncomeQuery extends HistoryQuery {
  type?: IncomeType;
}

export type Unsubscribe = () => void;

export interface MarketStreamHandlers {
  ticker?: (t: Ticker) => void;
  markPrice?: (m: MarkPrice) => void;
  depth?: (d: Depth) => void;
  trades?: (t: PublicTrade) => void;
  funding?: (f: FundingRateRecord) => void;
  error?: (e: Error) => void;
}

export interface UserStreamHandlers {
  order?: (o: Order) => void;
  fill?: (f: Fill) => void;
  position?: (p: Position) => void;
  balance?: (b: Balance) => void;
  /** Liquidation of a position (Binance `ORDER_TRADE_UPDATE` with client id "autoclose-…"). */
  liquidation?: (e: { symbol: string; positionSide: PositionSide; qty: Decimal; price: Decimal; ts: number }) => void;
  error?: (e: Error) => void;
}

export interface ExchangeAdapter {
  readonly name: string;
  readonly capabilities: ExchangeCapabilities;

  /* contracts and market data */
  /** Contract specs with their leverage brackets (Binance exchangeInfo + leverageBracket, OKX instruments + position-tiers). */
  getContracts(): Promise<ContractSpec[]>;
  /** NotFoundError SYMBOL_NOT_FOUND for an unknown symbol. */
  getContract(p: { symbol: string }): Promise<ContractSpec>;
  getTicker(p: { symbol: string }): Promise<Ticker>;
  /** Mark and index price, current funding rate and next funding time. */
  getMarkPrice(p: { symbol: string }): Promise<MarkPrice>;
  getDepth(p: { symbol: string; limit?: number }): Promise<Depth>;
  getFundingHistory(p: HistoryQuery & { symbol: string }): Promise<FundingRateRecord[]>;

  /* orders */
  placeOrder(p: PlaceOrderParams): Promise<PlaceOrderResult>;
  cancelOrder(p: OrderRef): Promise<Order>;
  getOrder(p: OrderRef): Promise<Order>;
  listOpenOrders(p: { symbol?: string }): Promise<Order[]>;

  /* account */
  getPositions(p: { symbol?: string }): Promise<Position[]>;
  getBalances(): Promise<Balance[]>;
  setLeverage(p: { symbol: string; leverage: number }): Promise<{ symbol: string; leverage: number; maxNotional: Decimal }>;
  setMarginMode(p: { symbol: string; marginMode: MarginMode }): Promise<void>;
  getPositionMode(): Promise<PositionMode>;
  setPositionMode(p: { mode: PositionMode }): Promise<void>;
  /** Add (`delta` > 0) or remove isolated margin (Binance `positionMargin` type 1/2, OKX `margin/balance` add/reduce). */
  modifyIsolatedMargin(p: { symbol: string; positionSide?: PositionSide; delta: Decimal }): Promise<Position>;
  getIncome(p: IncomeQuery): Promise<Income[]>;

  /* streams */
  marketStream(p: { symbols: string[] }, handlers: MarketStreamHandlers): Unsubscribe;
  userStream(handlers: UserStreamHandlers): Unsubscribe;

  close(): Promise<void>;
}
