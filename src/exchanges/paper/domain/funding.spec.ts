import { dec } from '../../../common/decimal';
import { PaperEngine } from './engine';
import { aBookTick, anEngine, eventsOf } from './testing/fixtures';

const H = 3600000;
const FUNDING_08 = Date.UTC(2026, 0, 5, 8, 0, 0);

describe('PaperEngine funding', () => {
  function holding(side: 'BUY' | 'SELL') {
    const sut = anEngine({ deposit: { USDT: '100000' } });
    sut.applyTick(aBookTick('BTCUSDT', FUNDING_08 - 2 * H, '60000', { step: '0.5' }));
    sut.placeOrder({ accountId: 'a1', ts: FUNDING_08 - 2 * H, symbol: 'BTCUSDT', side, type: 'MARKET', qty: dec('0.5') });
    return sut;
  }

  it.each([
    ['BUY', '0.0001', '-3.0005'],
    ['SELL', '0.0001', '3.0005'],
    ['BUY', '-0.0003', '9.0015'],
  ] as const)('%s at rate %s books one payment of %s at the funding time (notional at mark × rate)', (side, rate, expected) => {
    const sut = holding(side);
    sut.applyTick(aBookTick('BTCUSDT', FUNDING_08 - H, '60005', { step: '0.5', funding: rate }));
    const r = sut.applyTick(aBookTick('BTCUSDT', FUNDING_08 + 500, '60010', { step: '0.5', mark: '60010', funding: rate }));
    const funding = eventsOf(r.events, 'FUNDING');
    expect(funding).toHaveLength(1);
    expect(funding[0].fundingTs).toBe(FUNDING_08);
    // 0.5 × 60010 × rate, longs pay when the rate is positive
    expect(funding[0].amount.toFixed()).toBe(expected);
    const ledger = sut.getAccount('a1').ledger.filter((e) => e.type === 'FUNDING_FEE');
    expect(ledger.map((e) => e.amount.toFixed())).toEqual([expected]);
  });

  it('books nothing more when the same funding time is replayed (ticks or explicit settlement)', () => {
    const sut = holding('BUY');
    sut.applyTick(aBookTick('BTCUSDT', FUNDING_08 + 500, '60010', { step: '0.5' }));
    const again = sut.applyTick(aBookTick('BTCUSDT', FUNDING_08 + 1500, '60020', { step: '0.5' }));
    const explicit = sut.settleFunding({ ts: FUNDING_08 + 2000, symbol: 'BTCUSDT', fundingTs: FUNDING_08, fundingRate: dec('0.0001'), markPrice: dec('60010') });
    expect(eventsOf(again.events, 'FUNDING')).toHaveLength(0);
    expect(explicit.events).toHaveLength(0);
    expect(sut.getAccount('a1').ledger.filter((e) => e.type === 'FUNDING_FEE')).toHaveLength(1);
  });

  it('does not charge a position opened after the funding time', () => {
    const sut = anEngine({ deposit: { USDT: '100000' } });
    sut.applyTick(aBookTick('BTCUSDT', FUNDING_08 + 1000, '60000', { step: '0.5' }));
    sut.placeOrder({ accountId: 'a1', ts: FUNDING_08 + 2000, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.5') });
    const r = sut.applyTick(aBookTick('BTCUSDT', FUNDING_08 + 3000, '60000', { step: '0.5' }));
    expect(eventsOf(r.events, 'FUNDING')).toHaveLength(0);
    const next = sut.applyTick(aBookTick('BTCUSDT', FUNDING_08 + 8 * H, '60000', { step: '0.5' }));
    expect(eventsOf(next.events, 'FUNDING')).toHaveLength(1);
  });

  it('books a funding time crossed while no tick was processed (a restart) once, on the first tick after it', () => {
    const before = holding('BUY');
    // the service stops before 08:00; on restart the account comes back into an engine that has not seen this market yet
    const snap = before.snapshot();
    const restarted = PaperEngine.restore({ ...snap, markets: [] });
    const first = restarted.applyTick(aBookTick('BTCUSDT', FUNDING_08 + 90_000, '60010', { step: '0.5', mark: '60010', funding: '0.0001' }));
    const funding = eventsOf(first.events, 'FUNDING');
    expect(funding).toHaveLength(1);
    expect(funding[0].fundingTs).toBe(FUNDING_08);
    expect(funding[0].amount.toFixed()).toBe('-3.0005');
    const second = restarted.applyTick(aBookTick('BTCUSDT', FUNDING_08 + 91_000, '60010', { step: '0.5' }));
    expect(eventsOf(second.events, 'FUNDING')).toHaveLength(0);
  });

  it('does not charge, after a restart, a position opened after the last funding time', () => {
    const sut = anEngine({ deposit: { USDT: '100000' } });
    sut.applyTick(aBookTick('BTCUSDT', FUNDING_08 + 1000, '60000', { step: '0.5' }));
    sut.placeOrder({ accountId: 'a1', ts: FUNDING_08 + 2000, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.5') });
    const restarted = PaperEngine.restore({ ...sut.snapshot(), markets: [] });
    const r = restarted.applyTick(aBookTick('BTCUSDT', FUNDING_08 + 60_000, '60000', { step: '0.5' }));
    expect(eventsOf(r.events, 'FUNDING')).toHaveLength(0);
  });
});
