/**
 * What an adapter can do, declared once (ccxt `describe().has`, freqtrade `_ft_has`). The
 * conformance suite and the services read it instead of catching "not supported" errors.
 */
import type { OrderType, TimeInForce, WorkingType } from './types';

export interface ExchangeCapabilities {
  /** Linear (USDⓈ-M / USDT-SWAP) and inverse (COIN-M / USD-SWAP) contracts. */
  linear: boolean;
  inverse: boolean;
  perpetual: boolean;
  delivery: boolean;
  orderTypes: readonly OrderType[];
  timeInForce: readonly TimeInForce[];
  workingTypes: readonly WorkingType[];
  reduceOnly: boolean;
  closePosition: boolean;
  hedgeMode: boolean;
  isolatedMargin: boolean;
  crossMargin: boolean;
  modifyIsolatedMargin: boolean;
  incomeHistory: boolean;
  fundingHistory: boolean;
  marketStream: boolean;
  userStream: boolean;
  /** The venue can be driven by the test (paper, fake servers): `driveMarket` in the conformance suite. */
  simulated: boolean;
}

export const ALL_ORDER_TYPES: readonly OrderType[] = [
  'MARKET',
  'LIMIT',
  'STOP',
  'STOP_MARKET',
  'TAKE_PROFIT',
  'TAKE_PROFIT_MARKET',
  'TRAILING_STOP_MARKET',
];
export const ALL_TIME_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK', 'GTX'];
