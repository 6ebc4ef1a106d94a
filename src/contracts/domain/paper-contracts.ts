/**
 * The paper exchange's contracts, mirroring real Binance ones so that a strategy behaves the same on
 * paper and live. Dated snapshots, not live values (the live adapters read exchangeInfo and
 * leverageBracket at startup):
 *
 * - Filters (tick, step, min/max quantity, min notional, open-order limits, clearance fee) from
 *   real exchangeInfo rows captured by ccxt (ccxt/ccxt @ 0dca8ac ts/src/test/static/markets/binance.json),
 *   as kept in shared/reference/payloads_binance.json (`binance-exchangeinfo-btcusdt-ccxt`,
 *   `binance-exchangeinfo-ethusdt-ccxt`, `binance-coinm-exchangeinfo-btcusd-perp-ccxt`); ETHUSDT's
 *   open-order limits (200 orders, 10 conditional) as BTCUSDT's.
 * - Fees: Binance's default tier (USDⓈ-M maker 0.02% / taker 0.04%; COIN-M maker 0.01% / taker
 *   0.05%; GET /fapi/v1/commissionRate doc example and ccxt's parsed fees).
 * - Brackets: BTCUSDT is the table the Binance USDⓈ-M liquidation FAQ quotes (bracket 3 = 250,000 –
 *   3,000,000 USDT at 1% with maintenance amount 1,300 USDT; the full 10-bracket table as returned by
 *   /fapi/v1/leverageBracket in 2021-22). BTCUSD_PERP (in BTC) is the table of the newer revision of
 *   the COIN-M FAQ (a 300 BTC position: MMR 12.5%, maintenance amount 11.605 BTC); its last bracket
 *   cap is our own. ETHUSDT is a past Binance schedule (2021-22) as publicly tabulated. Every table's
 *   `cum` agrees with the recurrence (`assertValidBrackets` is run on them in the tests).
 */
import { dec } from '../../common/decimal';
import { NotFoundError } from '../../common/errors';
import { bracketOf } from './brackets';
import type { Bracket, ContractSpec } from './contract-spec';

type BracketRow = readonly [leverage: number, floor: string, cap: string, mmr: string, cum: string];

function brackets(rows: readonly BracketRow[]): Bracket[] {
  let bracket = 0;
  return rows.map(([initialLeverage, notionalFloor, notionalCap, maintMarginRatio, cum]) => {
    bracket++;
    return bracketOf({ bracket, initialLeverage, notionalFloor, notionalCap, maintMarginRatio, cum });
  });
}

/** BTCUSDT (USDⓈ-M), notional in USDT. */
const BTCUSDT_BRACKETS = brackets([
  [125, '0', '50000', '0.004', '0'],
  [100, '50000', '250000', '0.005', '50'],
  [50, '250000', '3000000', '0.01', '1300'],
  [20, '3000000', '20000000', '0.025', '46300'],
  [10, '20000000', '40000000', '0.05', '546300'],
  [5, '40000000', '100000000', '0.1', '2546300'],
  [4, '100000000', '120000000', '0.125', '5046300'],
  [3, '120000000', '200000000', '0.15', '8046300'],
  [2, '200000000', '300000000', '0.25', '28046300'],
  [1, '300000000', '500000000', '0.5', '103046300'],
]);

/** ETHUSDT (USDⓈ-M), notional in USDT. */
const ETHUSDT_BRACKETS = brackets([
  [100, '0', '10000', '0.005', '0'],
  [75, '10000', '100000', '0.0065', '15'],
  [50, '100000', '500000', '0.01', '365'],
  [25, '500000', '1000000', '0.02', '5365'],
  [10, '1000000', '2000000', '0.05', '35365'],
  [5, '2000000', '5000000', '0.1', '135365'],
  [4, '5000000', '10000000', '0.125', '260365'],
  [3, '10000000', '20000000', '0.15', '510365'],
  [2, '20000000', '50000000', '0.25', '2510365'],
  [1, '50000000', '100000000', '0.5', '15010365'],
]);

/** BTCUSD_PERP (COIN-M), notional in BTC (Binance's qtyFloor/qtyCap). */
const BTCUSD_BRACKETS = brackets([
  [125, '0', '5', '0.004', '0'],
  [100, '5', '10', '0.005', '0.005'],
  [50, '10', '20', '0.01', '0.055'],
  [20, '20', '50', '0.025', '0.355'],
  [10, '50', '100', '0.05', '1.605'],
  [5, '100', '200', '0.1', '6.605'],
  [4, '200', '400', '0.125', '11.605'],
  [3, '400', '1000', '0.15', '21.605'],
  [2, '1000', '1500', '0.25', '121.605'],
  [1, '1500', '3000', '0.5', '496.605'],
]);

