/** Read models of an account: balances and positions as Binance reports them, computed at the current marks. */
import { type Decimal, isPositive, ZERO } from '../../../common/decimal';
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

/** Each asset's margin of the account, computed once per asset (the map is what `liquidationPriceOf` reuses). */
function marginsOf(state: EngineState, account: AccountState): { margins: Map<string, AssetMargin>; marginOf(asset: string): AssetMargin } {
  const margins = new Map<string, AssetMargin>();
  return {
    margins,
    marginOf(asset: string) {
      let m = margins.get(asset);
      if (!m) {
        m = assetMargin(state, account, asset);
        margins.set(asset, m);
      }
      return m;
    },
  };
}

export function accountView(state: EngineState, account: AccountState): AccountView {
  // each asset's margin once: the balances and every cross leg's liquidation price use it
  const m = marginsOf(state, account);
  const balances: Balance[] = [...account.wallets.keys()].map((asset) => balanceOf(asset, m.marginOf(asset)));
  return {
    accountId: account.accountId,
    positionMode: account.positionMode,
    balances,
    positions: positionViews(state, account, m),
    openOrders: [...account.openOrders.values()].map(orderView),
    ledger: [...account.ledger],
    settings: [...account.settings.entries()].map(([symbol, s]) => ({ symbol, ...s })),
  };
}

function balanceOf(asset: string, m: AssetMargin): Balance {
  return {
    asset,
    walletBalance: m.wallet,
    unrealizedPnl: m.totalUpnl,
    marginBalance: m.wallet.plus(m.totalUpnl),
    availableBalance: isPositive(m.available) ? m.available : ZERO,
  };
}

/** The account's positions as `accountView` shows them (no balance, no open order computed). */
export function positionViews(state: EngineState, account: AccountState, m = marginsOf(state, account)): Position[] {
  return [...account.positions.values()].map((p) => {
    const spec = specOf(state, p.symbol);
    const mark = markOf(state, p.symbol, p.entryPrice);
    if (p.marginMode !== 'ISOLATED') m.marginOf(spec.marginAsset);
    return {
      symbol: p.symbol,
      positionSide: p.positionSide,
      qty: p.amount,
      entryPrice: p.entryPrice,
      markPrice: mark,
      unrealizedPnl: positionUpnl(state, p),
      liquidationPrice: liquidationPriceOf(state, account, p, m.margins),
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
}

/** Each open leg's size and liquidation price, as its position view has them (nothing else computed). */
export function openLegLiquidations(state: EngineState, account: AccountState, m = marginsOf(state, account)): Pick<Position, 'symbol' | 'qty' | 'liquidationPrice'>[] {
  const legs: Pick<Position, 'symbol' | 'qty' | 'liquidationPrice'>[] = [];
  for (const p of account.positions.values()) {
    if (p.amount.eq(0)) continue;
    if (p.marginMode !== 'ISOLATED') m.marginOf(specOf(state, p.symbol).marginAsset);
    legs.push({ symbol: p.symbol, qty: p.amount, liquidationPrice: liquidationPriceOf(state, account, p, m.margins) });
  }
  return legs;
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
