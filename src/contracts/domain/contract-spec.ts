/**
 * The contract specification: everything the calculator needs to know about one futures contract.
 * Pure data (no Nest, no TypeORM); money and sizes are `Decimal`.
 *
 * Units, as Binance publishes them (exchangeInfo, leverageBracket):
 * - linear (USDⓈ-M): size is in contracts of `contractSize` base units (1 BTC per contract on Binance
 *   USDⓈ-M, so size = BTC); prices, notionals, margins, PnL and fees are in the margin asset (USDT).
 * - inverse (COIN-M): size is in contracts of `contractSize` quote units (100 USD per BTCUSD
 *   contract); notionals, margins, PnL and fees are in the margin asset = the coin (BTC).
 */
import type { Decimal } from '../../common/decimal';

export type ContractKind = 'linear' | 'inverse';
export type ContractType = 'perpetual' | 'delivery';
export type PositionSide = 'LONG' | 'SHORT';

/**
 * One leverage bracket (Binance "Notional and Leverage Brackets", OKX "position tiers").
 *
 * - `notionalFloor` ≤ notional < `notionalCap`, in the margin asset: USDT for linear contracts, the
 *   coin for inverse ones (Binance COIN-M publishes these as `qtyFloor`/`qtyCap`, in BTC).
 * - `maintMarginRatio` (MMR) applies to the whole position notional; `cum` (the "maintenance
 *   amount", in the margin asset) is subtracted so that maintenance margin is continuous across
 *   brackets: MM = notional × MMR − cum.
 * - `initialLeverage` is the highest leverage allowed while the position notional is in this bracket.
 */
export interface Bracket {
  readonly bracket: number;
  readonly initialLeverage: number;
  readonly notionalFloor: Decimal;
  readonly notionalCap: Decimal;
  readonly maintMarginRatio: Decimal;
  readonly cum: Decimal;
}

/**
 * A futures contract. Every field is the exchange's published value (a dated snapshot for the paper
 * exchange; the live adapters read them from the exchange).
 */
export interface ContractSpec {
  readonly exchange: string;
  /** The exchange's symbol, e.g. `BTCUSDT`, `BTCUSD_PERP`, `BTCUSDT_261225`. */
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** The asset margins, PnL and fees are booked in (USDT for USDⓈ-M, BTC for BTCUSD). */
  readonly marginAsset: string;
  readonly settlementAsset: string;
  readonly contractType: ContractType;
  readonly kind: ContractKind;
  /** Linear: base units per contract (1 on Binance USDⓈ-M). Inverse: quote (USD) per contract (100 for BTCUSD). */
  readonly contractSize: Decimal;
  /** Price increment, in the quote asset. */
  readonly tickSize: Decimal;
  /** Lowest and highest accepted order price (Binance PRICE_FILTER); zero disables the check. */
  readonly minPrice: Decimal;
  readonly maxPrice: Decimal;
  /** Quantity increment, in contracts. */
  readonly stepSize: Decimal;
  /** Smallest and largest limit-order quantity, in contracts (Binance LOT_SIZE). */
  readonly minQty: Decimal;
  readonly maxQty: Decimal;
  /** Largest market-order quantity, in contracts (Binance MARKET_LOT_SIZE). */
  readonly marketMaxQty: Decimal;
  /** Smallest order notional in the quote asset (Binance MIN_NOTIONAL); zero when the exchange has none (COIN-M). */
  readonly minNotional: Decimal;
  /**
   * Most orders an account may have open on the contract, conditional ones included (Binance
   * MAX_NUM_ORDERS), and most conditional ("algo": STOP, TAKE_PROFIT, their _MARKET forms, trailing
   * stops) among them (MAX_NUM_ALGO_ORDERS). Zero disables the check.
   */
  readonly maxNumOrders: number;
  readonly maxNumAlgoOrders: number;
  /** Highest leverage of the first bracket. */
  readonly maxLeverage: number;
  /** Ordered by `bracket`, contiguous (`floor[n] = cap[n-1]`). */
  readonly brackets: readonly Bracket[];
  /** Fee rates as fractions of notional (0.0004 = 0.04%); a negative maker rate is a rebate. */
  readonly makerFeeRate: Decimal;
  readonly takerFeeRate: Decimal;
  /** Binance `liquidationFee` (the "clearance fee"), a fraction of the liquidated notional. */
  readonly liquidationFeeRate: Decimal;
  /** Delivery contracts only: the settlement instant. */
  readonly expiryDate?: Date | null;
  /** Delivery contracts only: the settlement instant as epoch milliseconds. */
  readonly deliveryTs?: number | null;
  /** Perpetuals: hours between funding settlements (8 on Binance for BTCUSDT). */
  readonly fundingIntervalHours: number;
  readonly isActive: boolean;
}
