import { dec, ZERO } from '../../../common/decimal';
import { isolatedLiquidationPrice, liquidationPrice } from '../../../contracts/domain/calculator';
import { BTCUSDT } from '../../../contracts/domain/paper-contracts';
import { PaperEngine } from './engine';
import { ledgerSum } from './queries';
import { aTick, anEngine, eventsOf, T0 } from './testing/fixtures';

describe('PaperEngine: a 10x long at market, liquidated', () => {
  const book = {
    last: '60000',
    bids: [['59999.9', '1'], ['59999', '1']] as [string, string][],
    asks: [['60000.1', '0.1'], ['60000.5', '0.2'], ['60001', '1']] as [string, string][],
  };

  function openLong(marginMode: 'ISOLATED' | 'CROSSED') {
    const sut = anEngine({ deposit: { USDT: '10000' } });
    sut.setLeverage({ accountId: 'a1', ts: T0, symbol: 'BTCUSDT', leverage: 10 });
    sut.setMarginMode({ accountId: 'a1', ts: T0, symbol: 'BTCUSDT', marginMode });
    sut.applyTick(aTick('BTCUSDT', T0 + 1000, book));
    const placed = sut.placeOrder({ accountId: 'a1', ts: T0 + 2000, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.25') });
    return { sut, placed };
  }

  it('fills at the VWAP of the levels it walked, with fee = taker rate × notional', () => {
    const { sut, placed } = openLong('ISOLATED');
    const fills = eventsOf(placed.events, 'FILL').map((e) => e.fill);
    expect(fills.map((f) => [f.price.toFixed(), f.qty.toFixed(), f.role])).toEqual([
      ['60000.1', '0.1', 'TAKER'],
      ['60000.5', '0.15', 'TAKER'],
    ]);
    expect(placed.value.status).toBe('FILLED');
    expect(placed.value.avgPrice.toFixed()).toBe('60000.34'); // (6000.01 + 9000.075) / 0.25
    const fees = fills.reduce((s, f) => s.plus(f.fee), ZERO);
    expect(fees.toFixed()).toBe(dec('15000.085').times(BTCUSDT.takerFeeRate).toFixed()); // 6.000034
    const position = sut.getAccount('a1').positions[0];
    expect(position.entryPrice.toFixed()).toBe('60000.34');
    expect(position.qty.toFixed()).toBe('0.25');
    expect(position.isolatedMargin.toFixed()).toBe('1500.0085');
  });

  it("gives the position the calculator's liquidation price", () => {
    const { sut } = openLong('ISOLATED');
    const position = sut.getAccount('a1').positions[0];
    const expected = isolatedLiquidationPrice({ spec: BTCUSDT, side: 'LONG', size: dec('0.25'), entryPrice: dec('60000.34'), isolatedMargin: dec('1500.0085') });
    expect(position.liquidationPrice.toFixed()).toBe(expected.roundedPrice!.toFixed());
  });

  it.each(['ISOLATED', 'CROSSED'] as const)('%s: a price path through the liquidation price liquidates; balance = start − loss − fees − liquidation fee', (mode) => {
    const { sut } = openLong(mode);
    const liq = sut.getAccount('a1').positions[0].liquidationPrice;
    const above = liq.plus(5);
    const quiet = sut.applyTick(aTick('BTCUSDT', T0 + 3000, { ...book, last: above.toFixed(), mark: above.toFixed() }));
    expect(eventsOf(quiet.events, 'LIQUIDATION')).toHaveLength(0);
    const below = liq.minus('0.1');
    const r = sut.applyTick(aTick('BTCUSDT', T0 + 4000, { ...book, last: below.toFixed(), mark: below.toFixed() }));
    const [liquidation] = eventsOf(r.events, 'LIQUIDATION');
    expect(liquidation).toBeDefined();
    const account = sut.getAccount('a1');
    expect(account.positions).toHaveLength(0);
    const byType = (t: string) => account.ledger.filter((e) => e.type === t).reduce((s, e) => s.plus(e.amount), ZERO);
    const loss = byType('REALIZED_PNL').neg();
    const fees = byType('COMMISSION').neg();
    const clearance = byType('INSURANCE_CLEAR').neg();
    expect(fees.toFixed()).toBe('6.000034');
    expect(clearance.toFixed()).toBe(liquidation.fee.toFixed());
    const balance = account.balances.find((b) => b.asset === 'USDT')!.walletBalance;
    expect(balance.toFixed()).toBe(dec(10000).minus(loss).minus(fees).minus(clearance).toFixed());
    expect(ledgerSum(account.ledger, 'USDT').toFixed()).toBe(balance.toFixed());
    expect(sut.insuranceFund('USDT').toFixed()).toBe(liquidation.fee.toFixed());
    // closed at the bankruptcy price: the loss is the position margin (isolated) / what the cross wallet could bear
    const closeFill = eventsOf(r.events, 'FILL')[0].fill;
    expect(closeFill.price.toFixed()).toBe(liquidation.bankruptcyPrice.toFixed());
    expect(closeFill.fee.toFixed()).toBe('0');
    // the fee is what was left at the mark (capped at liquidationFeeRate × notional)
    expect(liquidation.fee.gt(0)).toBe(true);
    expect(liquidation.fee.lte(dec('0.25').times(liquidation.markPrice).times(BTCUSDT.liquidationFeeRate))).toBe(true);
    // isolated: the account loses its margin (to within a tick of rounding of the bankruptcy price)
    if (mode === 'ISOLATED') expect(loss.plus(clearance).minus('1500.0085').abs().lte('0.025')).toBe(true);
  });

  it('cross: the liquidation price is the calculator’s on the cross wallet', () => {
    const { sut } = openLong('CROSSED');
    const position = sut.getAccount('a1').positions[0];
    const expected = liquidationPrice({ spec: BTCUSDT, legs: [{ side: 'LONG', size: dec('0.25'), entryPrice: dec('60000.34') }], walletBalance: dec('10000').minus('6.000034') });
    expect(position.liquidationPrice.toFixed()).toBe(expected.roundedPrice!.toFixed());
  });

  it('cancels the open orders of the liquidated position', () => {
    const { sut } = openLong('ISOLATED');
    sut.placeOrder({ accountId: 'a1', ts: T0 + 2500, symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', price: dec('70000'), qty: dec('0.25'), reduceOnly: true });
    const liq = sut.getAccount('a1').positions[0].liquidationPrice.minus(1);
    const r = sut.applyTick(aTick('BTCUSDT', T0 + 4000, { ...book, last: liq.toFixed() }));
    const canceled = eventsOf(r.events, 'ORDER_UPDATE').filter((e) => e.execution === 'CANCELED');
    expect(canceled).toHaveLength(1);
    expect(sut.getAccount('a1').openOrders).toHaveLength(0);
  });
});

describe('PaperEngine liquidation after a restore', () => {
  it('liquidates the same legs, in the same order, as the engine that was never restored', () => {
    const T = T0 + 1000;
    const build = () => {
      const sut = anEngine({ deposit: { USDT: '1000' }, accountId: 'z' });
      sut.openAccount({ accountId: 'a', ts: T0 });
      sut.transfer({ accountId: 'a', ts: T0, asset: 'USDT', amount: dec('1000') });
      sut.applyTick(aTick('BTCUSDT', T, { last: '60000', asks: [['60000.1', '5']], bids: [['59999.9', '5']] }));
      for (const [id, lev] of [['z', 20], ['a', 25]] as const) {
        sut.setLeverage({ accountId: id, ts: T, symbol: 'BTCUSDT', leverage: lev });
        sut.setMarginMode({ accountId: id, ts: T, symbol: 'BTCUSDT', marginMode: 'ISOLATED' });
        sut.placeOrder({ accountId: id, ts: T, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.1') });
      }
      return sut;
    };
    const straight = build();
    const restored = PaperEngine.restore(JSON.parse(JSON.stringify(build().snapshot())));
    const crash = aTick('BTCUSDT', T + 1000, { last: '55000', asks: [['55000.1', '5']], bids: [['54999.9', '5']] });
    const a = straight.applyTick(crash);
    const b = restored.applyTick(crash);
    expect(eventsOf(a.events, 'LIQUIDATION').map((e) => e.accountId)).toEqual(['a', 'z']);
    expect(JSON.stringify(b.events)).toBe(JSON.stringify(a.events));
    expect(JSON.stringify(restored.snapshot())).toBe(JSON.stringify(straight.snapshot()));
  });
});

describe('PaperEngine cross liquidation across contracts', () => {
  it('liquidates every cross leg of the margin asset when the account margin falls to maintenance', () => {
    const sut = anEngine({ deposit: { USDT: '2000' } });
    const T = T0 + 1000;
    sut.setLeverage({ accountId: 'a1', ts: T0, symbol: 'BTCUSDT', leverage: 20 });
    sut.setLeverage({ accountId: 'a1', ts: T0, symbol: 'ETHUSDT', leverage: 20 });
    sut.applyTick(aTick('BTCUSDT', T, { last: '60000', asks: [['60000.1', '5']], bids: [['59999.9', '5']] }));
    sut.applyTick(aTick('ETHUSDT', T, { last: '3000', asks: [['3000.01', '50']], bids: [['2999.99', '50']] }));
    sut.placeOrder({ accountId: 'a1', ts: T, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.4') });
    sut.placeOrder({ accountId: 'a1', ts: T, symbol: 'ETHUSDT', side: 'SELL', type: 'MARKET', qty: dec('2') });
    const calm = sut.applyTick(aTick('BTCUSDT', T + 1000, { last: '59000', asks: [['59000.1', '5']], bids: [['58999.9', '5']] }));
    expect(eventsOf(calm.events, 'LIQUIDATION')).toHaveLength(0);
    const crash = sut.applyTick(aTick('BTCUSDT', T + 2000, { last: '55000', asks: [['55000.1', '5']], bids: [['54999.9', '5']] }));
    expect(eventsOf(crash.events, 'LIQUIDATION').map((e) => e.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    const account = sut.getAccount('a1');
    expect(account.positions).toHaveLength(0);
    const usdt = account.balances.find((b) => b.asset === 'USDT')!;
    expect(usdt.walletBalance.gte(0)).toBe(true);
    expect(ledgerSum(account.ledger, 'USDT').toFixed()).toBe(usdt.walletBalance.toFixed());
  });
});
