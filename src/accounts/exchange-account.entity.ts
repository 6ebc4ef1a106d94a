import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const EXCHANGES = ['paper', 'binance', 'okx'] as const;
export type ExchangeId = (typeof EXCHANGES)[number];

/**
 * A user's account on one exchange. Every user gets a paper account when created; real exchange
 * accounts carry their API credentials encrypted with MASTER_KEY (never returned, never logged).
 */
@Entity('exchange_accounts')
export class ExchangeAccountEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @Column({ type: 'varchar', length: 20 })
  exchange: ExchangeId;

  @Column({ type: 'varchar', length: 50 })
  name: string;

  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault: boolean;

  /** true: hedge mode (LONG and SHORT positions per symbol); false: one-way (BOTH). */
  @Column({ name: 'dual_side_position', type: 'boolean', default: false })
  dualSidePosition: boolean;

  @Column({ name: 'api_key_encrypted', type: 'text', nullable: true, select: false })
  apiKeyEncrypted: string | null;

  @Column({ name: 'api_secret_encrypted', type: 'text', nullable: true, select: false })
  apiSecretEncrypted: string | null;

  @Column({ name: 'passphrase_encrypted', type: 'text', nullable: true, select: false })
  passphraseEncrypted: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamp' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamp' })
  updatedAt: Date;
}
