/**
 * Account margin arithmetic of the paper engine, all through the contract math (./contract-math):
 * Binance USDⓈ-M single-asset mode, per margin asset
 * (https://www.binance.com/en/support/faq/360033162192 "margin balance", "available balance"):
 *
 *   crossWallet   = walletBalance − Σ isolated wallets
 *   crossMargin   = crossWallet + Σ unrealized PnL of cross positions           (margin balance)
 *   available     = crossMargin − Σ initial margin of cross positions − Σ open-order initial margin
 *   isolated leg  : margin balance = isolated wallet + its unrealized PnL
 *
 * A cross account is liquidated when crossMargin ≤ Σ maintenance margin of its cross positions; an
 * isolated leg when its margin balance ≤ its maintenance margin.
 */
import { type Decimal, isPositive, isZero, ZERO } from '../../../common/decimal';
import type { ContractSpec } from '../../../contracts/domain/contract-spec';
import * as cm from './contract-math';
import type { AccountState, EngineState, OrderState, PositionState } from './engine-types';

export function specOf(state: EngineState, symbol: string): ContractSpec {
  const spec = state.contracts.get(symbol);
  if (!spec) throw new Error(`unknown contract ${symbol}`);
  return spec;
}

export function markOf(state: EngineState, symbol: string, fallback: Decimal): Decimal {
  return state.markets.get(symbol)?.tick.markPrice ?? fallback;
}

/**
 * A position leg's unrealized PnL, maintenance and initial margin as last computed, with the inputs
 * they were computed from (by identity: decimals are immutable, and the copies of a leg that the
 * order path hands from one engine to the next share them), keyed by the leg's amount. Each account
 * view, margin check and liquidation price reads them for every leg; between two fills of a leg and
 * two ticks of its contract they are computed once.
 */
interface LegFigures {
  entryPrice: Decimal;
  mark: Decimal;
  spec: ContractSpec;
  upnl?: Decimal;
  maintenance?: Decimal;
  initial?: Decimal;
  leverage?: number;
}
const legFigures = new WeakMap<Decimal, LegFigures>();

function figuresOf(state: EngineState, p: PositionState): LegFigures {
  const spec = specOf(state, p.symbol);
  const mark = markOf(state, p.symbol, p.entryPrice);
  let f = legFigures.get(p.amount);
  if (f === undefined || f.entryPrice !== p.entryPrice || f.mark !== mark || f.spec !== spec) {
    f = { entryPrice: p.entryPrice, mark, spec };
    legFigures.set(p.amount, f);
  }
  return f;
}

export function positionUpnl(state: EngineState, p: PositionState): Decimal {
  const f = figuresOf(state, p);
  return (f.upnl ??= cm.unrealizedPnl(f.spec, p.amount, p.entryPrice, f.mark));
}

export function positionMaintenance(state: EngineState, p: PositionState): Decimal {
  const f = figuresOf(state, p);
  return (f.maintenance ??= cm.maintenanceMargin(f.spec, p.amount.abs(), f.mark));
}

export function positionInitial(state: EngineState, p: PositionState): Decimal {
  const f = figuresOf(state, p);
  if (f.initial === undefined || f.leverage !== p.leverage) {
    f.initial = cm.initialMargin(f.spec, p.amount.abs(), f.mark, p.leverage);
    f.leverage = p.leverage;
  }
  return f.initial;
}

/** Price an open order is margined at: its limit price, else its trigger, else the mark. */
export function orderReferencePrice(state: EngineState, o: OrderState): Decimal {
  return o.price ?? o.stopPrice ?? o.activationPrice ?? markOf(state, o.symbol, ZERO);
}

/**
 * The last initial margin computed for an order quantity (by the decimal's identity: decimals are
 * immutable, and copies of an order share them) with the inputs it was computed from. Every account
 * view and margin check sums the margin of all open orders; unchanged orders are not computed again.
 */
const orderMargins = new WeakMap<Decimal, { executedQty: Decimal; price: Decimal; leverage: number; spec: ContractSpec; margin: Decimal }>();

/** Initial margin held by an order that can open or increase a position (reduce-only orders hold none). */
export function orderInitialMargin(state: EngineState, account: AccountState, o: OrderState): Decimal {
  if (o.reduceOnly || o.closePosition) return ZERO;
  const price = orderReferencePrice(state, o);
  if (!isPositive(price)) return ZERO;
  const spec = specOf(state, o.symbol);
  const leverage = account.settings.get(o.symbol)?.leverage ?? cm.defaultLeverage(spec);
  const memo = orderMargins.get(o.qty);
  if (memo && memo.executedQty === o.executedQty && memo.price === price && memo.leverage === leverage && memo.spec === spec) return memo.margin;
  const margin = cm.initialMargin(spec, o.qty.minus(o.executedQty), price, leverage);
  orderMargins.set(o.qty, { executedQty: o.executedQty, price, leverage, spec, margin });
  return margin;
}

