/**
 * The paper engine's state and events. State is mutable only inside the engine; everything handed
 * out (events, views, snapshots) is a copy. Money is Decimal in the margin asset of the contract.
 */
import type { Decimal } from '../../../common/decimal';
import type { ContractSpec } from '../../../contracts/domain/contract-spec';
import type { MarketTick } from '../../market-feed/market-tick';
import type {
  Fill,
  IncomeType,
  MarginMode,
  Order,
  OrderSide,
  OrderType,
  PositionMode,
  PositionSide,
  TimeInForce,
  WorkingType,
} from '../../types';

/**
 * An order as the engine keeps it. The fields an order's life changes are writable; the rest are
 * `readonly`, fixed when the order is opened — the snapshot's encoding of an unchanged order relies
 * on it (it compares only the writable fields: `unchanged` in snapshot.ts). A field made writable
 * here goes in that comparison.
 */
export interface OrderState {
  /** Set once as the order is opened (placement), as is the client id when none was given. */
  orderId: string;
  clientOrderId: string;
  readonly accountId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly positionSide: PositionSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** A closePosition order's quantity is set when it triggers (the position's size then). */
  qty: Decimal;
  readonly price?: Decimal;
  /** Trailing stops move it. */
  stopPrice?: Decimal;
  readonly activationPrice?: Decimal;
  readonly callbackRate?: Decimal;
  readonly workingType: WorkingType;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  status: Order['status'];
  executedQty: Decimal;
  cumQuote: Decimal;
  readonly createdTs: number;
  updateTs: number;
  /** Conditional orders: true once triggered (they then work as MARKET or LIMIT). */
  triggered: boolean;
  /** Trailing stop: the best price seen since activation (highest for SELL, lowest for BUY). */
  trailExtreme?: Decimal;
}

/** One position leg; `amount` is signed like Binance `positionAmt` (LONG > 0, SHORT < 0). */
export interface PositionState {
  symbol: string;
  positionSide: PositionSide;
  amount: Decimal;
  entryPrice: Decimal;
  /** Isolated wallet of the position (part of the account's wallet balance); zero when cross. */
  isolatedMargin: Decimal;
  marginMode: MarginMode;
  leverage: number;
  /** Latest funding time already settled for this position (or passed before it opened). */
  lastFundingTs: number;
  updateTs: number;
}

export interface LedgerEntry {
  id: string;
  ts: number;
  asset: string;
  type: IncomeType;
  /** Signed change of the wallet balance. */
  amount: Decimal;
  balanceAfter: Decimal;
  symbol: string;
  /** Trade id, order id or funding time that caused it. */
  ref: string;
}

export interface SymbolSettings {
  leverage: number;
  marginMode: MarginMode;
}

export interface AccountState {
  accountId: string;
  positionMode: PositionMode;
  /** Wallet balance per asset (cross wallet + isolated wallets). */
  wallets: Map<string, Decimal>;
  settings: Map<string, SymbolSettings>;
  /** Key `${symbol}:${positionSide}`; removed when flat. */
  positions: Map<string, PositionState>;
  /** Insertion order = time priority. */
  openOrders: Map<string, OrderState>;
  /** Terminal orders, most recent last, capped at `ORDER_HISTORY_LIMIT`. */
  orderHistory: OrderState[];
  ledger: LedgerEntry[];
}

export interface MarketState {
  tick: MarketTick;
  /** The book as left by taker fills during this tick (copied from the tick). */
  bids: { price: Decimal; qty: Decimal }[];
  asks: { price: Decimal; qty: Decimal }[];
  /** Latest funding time settled for this symbol. */
  lastFundingTs: number;
  /** Delivery contracts: set once settled. */
  deliveredTs?: number;
}

export interface EngineState {
  seq: number;
  contracts: Map<string, ContractSpec>;
  accounts: Map<string, AccountState>;
  markets: Map<string, MarketState>;
  /** Insurance fund balance per asset. */
  insuranceFund: Map<string, Decimal>;
  /** Latest ts seen; commands with an older ts are refused. */
  ts: number;
}

export const ORDER_HISTORY_LIMIT = 500;

export type ExecutionType = 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED' | 'TRIGGERED' | 'CALCULATED';

/** A position as published in events and views. */
export interface PositionView {
  symbol: string;
  positionSide: PositionSide;
  amount: Decimal;
  entryPrice: Decimal;
  isolatedMargin: Decimal;
  marginMode: MarginMode;
  leverage: number;
}

export type EngineEvent =
  | { type: 'ORDER_UPDATE'; accountId: string; ts: number; execution: ExecutionType; order: Order; reason?: string }
  | { type: 'FILL'; accountId: string; ts: number; fill: Fill }
  | { type: 'POSITION'; accountId: string; ts: number; position: PositionView }
  | { type: 'BALANCE'; accountId: string; ts: number; entry: LedgerEntry }
  | {
      type: 'FUNDING';
      accountId: string;
      ts: number;
      symbol: string;
      positionSide: PositionSide;
      fundingTs: number;
      rate: Decimal;
      markPrice: Decimal;
      amount: Decimal;
    }
  | {
      type: 'LIQUIDATION';
      accountId: string;
      ts: number;
      symbol: string;
      positionSide: PositionSide;
      amount: Decimal;
      markPrice: Decimal;
      bankruptcyPrice: Decimal;
      fee: Decimal;
      marginMode: MarginMode;
    }
  | { type: 'DELIVERY'; ts: number; symbol: string; settlementPrice: Decimal }
  | { type: 'INSURANCE_FUND'; ts: number; asset: string; change: Decimal; balance: Decimal };

export interface PlaceOrderCommand {
  accountId: string;
  ts: number;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  qty?: Decimal;
  price?: Decimal;
  stopPrice?: Decimal;
  callbackRate?: Decimal;
  activationPrice?: Decimal;
  positionSide?: PositionSide;
  timeInForce?: TimeInForce;
  workingType?: WorkingType;
  reduceOnly?: boolean;
  closePosition?: boolean;
  clientOrderId?: string;
}
