/**
 * Hot path: thresholds come from the calculator's liquidation price; states other than 'price'
 * behave as never/always; scaling is exact or refuses.
 */
import { dec } from '../../common/decimal';
import { ValidationError } from '../../common/errors';
import { isolatedLiquidationPrice, liquidationPrice } from './calculator';
import { fromScaled, isLiquidatable, linearMarginKernel, liquidationThreshold, toScaled } from './hot-path';
import { BTCUSD_PERP, BTCUSDT } from './paper-contracts';

describe('liquidationThreshold / isLiquidatable', () => {
  it('long: liquidatable at and below floor(LP), not one unit above', () => {
    const input = { spec: BTCUSDT, legs: [{ side: 'LONG' as const, size: dec(1), entryPrice: dec(50000) }], walletBalance: dec(5000) };
    const lp = liquidationPrice(input).price!; // 45180.7228915662…
    const threshold = liquidationThreshold(input, 8);
    expect(threshold.thresholdScaled).toBe(toScaled(lp, 8, 'down'));
    expect(fromScaled(threshold.thresholdScaled, 8).toFixed()).toBe('45180.72289156');
    expect(isLiquidatable(threshold, toScaled(dec('45180.72289156'), 8))).toBe(true);
    expect(isLiquidatable(threshold, toScaled(dec('45180.72289157'), 8))).toBe(false);
  });

  it('short (inverse): liquidatable at and above ceil(LP)', () => {
    const position = { spec: BTCUSD_PERP, side: 'SHORT' as const, size: dec(10), entryPrice: dec(40000) };
    const threshold = liquidationThreshold({ spec: BTCUSD_PERP, legs: [position], walletBalance: dec('0.01') });
    expect(isolatedLiquidationPrice({ ...position, isolatedMargin: dec('0.01') }).price!.toFixed()).toBe('66400');
    expect(isLiquidatable(threshold, toScaled(dec(66400), 8))).toBe(true);
    expect(isLiquidatable(threshold, toScaled(dec('66399.99999999'), 8))).toBe(false);
  });

  it("'never' is never liquidatable; 'immediate' always is", () => {
    const never = liquidationThreshold({ spec: BTCUSDT, legs: [{ side: 'LONG', size: dec(1), entryPrice: dec(50000) }], walletBalance: dec(60000) });
    expect(never.state).toBe('never');
    expect(isLiquidatable(never, 1n)).toBe(false);
    const immediate = liquidationThreshold({
      spec: BTCUSDT,
      legs: [{ side: 'SHORT', size: dec(1), entryPrice: dec(50000) }],
      walletBalance: dec(1000),
      otherUnrealizedPnl: dec(-100000),
    });
    expect(immediate.state).toBe('immediate');
    expect(isLiquidatable(immediate, toScaled(dec(1), 8))).toBe(true);
  });
});

describe('scaling', () => {
  it('toScaled is exact unless told how to round', () => {
    expect(toScaled(dec('1.5'), 2)).toBe(150n);
    expect(() => toScaled(dec('1.005'), 2)).toThrow(RangeError);
    expect(toScaled(dec('1.005'), 2, 'up')).toBe(101n);
    expect(toScaled(dec('-1.005'), 2, 'down')).toBe(-101n);
  });

  it('the margin kernel is linear-only', () => {
    expect(() => linearMarginKernel({ spec: BTCUSD_PERP, side: 'LONG', size: dec(1), entryPrice: dec(40000) })).toThrow(ValidationError);
  });
});
