/**
 * The typed configuration injected everywhere. Built once at start from the validated environment
 * plus the generated secrets kept in DATA_DIR (see secrets.ts).
 */
import path from 'node:path';
import type { EnvSchema } from './env.schema';

export interface AppConfig {
  port: number;
  /** HTTP worker processes (node:cluster); more than one needs a PostgreSQL server and Redis. */
  workers: number;
  dataDir: string;
  logLevel: string;
  trustProxy: boolean;
  database: {
    /** A PostgreSQL server URL, or the embedded PGlite server's URL once started. */
    url: string | undefined;
    embedded: boolean;
    poolSize: number;
    /**
     * Order-write statements running at once in this process; orders waiting meanwhile are written
     * together (group commit). Default 2, or 1 per worker with several workers: fewer statements in
     * flight on the database make larger groups.
     */
    orderWriteStatements: number;
    embeddedPort: number;
  };
  auth: {
    jwtSecret: string;
    jwtExpiresInSeconds: number;
    adminUsername: string;
    adminPassword: string;
    /** True when the admin password was generated (and must be printed once, when the admin is created). */
    adminPasswordGenerated: boolean;
    /** Print a generated admin password once on the console (the service does; tests do not). */
    printGeneratedPassword: boolean;
  };
  paper: { initialBalance: string };
  marketFeed: { source: string; seed: number; intervalMs: number };
  redisUrl: string | undefined;
  masterKey: string;
  ws: { publicMarketData: boolean };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export function buildConfig(
  env: EnvSchema,
  secrets: { jwtSecret: string; masterKey: string; adminPassword: string; adminPasswordGenerated: boolean },
): AppConfig {
  return {
    port: env.PORT,
    workers: env.APP_WORKERS,
    dataDir: path.resolve(env.DATA_DIR),
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY,
    database: {
      url: env.DATABASE_URL,
      embedded: env.DATABASE_URL === undefined,
      poolSize: env.DB_POOL_SIZE,
      orderWriteStatements: env.ORDER_WRITE_STATEMENTS ?? (env.APP_WORKERS > 1 ? 1 : 2),
      embeddedPort: env.EMBEDDED_DB_PORT,
    },
    auth: {
      jwtSecret: secrets.jwtSecret,
      jwtExpiresInSeconds: env.JWT_EXPIRES_IN_SECONDS,
      adminUsername: env.ADMIN_USERNAME,
      adminPassword: secrets.adminPassword,
      adminPasswordGenerated: secrets.adminPasswordGenerated,
      printGeneratedPassword: false,
    },
    paper: { initialBalance: env.PAPER_INITIAL_BALANCE },
    marketFeed: { source: env.MARKET_FEED, seed: env.MARKET_FEED_SEED, intervalMs: env.MARKET_FEED_INTERVAL_MS },
    redisUrl: env.REDIS_URL,
    masterKey: secrets.masterKey,
    ws: { publicMarketData: env.WS_PUBLIC_MARKET_DATA },
  };
}
