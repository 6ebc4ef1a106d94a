/**
 * Calculator functions not covered by a published worked example: funding sign and asset, entry
 * price on adding (quantity-weighted vs harmonic), partial closes, margin ratio, input validation.
 */
import { dec } from '../../common/decimal';
import { ValidationError } from '../../common/errors';
import {
  averageEntryPrice,
  fundingPayment,
  initialMargin,
  marginRatio,
  realizedPnl,
  tradingFee,
  unrealizedPnl,
} from './calculator';
import type { PositionInput } from './calculator';
import { BTCUSD_PERP, BTCUSDT } from './paper-contracts';

describe('fundingPayment', () => {
  const funding = { markPrice: dec(50000), fundingRate: dec('0.0001') };

  it('linear: position value at mark × rate; longs pay a positive rate, shorts receive it (USDT)', () => {
    expect(fundingPayment({ spec: BTCUSDT, side: 'LONG', size: dec(1) }, funding).toFixed()).toBe('-5');
    expect(fundingPayment({ spec: BTCUSDT, side: 'SHORT', size: dec(1) }, funding).toFixed()).toBe('5');
  });

  it('a negative rate reverses the flow', () => {
    expect(fundingPayment({ spec: BTCUSDT, side: 'LONG', size: dec(2) }, { ...funding, fundingRate: dec('-0.0003') }).toFixed()).toBe('30');
  });

  it('inverse: contracts × 100 USD / mark × rate, in BTC', () => {
    // 100 contracts × 100 USD / 50,000 = 0.2 BTC; × 0.0001 = 0.00002 BTC.
    expect(fundingPayment({ spec: BTCUSD_PERP, side: 'LONG', size: dec(100) }, funding).toFixed()).toBe('-0.00002');
    expect(fundingPayment({ spec: BTCUSD_PERP, side: 'SHORT', size: dec(100) }, funding).toFixed()).toBe('0.00002');
  });
});

describe('averageEntryPrice', () => {
  it('linear: quantity-weighted', () => {
    const position: PositionInput = { spec: BTCUSDT, side: 'LONG', size: dec(1), entryPrice: dec(50000) };
    expect(averageEntryPrice(position, { addSize: dec(3), addPrice: dec(54000) }).toFixed()).toBe('53000');
  });

  it('inverse: harmonic ((q1 + q2) / (q1/P1 + q2/P2))', () => {
    const position: PositionInput = { spec: BTCUSD_PERP, side: 'SHORT', size: dec(100), entryPrice: dec(40000) };
    // 200 / (100/40,000 + 100/60,000) = 200 / (0.0025 + 0.001666…) = 48,000.
    expect(averageEntryPrice(position, { addSize: dec(100), addPrice: dec(60000) }).round(20).toFixed()).toBe('48000');
  });
});

describe('realizedPnl', () => {
  const position: PositionInput = { spec: BTCUSDT, side: 'SHORT', size: dec('0.3'), entryPrice: dec(60000) };

  it('books the closed part at the exit price', () => {
    expect(realizedPnl(position, { closeSize: dec('0.1'), exitPrice: dec(59000) }).toFixed()).toBe('100');
    expect(realizedPnl(position, { closeSize: dec('0.3'), exitPrice: dec(61000) }).toFixed()).toBe('-300');
  });

  it('refuses to close more than the position', () => {
    expect(() => realizedPnl(position, { closeSize: dec('0.4'), exitPrice: dec(59000) })).toThrow(ValidationError);
  });

  it('inverse: PnL in coin', () => {
    const inverse: PositionInput = { spec: BTCUSD_PERP, side: 'SHORT', size: dec(200), entryPrice: dec(40000) };
    // 100 × 100 × (1/50,000 − 1/40,000) = −0.05 BTC.
    expect(realizedPnl(inverse, { closeSize: dec(100), exitPrice: dec(50000) }).toFixed()).toBe('-0.05');
    expect(unrealizedPnl(inverse, dec(50000)).toFixed()).toBe('-0.1');
  });
});

describe('margins, fees and validation', () => {
  it('marginRatio = maintenance margin / margin balance; null past bankruptcy', () => {
    expect(marginRatio({ maintenanceMargin: dec(50), marginBalance: dec(1000) })!.toFixed()).toBe('0.05');
    expect(marginRatio({ maintenanceMargin: dec(50), marginBalance: dec(0) })).toBeNull();
  });

  it('inverse fee: contracts × size / price × rate, in coin', () => {
    expect(tradingFee({ spec: BTCUSD_PERP, size: dec(10), price: dec(40000), feeRate: BTCUSD_PERP.takerFeeRate }).toFixed()).toBe('0.0000125');
  });

  it('refuses a fractional leverage and a non-positive price', () => {
    expect(() => initialMargin({ spec: BTCUSDT, size: dec(1), price: dec(1), leverage: 2.5 })).toThrow(ValidationError);
    expect(() => initialMargin({ spec: BTCUSDT, size: dec(1), price: dec(0), leverage: 2 })).toThrow(ValidationError);
  });
});
