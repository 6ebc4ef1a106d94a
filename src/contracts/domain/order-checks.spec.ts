/**
 * Order checks: the filter examples of shared/reference/payloads_binance.json `binance-filter-rules`
 * (BTCUSDT snapshot filters), plus leverage and position limits from the brackets.
 */
import { dec } from '../../common/decimal';
import { RiskRejectedError, ValidationError } from '../../common/errors';
import { maxLeverageForNotional, maxNotionalForLeverage } from './brackets';
import { assertOrderAllowed, checkOrder, maxOpenQuantity } from './order-checks';
import type { OrderCheckInput } from './order-checks';
import { BTCUSD_PERP, BTCUSDT, findPaperContract, getPaperContract } from './paper-contracts';

const order = (overrides: Partial<OrderCheckInput>): OrderCheckInput => ({
  spec: BTCUSDT,
  orderType: 'LIMIT',
  price: dec('65000.10'),
  quantity: dec('0.002'),
  leverage: 20,
  ...overrides,
});

const codeOf = (input: OrderCheckInput): string => {
  const result = checkOrder(input);
  return result.ok ? 'OK' : result.code;
};

describe('checkOrder', () => {
  it.each([
    ['65000.10', '0.002', 'OK'],
    ['65000.05', '0.002', 'PRICE_OFF_TICK'],
    ['556.70', '0.01', 'PRICE_OUT_OF_RANGE'],
    ['4529764.1', '0.002', 'PRICE_OUT_OF_RANGE'],
    ['65000.10', '0.0015', 'QUANTITY_OFF_STEP'],
    ['65000.10', '0.0005', 'QUANTITY_TOO_SMALL'],
    ['4000', '0.001', 'NOTIONAL_TOO_SMALL'],
    ['0', '0.001', 'PRICE_NOT_POSITIVE'],
    ['65000.10', '0', 'QUANTITY_NOT_POSITIVE'],
  ])('binance-filter-rules: LIMIT %s × %s → %s', (price, quantity, expected) => {
    expect(codeOf(order({ price: dec(price), quantity: dec(quantity) }))).toBe(expected);
  });

  it('applies MARKET_LOT_SIZE to market orders and LOT_SIZE to limit orders', () => {
    expect(codeOf(order({ orderType: 'MARKET', price: dec(1000), quantity: dec('120.001'), leverage: 1 }))).toBe('QUANTITY_TOO_LARGE');
    expect(codeOf(order({ orderType: 'LIMIT', price: dec(1000), quantity: dec('120.001'), leverage: 1 }))).toBe('OK');
    expect(codeOf(order({ orderType: 'MARKET', price: dec('65000.05') }))).toBe('OK');
  });

  it('refuses leverage above the first bracket and positions above the cap for the leverage', () => {
    expect(codeOf(order({ leverage: 126 }))).toBe('LEVERAGE_TOO_HIGH');
    expect(codeOf(order({ leverage: 0 }))).toBe('LEVERAGE_INVALID');
    expect(codeOf(order({ price: dec(50000), quantity: dec(1), leverage: 125 }))).toBe('OK');
    expect(codeOf(order({ price: dec(50000), quantity: dec('1.001'), leverage: 125 }))).toBe('POSITION_TOO_LARGE');
    expect(codeOf(order({ price: dec(50000), quantity: dec('0.5'), resultingPositionSize: dec(2), leverage: 125 }))).toBe('POSITION_TOO_LARGE');
    expect(codeOf(order({ price: dec(50000), quantity: dec('1.001'), leverage: 100 }))).toBe('OK');
  });

  it('checks COIN-M in contracts, with brackets in coin and no minimum notional', () => {
    expect(codeOf(order({ spec: BTCUSD_PERP, price: dec('40000.0'), quantity: dec(1), leverage: 125 }))).toBe('OK');
    expect(codeOf(order({ spec: BTCUSD_PERP, price: dec('40000.0'), quantity: dec('1.5'), leverage: 125 }))).toBe('QUANTITY_OFF_STEP');
    // 2,001 contracts × 100 USD / 40,000 = 5.0025 BTC > 5 BTC allowed at 125x.
    expect(codeOf(order({ spec: BTCUSD_PERP, price: dec('40000.0'), quantity: dec(2001), leverage: 125 }))).toBe('POSITION_TOO_LARGE');
  });

  it('assertOrderAllowed throws ValidationError for a malformed order, RiskRejectedError for a limit', () => {
    expect(() => assertOrderAllowed(order({ price: dec('65000.05') }))).toThrow(ValidationError);
    expect(() => assertOrderAllowed(order({ leverage: 126 }))).toThrow(RiskRejectedError);
    try {
      assertOrderAllowed(order({ price: dec(50000), quantity: dec(2), leverage: 125 }));
      throw new Error('was expected to throw');
    } catch (error) {
      expect(error).toBeInstanceOf(RiskRejectedError);
      expect((error as RiskRejectedError).code).toBe('POSITION_TOO_LARGE');
    }
    expect(() => assertOrderAllowed(order({}))).not.toThrow();
  });
});

describe('brackets and max quantity', () => {
  it('maps notional to leverage and leverage to notional (cap inclusive)', () => {
    expect(maxLeverageForNotional(BTCUSDT.brackets, dec(50000))).toBe(125);
    expect(maxLeverageForNotional(BTCUSDT.brackets, dec('50000.01'))).toBe(100);
    expect(maxNotionalForLeverage(BTCUSDT.brackets, 20).toFixed()).toBe('20000000');
    expect(maxNotionalForLeverage(BTCUSDT.brackets, 21).toFixed()).toBe('3000000');
    expect(maxNotionalForLeverage(BTCUSDT.brackets, 126).toFixed()).toBe('0');
  });

  it('maxOpenQuantity: 1,000 USDT at 10x and 50,000 → 0.199 BTC (cost 995.96 + fee); capped by the bracket at 125x', () => {
    // Per BTC: 50,000 × (1/10 + 0.0004) = 5,020 USDT → 1,000 / 5,020 = 0.19920… → 0.199.
    expect(maxOpenQuantity({ spec: BTCUSDT, availableBalance: dec(1000), leverage: 10, price: dec(50000) }).toFixed()).toBe('0.199');
    // 125x allows 50,000 USDT of notional: 1 BTC, however large the balance.
    expect(maxOpenQuantity({ spec: BTCUSDT, availableBalance: dec(1000000), leverage: 125, price: dec(50000) }).toFixed()).toBe('1');
    expect(maxOpenQuantity({ spec: BTCUSDT, availableBalance: dec(1000000), leverage: 125, price: dec(50000), currentSize: dec('0.4') }).toFixed()).toBe('0.6');
    expect(maxOpenQuantity({ spec: BTCUSDT, availableBalance: dec('0.5'), leverage: 10, price: dec(50000) }).toFixed()).toBe('0');
  });

  it('finds paper contracts by symbol', () => {
    expect(findPaperContract('BTCUSDT_261225')?.expiryDate?.toISOString()).toBe('2026-12-25T08:00:00.000Z');
    expect(findPaperContract('NOPE')).toBeUndefined();
    expect(() => getPaperContract('NOPE')).toThrow('contract NOPE was not found');
  });
});
