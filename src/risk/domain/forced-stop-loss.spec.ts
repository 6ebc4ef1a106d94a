import { dec } from '../../common/decimal';
import type { Position } from '../../exchanges/types';
import { forcedStopLossCloses, roePct } from './forced-stop-loss';

function position(p: Partial<Position> & Pick<Position, 'qty' | 'unrealizedPnl' | 'initialMargin'>): Position {
  return {
    symbol: 'BTCUSDT',
    positionSide: 'BOTH',
    entryPrice: dec('60000'),
    markPrice: dec('60000'),
    liquidationPrice: dec('0'),
    leverage: 10,
    marginMode: 'CROSSED',
    isolatedMargin: dec('0'),
    maintenanceMargin: dec('0'),
    notional: dec('0'),
    marginAsset: 'USDT',
    updateTs: 0,
    ...p,
  } as Position;
}

describe('forced stop-loss', () => {
  it('closes a one-way long exactly at the limit (ROE = −pct %) with a reduce-only sell of the whole position', () => {
    const p = position({ qty: dec('0.5'), unrealizedPnl: dec('-1500'), initialMargin: dec('3000') });
    expect(roePct(p).toFixed()).toBe('-50');
    const closes = forcedStopLossCloses('ONE_WAY', [p], dec('50'));
    expect(closes).toHaveLength(1);
    expect(closes[0]).toMatchObject({ symbol: 'BTCUSDT', positionSide: 'BOTH', side: 'SELL', reduceOnly: true });
    expect(closes[0].qty.toFixed()).toBe('0.5');
  });

  it('leaves a position one cent short of the limit alone', () => {
    const p = position({ qty: dec('0.5'), unrealizedPnl: dec('-1499.99'), initialMargin: dec('3000') });
    expect(forcedStopLossCloses('ONE_WAY', [p], dec('50'))).toEqual([]);
  });

  it('buys back a one-way short, and closes hedge legs by position side without reduce-only', () => {
    const short = position({ qty: dec('-2'), unrealizedPnl: dec('-700'), initialMargin: dec('1000') });
    expect(forcedStopLossCloses('ONE_WAY', [short], dec('70'))[0]).toMatchObject({ side: 'BUY', positionSide: 'BOTH', reduceOnly: true });
    const hedgeShort = position({ positionSide: 'SHORT', qty: dec('-2'), unrealizedPnl: dec('-700'), initialMargin: dec('1000') });
    const hedgeLong = position({ positionSide: 'LONG', qty: dec('1'), unrealizedPnl: dec('-10'), initialMargin: dec('1000') });
    const closes = forcedStopLossCloses('HEDGE', [hedgeLong, hedgeShort], dec('70'));
    expect(closes).toHaveLength(1);
    expect(closes[0]).toMatchObject({ side: 'BUY', positionSide: 'SHORT', reduceOnly: false });
    expect(closes[0].qty.toFixed()).toBe('2');
  });

  it('never closes a winning or empty position, nor without a positive limit', () => {
    const winner = position({ qty: dec('1'), unrealizedPnl: dec('500'), initialMargin: dec('1000') });
    const empty = position({ qty: dec('0'), unrealizedPnl: dec('0'), initialMargin: dec('0') });
    const loser = position({ qty: dec('1'), unrealizedPnl: dec('-999'), initialMargin: dec('1000') });
    expect(forcedStopLossCloses('ONE_WAY', [winner, empty], dec('1'))).toEqual([]);
    expect(forcedStopLossCloses('ONE_WAY', [loser], dec('0'))).toEqual([]);
  });
});
