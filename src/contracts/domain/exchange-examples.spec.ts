/**
 * Every worked example of shared/reference/exchange_examples.json, reproduced to the precision the
 * exchange displays (Binance: 8 dp, truncated toward zero). Inputs and expected values are embedded
 * as literals (published facts); each test names its case id.
 */
import { dec, roundDp } from '../../common/decimal';
import type { Decimal } from '../../common/decimal';
import { bracketForNotional, bracketOf, maintenanceAmount } from './brackets';
import {
  breakEvenPrice,
  initialMargin,
  isolatedLiquidationPrice,
  maintenanceMargin,
  notional,
  returnOnEquity,
  signedNotional,
  targetPriceForRoe,
  tradingFee,
  unrealizedPnl,
} from './calculator';
import type { PositionInput } from './calculator';
import type { Bracket, ContractSpec } from './contract-spec';
import { BTCUSD_PERP, BTCUSDT } from './paper-contracts';
import { toExchangeDisplay } from './rounding';

/** A linear USDⓈ-M contract like BTCUSDT with one bracket of the given ratio (the doc samples' symbols). */
function aLinearSpec(symbol: string, maintMarginRatio: string): ContractSpec {
  const bracket: Bracket = bracketOf({ bracket: 1, initialLeverage: 75, notionalFloor: '0', notionalCap: '10000', maintMarginRatio, cum: '0' });
  return { ...BTCUSDT, symbol, brackets: [bracket] };
}

function expectRelativelyClose(actual: Decimal, published: string, tolerance: string): void {
  const expected = dec(published);
  expect(actual.minus(expected).abs().div(expected.abs()).lte(dec(tolerance))).toBe(true);
}

