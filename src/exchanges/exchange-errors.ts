/**
 * Exchange error codes: what every adapter (paper, Binance, OKX) throws when the venue refuses an
 * order or a setting. Adapters translate the venue's own codes at their edge (Binance: -2019
 * margin is insufficient, -2021 order would immediately trigger, -5022 post-only would cross,
 * -2022 reduce-only rejected, -2025 max open order limit reached, -2013 order does not exist, -4164 notional too small; see
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/error-code). Unknown codes
 * become a plain ExchangeError; transient failures are ExchangeUnavailableError / RateLimitedError.
 */
import { ExchangeRejectedError, NotFoundError, ValidationError } from '../common/errors';

export const ExchangeErrorCode = {
  INSUFFICIENT_MARGIN: 'INSUFFICIENT_MARGIN',
  INVALID_ORDER: 'INVALID_ORDER',
  INVALID_PRICE: 'INVALID_PRICE',
  INVALID_QUANTITY: 'INVALID_QUANTITY',
  MIN_NOTIONAL: 'MIN_NOTIONAL',
  MAX_OPEN_ORDERS: 'MAX_OPEN_ORDERS',
  ORDER_NOT_FOUND: 'ORDER_NOT_FOUND',
  DUPLICATE_CLIENT_ORDER_ID: 'DUPLICATE_CLIENT_ORDER_ID',
  ORDER_WOULD_IMMEDIATELY_TRIGGER: 'ORDER_WOULD_IMMEDIATELY_TRIGGER',
  POST_ONLY_WOULD_CROSS: 'POST_ONLY_WOULD_CROSS',
  FOK_NOT_FILLABLE: 'FOK_NOT_FILLABLE',
  REDUCE_ONLY_REJECTED: 'REDUCE_ONLY_REJECTED',
  NO_LIQUIDITY: 'NO_LIQUIDITY',
  LEVERAGE_TOO_HIGH: 'LEVERAGE_TOO_HIGH',
  POSITION_LIMIT_EXCEEDED: 'POSITION_LIMIT_EXCEEDED',
  POSITION_SIDE_MISMATCH: 'POSITION_SIDE_MISMATCH',
  POSITION_OR_ORDERS_EXIST: 'POSITION_OR_ORDERS_EXIST',
  SYMBOL_NOT_FOUND: 'SYMBOL_NOT_FOUND',
  NO_MARKET_DATA: 'NO_MARKET_DATA',
  UNSUPPORTED: 'UNSUPPORTED',
  CONTRACT_EXPIRED: 'CONTRACT_EXPIRED',
} as const;
export type ExchangeErrorCode = (typeof ExchangeErrorCode)[keyof typeof ExchangeErrorCode];

/** The venue refused the request (a 4xx for our client; do not retry unchanged). */
export function rejected(code: ExchangeErrorCode, message: string): ExchangeRejectedError {
  return new ExchangeRejectedError(code, message);
}

export function orderNotFound(message: string): NotFoundError {
  return new NotFoundError(ExchangeErrorCode.ORDER_NOT_FOUND, message);
}

export function invalid(code: ExchangeErrorCode, message: string, field?: string): ValidationError {
  return new ValidationError(code, message, field ? [{ field, code, message }] : undefined);
}
