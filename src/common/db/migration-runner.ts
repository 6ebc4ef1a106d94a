import { DataSource } from 'typeorm';

/** Advisory-lock key under which one instance at a time runs the migrations. */
const MIGRATION_LOCK = 727274000;

/** Runs pending migrations, one instance at a time (advisory lock), each migration in its own transaction. */
export async function runMigrationsLocked(dataSource: DataSource, onDone?: (names: string[]) => void): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    onDone?.(applied.map((m) => m.name));
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
