/**
 * Property tests (fast-check) over the calculator, rounding, order sizing and the hot path.
 */
import fc from 'fast-check';
import { dec, isMultipleOf, ONE, ZERO } from '../../common/decimal';
import type { Decimal } from '../../common/decimal';
import { assertValidBrackets, deriveMaintenanceAmounts, maxNotionalForLeverage } from './brackets';
import {
  averageEntryPrice,
  initialMargin,
  liquidationPrice,
  maintenanceMargin,
  maintenanceMarginAt,
  marginBalanceAt,
  notional,
  realizedPnl,
  tradingFee,
  unrealizedPnl,
} from './calculator';
import type { LiquidationInput, PositionInput } from './calculator';
import type { ContractSpec, PositionSide } from './contract-spec';
import {
  fromScaled,
  isLiquidatable,
  linearMarginKernel,
  liquidationThreshold,
  maintenanceMarginScaled,
  toScaled,
  unrealizedPnlScaled,
} from './hot-path';
import { maxOpenQuantity } from './order-checks';
import { BTCUSD_PERP, BTCUSDT, ETHUSDT, PAPER_CONTRACTS } from './paper-contracts';
import { roundPrice, roundQuantity } from './rounding';

/** A failing property must fail fast, never hang the suite while shrinking. */
const RUNS = { numRuns: 300, interruptAfterTimeLimit: 30000, markInterruptAsFailure: true };
const side = fc.constantFrom<PositionSide>('LONG', 'SHORT');
const spec = fc.constantFrom<ContractSpec>(BTCUSDT, ETHUSDT, BTCUSD_PERP);

/** `units` whole steps of `step`. */
function steps(step: Decimal, units: number): Decimal {
  return dec(units).times(step);
}

/** A position of 1..5000 steps at a price of 10,000..100,000 (BTC-like) in ticks. */
const position = fc
  .record({ spec, side, sizeSteps: fc.integer({ min: 1, max: 5000 }), priceUnits: fc.integer({ min: 10000, max: 100000 }) })
  .map(({ spec: s, side: d, sizeSteps, priceUnits }): PositionInput => ({
    spec: s,
    side: d,
    size: steps(s.stepSize, sizeSteps).times(s.kind === 'inverse' ? 100 : 1),
    entryPrice: s === ETHUSDT ? dec(priceUnits).div(10) : dec(priceUnits),
  }));

