/**
 * Runtime index of open legs per symbol with their hot-path liquidation bounds, so a tick marks only
 * that symbol's legs and compares integers. Not part of the snapshot: an account is re-indexed
 * lazily after any operation that produced events for it (fills, funding, margin changes,
 * liquidations), and every account is re-indexed after a restore.
 */
import type { AccountState, EngineState, PositionState } from './engine-types';
import { thresholdOf, type Threshold } from './liquidation';

export interface WatchedLeg {
  account: AccountState;
  leg: PositionState;
  threshold: Threshold;
}

export class LiquidationWatch {
  private readonly bySymbol = new Map<string, Map<string, WatchedLeg[]>>();
  private readonly symbolsOf = new Map<string, Set<string>>();
  /** Accounts with a cross leg that depends on several contracts' marks: checked on every tick. */
  private readonly everyTick = new Map<string, WatchedLeg[]>();
  private readonly dirty = new Set<string>();

  markDirty(accountId: string): void {
    this.dirty.add(accountId);
  }

  markAllDirty(state: EngineState): void {
    for (const id of state.accounts.keys()) this.dirty.add(id);
  }

  /** Re-indexes the dirty accounts (in account order, so the result never depends on event order). */
  refresh(state: EngineState): void {
    if (this.dirty.size === 0) return;
    for (const id of [...this.dirty].sort()) {
      for (const symbol of this.symbolsOf.get(id) ?? []) this.bySymbol.get(symbol)?.delete(id);
      this.symbolsOf.delete(id);
      this.everyTick.delete(id);
      const account = state.accounts.get(id);
      if (!account || account.positions.size === 0) continue;
      const symbols = new Set<string>();
      for (const leg of account.positions.values()) {
        const watched: WatchedLeg = { account, leg, threshold: thresholdOf(state, account, leg) };
        if (watched.threshold.kind === 'exact') {
          const list = this.everyTick.get(id) ?? [];
          list.push(watched);
          this.everyTick.set(id, list);
          continue;
        }
        let bucket = this.bySymbol.get(leg.symbol);
        if (!bucket) {
          bucket = new Map();
          this.bySymbol.set(leg.symbol, bucket);
        }
        const list = bucket.get(id) ?? [];
        list.push(watched);
        bucket.set(id, list);
        symbols.add(leg.symbol);
      }
      this.symbolsOf.set(id, symbols);
    }
    this.dirty.clear();
  }

  /** The legs to check on a tick of `symbol`, in a stable order (index order, then every-tick legs). */
  *legsFor(symbol: string): Generator<WatchedLeg> {
    const bucket = this.bySymbol.get(symbol);
    if (bucket) for (const list of bucket.values()) yield* list;
    for (const list of this.everyTick.values()) yield* list;
  }
}
