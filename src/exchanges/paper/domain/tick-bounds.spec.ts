import { dec } from '../../../common/decimal';
import { PaperEngine } from './engine';
import { aBookTick, anEngine, T0 } from './testing/fixtures';
import { newRun, SCENARIO_T0, step, TICK_MS } from './testing/scenario';
import { openLegLiquidations } from './queries';
import { untouchedBy } from './tick-bounds';

/**
 * The tick pass skips an account whose bounds a batch stays within: that must never skip a change.
 * Along a random run, every account is taken alone at every step; whenever the next ticks stay
 * within its bounds, running them on it must change nothing (no event at all).
 */
describe('tick bounds', () => {
  const ACCOUNTS = 8;

  it('an account whose bounds the next ticks stay within is left untouched by them', () => {
    const run = newRun(33, ACCOUNTS);
    // past the 08:00 funding time, and the whole run well before the next one: batches crossing a
    // funding time go through every account anyway
    let ts = step(run, SCENARIO_T0, 300, 1, ACCOUNTS);
    let skipped = 0;
    let run_ = 0;
    let changedWhenRun = 0;
    let withLegs = 0;
    for (let round = 0; round < 150; round++) {
      const snap = JSON.parse(JSON.stringify(run.engine.snapshot())) as ReturnType<PaperEngine['snapshot']>;
      // the next batch: one to three ticks
      const ticks = Array.from({ length: 1 + (round % 3) }, (_, k) => run.feed.next(ts + (k + 1) * TICK_MS));
      for (const account of snap.accounts) {
        const id = account.accountId as string;
        const alone = PaperEngine.restore({ ...snap, accounts: [account] });
        const bounds = alone.tickBounds(id);
        // the bounds' legs are the account's open legs with the liquidation prices its view shows
        const view = alone.getAccount(id).positions.filter((p) => !p.qty.eq(0));
        const state = (alone as unknown as { state: Parameters<typeof openLegLiquidations>[0] }).state;
        const legs = openLegLiquidations(state, state.accounts.get(id)!);
        expect(legs.map((l) => [l.symbol, l.qty.toFixed(), l.liquidationPrice.toFixed()])).toEqual(view.map((p) => [p.symbol, p.qty.toFixed(), p.liquidationPrice.toFixed()]));
        if (view.length > 0) withLegs += 1;
        const events = ticks.flatMap((t) => alone.applyTick(t).events).filter((e) => 'accountId' in e && e.accountId === id);
        if (bounds && untouchedBy(bounds, ticks)) {
          skipped += 1;
          expect(events).toEqual([]);
        } else {
          run_ += 1;
          if (events.length > 0) changedWhenRun += 1;
        }
      }
      // the run itself goes on with these ticks and more orders
      for (const t of ticks) run.engine.applyTick(t);
      ts += ticks.length * TICK_MS;
      ts = step(run, ts, 1, 3, ACCOUNTS);
    }
    // both cases happen, and the bounds are not so loose that changes are rare among the accounts run
    expect(skipped).toBeGreaterThan(200);
    expect(run_).toBeGreaterThan(50);
    expect(changedWhenRun).toBeGreaterThan(10);
    expect(withLegs).toBeGreaterThan(100);
  });
  for (const [side, marginMode] of [['BUY', 'ISOLATED'], ['SELL', 'ISOLATED'], ['BUY', 'CROSSED'], ['SELL', 'CROSSED']] as const) {
    it(`${marginMode === 'ISOLATED' ? 'an isolated' : 'a cross'} ${side === 'BUY' ? 'long' : 'short'} is bounded by its liquidation price: the mark walked toward it is out of bounds before it is liquidated`, () => {
      const sut = anEngine({ deposit: { USDT: '10000' } });
      sut.setLeverage({ accountId: 'a1', ts: T0, symbol: 'BTCUSDT', leverage: 20 });
      sut.setMarginMode({ accountId: 'a1', ts: T0, symbol: 'BTCUSDT', marginMode });
      sut.applyTick(aBookTick('BTCUSDT', T0 + 1000, '60000', { step: '0.1', qty: '5' }));
      sut.placeOrder({ accountId: 'a1', ts: T0 + 2000, symbol: 'BTCUSDT', side, type: 'MARKET', qty: dec('1') });
      const liquidation = sut.getAccount('a1').positions[0].liquidationPrice;
      expect(liquidation.gt(0)).toBe(true);
      // the mark walks toward the liquidation price in steps of 0.1 %, until the leg is liquidated
      let ts = T0 + 3000;
      let mark = dec('60000');
      const direction = side === 'BUY' ? dec('0.999') : dec('1.001');
      let outOfBoundsBefore = false;
      for (let i = 0; i < 500; i++) {
        mark = mark.times(direction).round(1, 0);
        const tick = aBookTick('BTCUSDT', (ts += 1000), mark.toFixed(), { step: '0.1', qty: '5' });
        const bounds = sut.tickBounds('a1');
        expect(bounds).toBeDefined();
        const untouched = untouchedBy(bounds!, [tick]);
        const events = sut.applyTick(tick).events;
        if (untouched) expect(events).toEqual([]);
        else outOfBoundsBefore ||= events.length === 0;
        if (events.some((e) => e.type === 'LIQUIDATION')) {
          expect(untouched).toBe(false);
          expect(outOfBoundsBefore).toBe(true);
          return;
        }
      }
      throw new Error('never liquidated');
    });
  }
});
