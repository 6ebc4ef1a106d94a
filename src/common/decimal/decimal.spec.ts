import { type Decimal, canonicalDecimal, dec, roundToStep, isDecimalString, roundDp, isZero, isPositive, isMultipleOf } from './decimal';

/** Decimals spread over signs, zeros, exponents and digit counts (deterministic). */
function sampleValues(): string[] {
  const out = ['0', '-0', '0.000', '1', '-1', '10', '0.1', '0.10', '100.5', '-100.5', '1e-30', '-1e-30', '99999.99', '100000', '0.001', '0.0010001'];
  let seed = 7;
  const next = () => (seed = (seed * 48271) % 2147483647);
  for (let i = 0; i < 300; i++) {
    const digits = String(next()).slice(0, 1 + (next() % 9));
    const point = next() % (digits.length + 4);
    const body = point >= digits.length ? `0.${'0'.repeat(point - digits.length)}${digits}` : `${digits.slice(0, digits.length - point)}.${digits.slice(digits.length - point) || '0'}`;
    out.push(next() % 3 === 0 ? `-${body}` : body);
  }
  return out;
}

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
  it('compares exactly as big.js does, without copying a decimal argument', () => {
    const values = sampleValues().map((v) => dec(v));
    // an independent answer: the sign of the difference (big.js subtracts without calling cmp)
    const reference = (x: Decimal, y: Decimal | string | number) => {
      const d = x.minus(y);
      return isZero(d) ? 0 : d.s;
    };
    const wrong: string[] = [];
    for (const x of values) {
      for (const y of values.slice(0, 60)) if (x.cmp(y) !== reference(x, y)) wrong.push(`${x.toFixed()} cmp ${y.toFixed()}`);
      // strings and integers are still converted
      if (x.cmp('0.1') !== reference(x, '0.1')) wrong.push(`${x.toFixed()} cmp '0.1'`);
      if (x.gte(3) !== reference(x, 3) >= 0) wrong.push(`${x.toFixed()} gte 3`);
    }
    expect(wrong).toEqual([]);
    // a decimal argument is read as it is: copying it would call its digits' slice
    const y = dec('12.5');
    Object.defineProperty(y.c, 'slice', { value: () => { throw new Error('copied'); } });
    expect(dec('12.4').lt(y)).toBe(true);
    expect(dec('12.5').eq(y)).toBe(true);
  });
  it('tells a multiple of a step as the remainder does, for powers of ten without dividing', () => {
    const values = sampleValues().map((v) => dec(v));
    // digits with a trailing zero, as a path that does not trim would leave them
    const untrimmed = dec('2.5');
    (untrimmed as unknown as { c: number[] }).c = [2, 5, 0];
    values.push(untrimmed, dec('0.5').times('2'), dec('3').minus('2.9'));
    const wrong: string[] = [];
    for (const step of ['0.1', '0.001', '1', '10', '1000', '0.00000001', '0.5', '0.25', '5', '0.003']) {
      const s = dec(step);
      for (const v of values) {
        // an independent answer: the quotient has no fraction
        const q = v.div(s);
        if (isMultipleOf(v, s) !== isZero(q.minus(q.round(0, 0)))) wrong.push(`${v.toFixed()} on ${step}`);
      }
    }
    expect(wrong).toEqual([]);
    // a power-of-ten step takes no division: the value's digits are not copied
    const v = dec('123.45');
    Object.defineProperty(v.c, 'slice', { value: () => { throw new Error('divided'); } });
    expect(isMultipleOf(v, dec('0.01'))).toBe(true);
    expect(isMultipleOf(v, dec('0.1'))).toBe(false);
  });
  it('gives a NUMERIC column the JSON form of its decimal, character by character', () => {
    const strings = [...sampleValues(), '0.00100000', '-0.000', '-0', '000', '007.50', '100', '100.000', '-100.00', '0.0', '10', '-10.10', '5.', '1e5', '-0.00000001000'];
    for (const v of sampleValues()) strings.push(`${v}000`, `00${v.replace('-', '')}`, v.includes('.') ? `${v}0` : `${v}.00`);
    const wrong = strings.filter((s) => {
      try {
        return canonicalDecimal(s) !== dec(s).toFixed();
      } catch {
        return !(() => {
          try {
            canonicalDecimal(s);
            return false;
          } catch {
            return true;
          }
        })();
      }
    });
    expect(wrong).toEqual([]);
    // already in the JSON form: the string itself
    const s = '123.45';
    expect(canonicalDecimal(s)).toBe(s);
  });
});
