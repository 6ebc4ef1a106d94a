import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version per paper account, raised by every write of its engine state. Order placement reads the
 * account without a lock and writes it back only if the version is still the one it read (one
 * statement, compare-and-set), so orders of one account stay serialized across instances without a
 * transaction held open across round trips; every other writer (ticks, cancels, settings) locks the
 * row and raises the version as well.
 */
export class PaperAccountVersion1764000000003 implements MigrationInterface {
  name = 'PaperAccountVersion1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE paper_accounts ADD COLUMN version BIGINT NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE paper_accounts DROP COLUMN version`);
  }
}
