/** Read models of an account: balances and positions as Binance reports them, computed at the current marks. */
import { type Decimal, ZERO } from '../../../common/decimal';
import type { Balance, Order, Position } from '../../types';
import * as cm from './contract-math';
import type { AccountState, EngineState, LedgerEntry } from './engine-types';
import { assetMargin, type AssetMargin, liquidationPriceOf, markOf, positionInitial, positionMaintenance, positionUpnl, specOf } from './margin';
import { orderView } from './views';

export interface AccountView {
  accountId: string;
  positionMode: AccountState['positionMode'];
  balances: Balance[];
  positions: Position[];
  openOrders: Order[];
  ledger: LedgerEntry[];
  settings: { symbol: string; leverage: number; marginMode: Position['marginMode'] }[];
}

export function accountView(state: EngineState, account: AccountState): AccountView {
  // each asset's margin once: the balances and every cross leg's liquidation price use it
  const margins = new Map<string, AssetMargin>();
  const marginOf = (asset: string) => {
    let m = margins.get(asset);
    if (!m) {
      m = assetMargin(state, account, asset);
      margins.set(asset, m);
    }
    return m;
  };
  const balances: Balance[] = [...account.wallets.keys()].map((asset) => {
    const m = marginOf(asset);
    return {
      asset,
      walletBalance: m.wallet,
      unrealizedPnl: m.totalUpnl,
      marginBalance: m.wallet.plus(m.totalUpnl),
      availableBalance: m.available.gt(0) ? m.available : ZERO,
    };
  });
  const positions: Position[] = [...account.positions.values()].map((p) => {
    const spec = specOf(state, p.symbol);
    const mark = markOf(state, p.symbol, p.entryPrice);
    if (p.marginMode !== 'ISOLATED') marginOf(spec.marginAsset);
    return {
      symbol: p.symbol,
      positionSide: p.positionSide,
      qty: p.amount,
      entryPrice: p.entryPrice,
      markPrice: mark,
      unrealizedPnl: positionUpnl(state, p),
      liquidationPrice: liquidationPriceOf(state, account, p, margins),
      leverage: p.leverage,
      marginMode: p.marginMode,
      isolatedMargin: p.isolatedMargin,
      initialMargin: positionInitial(state, p),
      maintenanceMargin: positionMaintenance(state, p),
      notional: cm.notional(spec, p.amount.abs(), mark),
      marginAsset: spec.marginAsset,
      updateTs: p.updateTs,
    };
  });
  return {
    accountId: account.accountId,
    positionMode: account.positionMode,
    balances,
    positions,
    openOrders: [...account.openOrders.values()].map(orderView),
    ledger: [...account.ledger],
    settings: [...account.settings.entries()].map(([symbol, s]) => ({ symbol, ...s })),
  };
}

/** What the pre-trade checks need of an account: its modes, settings and the size of each leg. */
export interface TradingView {
  positionMode: AccountState['positionMode'];
  settings: AccountView['settings'];
  positions: Pick<Position, 'symbol' | 'positionSide' | 'qty'>[];
}

/** The trading view, without computing margins. */
export function tradingView(account: AccountState): TradingView {
  return {
    positionMode: account.positionMode,
    settings: [...account.settings.entries()].map(([symbol, s]) => ({ symbol, ...s })),
    positions: [...account.positions.values()].map((p) => ({ symbol: p.symbol, positionSide: p.positionSide, qty: p.amount })),
  };
}

/** Sum of the ledger of one asset: always equals the wallet balance. */
export function ledgerSum(ledger: readonly LedgerEntry[], asset: string): Decimal {
  return ledger.filter((e) => e.asset === asset).reduce((s, e) => s.plus(e.amount), ZERO);
}