describe('exchange worked examples', () => {
  describe('maintenance amounts and brackets', () => {
    it('binance-faq-maint-amount-level3: 250,000 × (1% − 0.5%) + 50 = 1,300 USDT', () => {
      const cum = maintenanceAmount({
        notionalFloor: dec(250000),
        maintMarginRatio: dec('0.01'),
        previousMaintMarginRatio: dec('0.005'),
        previousCum: dec(50),
      });
      expect(cum.toFixed()).toBe('1300');
    });

    it('binance-faq-mmr-lookup: BTCUSDT 264,000 USDT → MMR 1%; 500,000 USDT → maintenance amount 1,300', () => {
      expect(bracketForNotional(BTCUSDT.brackets, dec(264000)).maintMarginRatio.toFixed()).toBe('0.01');
      expect(bracketForNotional(BTCUSDT.brackets, dec(500000)).cum.toFixed()).toBe('1300');
    });

    it('binance-coinm-maint-amount-level5: 50 BTC × (5% − 2.5%) + 0.56 = 1.81 BTC', () => {
      const cum = maintenanceAmount({
        notionalFloor: dec(50),
        maintMarginRatio: dec('0.05'),
        previousMaintMarginRatio: dec('0.025'),
        previousCum: dec('0.56'),
      });
      expect(cum.toFixed()).toBe('1.81');
    });

    it('binance-coinm-300btc: newer revision MMR 12.5%, maintenance amount 11.605 BTC (paper BTCUSD_PERP table)', () => {
      const bracket = bracketForNotional(BTCUSD_PERP.brackets, dec(300));
      expect(bracket.maintMarginRatio.toFixed()).toBe('0.125');
      expect(bracket.cum.toFixed()).toBe('11.605');
    });

    it('binance-coinm-300btc: older revision 11.81 BTC follows from cum5 = 1.81 by the same recurrence', () => {
      const cum6 = maintenanceAmount({ notionalFloor: dec(100), maintMarginRatio: dec('0.1'), previousMaintMarginRatio: dec('0.05'), previousCum: dec('1.81') });
      const cum7 = maintenanceAmount({ notionalFloor: dec(200), maintMarginRatio: dec('0.125'), previousMaintMarginRatio: dec('0.1'), previousCum: cum6 });
      expect(cum7.toFixed()).toBe('11.81');
    });

    it('binance-coinm-maintenance-margin: 100 contracts × 100 USD at 25,000 → 0.4 BTC notional, MM 0.0016 BTC', () => {
      const size = dec(100);
      const markPrice = dec(25000);
      expect(notional(BTCUSD_PERP, size, markPrice).toFixed()).toBe('0.4');
      expect(maintenanceMargin({ spec: BTCUSD_PERP, size, markPrice }).toFixed()).toBe('0.0016');
    });
  });

  describe('binance-coinm-isolated-oneway-COMPUTED: COIN-M isolated liquidation price', () => {
    const common = { spec: BTCUSD_PERP, size: dec(10), entryPrice: dec(40000), isolatedMargin: dec('0.01') };

    it('long: LP = 28685.71428571428', () => {
      const result = isolatedLiquidationPrice({ ...common, side: 'LONG' });
      expect(toExchangeDisplay(result.price!)).toBe('28685.71428571');
      expectRelativelyClose(result.price!, '28685.71428571428', '1e-9');
      expect(result.triggers).toBe('below');
      expect(result.roundedPrice!.toFixed()).toBe('28685.8');
    });

    it('short: LP = 66400', () => {
      const result = isolatedLiquidationPrice({ ...common, side: 'SHORT' });
      expect(toExchangeDisplay(result.price!)).toBe('66400.00000000');
      expect(result.triggers).toBe('above');
      expect(result.roundedPrice!.toFixed()).toBe('66400');
    });
  });

  describe('Binance positionRisk samples', () => {
    it('binance-positionrisk-v3-ada-long: uPnL, notional, IM (20x), MM (0.65%), break-even', () => {
      const position: PositionInput = { spec: aLinearSpec('ADAUSDT', '0.0065'), side: 'LONG', size: dec(30), entryPrice: dec('0.385') };
      const markPrice = dec('0.41047590');
      expect(toExchangeDisplay(unrealizedPnl(position, markPrice))).toBe('0.76427700');
      expect(toExchangeDisplay(signedNotional(position, markPrice))).toBe('12.31427700');
      expect(toExchangeDisplay(initialMargin({ spec: position.spec, size: position.size, price: markPrice, leverage: 20 }))).toBe('0.61571385');
      expect(toExchangeDisplay(maintenanceMargin({ spec: position.spec, size: position.size, markPrice }))).toBe('0.08004280');
      expect(breakEvenPrice(position, dec('0.0002')).toFixed()).toBe('0.385077');
    });

    it('binance-positionrisk-v3-comp-short: margins are truncated, not rounded', () => {
      const position: PositionInput = { spec: aLinearSpec('COMPUSDT', '0.01'), side: 'SHORT', size: dec(1), entryPrice: dec('70.92841') };
      const markPrice = dec('49.72023376');
      expect(toExchangeDisplay(unrealizedPnl(position, markPrice))).toBe('21.20817624');
      expect(toExchangeDisplay(signedNotional(position, markPrice))).toBe('-49.72023376');
      const im = initialMargin({ spec: position.spec, size: position.size, price: markPrice, leverage: 20 });
      expect(im.toFixed()).toBe('2.486011688');
      expect(toExchangeDisplay(im)).toBe('2.48601168');
      const mm = maintenanceMargin({ spec: position.spec, size: position.size, markPrice });
      expect(mm.toFixed()).toBe('0.4972023376');
      expect(toExchangeDisplay(mm)).toBe('0.49720233');
      expect(breakEvenPrice(position, dec('0.0004')).toFixed()).toBe('70.900038636');
    });

    it('binance-positionrisk-v2-btc-long: uPnL and notional truncated toward zero', () => {
      const position: PositionInput = { spec: BTCUSDT, side: 'LONG', size: dec('0.001'), entryPrice: dec('22185.2') };
      const markPrice = dec('21123.05052574');
      expect(toExchangeDisplay(unrealizedPnl(position, markPrice))).toBe('-1.06214947');
      expect(toExchangeDisplay(notional(BTCUSDT, position.size, markPrice))).toBe('21.12305052');
    });

    it('binance-coinm-positionrisk-inverse-upnl: 1 contract BTCUSD long → 0.00005866 BTC', () => {
      const position: PositionInput = { spec: BTCUSD_PERP, side: 'LONG', size: dec(1), entryPrice: dec('11707.70000003') };
      expect(toExchangeDisplay(unrealizedPnl(position, dec('11788.66626667')))).toBe('0.00005866');
    });

    it('binance-account-update-implied-mark: both hedge legs give their published uPnL at mark 6706.1756', () => {
      const markPrice = dec('6706.1756');
      const long: PositionInput = { spec: BTCUSDT, side: 'LONG', size: dec(20), entryPrice: dec('6563.66500') };
      const short: PositionInput = { spec: BTCUSDT, side: 'SHORT', size: dec(10), entryPrice: dec('6563.86000') };
      expect(unrealizedPnl(long, markPrice).toFixed(5)).toBe('2850.21200');
      expect(unrealizedPnl(short, markPrice).toFixed(5)).toBe('-1423.15600');
    });
  });

  describe('Binance futures calculator', () => {
    it('binance-calculator-usdm-long: IM 1500, PnL 500, ROE 1/3, target 61000', () => {
      const position: PositionInput = { spec: BTCUSDT, side: 'LONG', size: dec('0.5'), entryPrice: dec(60000) };
      const exit = dec(61000);
      expect(initialMargin({ spec: BTCUSDT, size: position.size, price: position.entryPrice, leverage: 20 }).toFixed()).toBe('1500');
      expect(unrealizedPnl(position, exit).toFixed()).toBe('500');
      const roe = returnOnEquity(position, { markPrice: exit, leverage: 20 });
      expect(roundDp(roe, 16, 'half-up').toFixed()).toBe('0.3333333333333333');
      expect(roundDp(targetPriceForRoe(position, { roe, leverage: 20 }), 8, 'half-up').toFixed()).toBe('61000');
    });

    it('binance-calculator-usdm-short: IM 1200, PnL 300, ROE 0.25, target 58500', () => {
      const position: PositionInput = { spec: BTCUSDT, side: 'SHORT', size: dec('0.2'), entryPrice: dec(60000) };
      const exit = dec(58500);
      expect(initialMargin({ spec: BTCUSDT, size: position.size, price: position.entryPrice, leverage: 10 }).toFixed()).toBe('1200');
      expect(unrealizedPnl(position, exit).toFixed()).toBe('300');
      expect(returnOnEquity(position, { markPrice: exit, leverage: 10 }).toFixed()).toBe('0.25');
      expect(targetPriceForRoe(position, { roe: dec('0.25'), leverage: 10 }).toFixed()).toBe('58500');
    });

    it('binance-calculator-coinm-long: IM 0.025 BTC, PnL 0.0227… BTC, ROE 0.909…, target 44000', () => {
      const position: PositionInput = { spec: BTCUSD_PERP, side: 'LONG', size: dec(100), entryPrice: dec(40000) };
      const exit = dec(44000);
      expect(initialMargin({ spec: BTCUSD_PERP, size: position.size, price: position.entryPrice, leverage: 10 }).toFixed()).toBe('0.025');
      const pnl = unrealizedPnl(position, exit);
      expectRelativelyClose(pnl, '0.022727272727272752', '1e-12');
      expect(toExchangeDisplay(pnl)).toBe('0.02272727');
      const roe = returnOnEquity(position, { markPrice: exit, leverage: 10 });
      expectRelativelyClose(roe, '0.9090909090909101', '1e-12');
      expect(roundDp(targetPriceForRoe(position, { roe, leverage: 10 }), 8, 'half-up').toFixed()).toBe('44000');
    });
  });

  it('binance-fee-commission-example: 0.002 BTC at 65000.10 → notional 130.0002, maker 0.02600004, taker 0.05200008', () => {
    const input = { spec: BTCUSDT, size: dec('0.002'), price: dec('65000.10') };
    expect(notional(BTCUSDT, input.size, input.price).toFixed()).toBe('130.0002');
    expect(tradingFee({ ...input, feeRate: BTCUSDT.makerFeeRate }).toFixed()).toBe('0.02600004');
    expect(tradingFee({ ...input, feeRate: BTCUSDT.takerFeeRate }).toFixed()).toBe('0.05200008');
  });
});
