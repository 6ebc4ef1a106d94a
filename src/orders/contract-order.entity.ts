import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** The seed's `contract_orders` table, per exchange account. */
@Entity('contract_orders')
export class ContractOrderEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'integer', nullable: true })
  userId: number;

  @Column({ name: 'exchange_account_id', type: 'integer' })
  exchangeAccountId: number;

  @Column({ type: 'varchar', length: 20 })
  exchange: string;

  @Column({ type: 'varchar', length: 50 })
  symbol: string;

  /** The exchange's order id; null until the exchange has acknowledged the order. */
  @Column({ name: 'order_id', type: 'varchar', length: 100, nullable: true })
  orderId: string | null;

  @Column({ name: 'client_order_id', type: 'varchar', length: 100, nullable: true })
  clientOrderId: string | null;

  @Column({ type: 'varchar', length: 10 })
  side: 'BUY' | 'SELL';

  @Column({ name: 'position_side', type: 'varchar', length: 10, nullable: true })
  positionSide: 'BOTH' | 'LONG' | 'SHORT' | null;

  @Column({ type: 'varchar', length: 20 })
  type: string;

  @Column({ type: 'decimal', precision: 20, scale: 8 })
  quantity: string;

  @Column({ type: 'decimal', precision: 20, scale: 8, nullable: true })
  price: string | null;

  @Column({ name: 'stop_price', type: 'decimal', precision: 20, scale: 8, nullable: true })
  stopPrice: string | null;

  @Column({ name: 'time_in_force', type: 'varchar', length: 10, nullable: true })
  timeInForce: string | null;

  @Column({ name: 'reduce_only', type: 'boolean', default: false, nullable: true })
  reduceOnly: boolean;

  @Column({ name: 'close_position', type: 'boolean', default: false, nullable: true })
  closePosition: boolean;

  @Column({ type: 'varchar', length: 20 })
  status: string;

  @Column({ name: 'filled_qty', type: 'decimal', precision: 20, scale: 8, default: 0, nullable: true })
  filledQty: string;

  @Column({ name: 'avg_price', type: 'decimal', precision: 20, scale: 8, nullable: true })
  avgPrice: string | null;

  @Column({ type: 'decimal', precision: 20, scale: 8, nullable: true })
  commission: string | null;

  @Column({ name: 'commission_asset', type: 'varchar', length: 20, nullable: true })
  commissionAsset: string | null;

  @Column({ name: 'callback_rate', type: 'decimal', precision: 10, scale: 4, nullable: true })
  callbackRate: string | null;

  @Column({ name: 'working_type', type: 'varchar', length: 20, nullable: true })
  workingType: string | null;

  @Column({ name: 'reject_reason', type: 'varchar', length: 200, nullable: true })
  rejectReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamp', nullable: true })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamp', nullable: true })
  updatedAt: Date;
}
