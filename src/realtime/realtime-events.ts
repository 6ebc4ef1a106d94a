/**
 * The Socket.IO contract (API.md "Socket.IO"): what clients send, what the server emits. The gateway
 * and UserEventsService emit only names of these maps.
 */
import type { MarketChannel, MarketEventMap } from '../market-data/market-data.types';

export type { MarketChannel, MarketEventMap };
export { MARKET_CHANNELS } from '../market-data/market-data.types';

/** Client → server `subscribe` / `unsubscribe` payload. */
export interface SubscriptionRequest {
  channel: MarketChannel;
  symbol: string;
  /** Default: `paper`. */
  exchange?: string;
}

export type SubscriptionAck = { ok: true; channel: MarketChannel; symbol: string } | { ok: false; code: string; message: string };

/** JSON values only: decimals as strings, times as ISO strings or epoch ms. */
export type EventValue = string | number | boolean | null | EventValue[] | { [key: string]: EventValue | undefined };

interface UserEventBase {
  [key: string]: EventValue | undefined;
}

/** An order record as the REST API returns it (API.md "Trading"). */
export interface OrderEventPayload extends UserEventBase {
  id: string | number;
  symbol: string;
  status: string;
}

/** One fill of the user's (API.md `GET /contracts/trades`). */
export interface TradeEventPayload extends UserEventBase {
  symbol: string;
  price: string;
  qty: string;
}

/** A position after a change (API.md `GET /contracts/positions`); size "0" when closed. */
export interface PositionEventPayload extends UserEventBase {
  symbol: string;
  side: string;
  size: string;
}

/** Balances of one asset after a change (API.md `GET /contracts/account`). */
export interface AccountEventPayload extends UserEventBase {
  asset: string;
  walletBalance: string;
}

/** A risk or monitoring alert for the user. */
export interface AlertEventPayload extends UserEventBase {
  code: string;
  message: string;
}

/** Server → client private events, sent to the user's room `user:<id>` without a subscription. */
export interface UserEventMap {
  order: OrderEventPayload;
  trade: TradeEventPayload;
  position: PositionEventPayload;
  account: AccountEventPayload;
  alert: AlertEventPayload;
}

export type UserEventName = keyof UserEventMap;

export function userRoom(userId: number): string {
  return `user:${userId}`;
}

export function marketRoom(channel: MarketChannel, exchange: string, symbol: string): string {
  return `${channel}:${exchange}:${symbol}`;
}
