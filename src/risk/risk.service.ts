/**
 * Pre-trade risk: every refusal is a 4xx with its own stable code, thrown before anything is
 * written. Shape and filters (tick, step, min quantity and notional, price band) need no account;
 * leverage brackets and the admin's per-user limits are checked under the account lock.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { dec, isMultipleOf, ZERO, type Decimal } from '../common/decimal';
import { RiskRejectedError, ValidationError } from '../common/errors';
import { checkOrder, notional, type ContractSpec } from '../contracts/domain';
import type { TradingView } from '../exchanges/paper/domain/queries';
import type { PlaceOrderDto } from '../orders/dto/order.dto';
import { LIMITS_READ_ALONG, limitsRead, RiskLimitsRepository, utcDay, type LimitsRead, type RiskLimits } from './risk-limits.repository';

/** Binance PERCENT_PRICE for BTCUSDT: a limit buy at most 5% above the mark, a sell at most 5% below. */
export const PRICE_BAND = dec('0.05');

const NEEDS_PRICE = new Set(['LIMIT', 'STOP', 'TAKE_PROFIT']);
const NEEDS_STOP = new Set(['STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET']);

function invalid(code: string, field: string, message: string): ValidationError {
  return new ValidationError(code, message, [{ field, code, message }]);
}

export type AccountCheckInput = OrderContext & { userId: number; exchangeAccountId: number; view: TradingView; positionSide: 'BOTH' | 'LONG' | 'SHORT' };

export interface OrderContext {
  spec: ContractSpec;
  dto: PlaceOrderDto;
  markPrice: Decimal;
}

@Injectable()
export class RiskService {
  constructor(private readonly limits: RiskLimitsRepository) {}

  /** What the optimistic order path reads along with the account, and requires unchanged when it writes. */
  readonly limitsAlong = LIMITS_READ_ALONG;

  /** The limits in the columns `limitsAlong` read. */
  limitsRead(row: Record<string, unknown>): LimitsRead {
    return limitsRead(row);
  }

  /** Are limits read earlier still good for an order now? (A daily count is for its own UTC day.) */
  stillCurrent(read: LimitsRead): boolean {
    return read.ordersToday === null || read.day === utcDay(Date.now());
  }

  /** The order's own consistency and the contract's filters. */
  checkShape({ spec, dto, markPrice }: OrderContext): void {
    const closePosition = dto.closePosition === true;
    if (closePosition && dto.quantity !== undefined) throw invalid('QUANTITY_NOT_ALLOWED', 'quantity', 'closePosition orders take no quantity');
    if (closePosition && dto.reduceOnly) throw invalid('REDUCE_ONLY_NOT_ALLOWED', 'reduceOnly', 'closePosition orders take no reduceOnly');
    if (!closePosition && dto.quantity === undefined) throw invalid('QUANTITY_REQUIRED', 'quantity', 'quantity is required unless closePosition');
    if (NEEDS_PRICE.has(dto.type) && dto.price === undefined) throw invalid('PRICE_REQUIRED', 'price', `a ${dto.type} order needs a price`);
    if (!NEEDS_PRICE.has(dto.type) && dto.price !== undefined) throw invalid('PRICE_NOT_ALLOWED', 'price', `a ${dto.type} order takes no price`);
    if (NEEDS_STOP.has(dto.type) && dto.stopPrice === undefined) throw invalid('STOP_PRICE_REQUIRED', 'stopPrice', `a ${dto.type} order needs a stopPrice`);
    if (!NEEDS_STOP.has(dto.type) && dto.stopPrice !== undefined) throw invalid('STOP_PRICE_NOT_ALLOWED', 'stopPrice', `a ${dto.type} order takes no stopPrice`);
    if (dto.type === 'TRAILING_STOP_MARKET') {
      const rate = dto.callbackRate === undefined ? undefined : dec(dto.callbackRate);
      if (rate === undefined || rate.lt('0.1') || rate.gt(10)) throw invalid('CALLBACK_RATE_INVALID', 'callbackRate', 'a trailing stop needs a callbackRate from 0.1 to 10 (percent)');
    } else if (dto.callbackRate !== undefined || dto.activationPrice !== undefined) {
      throw invalid('CALLBACK_RATE_NOT_ALLOWED', 'callbackRate', 'callbackRate and activationPrice are for TRAILING_STOP_MARKET orders');
    }
    if (closePosition && !['STOP_MARKET', 'TAKE_PROFIT_MARKET'].includes(dto.type)) {
      throw invalid('CLOSE_POSITION_NOT_ALLOWED', 'closePosition', 'closePosition is for STOP_MARKET and TAKE_PROFIT_MARKET orders');
    }
    if (dto.timeInForce !== undefined && dto.type !== 'LIMIT' && dto.type !== 'STOP' && dto.type !== 'TAKE_PROFIT') {
      throw invalid('TIME_IN_FORCE_NOT_ALLOWED', 'timeInForce', `a ${dto.type} order takes no timeInForce`);
    }
    for (const [field, value] of [['stopPrice', dto.stopPrice], ['activationPrice', dto.activationPrice]] as const) {
      if (value !== undefined && !isMultipleOf(dec(value), spec.tickSize)) {
        throw invalid('PRICE_OFF_TICK', field, `${field} ${value} is not a multiple of the tick ${spec.tickSize.toFixed()}`);
      }
    }
    if (closePosition) return;
    const quantity = dec(dto.quantity as string);
    const price = dto.price === undefined ? (dto.stopPrice === undefined ? markPrice : dec(dto.stopPrice)) : dec(dto.price);
    const result = checkOrder({ spec, orderType: dto.price === undefined ? 'MARKET' : 'LIMIT', price, quantity, leverage: 1 });
    if (!result.ok && !(result.code === 'NOTIONAL_TOO_SMALL' && dto.reduceOnly)) {
      const field = result.code.startsWith('PRICE') ? 'price' : result.code.startsWith('QUANTITY') ? 'quantity' : 'quantity';
      throw invalid(result.code, field, result.message);
    }
    if (dto.type === 'LIMIT' && dto.price !== undefined) {
      const p = dec(dto.price);
      if (dto.side === 'BUY' && p.gt(markPrice.times(PRICE_BAND.plus(1)))) {
        throw invalid('PRICE_OUT_OF_BAND', 'price', `a buy limit price may be at most 5% above the mark price ${markPrice.toFixed()}`);
      }
      if (dto.side === 'SELL' && p.lt(markPrice.times(dec(1).minus(PRICE_BAND)))) {
        throw invalid('PRICE_OUT_OF_BAND', 'price', `a sell limit price may be at most 5% below the mark price ${markPrice.toFixed()}`);
      }
    }
  }

