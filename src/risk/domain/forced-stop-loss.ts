/**
 * The forced stop-loss of a user's risk limits (the seed's 强制止损机制): a position whose loss reaches
 * the limit's percentage of its initial margin (ROE ≤ −pct %, Binance's ROE: unrealized PnL at the
 * mark price over the initial margin at the mark price) is closed at market by the service.
 * Pure: no Nest, TypeORM or I/O; exact decimals.
 */
import type Big from 'big.js';
import { ZERO } from '../../common/decimal';
import type { Position, PositionSide } from '../../exchanges/types';

export interface ForcedClose {
  symbol: string;
  positionSide: PositionSide;
  side: 'BUY' | 'SELL';
  /** The whole position, in contracts or base units (capped per order by the market lot size). */
  qty: Big;
  /** One-way mode closes with reduce-only; hedge mode by positionSide. */
  reduceOnly: boolean;
  /** The position's ROE when the limit was hit, in percent (negative). */
  roePct: Big;
}

/** ROE in percent: unrealized PnL / initial margin × 100; zero without margin. */
export function roePct(p: Pick<Position, 'unrealizedPnl' | 'initialMargin'>): Big {
  return p.initialMargin.gt(0) ? p.unrealizedPnl.times(100).div(p.initialMargin) : ZERO;
}

/** The positions to close: those whose ROE is at or below −pct %; none when pct is not positive. */
export function forcedStopLossCloses(positionMode: 'ONE_WAY' | 'HEDGE', positions: Position[], pct: Big): ForcedClose[] {
  if (!pct.gt(0)) return [];
  const closes: ForcedClose[] = [];
  for (const p of positions) {
    if (p.qty.eq(0) || !p.initialMargin.gt(0) || !p.unrealizedPnl.lt(0)) continue;
    // −uPnL × 100 ≥ pct × IM  ⇔  ROE ≤ −pct %, without a rounded division
    if (p.unrealizedPnl.neg().times(100).lt(pct.times(p.initialMargin))) continue;
    const long = positionMode === 'HEDGE' ? p.positionSide === 'LONG' : p.qty.gt(0);
    closes.push({
      symbol: p.symbol,
      positionSide: positionMode === 'HEDGE' ? p.positionSide : 'BOTH',
      side: long ? 'SELL' : 'BUY',
      qty: p.qty.abs(),
      reduceOnly: positionMode === 'ONE_WAY',
      roePct: roePct(p),
    });
  }
  return closes;
}
