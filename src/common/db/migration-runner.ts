import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Advisory-lock key under which one instance at a time runs the migrations. */
const MIGRATION_LOCK = 727274000;

/** Runs pending migrations at start, one instance at a time, each migration in its own transaction. */
@Injectable()
export class MigrationRunner implements OnModuleInit {
  private readonly logger = new Logger('Migrations');
  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await runMigrationsLocked(this.dataSource, (names) => {
      if (names.length > 0) this.logger.log({ msg: 'migrations applied', migrations: names });
    });
  }
}

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