const USDM_COMMON = {
  exchange: 'paper',
  quoteAsset: 'USDT',
  marginAsset: 'USDT',
  settlementAsset: 'USDT',
  kind: 'linear',
  contractSize: dec(1),
  makerFeeRate: dec('0.0002'),
  takerFeeRate: dec('0.0004'),
  isActive: true,
} as const;

export const BTCUSDT: ContractSpec = {
  ...USDM_COMMON,
  symbol: 'BTCUSDT',
  baseAsset: 'BTC',
  contractType: 'perpetual',
  tickSize: dec('0.1'),
  minPrice: dec('556.8'),
  maxPrice: dec('4529764'),
  stepSize: dec('0.001'),
  minQty: dec('0.001'),
  maxQty: dec('1000'),
  marketMaxQty: dec('120'),
  minNotional: dec('5'),
  maxNumOrders: 200,
  maxNumAlgoOrders: 10,
  maxLeverage: 125,
  brackets: BTCUSDT_BRACKETS,
  liquidationFeeRate: dec('0.0125'),
  expiryDate: null,
  deliveryTs: null,
  fundingIntervalHours: 8,
};

export const ETHUSDT: ContractSpec = {
  ...USDM_COMMON,
  symbol: 'ETHUSDT',
  baseAsset: 'ETH',
  contractType: 'perpetual',
  tickSize: dec('0.01'),
  minPrice: dec('39.86'),
  maxPrice: dec('306177'),
  stepSize: dec('0.001'),
  minQty: dec('0.001'),
  maxQty: dec('10000'),
  marketMaxQty: dec('2000'),
  minNotional: dec('5'),
  maxNumOrders: 200,
  maxNumAlgoOrders: 10,
  maxLeverage: 100,
  brackets: ETHUSDT_BRACKETS,
  liquidationFeeRate: dec('0.0125'),
  expiryDate: null,
  deliveryTs: null,
  fundingIntervalHours: 8,
};

export const BTCUSD_PERP: ContractSpec = {
  exchange: 'paper',
  symbol: 'BTCUSD_PERP',
  baseAsset: 'BTC',
  quoteAsset: 'USD',
  marginAsset: 'BTC',
  settlementAsset: 'BTC',
  contractType: 'perpetual',
  kind: 'inverse',
  contractSize: dec(100),
  tickSize: dec('0.1'),
  minPrice: dec('1000'),
  maxPrice: dec('4520958'),
  stepSize: dec('1'),
  minQty: dec('1'),
  maxQty: dec('1000000'),
  marketMaxQty: dec('60000'),
  minNotional: dec(0),
  maxNumOrders: 200,
  maxNumAlgoOrders: 20,
  maxLeverage: 125,
  brackets: BTCUSD_BRACKETS,
  makerFeeRate: dec('0.0001'),
  takerFeeRate: dec('0.0005'),
  liquidationFeeRate: dec('0.015'),
  expiryDate: null,
  deliveryTs: null,
  fundingIntervalHours: 8,
  isActive: true,
};

/**
 * Quarterly USDT-margined delivery contract, settling 2026-12-25 08:00 UTC (Binance names these
 * `BTCUSDT_YYMMDD`). Filters and brackets as BTCUSDT (the paper exchange's choice); no funding.
 */
export const BTCUSDT_261225: ContractSpec = {
  ...BTCUSDT,
  symbol: 'BTCUSDT_261225',
  contractType: 'delivery',
  expiryDate: new Date('2026-12-25T08:00:00.000Z'),
  deliveryTs: 1798185600000,
  fundingIntervalHours: 0,
};

export const PAPER_CONTRACTS: readonly ContractSpec[] = [BTCUSDT, ETHUSDT, BTCUSD_PERP, BTCUSDT_261225];

const BY_SYMBOL: ReadonlyMap<string, ContractSpec> = new Map(PAPER_CONTRACTS.map((c) => [c.symbol, c]));

/** The paper contract for `symbol`, or undefined. */
export function findPaperContract(symbol: string): ContractSpec | undefined {
  return BY_SYMBOL.get(symbol);
}

/** The paper contract for `symbol`; throws `NotFoundError('CONTRACT_NOT_FOUND')`. */
export function getPaperContract(symbol: string): ContractSpec {
  const spec = BY_SYMBOL.get(symbol);
  if (spec === undefined) throw new NotFoundError('CONTRACT_NOT_FOUND', `contract ${symbol} was not found`);
  return spec;
}
