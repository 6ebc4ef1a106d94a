/** Engine events → the user stream's domain events (Binance ORDER_TRADE_UPDATE / ACCOUNT_UPDATE shapes). */
import { ZERO } from '../../common/decimal';
import type { UserStreamHandlers } from '../base';
import type { Position } from '../types';
import type { EngineEvent } from './domain/engine-types';
import type { AccountView } from './domain/queries';

export function toUserEvents(events: readonly EngineEvent[], view: AccountView, h: UserStreamHandlers): void {
  for (const e of events) {
    switch (e.type) {
      case 'ORDER_UPDATE':
        h.order?.(e.order);
        break;
      case 'FILL':
        h.fill?.(e.fill);
        break;
      case 'POSITION': {
        const p = view.positions.find((x) => x.symbol === e.position.symbol && x.positionSide === e.position.positionSide);
        h.position?.(p ?? flat(e.position.symbol, e.position.positionSide, e.position.marginMode, e.position.leverage, e.ts));
        break;
      }
      case 'BALANCE': {
        const b = view.balances.find((x) => x.asset === e.entry.asset);
        if (b) h.balance?.(b);
        break;
      }
      case 'LIQUIDATION':
        h.liquidation?.({ symbol: e.symbol, positionSide: e.positionSide, qty: e.amount, price: e.bankruptcyPrice, ts: e.ts });
        break;
      default:
        break;
    }
  }
}

function flat(symbol: string, positionSide: Position['positionSide'], marginMode: Position['marginMode'], leverage: number, ts: number): Position {
  return {
    symbol,
    positionSide,
    qty: ZERO,
    entryPrice: ZERO,
    markPrice: ZERO,
    unrealizedPnl: ZERO,
    liquidationPrice: ZERO,
    leverage,
    marginMode,
    isolatedMargin: ZERO,
    initialMargin: ZERO,
    maintenanceMargin: ZERO,
    notional: ZERO,
    marginAsset: '',
    updateTs: ts,
  };
}
