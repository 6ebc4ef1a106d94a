import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The paper market feed's state (synthetic random walks, replay position), saved by the feed's
 * leader, so that after a restart of the whole service the market continues where it stopped
 * instead of jumping back to the seed's first price (which would trigger stops and liquidations
 * that the market never made).
 */
export class MarketFeedState1764000000002 implements MigrationInterface {
  name = 'MarketFeedState1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE market_feed_state (
        name VARCHAR(100) PRIMARY KEY,
        state JSONB NOT NULL,
        updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE market_feed_state`);
  }
}
