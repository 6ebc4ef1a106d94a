/**
 * One engine operation in progress: the state it mutates, the events it has produced, and the
 * helpers every step uses (ids, the ledger). Ids are a counter in the state, so replays are exact.
 */
import { type Decimal, ZERO } from '../../../common/decimal';
import type { IncomeType } from '../../types';
import type { AccountState, EngineEvent, EngineState, LedgerEntry, OrderState } from './engine-types';
import { orderView } from './views';
import type { ExecutionType } from './engine-types';

export class OpContext {
  readonly events: EngineEvent[] = [];

  constructor(
    readonly state: EngineState,
    readonly ts: number,
  ) {}

  nextId(): string {
    this.state.seq += 1;
    return String(this.state.seq);
  }

  /**
   * Books one wallet change: the only way a balance moves, so the ledger always sums to the wallet.
   * A zero amount books nothing.
   */
  book(account: AccountState, p: { asset: string; type: IncomeType; amount: Decimal; symbol: string; ref: string }): void {
    if (p.amount.eq(0)) return;
    const balanceAfter = (account.wallets.get(p.asset) ?? ZERO).plus(p.amount);
    account.wallets.set(p.asset, balanceAfter);
    const entry: LedgerEntry = { id: this.nextId(), ts: this.ts, balanceAfter, ...p };
    account.ledger.push(entry);
    this.events.push({ type: 'BALANCE', accountId: account.accountId, ts: this.ts, entry });
  }

  insurance(asset: string, change: Decimal): void {
    if (change.eq(0)) return;
    const balance = (this.state.insuranceFund.get(asset) ?? ZERO).plus(change);
    this.state.insuranceFund.set(asset, balance);
    this.events.push({ type: 'INSURANCE_FUND', ts: this.ts, asset, change, balance });
  }

  orderUpdate(o: OrderState, execution: ExecutionType, reason?: string): void {
    o.updateTs = this.ts;
    this.events.push({ type: 'ORDER_UPDATE', accountId: o.accountId, ts: this.ts, execution, order: orderView(o), reason });
  }
}
