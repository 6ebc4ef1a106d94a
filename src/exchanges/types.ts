/**
 * Venue-neutral domain types shared by every exchange adapter and the paper engine.
 *
 * Words follow Binance USDⓈ-M (https://developers.binance.com/docs/derivatives/usds-margined-futures/common-definition);
 * OKX V5 values map onto them in its adapter (`posSide` long/short/net → LONG/SHORT/BOTH, `tdMode`
 * isolated/cross → ISOLATED/CROSSED, `ordType` post_only → LIMIT + GTX, `fok`/`ioc` → LIMIT + FOK/IOC).
 *
 * Units: prices in the quote currency (USD for inverse contracts); `qty` in the contract's own unit
 * (base asset for linear contracts, contracts for inverse ones, like Binance `positionAmt`/`origQty`);
 * money (`fee`, `realizedPnl`, balances) in the margin asset. `ts` is epoch milliseconds.
 * Every `raw` field keeps the venue's payload untouched, for audit (ccxt's `info`).
 */
import type { Decimal } from '../common/decimal';

export type OrderSide = 'BUY' | 'SELL';
/** BOTH in one-way mode; LONG or SHORT in hedge mode (Binance `positionSide`). */
export type PositionSide = 'BOTH' | 'LONG' | 'SHORT';
export type PositionMode = 'ONE_WAY' | 'HEDGE';
export type MarginMode = 'ISOLATED' | 'CROSSED';
export type OrderType =
  | 'MARKET'
  | 'LIMIT'
  | 'STOP'
  | 'STOP_MARKET'
  | 'TAKE_PROFIT'
  | 'TAKE_PROFIT_MARKET'
  | 'TRAILING_STOP_MARKET';
/** GTX = post-only ("Good Till Crossing"). */
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTX';
/** Which price triggers a conditional order (Binance `workingType`). */
export type WorkingType = 'MARK_PRICE' | 'CONTRACT_PRICE';
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';
export type LiquidityRole = 'MAKER' | 'TAKER';

export const CONDITIONAL_ORDER_TYPES: ReadonlySet<OrderType> = new Set<OrderType>([
  'STOP',
  'STOP_MARKET',
  'TAKE_PROFIT',
  'TAKE_PROFIT_MARKET',
  'TRAILING_STOP_MARKET',
]);

/** One order as the venue reports it. */
export interface Order {
  orderId: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  positionSide: PositionSide;
  type: OrderType;
  timeInForce: TimeInForce;
  /** Original quantity; zero for a closePosition order (it closes whatever is held). */
  qty: Decimal;
  /** Limit price; undefined for market-style orders. */
  price?: Decimal;
  /** Trigger price of conditional orders (Binance `stopPrice`, OKX `triggerPx`). */
  stopPrice?: Decimal;
  /** Trailing stop: activation price and callback rate in percent (Binance `activatePrice`, `priceRate`). */
  activationPrice?: Decimal;
  callbackRate?: Decimal;
  workingType: WorkingType;
  reduceOnly: boolean;
  closePosition: boolean;
  status: OrderStatus;
  executedQty: Decimal;
  /** Sum of price × qty of the fills (quote value; for inverse contracts still USD × contracts). */
  cumQuote: Decimal;
  /** Volume-weighted average fill price; zero before the first fill. */
  avgPrice: Decimal;
  createdTs: number;
  updateTs: number;
  raw?: unknown;
}

/** One execution (Binance `ORDER_TRADE_UPDATE` x=TRADE, OKX fills channel). */
export interface Fill {
  tradeId: string;
  orderId: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  positionSide: PositionSide;
  price: Decimal;
  qty: Decimal;
  /** Commission charged (positive = paid), in `feeAsset`. */
  fee: Decimal;
  feeAsset: string;
  role: LiquidityRole;
  /** Realized PnL of the part of this fill that reduced a position (Binance `rp`). */
  realizedPnl: Decimal;
  ts: number;
  raw?: unknown;
}

/** One position leg. `qty` is positive for LONG, negative for SHORT, signed in one-way mode (Binance `positionAmt`). */
export interface Position {
  symbol: string;
  positionSide: PositionSide;
  qty: Decimal;
  entryPrice: Decimal;
  markPrice: Decimal;
  unrealizedPnl: Decimal;
  /** Liquidation price; zero when none (Binance prints "0"). */
  liquidationPrice: Decimal;
  leverage: number;
  marginMode: MarginMode;
  /** Isolated wallet (margin assigned to the position); zero in cross mode. */
  isolatedMargin: Decimal;
  initialMargin: Decimal;
  maintenanceMargin: Decimal;
  notional: Decimal;
  marginAsset: string;
  updateTs: number;
  raw?: unknown;
}

export interface Balance {
  asset: string;
  /** Deposits + realized PnL − fees ± funding (Binance `walletBalance`). */
  walletBalance: Decimal;
  unrealizedPnl: Decimal;
  /** walletBalance + unrealized PnL (Binance `marginBalance`). */
  marginBalance: Decimal;
  /** What a new order may use (Binance `availableBalance`). */
  availableBalance: Decimal;
  raw?: unknown;
}

export interface BookLevel {
  price: Decimal;
  qty: Decimal;
}

export interface Depth {
  symbol: string;
  /** Best first: bids descending, asks ascending. */
  bids: BookLevel[];
  asks: BookLevel[];
  ts: number;
  raw?: unknown;
}

export interface Ticker {
  symbol: string;
  lastPrice: Decimal;
  ts: number;
  raw?: unknown;
}

/** Binance `premiumIndex` / `markPriceUpdate`, OKX `mark-price` + `funding-rate`. */
export interface MarkPrice {
  symbol: string;
  markPrice: Decimal;
  indexPrice: Decimal;
  /** Rate for the current funding period (positive: longs pay shorts). */
  fundingRate: Decimal;
  nextFundingTs: number;
  ts: number;
  raw?: unknown;
}

export interface FundingRateRecord {
  symbol: string;
  fundingRate: Decimal;
  fundingTs: number;
  markPrice?: Decimal;
  raw?: unknown;
}

export interface PublicTrade {
  symbol: string;
  price: Decimal;
  qty: Decimal;
  /** Taker side. */
  side: OrderSide;
  ts: number;
  raw?: unknown;
}

/**
 * Binance `incomeType` words (https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api/Get-Income-History);
 * INSURANCE_CLEAR is the liquidation clearance fee (OKX: liquidation fee); DELIVERY stands for
 * Binance's `DELIVERED_SETTELMENT` (sic). OKX bills map onto these.
 */
export type IncomeType = 'TRANSFER' | 'REALIZED_PNL' | 'COMMISSION' | 'FUNDING_FEE' | 'INSURANCE_CLEAR' | 'DELIVERY';

/** One balance change (Binance `/fapi/v1/income`). `amount` is signed: negative = paid. */
export interface Income {
  id: string;
  symbol: string;
  type: IncomeType;
  amount: Decimal;
  asset: string;
  ts: number;
  tradeId?: string;
  raw?: unknown;
}
