import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * The seed's `positions` table: one row per open position of an account, symbol and position side
 * (BOTH in one-way mode; LONG and SHORT in hedge mode). `side` is the direction (LONG/SHORT),
 * `size` is always positive. A closed position's row is removed; its history is in trades and income.
 */
@Entity('positions')
export class PositionEntity {
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

  @Column({ type: 'varchar', length: 10 })
  side: 'LONG' | 'SHORT';

  @Column({ name: 'position_side', type: 'varchar', length: 10 })
  positionSide: 'BOTH' | 'LONG' | 'SHORT';

  @Column({ type: 'decimal', precision: 20, scale: 8 })
  size: string;

  @Column({ name: 'entry_price', type: 'decimal', precision: 20, scale: 8, nullable: true })
  entryPrice: string | null;

  @Column({ name: 'mark_price', type: 'decimal', precision: 20, scale: 8, nullable: true })
  markPrice: string | null;

  @Column({ name: 'liquidation_price', type: 'decimal', precision: 20, scale: 8, nullable: true })
  liquidationPrice: string | null;

  @Column({ type: 'decimal', precision: 20, scale: 8, nullable: true })
  margin: string | null;

  @Column({ name: 'unrealized_pnl', type: 'decimal', precision: 20, scale: 8, nullable: true })
  unrealizedPnl: string | null;

  @Column({ type: 'integer', nullable: true })
  leverage: number | null;

  @Column({ name: 'margin_mode', type: 'varchar', length: 20, nullable: true })
  marginMode: 'isolated' | 'cross' | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamp', nullable: true })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamp', nullable: true })
  updatedAt: Date;
}
