import { dec } from '../../../common/decimal';
import { realizedPnl, unrealizedPnl } from '../../../contracts/domain/calculator';
import { BTCUSD_PERP, BTCUSDT_261225 } from '../../../contracts/domain/paper-contracts';
import { ledgerSum } from './queries';
import { aBookTick, anEngine, eventsOf, T0 } from './testing/fixtures';

describe('PaperEngine inverse contract (BTCUSD_PERP)', () => {
  it('fills in contracts and books fees and PnL in BTC', () => {
    const sut = anEngine({ deposit: { BTC: '1' } });
    sut.applyTick(aBookTick('BTCUSD_PERP', T0 + 1, '40000', { step: '0.1', qty: '1000' }));
    const open = sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSD_PERP', side: 'BUY', type: 'MARKET', qty: dec('100') });
    const [fill] = eventsOf(open.events, 'FILL').map((e) => e.fill);
    expect([fill.price.toFixed(), fill.qty.toFixed(), fill.feeAsset]).toEqual(['40000.1', '100', 'BTC']);
    // fee = 100 contracts × 100 USD / 40000.1 × 0.0005, rounded up to 8 dp
    expect(fill.fee.toFixed()).toBe('0.000125');
    sut.applyTick(aBookTick('BTCUSD_PERP', T0 + 3, '44000', { step: '0.1', qty: '1000' }));
    const position = sut.getAccount('a1').positions[0];
    const expectedUpnl = unrealizedPnl({ spec: BTCUSD_PERP, side: 'LONG', size: dec(100), entryPrice: dec('40000.1') }, dec('44000'));
    expect(position.unrealizedPnl.toFixed()).toBe(expectedUpnl.toFixed());
    const close = sut.placeOrder({ accountId: 'a1', ts: T0 + 4, symbol: 'BTCUSD_PERP', side: 'SELL', type: 'MARKET', qty: dec('100') });
    const closeFill = eventsOf(close.events, 'FILL')[0].fill;
    const expected = realizedPnl({ spec: BTCUSD_PERP, side: 'LONG', size: dec(100), entryPrice: dec('40000.1') }, { closeSize: dec(100), exitPrice: dec('43999.9') });
    expect(closeFill.realizedPnl.toFixed()).toBe(expected.round(8, 0).toFixed()); // 8 dp, toward −∞ (positive here)
    const account = sut.getAccount('a1');
    const btc = account.balances.find((b) => b.asset === 'BTC')!;
    expect(ledgerSum(account.ledger, 'BTC').toFixed()).toBe(btc.walletBalance.toFixed());
    expect(btc.walletBalance.toFixed()).toBe(dec(1).plus(closeFill.realizedPnl).minus(fill.fee).minus(closeFill.fee).toFixed());
  });
});

describe('PaperEngine delivery contract', () => {
  const delivery = BTCUSDT_261225.deliveryTs!;

  it('settles positions at the settlement price at expiry and takes no more orders', () => {
    const sut = anEngine({ deposit: { USDT: '100000' } });
    sut.applyTick(aBookTick('BTCUSDT_261225', delivery - 60000, '60000', { step: '0.5', qty: '5' }));
    sut.placeOrder({ accountId: 'a1', ts: delivery - 50000, symbol: 'BTCUSDT_261225', side: 'SELL', type: 'MARKET', qty: dec('0.2') });
    sut.placeOrder({ accountId: 'a1', ts: delivery - 40000, symbol: 'BTCUSDT_261225', side: 'BUY', type: 'LIMIT', price: dec('50000'), qty: dec('0.1') });
    const r = sut.applyTick({ ...aBookTick('BTCUSDT_261225', delivery + 1000, '61000', { step: '0.5' }), indexPrice: dec('60800') });
    const [settled] = eventsOf(r.events, 'DELIVERY');
    expect(settled.settlementPrice.toFixed()).toBe('60800');
    const account = sut.getAccount('a1');
    expect(account.positions).toHaveLength(0);
    expect(account.openOrders).toHaveLength(0);
    const entry = account.ledger.find((e) => e.type === 'DELIVERY')!;
    expect(entry.amount.toFixed()).toBe('-160.1'); // short 0.2 from 59999.5 to 60800
    expect(() => sut.placeOrder({ accountId: 'a1', ts: delivery + 2000, symbol: 'BTCUSDT_261225', side: 'BUY', type: 'MARKET', qty: dec('0.1') })).toThrow(
      expect.objectContaining({ code: 'CONTRACT_EXPIRED' }),
    );
    const again = sut.applyTick(aBookTick('BTCUSDT_261225', delivery + 3000, '61000'));
    expect(again.events).toHaveLength(0);
  });
});
