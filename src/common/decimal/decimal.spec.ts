import { dec, roundToStep, isDecimalString, roundDp, isZero, isPositive } from './decimal';

describe('decimal', () => {
  it('rounds to a step in the named direction, for negatives too', () => {
    expect(roundToStep(dec('-1.235'), dec('0.01'), 'down').toFixed()).toBe('-1.24');
    expect(roundToStep(dec('-1.235'), dec('0.01'), 'up').toFixed()).toBe('-1.23');
    expect(roundToStep(dec('1.235'), dec('0.01'), 'toward-zero').toFixed()).toBe('1.23');
    expect(roundToStep(dec('1.235'), dec('0.5'), 'up').toFixed()).toBe('1.5');
    expect(roundDp(dec('2.486011688'), 8, 'toward-zero').toFixed()).toBe('2.48601168');
  });
  it('refuses fractional numbers and accepts only plain decimal strings', () => {
    expect(() => dec(0.1)).toThrow(TypeError);
    expect(isDecimalString('1e5')).toBe(false);
    expect(isDecimalString('-12.50')).toBe(true);
    expect(isDecimalString('.5')).toBe(false);
  });
  it('tells the sign without allocating, as gt/lt/eq against zero do', () => {
    const values = ['0', '-0', '0.000', '1e-30', '-1e-30', '5', '-5', '123456789.000000001', '-0.1'].map((v) => dec(v));
    values.push(dec('1').minus('1'), dec('-1').plus('1'), dec('0.1').times('0'), dec('-3').times('0'));
    for (const x of values) {
      expect([x.toFixed(), isZero(x), isPositive(x)]).toEqual([x.toFixed(), x.eq(0), x.gt(0)]);
    }
  });
});
