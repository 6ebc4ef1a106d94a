import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The margin monitor's memory: per position leg, the LIQUIDATION_RISK level it was last alerted at.
 * Kept in the database, not in the leader's memory, so that a new feed leader (after a restart or a
 * failover) neither alerts an at-risk leg again nor misses its re-arming.
 */
export class LiquidationRiskLevels1764000000007 implements MigrationInterface {
  name = 'LiquidationRiskLevels1764000000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE liquidation_risk_levels (
        exchange_account_id INTEGER NOT NULL REFERENCES exchange_accounts(id) ON DELETE CASCADE,
        symbol VARCHAR(50) NOT NULL,
        position_side VARCHAR(10) NOT NULL,
        level VARCHAR(10) NOT NULL,
        updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
        PRIMARY KEY (exchange_account_id, symbol, position_side),
        CONSTRAINT ck_liquidation_risk_levels_level CHECK (level IN ('warning', 'critical'))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE liquidation_risk_levels`);
  }
}