export interface AssetMargin {
  wallet: Decimal;
  crossWallet: Decimal;
  crossUpnl: Decimal;
  totalUpnl: Decimal;
  crossInitial: Decimal;
  crossMaintenance: Decimal;
  openOrderInitial: Decimal;
  available: Decimal;
}

export function assetMargin(state: EngineState, account: AccountState, asset: string): AssetMargin {
  const wallet = account.wallets.get(asset) ?? ZERO;
  let crossWallet = wallet;
  let crossUpnl = ZERO;
  let totalUpnl = ZERO;
  let crossInitial = ZERO;
  let crossMaintenance = ZERO;
  for (const p of account.positions.values()) {
    if (specOf(state, p.symbol).marginAsset !== asset) continue;
    const upnl = positionUpnl(state, p);
    totalUpnl = totalUpnl.plus(upnl);
    if (p.marginMode === 'ISOLATED') {
      crossWallet = crossWallet.minus(p.isolatedMargin);
    } else {
      crossUpnl = crossUpnl.plus(upnl);
      crossInitial = crossInitial.plus(positionInitial(state, p));
      crossMaintenance = crossMaintenance.plus(positionMaintenance(state, p));
    }
  }
  return new LazyAssetMargin(state, account, asset, wallet, crossWallet, crossUpnl, totalUpnl, crossInitial, crossMaintenance);
}

/**
 * An asset's margin whose open orders' part (a sum over every open order) is computed when first
 * read: a position's liquidation price needs none of it. The state must not change in between
 * (callers use the margin at once).
 *
 * A class with prototype getters, not an object literal with `get`s: V8 (Node 20) keeps alive in
 * every young collection, until the next full one, whatever the accessor functions of such a
 * literal reach — here the engine state, on every view and margin check (measured: about 2.5 MB
 * promoted per scavenge in a loop of account views, none with this class).
 */
class LazyAssetMargin implements AssetMargin {
  private openOrders: Decimal | undefined;
  private availableMargin: Decimal | undefined;

  constructor(
    private readonly state: EngineState,
    private readonly account: AccountState,
    private readonly asset: string,
    readonly wallet: Decimal,
    readonly crossWallet: Decimal,
    readonly crossUpnl: Decimal,
    readonly totalUpnl: Decimal,
    readonly crossInitial: Decimal,
    readonly crossMaintenance: Decimal,
  ) {}

  get openOrderInitial(): Decimal {
    return (this.openOrders ??= openOrderMargin(this.state, this.account, this.asset));
  }

  get available(): Decimal {
    return (this.availableMargin ??= this.crossWallet.plus(this.crossUpnl).minus(this.crossInitial).minus(this.openOrderInitial));
  }
}

/** One open order's margin as last summed, with what it was computed from. */
interface SummedMargin {
  order: OrderState;
  qty: Decimal;
  executedQty: Decimal;
  price: Decimal;
  leverage: number | undefined;
  held: boolean;
  margin: Decimal;
}

/**
 * The last sum of each asset's open-order margins per open-orders map (an account's map lives on
 * across operations when the order path hands the account from one engine to the next), with the
 * orders summed, in the map's order. The next sum starts from it: an order that is still there with
 * the same inputs adds nothing, one gone is subtracted, one new or changed is added (exact decimal
 * arithmetic: the same sum as adding them all again).
 */
const openOrderSums = new WeakMap<Map<string, OrderState>, Map<string, { summed: SummedMargin[]; sum: Decimal }>>();

/** Are the account's open orders of `asset` exactly the ones summed, with the same inputs? (No allocation.) */
function unchangedSince(state: EngineState, account: AccountState, asset: string, summed: readonly SummedMargin[]): boolean {
  let k = 0;
  // the contract's lookups once per run of orders of one symbol (an account's orders are mostly of a few)
  let symbol: string | undefined;
  let inAsset = false;
  let leverage: number | undefined;
  for (const o of account.openOrders.values()) {
    if (o.symbol !== symbol) {
      symbol = o.symbol;
      inAsset = specOf(state, symbol).marginAsset === asset;
      leverage = account.settings.get(symbol)?.leverage;
    }
    if (!inAsset) continue;
    const was = summed[k++];
    if (!was || !sameInputs(state, o, was, leverage)) return false;
  }
  return k === summed.length;
}

