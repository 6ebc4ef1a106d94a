import { dec } from '../../../common/decimal';
import { PaperEngine } from './engine';
import { newRun, SCENARIO_T0, step } from './testing/scenario';

/**
 * The margin held by open orders is summed incrementally on an account whose state lives on from one
 * operation to the next (the order path hands it from engine to engine). Whatever happens to the
 * orders — placed, filled by ticks, canceled, repriced by a leverage change or a new mark — the
 * available balance must be the one an engine decoded anew (summing every order afresh) shows.
 */
describe('open-order margin summed incrementally', () => {
  const ACCOUNTS = 6;

  it('equals the sum over every open order after each operation of a long random run', () => {
    const run = newRun(21, ACCOUNTS);
    let ts = SCENARIO_T0;
    let compared = 0;
    let withOrders = 0;
    let trailing = 0;
    const check = () => {
      const snap = JSON.parse(JSON.stringify(run.engine.snapshot())) as ReturnType<PaperEngine['snapshot']>;
      const fresh = PaperEngine.restore(snap);
      for (let n = 0; n < ACCOUNTS; n++) {
        const id = `acc-${n}`;
        const live = run.engine.getAccount(id);
        const decoded = fresh.getAccount(id);
        expect(live.balances.map((b) => [b.asset, b.availableBalance.toFixed()])).toEqual(decoded.balances.map((b) => [b.asset, b.availableBalance.toFixed()]));
        compared += 1;
        if (live.openOrders.length > 2) withOrders += 1;
      }
    };
    for (let round = 0; round < 60; round++) {
      ts = step(run, ts, 3, 4, ACCOUNTS);
      check();
      const n = run.rng.int(0, ACCOUNTS - 1);
      const id = `acc-${n}`;
      const open = run.engine.getAccount(id).openOrders;
      const action = run.rng.int(0, 3);
      ts += 1;
      try {
        if (action === 0 && open.length > 0) {
          // one from the middle of the book of orders
          run.engine.cancelOrder({ accountId: id, ts, symbol: 'BTCUSDT', orderId: open[Math.floor(open.length / 2)].orderId });
        } else if (action === 1) {
          run.engine.setLeverage({ accountId: id, ts, symbol: 'BTCUSDT', leverage: run.rng.int(2, 40) });
        } else if (action === 2 && round % 10 === 9) {
          run.engine.cancelAll({ accountId: id, ts, symbol: 'BTCUSDT' });
        } else {
          // margined at the mark (no price, no activation price): its margin moves with every tick
          run.engine.placeOrder({ accountId: id, ts, symbol: 'BTCUSDT', side: 'SELL', type: 'TRAILING_STOP_MARKET', qty: dec('0.01'), callbackRate: dec('1'), positionSide: n % 2 === 1 ? 'SHORT' : undefined });
          trailing += 1;
        }
      } catch {
        // refused (e.g. a leverage the position does not allow): nothing changed
      }
      check();
    }
    expect(compared).toBe(120 * ACCOUNTS);
    expect(withOrders).toBeGreaterThan(100);
    expect(trailing).toBeGreaterThan(5);
  });

  it("computes a leg's PnL and margins once between its fills and its contract's ticks, and anew after either", () => {
    const run = newRun(33, ACCOUNTS);
    let ts = SCENARIO_T0;
    const figures = (id: string) => run.engine.getPositions(id).map((p) => ({ p, upnl: p.unrealizedPnl, mm: p.maintenanceMargin, im: p.initialMargin }));
    const decodedAnew = (id: string) => {
      const fresh = PaperEngine.restore(JSON.parse(JSON.stringify(run.engine.snapshot())) as ReturnType<PaperEngine['snapshot']>);
      return fresh.getPositions(id).map((p) => [p.positionSide, p.unrealizedPnl.toFixed(), p.maintenanceMargin.toFixed(), p.initialMargin.toFixed()]);
    };
    const shown = (list: ReturnType<typeof figures>) => list.map((f) => [f.p.positionSide, f.upnl.toFixed(), f.mm.toFixed(), f.im.toFixed()]);
    let legs = 0;
    for (let round = 0; round < 30; round++) {
      ts = step(run, ts, 2, 4, ACCOUNTS);
      for (let n = 0; n < ACCOUNTS; n++) {
        const id = `acc-${n}`;
        const first = figures(id);
        // read again with nothing changed: the very same figures, not computed again
        const again = figures(id);
        expect(again.map((f) => [f.upnl, f.mm, f.im])).toEqual(first.map((f) => [f.upnl, f.mm, f.im]));
        again.forEach((f, i) => {
          expect(f.upnl).toBe(first[i].upnl);
          expect(f.mm).toBe(first[i].mm);
          expect(f.im).toBe(first[i].im);
        });
        expect(shown(first)).toEqual(decodedAnew(id));
        legs += first.length;
      }
      // a leverage change computes the initial margin anew (what a fresh engine shows)
      const id = `acc-${round % ACCOUNTS}`;
      ts += 1;
      try {
        run.engine.setLeverage({ accountId: id, ts, symbol: 'BTCUSDT', leverage: 2 + (round % 7) });
      } catch {
        // refused (the position does not allow it): nothing changed
      }
      expect(shown(figures(id))).toEqual(decodedAnew(id));
    }
    expect(legs).toBeGreaterThan(60);
  });
});
