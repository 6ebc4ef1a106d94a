import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** One leverage bracket as stored (decimal strings). */
export interface BracketRow {
  bracket: number;
  initialLeverage: number;
  notionalFloor: string;
  notionalCap: string;
  maintMarginRatio: string;
  cum: string;
}

/** The seed's `contracts` table, plus what several exchanges and exact risk checks need. */
@Entity('contracts')
export class ContractEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 20 })
  exchange: string;

  @Column({ type: 'varchar', length: 50 })
  symbol: string;

  @Column({ name: 'base_asset', type: 'varchar', length: 20 })
  baseAsset: string;

  @Column({ name: 'quote_asset', type: 'varchar', length: 20 })
  quoteAsset: string;

  @Column({ name: 'contract_type', type: 'varchar', length: 20 })
  contractType: 'perpetual' | 'delivery';

  /** linear (USDT-margined) or inverse (coin-margined). */
  @Column({ type: 'varchar', length: 10 })
  kind: 'linear' | 'inverse';

  @Column({ name: 'contract_size', type: 'decimal', precision: 20, scale: 8, nullable: true })
  contractSize: string | null;

  @Column({ name: 'tick_size', type: 'decimal', precision: 20, scale: 8, nullable: true })
  tickSize: string | null;

  /** Binance PRICE_FILTER bounds; zero disables the check. */
  @Column({ name: 'min_price', type: 'decimal', precision: 20, scale: 8, default: 0 })
  minPrice: string;

  @Column({ name: 'max_price', type: 'decimal', precision: 20, scale: 8, default: 0 })
  maxPrice: string;

  @Column({ name: 'step_size', type: 'decimal', precision: 20, scale: 8 })
  stepSize: string;

  @Column({ name: 'min_qty', type: 'decimal', precision: 20, scale: 8, nullable: true })
  minQty: string | null;

  @Column({ name: 'max_qty', type: 'decimal', precision: 20, scale: 8 })
  maxQty: string;

  @Column({ name: 'market_max_qty', type: 'decimal', precision: 20, scale: 8 })
  marketMaxQty: string;

  @Column({ name: 'min_notional', type: 'decimal', precision: 20, scale: 8 })
  minNotional: string;

  /** Binance MAX_NUM_ORDERS: open orders per account on the contract (0: no limit). */
  @Column({ name: 'max_num_orders', type: 'integer', default: 200 })
  maxNumOrders: number;

  /** Binance MAX_NUM_ALGO_ORDERS: open conditional orders per account on the contract (0: no limit). */
  @Column({ name: 'max_num_algo_orders', type: 'integer', default: 10 })
  maxNumAlgoOrders: number;

  @Column({ name: 'max_leverage', type: 'integer', nullable: true })
  maxLeverage: number | null;

  @Column({ name: 'margin_asset', type: 'varchar', length: 20, nullable: true })
  marginAsset: string | null;

  @Column({ name: 'settlement_asset', type: 'varchar', length: 20, nullable: true })
  settlementAsset: string | null;

  @Column({ name: 'expiry_date', type: 'timestamp', nullable: true })
  expiryDate: Date | null;

  @Column({ name: 'maker_fee_rate', type: 'decimal', precision: 12, scale: 8 })
  makerFeeRate: string;

  @Column({ name: 'taker_fee_rate', type: 'decimal', precision: 12, scale: 8 })
  takerFeeRate: string;

  @Column({ name: 'liquidation_fee_rate', type: 'decimal', precision: 12, scale: 8 })
  liquidationFeeRate: string;

  @Column({ name: 'funding_interval_hours', type: 'integer', nullable: true })
  fundingIntervalHours: number | null;

  @Column({ type: 'jsonb' })
  brackets: BracketRow[];

  @Column({ name: 'is_active', type: 'boolean', default: true, nullable: true })
  isActive: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamp', nullable: true })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamp', nullable: true })
  updatedAt: Date;
}
