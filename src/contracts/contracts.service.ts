import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dec } from '../common/decimal';
import { assertFound } from '../common/errors';
import { calculate, sideOf } from './calculator.usecase';
import { ContractEntity } from './contract.entity';
import { rowToSpec, specToRow, toContractView, type ContractView } from './contract.mapper';
import { PAPER_CONTRACTS, type ContractSpec } from './domain';
import type { CalculatorDto } from './dto/calculator.dto';

export const DEFAULT_EXCHANGE = 'paper';

/**
 * Contract specs: the paper exchange's are written at start (upsert by exchange and symbol); real
 * exchanges' come from their adapters. Specs change rarely, so they are cached in memory and the
 * cache is reloaded when a symbol is not found.
 */
@Injectable()
export class ContractsService implements OnModuleInit {
  private readonly logger = new Logger(ContractsService.name);
  private cache = new Map<string, { row: ContractEntity; spec: ContractSpec }>();

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await this.dataSource.getRepository(ContractEntity).upsert(PAPER_CONTRACTS.map(specToRow), ['exchange', 'symbol']);
    await this.reload();
    this.logger.log({ msg: 'paper contracts ready', symbols: PAPER_CONTRACTS.map((c) => c.symbol) });
  }

  private async reload(): Promise<void> {
    const rows = await this.dataSource.getRepository(ContractEntity).find({ order: { id: 'ASC' } });
    this.cache = new Map(rows.map((row) => [`${row.exchange}:${row.symbol}`, { row, spec: rowToSpec(row) }]));
  }

  async list(filter: { exchange?: string; contractType?: string; marginAsset?: string }): Promise<ContractView[]> {
    return [...this.cache.values()]
      .map((c) => c.row)
      .filter((r) => (filter.exchange ?? DEFAULT_EXCHANGE) === r.exchange)
      .filter((r) => filter.contractType === undefined || r.contractType === filter.contractType)
      .filter((r) => filter.marginAsset === undefined || r.marginAsset === filter.marginAsset)
      .map(toContractView);
  }

  private async entry(symbol: string, exchange = DEFAULT_EXCHANGE) {
    const key = `${exchange}:${symbol}`;
    if (!this.cache.has(key)) await this.reload();
    return assertFound(this.cache.get(key), 'SYMBOL_NOT_FOUND', `Unknown symbol ${symbol} on ${exchange}`);
  }

  async get(symbol: string, exchange?: string): Promise<ContractView> {
    return toContractView((await this.entry(symbol, exchange)).row);
  }

  /** The domain spec of a symbol (404 SYMBOL_NOT_FOUND when unknown). */
  async getSpec(symbol: string, exchange?: string): Promise<ContractSpec> {
    return (await this.entry(symbol, exchange)).spec;
  }

  /** Synchronous lookup of an already-loaded spec (hot paths); undefined when unknown. */
  findSpec(symbol: string, exchange = DEFAULT_EXCHANGE): ContractSpec | undefined {
    return this.cache.get(`${exchange}:${symbol}`)?.spec;
  }

  async calculate(symbol: string, dto: CalculatorDto, exchange?: string) {
    const spec = await this.getSpec(symbol, exchange);
    const others = [];
    for (const o of dto.otherPositions ?? []) {
      others.push({
        spec: await this.getSpec(o.symbol, exchange),
        side: sideOf(o.side),
        size: dec(o.size),
        entryPrice: dec(o.entryPrice),
        markPrice: dec(o.markPrice),
        maintenanceMarginRate: o.maintenanceMarginRate === undefined ? undefined : dec(o.maintenanceMarginRate),
        maintenanceAmount: o.maintenanceAmount === undefined ? undefined : dec(o.maintenanceAmount),
      });
    }
    const opt = (v?: string) => (v === undefined ? undefined : dec(v));
    return calculate(spec, {
      side: sideOf(dto.side),
      marginMode: dto.marginMode,
      leverage: dto.leverage,
      quantity: dec(dto.quantity),
      entryPrice: dec(dto.entryPrice),
      exitPrice: opt(dto.exitPrice),
      markPrice: opt(dto.markPrice),
      walletBalance: opt(dto.walletBalance),
      maintenanceMarginRate: opt(dto.maintenanceMarginRate),
      maintenanceAmount: opt(dto.maintenanceAmount),
      otherPositions: others,
    });
  }
}
