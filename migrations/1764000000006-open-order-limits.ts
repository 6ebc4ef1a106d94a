import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The open-order limits of a contract (Binance MAX_NUM_ORDERS and MAX_NUM_ALGO_ORDERS): how many
 * orders an account may have open on it, and how many of them conditional. Existing rows get
 * Binance's usual USDⓈ-M values; the paper contracts are written again with their own at start.
 */
export class OpenOrderLimits1764000000006 implements MigrationInterface {
  name = 'OpenOrderLimits1764000000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE contracts ADD COLUMN max_num_orders INTEGER NOT NULL DEFAULT 200 CHECK (max_num_orders >= 0)`);
    await q.query(`ALTER TABLE contracts ADD COLUMN max_num_algo_orders INTEGER NOT NULL DEFAULT 10 CHECK (max_num_algo_orders >= 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE contracts DROP COLUMN max_num_algo_orders`);
    await q.query(`ALTER TABLE contracts DROP COLUMN max_num_orders`);
  }
}
