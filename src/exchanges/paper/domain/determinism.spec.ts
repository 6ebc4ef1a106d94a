import { PAPER_CONTRACTS } from '../../../contracts/domain/paper-contracts';
import { SyntheticFeed } from '../../market-feed/synthetic-feed';
import { Prng } from '../../market-feed/prng';
import { PaperEngine } from './engine';
import { ledgerSum } from './queries';
import { decodeBase, decodeState, encodeAccount, WRITABLE_ORDER_FIELDS } from './snapshot';
import { dec } from '../../../common/decimal';
import { newRun, randomOrder, SCENARIO_T0, step } from './testing/scenario';
import { stripLedger, stripLedgerOf } from '../persistence/paper-store';

const ACCOUNTS = 6;

describe('PaperEngine determinism', () => {
  it('the same seed and orders twice give identical events and snapshots', () => {
    const a = newRun(42, ACCOUNTS);
    const b = newRun(42, ACCOUNTS);
    step(a, SCENARIO_T0, 400, 2, ACCOUNTS);
    step(b, SCENARIO_T0, 400, 2, ACCOUNTS);
    expect(a.events.length).toBeGreaterThan(500);
    expect(JSON.stringify(a.events)).toBe(JSON.stringify(b.events));
    expect(JSON.stringify(a.engine.snapshot())).toBe(JSON.stringify(b.engine.snapshot()));
    expect(a.rejections).toEqual(b.rejections);
  });

  it('snapshot → restore mid-scenario → continue equals the uninterrupted run', () => {
    const straight = newRun(7, ACCOUNTS);
    const end = step(straight, SCENARIO_T0, 300, 2, ACCOUNTS);

    const first = newRun(7, ACCOUNTS);
    const mid = step(first, SCENARIO_T0, 150, 2, ACCOUNTS);
    const json = JSON.stringify({ engine: first.engine.snapshot(), feed: first.feed.snapshot(), rng: first.rng.seedState });
    const saved = JSON.parse(json) as { engine: ReturnType<PaperEngine['snapshot']>; feed: ReturnType<SyntheticFeed['snapshot']>; rng: number };
    const resumed = {
      engine: PaperEngine.restore(saved.engine),
      feed: new SyntheticFeed({ symbol: 'BTCUSDT', seed: 7, initialPrice: '60000', tickSize: '0.1', stepSize: '0.001', levelSizeSteps: 300, volatility: 0.0004 }, saved.feed),
      rng: new Prng(saved.rng),
      events: [...first.events],
      rejections: [...first.rejections],
    };
    expect(JSON.stringify(resumed.engine.snapshot())).toBe(JSON.stringify(first.engine.snapshot()));
    const resumedEnd = step(resumed, mid, 150, 2, ACCOUNTS);
    expect(resumedEnd).toBe(end);
    expect(JSON.stringify(resumed.engine.snapshot())).toBe(JSON.stringify(straight.engine.snapshot()));
    expect(JSON.stringify(resumed.events)).toBe(JSON.stringify(straight.events));
  });

  it('keeps every ledger summing to its wallet balance', () => {
    const run = newRun(99, ACCOUNTS);
    step(run, SCENARIO_T0, 300, 3, ACCOUNTS);
    for (const id of run.engine.accountIds()) {
      const account = run.engine.getAccount(id);
      for (const b of account.balances) expect(ledgerSum(account.ledger, b.asset).toFixed()).toBe(b.walletBalance.toFixed());
    }
  });

  it('restores contracts with the snapshot', () => {
    const engine = PaperEngine.create({ contracts: PAPER_CONTRACTS });
    const restored = PaperEngine.restore(JSON.parse(JSON.stringify(engine.snapshot())));
    expect(JSON.stringify(restored.contracts)).toBe(JSON.stringify(engine.contracts));
  });

  it('an engine forked from a decoded base acts as one restored from the snapshot, and leaves the base as it was', () => {
    const run = newRun(11, ACCOUNTS);
    const ts = step(run, SCENARIO_T0, 120, 2, ACCOUNTS);
    const snap = JSON.parse(JSON.stringify(run.engine.snapshot())) as ReturnType<PaperEngine['snapshot']>;
    const base = decodeBase(snap);
    const order = (accountId: string) => ({ accountId, ts: ts + 1, symbol: 'BTCUSDT', side: 'BUY' as const, type: 'MARKET' as const, qty: dec('2.5') });
    const outcomes: string[] = [];
    for (const _round of [1, 2]) {
      for (const account of snap.accounts) {
        const id = account.accountId as string;
        const restored = PaperEngine.restore({ ...snap, accounts: [account] });
        const forked = PaperEngine.restoreOn(base, [account], snap.seq, snap.ts);
        const attempt = (e: PaperEngine) => {
          try {
            return JSON.stringify(e.placeOrder(order(id)));
          } catch (err) {
            return (err as Error).message;
          }
        };
        // a market order walks (and consumes) the book: every fork, in both rounds, starts from the full book
        const outcome = attempt(forked);
        outcomes.push(outcome);
        expect(outcome).toBe(attempt(restored));
        expect(JSON.stringify(forked.snapshotAccount(id))).toBe(JSON.stringify(restored.snapshotAccount(id)));
        expect(JSON.stringify(forked.snapshot().markets)).toBe(JSON.stringify(restored.snapshot().markets));
      }
    }
    expect(outcomes.filter((o) => o.includes('"FILL"')).length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(PaperEngine.restoreOn(base, [], snap.seq, snap.ts).snapshot().markets)).toBe(JSON.stringify(snap.markets));
  });

  it('encodes an order that did not change as the very record it was decoded from, and a changed one anew', () => {
    const run = newRun(3, ACCOUNTS);
    const ts = step(run, SCENARIO_T0, 200, 2, ACCOUNTS);
    const snap = JSON.parse(JSON.stringify(run.engine.snapshot())) as ReturnType<PaperEngine['snapshot']>;
    const account = snap.accounts.find((a) => (a.openOrders as unknown[]).length >= 2);
    expect(account).toBeDefined();
    const id = account!.accountId as string;
    const records = account!.openOrders as { orderId: string }[];
    const engine = PaperEngine.restore({ ...snap, accounts: [account!] });
    const same = engine.snapshotAccount(id).account.openOrders as object[];
    expect(same).toHaveLength(records.length);
    same.forEach((r, i) => expect(r).toBe(records[i]));
    engine.cancelOrder({ accountId: id, ts: ts + 1, symbol: 'BTCUSDT', orderId: records[0].orderId });
    const after = engine.snapshotAccount(id).account;
    const open = after.openOrders as object[];
    expect(open).toHaveLength(records.length - 1);
    open.forEach((r, i) => expect(r).toBe(records[i + 1]));
    // the canceled order went to the history as a new record; decoding it again gives the same values
    const history = after.orderHistory as { orderId: string; status: string }[];
    const canceled = history.find((o) => o.orderId === records[0].orderId);
    expect(canceled).toBeDefined();
    expect(canceled).not.toBe(records[0]);
    expect(canceled!.status).toBe('CANCELED');
    const again = PaperEngine.restore({ ...snap, accounts: [after] });
    expect(JSON.stringify(again.snapshotAccount(id).account)).toBe(JSON.stringify(PaperEngine.restore(JSON.parse(JSON.stringify({ ...snap, accounts: [after] }))).snapshotAccount(id).account));
  });
  it('encodes an order anew when any one of its writable fields changed (the others are readonly)', () => {
    const run = newRun(3, ACCOUNTS);
    step(run, SCENARIO_T0, 200, 2, ACCOUNTS);
    const snap = JSON.parse(JSON.stringify(run.engine.snapshot())) as ReturnType<PaperEngine['snapshot']>;
    const raw = snap.accounts.find((a) => (a.openOrders as unknown[]).length >= 2)!;
    const records = raw.openOrders as object[];
    for (const field of WRITABLE_ORDER_FIELDS) {
      const account = [...decodeState({ ...snap, accounts: [raw] }).accounts.values()][0];
      const unchanged = encodeAccount(account).openOrders as object[];
      unchanged.forEach((r, i) => expect(r).toBe(records[i]));
      const [first] = account.openOrders.values();
      const fields = first as unknown as Record<string, unknown>;
      const value = fields[field];
      fields[field] = value === undefined ? 'x' : typeof value === 'boolean' ? !value : typeof value === 'number' ? value + 1 : typeof value === 'string' ? `${value}x` : dec(1).plus(value as string);
      const open = encodeAccount(account).openOrders as object[];
      expect({ field, anew: open[0] !== records[0] }).toEqual({ field, anew: true });
      open.slice(1).forEach((r, i) => expect(r).toBe(records[i + 1]));
    }
  });
  it('encodes a copy made by spreading an order from its own fields, not as the original', () => {
    const run = newRun(3, ACCOUNTS);
    step(run, SCENARIO_T0, 200, 2, ACCOUNTS);
    const snap = JSON.parse(JSON.stringify(run.engine.snapshot())) as ReturnType<PaperEngine['snapshot']>;
    const raw = snap.accounts.find((a) => (a.openOrders as unknown[]).length >= 1)!;
    const account = [...decodeState({ ...snap, accounts: [raw] }).accounts.values()][0];
    const [first] = account.openOrders.values();
    account.openOrders.set(first.orderId, { ...first, side: first.side === 'BUY' ? 'SELL' : 'BUY' });
    const [record] = encodeAccount(account).openOrders as { side: string }[];
    expect(record).not.toBe((raw.openOrders as object[])[0]);
    expect(record.side).toBe(first.side === 'BUY' ? 'SELL' : 'BUY');
  });
  it('an account handed over from one engine to the next acts as the same account decoded from its saved state', () => {
    const run = newRun(5, ACCOUNTS);
    let ts = step(run, SCENARIO_T0, 150, 2, ACCOUNTS);
    const snap = JSON.parse(JSON.stringify(run.engine.snapshot())) as ReturnType<PaperEngine['snapshot']>;
    const base = decodeBase(snap);
    for (const start of snap.accounts) {
      const id = start.accountId as string;
      // the saved state (what the store keeps) and the live one (what the last engine left)
      let saved = stripLedger(start);
      let seq = snap.seq;
      let live = PaperEngine.restoreOn(base, [saved], seq, ts).accountState(id);
      let outcomes = 0;
      for (let i = 0; i < 40; i++) {
        ts += 1;
        const cmd = randomOrder(run.rng, id, start.positionMode === 'HEDGE', ts, 600000);
        const attempt = (e: PaperEngine) => {
          try {
            return JSON.stringify(e.placeOrder(cmd));
          } catch (err) {
            return (err as Error).message;
          }
        };
        const decoded = PaperEngine.restoreOn(base, [saved], seq, ts);
        stripLedgerOf(live);
        const handed = PaperEngine.restoreOnAccounts(base, [live], seq, ts);
        const outcome = attempt(handed);
        expect(outcome).toBe(attempt(decoded));
        if (outcome.startsWith('{')) outcomes += 1;
        const after = handed.snapshotAccount(id);
        expect(JSON.stringify(after)).toBe(JSON.stringify(decoded.snapshotAccount(id)));
        expect(JSON.stringify(handed.getAccount(id))).toBe(JSON.stringify(decoded.getAccount(id)));
        saved = stripLedger(after.account);
        seq = after.seq;
        live = handed.accountState(id);
      }
      expect(outcomes).toBeGreaterThan(10);
    }
  });
});
