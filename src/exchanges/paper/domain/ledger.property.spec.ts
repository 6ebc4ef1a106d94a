import fc from 'fast-check';
import { dec } from '../../../common/decimal';
import { PAPER_CONTRACTS } from '../../../contracts/domain/paper-contracts';
import { PaperEngine } from './engine';
import type { PlaceOrderCommand } from './engine-types';
import { ledgerSum } from './queries';
import { aBookTick } from './testing/fixtures';

const T = Date.UTC(2026, 0, 5, 7, 0, 0);

const anOrder = fc.record({
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  type: fc.constantFrom('MARKET' as const, 'LIMIT' as const),
  qtySteps: fc.integer({ min: 1, max: 400 }),
  offsetTicks: fc.integer({ min: -40, max: 40 }),
  tif: fc.constantFrom('GTC' as const, 'IOC' as const, 'FOK' as const, 'GTX' as const),
  reduceOnly: fc.boolean(),
  moveTicks: fc.integer({ min: -15000, max: 15000 }),
});

describe('PaperEngine ledger (property)', () => {
  const seen = { liquidations: 0, fills: 0, funding: 0 };
  afterAll(() => {
    // the generated paths must exercise liquidation, fills and funding, or the property proves little
    expect(seen.liquidations).toBeGreaterThan(0);
    expect(seen.fills).toBeGreaterThan(0);
    expect(seen.funding).toBeGreaterThan(0);
  });

  it('the ledger sums to the balance and the insurance fund to the clearance fees, for any order sequence', () => {
    fc.assert(
      fc.property(fc.array(anOrder, { minLength: 1, maxLength: 40 }), fc.constantFrom('ISOLATED' as const, 'CROSSED' as const), fc.integer({ min: 1, max: 50 }), (orders, marginMode, leverage) => {
        const sut = PaperEngine.create({ contracts: PAPER_CONTRACTS });
        sut.openAccount({ accountId: 'p', ts: T });
        sut.transfer({ accountId: 'p', ts: T, asset: 'USDT', amount: dec('5000') });
        sut.setMarginMode({ accountId: 'p', ts: T, symbol: 'BTCUSDT', marginMode });
        sut.setLeverage({ accountId: 'p', ts: T, symbol: 'BTCUSDT', leverage });
        let mid = 600000; // ticks of 0.1
        let ts = T;
        for (const o of orders) {
          ts += 20 * 60 * 1000; // 20 minutes a step: funding times are crossed
          mid = Math.max(100000, mid + o.moveTicks);
          const price = dec(mid).times('0.1').toFixed();
          for (const e of sut.applyTick(aBookTick('BTCUSDT', ts, price, { step: '0.5', qty: '0.2', funding: '0.0001', trades: [[price, '0.3', 'BUY']] })).events) {
            if (e.type === 'LIQUIDATION') seen.liquidations += 1;
            if (e.type === 'FUNDING') seen.funding += 1;
          }
          const cmd: PlaceOrderCommand = {
            accountId: 'p',
            ts,
            symbol: 'BTCUSDT',
            side: o.side,
            type: o.type,
            qty: dec(o.qtySteps).times('0.001'),
            reduceOnly: o.reduceOnly,
            ...(o.type === 'LIMIT' ? { price: dec(mid + o.offsetTicks * 5).times('0.1'), timeInForce: o.tif } : {}),
          };
          try {
            seen.fills += sut.placeOrder(cmd).events.filter((e) => e.type === 'FILL').length;
          } catch {
            // refusals are part of the property: they must change nothing
          }
        }
        const account = sut.getAccount('p');
        const usdt = account.balances.find((b) => b.asset === 'USDT')!;
        expect(ledgerSum(account.ledger, 'USDT').toFixed()).toBe(usdt.walletBalance.toFixed());
        expect(usdt.walletBalance.gte(0)).toBe(true);
        const clearance = account.ledger.filter((e) => e.type === 'INSURANCE_CLEAR').reduce((s, e) => s.plus(e.amount), dec(0));
        expect(sut.insuranceFund('USDT').toFixed()).toBe(clearance.neg().toFixed());
        for (const p of account.positions) expect(p.qty.eq(0)).toBe(false);
      }),
      { numRuns: 60, seed: 20260105 },
    );
  });
});
