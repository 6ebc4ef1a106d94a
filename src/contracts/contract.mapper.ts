/** Between the `contracts` row, the domain ContractSpec and the API's contract view. */
import { dec, toApi } from '../common/decimal';
import type { Bracket, ContractSpec } from './domain';
import type { BracketRow, ContractEntity } from './contract.entity';

export function bracketToRow(b: Bracket): BracketRow {
  return {
    bracket: b.bracket,
    initialLeverage: b.initialLeverage,
    notionalFloor: toApi(b.notionalFloor),
    notionalCap: toApi(b.notionalCap),
    maintMarginRatio: toApi(b.maintMarginRatio),
    cum: toApi(b.cum),
  };
}

export function specToRow(spec: ContractSpec): Partial<ContractEntity> {
  return {
    exchange: spec.exchange,
    symbol: spec.symbol,
    baseAsset: spec.baseAsset,
    quoteAsset: spec.quoteAsset,
    contractType: spec.contractType,
    kind: spec.kind,
    contractSize: toApi(spec.contractSize),
    tickSize: toApi(spec.tickSize),
    minPrice: toApi(spec.minPrice),
    maxPrice: toApi(spec.maxPrice),
    stepSize: toApi(spec.stepSize),
    minQty: toApi(spec.minQty),
    maxQty: toApi(spec.maxQty),
    marketMaxQty: toApi(spec.marketMaxQty),
    minNotional: toApi(spec.minNotional),
    maxNumOrders: spec.maxNumOrders,
    maxNumAlgoOrders: spec.maxNumAlgoOrders,
    maxLeverage: spec.maxLeverage,
    marginAsset: spec.marginAsset,
    settlementAsset: spec.settlementAsset,
    expiryDate: spec.expiryDate ?? null,
    makerFeeRate: toApi(spec.makerFeeRate),
    takerFeeRate: toApi(spec.takerFeeRate),
    liquidationFeeRate: toApi(spec.liquidationFeeRate),
    fundingIntervalHours: spec.contractType === 'perpetual' ? spec.fundingIntervalHours : null,
    brackets: spec.brackets.map(bracketToRow),
    isActive: spec.isActive,
  };
}

export function rowToSpec(row: ContractEntity): ContractSpec {
  return {
    exchange: row.exchange,
    symbol: row.symbol,
    baseAsset: row.baseAsset,
    quoteAsset: row.quoteAsset,
    marginAsset: row.marginAsset ?? row.quoteAsset,
    settlementAsset: row.settlementAsset ?? row.marginAsset ?? row.quoteAsset,
    contractType: row.contractType,
    kind: row.kind,
    contractSize: dec(row.contractSize ?? '1'),
    tickSize: dec(row.tickSize ?? '0.01'),
    minPrice: dec(row.minPrice),
    maxPrice: dec(row.maxPrice),
    stepSize: dec(row.stepSize),
    minQty: dec(row.minQty ?? row.stepSize),
    maxQty: dec(row.maxQty),
    marketMaxQty: dec(row.marketMaxQty),
    minNotional: dec(row.minNotional),
    maxNumOrders: row.maxNumOrders,
    maxNumAlgoOrders: row.maxNumAlgoOrders,
    maxLeverage: row.maxLeverage ?? 1,
    brackets: row.brackets.map((b) => ({
      bracket: b.bracket,
      initialLeverage: b.initialLeverage,
      notionalFloor: dec(b.notionalFloor),
      notionalCap: dec(b.notionalCap),
      maintMarginRatio: dec(b.maintMarginRatio),
      cum: dec(b.cum),
    })),
    makerFeeRate: dec(row.makerFeeRate),
    takerFeeRate: dec(row.takerFeeRate),
    liquidationFeeRate: dec(row.liquidationFeeRate),
    expiryDate: row.expiryDate,
    deliveryTs: row.expiryDate ? row.expiryDate.getTime() : null,
    fundingIntervalHours: row.fundingIntervalHours ?? 8,
    isActive: row.isActive,
  };
}

/** The API's view of a contract: the seed's columns plus exchange, filters and brackets; decimals as strings. */
export function toContractView(row: ContractEntity) {
  return {
    exchange: row.exchange,
    symbol: row.symbol,
    baseAsset: row.baseAsset,
    quoteAsset: row.quoteAsset,
    contractType: row.contractType,
    kind: row.kind,
    contractSize: row.contractSize === null ? null : toApi(dec(row.contractSize)),
    tickSize: row.tickSize === null ? null : toApi(dec(row.tickSize)),
    stepSize: toApi(dec(row.stepSize)),
    minQty: row.minQty === null ? null : toApi(dec(row.minQty)),
    maxQty: toApi(dec(row.maxQty)),
    marketMaxQty: toApi(dec(row.marketMaxQty)),
    minNotional: toApi(dec(row.minNotional)),
    minPrice: toApi(dec(row.minPrice)),
    maxPrice: toApi(dec(row.maxPrice)),
    maxNumOrders: row.maxNumOrders,
    maxNumAlgoOrders: row.maxNumAlgoOrders,
    maxLeverage: row.maxLeverage,
    marginAsset: row.marginAsset,
    settlementAsset: row.settlementAsset,
    expiryDate: row.expiryDate ? row.expiryDate.toISOString() : null,
    isActive: row.isActive,
    makerFeeRate: toApi(dec(row.makerFeeRate)),
    takerFeeRate: toApi(dec(row.takerFeeRate)),
    liquidationFeeRate: toApi(dec(row.liquidationFeeRate)),
    fundingIntervalHours: row.fundingIntervalHours,
    brackets: row.brackets,
  };
}
export type ContractView = ReturnType<typeof toContractView>;