describe('liquidation price properties', () => {
  const isolated = fc
    .record({ position, leverage: fc.integer({ min: 1, max: 50 }), extraPercent: fc.integer({ min: 0, max: 50 }) })
    .map(({ position: p, leverage, extraPercent }): LiquidationInput => {
      const im = initialMargin({ spec: p.spec, size: p.size, price: p.entryPrice, leverage });
      return { spec: p.spec, legs: [p], walletBalance: im.times(dec(100).plus(extraPercent)).div(100) };
    });
  const cross = fc
    .record({ position, wallet: fc.integer({ min: 1, max: 500000 }), other: fc.integer({ min: -2000, max: 2000 }) })
    .map(({ position: p, wallet, other }): LiquidationInput => {
      const scale = p.spec.kind === 'inverse' ? dec('0.00001') : ONE;
      return { spec: p.spec, legs: [p], walletBalance: dec(wallet).times(scale), otherUnrealizedPnl: dec(other).times(scale), otherMaintenanceMargin: dec(5).times(scale) };
    });
  const hedge = fc
    .record({ a: position, b: position, wallet: fc.integer({ min: 1, max: 200000 }) })
    .map(({ a, b, wallet }): LiquidationInput => ({
      spec: a.spec,
      legs: [
        { side: 'LONG', size: a.size, entryPrice: a.entryPrice },
        { side: 'SHORT', size: b.spec === a.spec ? b.size : a.size, entryPrice: b.entryPrice },
      ],
      walletBalance: dec(wallet).times(a.spec.kind === 'inverse' ? dec('0.00001') : ONE),
    }));

  /** margin balance − maintenance margin at a price. */
  const gapAt = (input: LiquidationInput, price: Decimal): Decimal => marginBalanceAt(input, price).minus(maintenanceMarginAt(input, price));

  const property = (input: LiquidationInput): void => {
    const result = liquidationPrice(input);
    if (result.state !== 'price') return;
    const price = result.price!;
    const rounded = result.roundedPrice!;
    // Exactly at the price: margin balance = maintenance margin (up to the 40-dp division).
    expect(gapAt(input, price).abs().lte(dec('1e-20'))).toBe(true);
    // The rounded price is on the tick, within one tick, on the safe side, and one tick further is past it.
    expect(isMultipleOf(rounded, input.spec.tickSize)).toBe(true);
    expect(rounded.minus(price).abs().lt(input.spec.tickSize)).toBe(true);
    const tick = input.spec.tickSize;
    if (result.triggers === 'below') {
      expect(rounded.gte(price)).toBe(true);
      expect(gapAt(input, rounded).gte(dec('-1e-20'))).toBe(true);
      if (rounded.gt(tick)) expect(gapAt(input, rounded.minus(tick)).lte(dec('1e-20'))).toBe(true);
    } else {
      expect(rounded.lte(price)).toBe(true);
      expect(gapAt(input, rounded).gte(dec('-1e-20'))).toBe(true);
      expect(gapAt(input, rounded.plus(tick)).lte(dec('1e-20'))).toBe(true);
    }
  };

  it('isolated: margin balance = maintenance margin at the price, within one tick once rounded', () => {
    fc.assert(fc.property(isolated, property), RUNS);
  });

  it('cross, one-way', () => {
    fc.assert(fc.property(cross, property), RUNS);
  });

  it('cross, hedge mode', () => {
    fc.assert(fc.property(hedge, property), RUNS);
  });

  it('the hot-path threshold agrees with "margin balance ≤ maintenance margin" at any mark', () => {
    const mark = fc.integer({ min: -2000, max: 2000 }).filter((k) => k !== 0);
    fc.assert(
      fc.property(isolated, mark, (input, k) => {
        const result = liquidationPrice(input);
        if (result.state !== 'price') return;
        const markPrice = roundPrice(input.spec, result.price!.times(dec(1000000).plus(k)).div(1000000), 'half-up');
        const candidates = [markPrice, result.price!.times(dec(100000000).plus(k)).div(100000000).round(8, 1)];
        const threshold = liquidationThreshold(input, 8);
        for (const m of candidates) {
          const exact = marginBalanceAt(input, m).lte(maintenanceMarginAt(input, m));
          expect(isLiquidatable(threshold, toScaled(m, 8))).toBe(exact);
        }
      }),
      RUNS,
    );
  });
});