function sameInputs(state: EngineState, o: OrderState, was: SummedMargin, leverage: number | undefined): boolean {
  return (
    was.order === o &&
    was.qty === o.qty &&
    was.executedQty === o.executedQty &&
    was.price === orderReferencePrice(state, o) &&
    was.leverage === leverage &&
    was.held === !(o.reduceOnly || o.closePosition)
  );
}

/** Σ initial margin of the account's open orders on contracts margined in `asset`. */
function openOrderMargin(state: EngineState, account: AccountState, asset: string): Decimal {
  let byAsset = openOrderSums.get(account.openOrders);
  if (!byAsset) {
    byAsset = new Map();
    openOrderSums.set(account.openOrders, byAsset);
  }
  const last = byAsset.get(asset);
  if (last && unchangedSince(state, account, asset, last.summed)) return last.sum;
  const before = last?.summed ?? [];
  const summed: SummedMargin[] = [];
  let sum = last?.sum ?? ZERO;
  let j = 0;
  for (const o of account.openOrders.values()) {
    if (specOf(state, o.symbol).marginAsset !== asset) continue;
    // the orders summed before this one and gone since (the map keeps its order: a subsequence)
    while (j < before.length && before[j].order !== o) sum = sum.minus(before[j++].margin);
    const was = j < before.length ? before[j++] : undefined;
    if (was && sameInputs(state, o, was, account.settings.get(o.symbol)?.leverage)) {
      summed.push(was);
      continue;
    }
    const margin = orderInitialMargin(state, account, o);
    sum = was ? sum.minus(was.margin).plus(margin) : sum.plus(margin);
    summed.push({
      order: o,
      qty: o.qty,
      executedQty: o.executedQty,
      price: orderReferencePrice(state, o),
      leverage: account.settings.get(o.symbol)?.leverage,
      held: !(o.reduceOnly || o.closePosition),
      margin,
    });
  }
  while (j < before.length) sum = sum.minus(before[j++].margin);
  byAsset.set(asset, { summed, sum });
  return sum;
}

/** The legs of one contract in one margin mode (one in one-way mode, up to two in hedge mode). */
export function legsOf(account: AccountState, symbol: string, marginMode: PositionState['marginMode']): PositionState[] {
  const out: PositionState[] = [];
  for (const p of account.positions.values()) if (p.symbol === symbol && p.marginMode === marginMode && !isZero(p.amount)) out.push(p);
  return out;
}

/**
 * The calculator's input for the liquidation of a leg: isolated legs alone on their own wallet;
 * cross legs of one contract together, on the cross wallet with the other contracts' maintenance
 * margin and unrealized PnL (Binance WB − TMM1 + UPNL1).
 */
export function liquidationInput(
  state: EngineState,
  account: AccountState,
  p: PositionState,
  /** The account's margin of each asset, when the caller has it already (the same state). */
  margins?: ReadonlyMap<string, AssetMargin>,
): { spec: ContractSpec; legs: PositionState[]; walletBalance: Decimal; otherMaintenanceMargin: Decimal; otherUnrealizedPnl: Decimal } {
  const spec = specOf(state, p.symbol);
  if (p.marginMode === 'ISOLATED') return { spec, legs: [p], walletBalance: p.isolatedMargin, otherMaintenanceMargin: ZERO, otherUnrealizedPnl: ZERO };
  const legs = legsOf(account, p.symbol, 'CROSSED');
  const m = margins?.get(spec.marginAsset) ?? assetMargin(state, account, spec.marginAsset);
  let ownMm = ZERO;
  let ownUpnl = ZERO;
  for (const l of legs) {
    ownMm = ownMm.plus(positionMaintenance(state, l));
    ownUpnl = ownUpnl.plus(positionUpnl(state, l));
  }
  return {
    spec,
    legs,
    walletBalance: m.crossWallet,
    otherMaintenanceMargin: m.crossMaintenance.minus(ownMm),
    otherUnrealizedPnl: m.crossUpnl.minus(ownUpnl),
  };
}

/** Liquidation price of a leg on the tick (the calculator's rounded price); zero when there is none. */
export function liquidationPriceOf(state: EngineState, account: AccountState, p: PositionState, margins?: ReadonlyMap<string, AssetMargin>): Decimal {
  if (isZero(p.amount)) return ZERO;
  return cm.liquidationPrice(liquidationInput(state, account, p, margins))?.roundedPrice ?? ZERO;
}