  /**
   * Leverage brackets and the user's limits, under the account lock (view = the account before the
   * order). `positionSide` is the leg the order opens or adds to.
   */
  async checkAccount(m: EntityManager, input: AccountCheckInput): Promise<void> {
    const limits = await this.limits.find(m, input.userId);
    const today = limits?.maxDailyTrades != null ? await this.limits.ordersToday(m, input.exchangeAccountId) : null;
    this.checkAccountWith(input, limits, today);
  }

  /**
   * The same checks with the limits (and today's order count, when the user has a daily limit)
   * already read — the optimistic order path reads them with the account.
   */
  checkAccountWith(input: AccountCheckInput, limits: RiskLimits | null, ordersToday: number | null): void {
    const { spec, dto, view, markPrice } = input;
    const setting = view.settings.find((s) => s.symbol === spec.symbol);
    const leverage = setting?.leverage ?? defaultLeverage(spec);
    if (limits?.maxLeverage != null && leverage > limits.maxLeverage) {
      throw new RiskRejectedError('RISK_MAX_LEVERAGE', `leverage ${leverage} on ${spec.symbol} is above your limit of ${limits.maxLeverage}; lower it first`);
    }
    if (limits?.maxDailyTrades != null) {
      if (ordersToday === null) throw new Error('a daily limit is checked with the day\'s order count');
      if (ordersToday >= limits.maxDailyTrades) throw new RiskRejectedError('RISK_MAX_DAILY_TRADES', `you have placed ${ordersToday} orders today, your limit is ${limits.maxDailyTrades}`);
    }
    if (dto.closePosition || dto.quantity === undefined) return;
    const quantity = dec(dto.quantity);
    const price = dto.price === undefined ? markPrice : dec(dto.price);
    const orderNotional = notional(spec, quantity, price);
    if (limits?.maxOrderNotional != null && orderNotional.gt(limits.maxOrderNotional)) {
      throw new RiskRejectedError('RISK_MAX_ORDER_NOTIONAL', `order notional ${orderNotional.toFixed()} is above your limit of ${limits.maxOrderNotional}`);
    }
    if (dto.reduceOnly) return;
    const resulting = resultingSize(view, spec.symbol, input.positionSide, dto.side, quantity);
    const result = checkOrder({ spec, orderType: 'LIMIT', price, quantity, leverage, resultingPositionSize: resulting.gt(0) ? resulting : quantity });
    if (!result.ok && result.code === 'POSITION_TOO_LARGE') throw new RiskRejectedError(result.code, result.message);
    const positionNotional = notional(spec, resulting, price);
    if (limits?.maxPositionNotional != null && positionNotional.gt(limits.maxPositionNotional)) {
      throw new RiskRejectedError(
        'RISK_MAX_POSITION_NOTIONAL',
        `the position would reach a notional of ${positionNotional.toFixed()}, above your limit of ${limits.maxPositionNotional}`,
      );
    }
  }

  getLimits(m: EntityManager, userId: number): Promise<RiskLimits | null> {
    return this.limits.find(m, userId);
  }

  putLimits(m: EntityManager, userId: number, limits: RiskLimits): Promise<RiskLimits> {
    return this.limits.put(m, userId, limits);
  }
}

/** Binance's default leverage for a new symbol is 20 (capped by the first bracket). */
export function defaultLeverage(spec: ContractSpec): number {
  return Math.min(20, spec.maxLeverage);
}

/** Size of the leg after the order, if it adds to it (one-way: the signed position after the order). */
function resultingSize(view: TradingView, symbol: string, positionSide: string, side: 'BUY' | 'SELL', quantity: Decimal): Decimal {
  const leg = view.positions.find((p) => p.symbol === symbol && p.positionSide === positionSide);
  const current = leg?.qty ?? ZERO;
  const signed = side === 'BUY' ? quantity : quantity.neg();
  return current.plus(signed).abs();
}
