/**
 * The calculator endpoint's computation, composed from the pure contract math (domain/): one
 * position of a symbol, optionally inside a cross account with other positions, optionally with a
 * what-if maintenance rate/amount instead of the symbol's bracket.
 */
import { toApi, ZERO, type Decimal } from '../common/decimal';
import { ValidationError } from '../common/errors';
import {
  bankruptcyPrice,
  bracketAt,
  initialMargin,
  liquidationPrice,
  maintenanceMargin,
  maxOpenQuantity,
  notional,
  returnOnEquity,
  toExchangeDisplay,
  unrealizedPnl,
  type Bracket,
  type ContractSpec,
  type LiquidationResult,
  type PositionSide,
} from './domain';

export interface CalculatorInput {
  side: PositionSide;
  marginMode: 'isolated' | 'cross';
  leverage: number;
  quantity: Decimal;
  entryPrice: Decimal;
  exitPrice?: Decimal;
  markPrice?: Decimal;
  walletBalance?: Decimal;
  maintenanceMarginRate?: Decimal;
  maintenanceAmount?: Decimal;
  otherPositions: {
    spec: ContractSpec;
    side: PositionSide;
    size: Decimal;
    entryPrice: Decimal;
    markPrice: Decimal;
    maintenanceMarginRate?: Decimal;
    maintenanceAmount?: Decimal;
  }[];
}

/** A spec whose brackets are replaced by one what-if bracket (rate and amount from the caller). */
export function withBracketOverride(spec: ContractSpec, rate?: Decimal, amount?: Decimal): ContractSpec {
  if (rate === undefined && amount === undefined) return spec;
  const top = spec.brackets[spec.brackets.length - 1];
  const first = spec.brackets[0];
  const bracket: Bracket = {
    bracket: 1,
    initialLeverage: first.initialLeverage,
    notionalFloor: ZERO,
    notionalCap: top.notionalCap,
    maintMarginRatio: rate ?? first.maintMarginRatio,
    cum: amount ?? ZERO,
  };
  return { ...spec, brackets: [bracket] };
}

function liq(r: LiquidationResult) {
  return { state: r.state, price: r.roundedPrice === null ? null : toApi(r.roundedPrice) };
}

export function calculate(baseSpec: ContractSpec, input: CalculatorInput) {
  if (input.marginMode === 'isolated' && input.otherPositions.length > 0) {
    throw new ValidationError('OTHER_POSITIONS_NEED_CROSS', 'otherPositions only apply to cross margin');
  }
  const spec = withBracketOverride(baseSpec, input.maintenanceMarginRate, input.maintenanceAmount);
  const { side, quantity: size, entryPrice, leverage } = input;
  const position = { spec, side, size, entryPrice };
  const markPrice = input.markPrice ?? input.exitPrice ?? entryPrice;
  const im = initialMargin({ spec, size, price: entryPrice, leverage });
  const mm = maintenanceMargin({ spec, size, markPrice });
  const bracket = bracketAt(spec, size, markPrice);

  let walletBalance = input.walletBalance ?? im;
  let otherMaintenanceMargin = ZERO;
  let otherUnrealizedPnl = ZERO;
  for (const o of input.otherPositions) {
    const oSpec = withBracketOverride(o.spec, o.maintenanceMarginRate, o.maintenanceAmount);
    otherMaintenanceMargin = otherMaintenanceMargin.plus(maintenanceMargin({ spec: oSpec, size: o.size, markPrice: o.markPrice }));
    otherUnrealizedPnl = otherUnrealizedPnl.plus(unrealizedPnl({ spec: oSpec, side: o.side, size: o.size, entryPrice: o.entryPrice }, o.markPrice));
  }
  if (input.marginMode === 'cross' && input.walletBalance === undefined) walletBalance = im;
  const legs = [{ side, size, entryPrice }];
  const lp = liquidationPrice({ spec, legs, walletBalance, otherMaintenanceMargin, otherUnrealizedPnl });
  const bp = bankruptcyPrice({ spec, legs, walletBalance, otherUnrealizedPnl });
  const pnlPrice = input.exitPrice ?? input.markPrice;
  const pnl = pnlPrice === undefined ? null : unrealizedPnl(position, pnlPrice);
  const roe = pnlPrice === undefined ? null : returnOnEquity(position, { markPrice: pnlPrice, leverage });
  const available = input.walletBalance === undefined ? undefined : input.walletBalance.minus(otherMaintenanceMargin).plus(otherUnrealizedPnl.lt(0) ? otherUnrealizedPnl : ZERO);
  const maxQty = available === undefined ? null : maxOpenQuantity({ spec, availableBalance: available, leverage, price: entryPrice });
  return {
    symbol: spec.symbol,
    marginAsset: spec.marginAsset,
    side,
    marginMode: input.marginMode,
    leverage,
    quantity: toApi(size),
    entryPrice: toApi(entryPrice),
    markPrice: toApi(markPrice),
    notional: toExchangeDisplay(notional(spec, size, entryPrice)),
    initialMargin: toExchangeDisplay(im),
    maintenanceMargin: toExchangeDisplay(mm),
    maintenanceMarginRate: toApi(bracket.maintMarginRatio),
    maintenanceAmount: toApi(bracket.cum),
    walletBalance: toApi(walletBalance),
    unrealizedPnl: pnl === null ? null : toExchangeDisplay(pnl),
    roe: roe === null ? null : toApi(roe.round(8, 0)),
    liquidationPrice: liq(lp).price,
    liquidationState: lp.state,
    bankruptcyPrice: liq(bp).price,
    maxOpenQuantity: maxQty === null ? null : toApi(maxQty),
  };
}

export function sideOf(side: 'LONG' | 'SHORT' | 'BUY' | 'SELL'): PositionSide {
  return side === 'BUY' || side === 'LONG' ? 'LONG' : 'SHORT';
}

