/**
 * TypeORM's data source options, the same for the embedded database and a server: the embedded
 * one is reached by URL through PGlite's socket server. `synchronize` is never on: the schema comes
 * from migrations/, run at start.
 */
import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from './entities';

// TIMESTAMP (without time zone) columns hold UTC: read them as UTC and write Dates as UTC, whatever
// the process's TZ is.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMP, (s: string) => new Date(`${s.replace(' ', 'T')}Z`));
pg.defaults.parseInputDatesAsUTC = true;

/** The embedded database's pool: PGlite serves one connection at a time, a few keep it busy. */
const EMBEDDED_POOL_SIZE = 4;

/** The application's pool size: DB_POOL_SIZE on a server, EMBEDDED_POOL_SIZE on the embedded database. */
export function poolSizeOf(database: { embedded: boolean; poolSize: number }): number {
  return database.embedded ? EMBEDDED_POOL_SIZE : database.poolSize;
}

export function dataSourceOptions(url: string, poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    extra: {
      max: poolSize,
      // The session time zone is UTC so that CURRENT_TIMESTAMP defaults are UTC too.
      options: '-c TimeZone=UTC',
      connectionTimeoutMillis: 10_000,
    },
  };
}