describe('PnL properties', () => {
  it('a long and a short of the same size sum to zero', () => {
    fc.assert(
      fc.property(position, fc.integer({ min: 5000, max: 200000 }), (p, markUnits) => {
        const mark = dec(markUnits);
        const long = unrealizedPnl({ ...p, side: 'LONG' }, mark);
        const short = unrealizedPnl({ ...p, side: 'SHORT' }, mark);
        expect(long.plus(short).eq(ZERO)).toBe(true);
      }),
      RUNS,
    );
  });

  it('adding to a position then closing all books the same PnL as the two trades closed apart', () => {
    fc.assert(
      fc.property(position, fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 10000, max: 100000 }), fc.integer({ min: 5000, max: 200000 }), (p, addSteps, addUnits, exitUnits) => {
        const addSize = steps(p.spec.stepSize, addSteps);
        const addPrice = dec(addUnits);
        const exitPrice = dec(exitUnits);
        const merged: PositionInput = { ...p, size: p.size.plus(addSize), entryPrice: averageEntryPrice(p, { addSize, addPrice }) };
        const together = realizedPnl(merged, { closeSize: merged.size, exitPrice });
        const apart = realizedPnl(p, { closeSize: p.size, exitPrice }).plus(
          realizedPnl({ ...p, size: addSize, entryPrice: addPrice }, { closeSize: addSize, exitPrice }),
        );
        expect(together.minus(apart).abs().lte(dec('1e-25'))).toBe(true);
      }),
      RUNS,
    );
  });

  it('a partial close books the closed fraction of the PnL and leaves the rest unchanged', () => {
    fc.assert(
      fc.property(position, fc.integer({ min: 5000, max: 200000 }), (p, exitUnits) => {
        const exitPrice = dec(exitUnits);
        const half = roundQuantity(p.spec, p.size.div(2));
        if (half.eq(ZERO)) return;
        const closed = realizedPnl(p, { closeSize: half, exitPrice });
        const rest = unrealizedPnl({ ...p, size: p.size.minus(half) }, exitPrice);
        expect(closed.plus(rest).minus(unrealizedPnl(p, exitPrice)).abs().lte(dec('1e-30'))).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('rounding properties', () => {
  const decimalValue = fc.record({ units: fc.integer({ min: 1, max: 10000000 }), scale: fc.integer({ min: 0, max: 9 }) }).map(({ units, scale }) => dec(units).div(dec(10).pow(scale)));

  it('prices round onto the tick in the named direction', () => {
    fc.assert(
      fc.property(spec, decimalValue, fc.constantFrom('down' as const, 'up' as const, 'half-up' as const), (s, value, direction) => {
        const rounded = roundPrice(s, value, direction);
        expect(isMultipleOf(rounded, s.tickSize)).toBe(true);
        if (direction === 'down') expect(rounded.lte(value)).toBe(true);
        if (direction === 'up') expect(rounded.gte(value)).toBe(true);
        expect(rounded.minus(value).abs().lt(s.tickSize)).toBe(true);
      }),
      RUNS,
    );
  });

  it('quantities round onto the step and never above the requested quantity', () => {
    fc.assert(
      fc.property(spec, decimalValue, (s, value) => {
        const rounded = roundQuantity(s, value);
        expect(isMultipleOf(rounded, s.stepSize)).toBe(true);
        expect(rounded.lte(value)).toBe(true);
        expect(value.minus(rounded).lt(s.stepSize)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('maxOpenQuantity properties', () => {
  it('is on the step, affordable, within the bracket cap, and one more step is not', () => {
    fc.assert(
      fc.property(spec, fc.integer({ min: 1, max: 10000000 }), fc.integer({ min: 1, max: 125 }), fc.integer({ min: 10000, max: 100000 }), (s, balanceUnits, leverage, priceUnits) => {
        const balance = dec(balanceUnits).times(s.kind === 'inverse' ? dec('0.0001') : ONE);
        const price = dec(priceUnits);
        const quantity = maxOpenQuantity({ spec: s, availableBalance: balance, leverage, price });
        if (quantity.eq(ZERO)) return;
        const cost = (q: Decimal): Decimal =>
          initialMargin({ spec: s, size: q, price, leverage }).plus(tradingFee({ spec: s, size: q, price, feeRate: s.takerFeeRate }));
        const cap = maxNotionalForLeverage(s.brackets, leverage);
        expect(isMultipleOf(quantity, s.stepSize)).toBe(true);
        expect(cost(quantity).lte(balance)).toBe(true);
        expect(notional(s, quantity, price).lte(cap)).toBe(true);
        expect(quantity.lte(s.maxQty)).toBe(true);
        const more = quantity.plus(s.stepSize);
        expect(cost(more).gt(balance) || notional(s, more, price).gt(cap) || more.gt(s.maxQty)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('hot-path margin kernel', () => {
  it('gives exactly the calculator’s uPnL and maintenance margin (linear)', () => {
    const linear = position.filter((p) => p.spec.kind === 'linear');
    fc.assert(
      fc.property(linear, fc.integer({ min: 1, max: 20000000 }), (p, markCents) => {
        const markPrice = dec(markCents).div(100);
        const kernel = linearMarginKernel(p);
        const markScaled = toScaled(markPrice, kernel.priceDigits);
        expect(fromScaled(unrealizedPnlScaled(kernel, markScaled), kernel.resultDigits).eq(unrealizedPnl(p, markPrice))).toBe(true);
        expect(fromScaled(maintenanceMarginScaled(kernel, markScaled), kernel.resultDigits).eq(maintenanceMargin({ spec: p.spec, size: p.size, markPrice }))).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('paper contract brackets', () => {
  it.each(PAPER_CONTRACTS.map((c) => [c.symbol, c] as const))('%s: contiguous, rising, cum from the recurrence', (_symbol, contract) => {
    expect(() => assertValidBrackets(contract.brackets)).not.toThrow();
    expect(deriveMaintenanceAmounts(contract.brackets).map((b) => b.cum.toFixed())).toEqual(contract.brackets.map((b) => b.cum.toFixed()));
    expect(contract.brackets[0]!.initialLeverage).toBe(contract.maxLeverage);
  });
});
