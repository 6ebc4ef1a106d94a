import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildConfig } from '../../src/config/app-config';
import { EnvSchema, validateEnv, InvalidConfigurationError } from '../../src/config/env.schema';

const root = path.resolve(__dirname, '../..');

/** Starts the real entry point with an environment and returns how it ended. */
function start(env: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-desk-cfg-'));
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir };
  const res = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: root,
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  fs.rmSync(dataDir, { recursive: true, force: true });
  return res;
}

describe('configuration', () => {
  it.each([
    ['PORT', 'abc'],
    ['DATABASE_URL', 'not-a-url'],
    ['DB_POOL_SIZE', '0'],
    ['MARKET_FEED', 'carrier-pigeon'],
    ['LOG_LEVEL', 'loud'],
  ])('%s=%s stops the start with a message naming the variable', (name, value) => {
    const res = start({ [name]: value });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain(`${name}=`);
    expect(res.stderr).toContain('Invalid environment variables');
  });

  it('never prints the value of a sensitive variable it refuses', () => {
    expect(() => validateEnv({ JWT_SECRET: 'short-secret' })).toThrow(InvalidConfigurationError);
    try {
      validateEnv({ JWT_SECRET: 'short-secret', DATABASE_URL: 'mysql://user:hunter2@db' });
    } catch (e) {
      expect((e as Error).message).toContain('JWT_SECRET=(hidden)');
      expect((e as Error).message).not.toContain('short-secret');
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  it('refuses APP_WORKERS out of range, and more than one worker without a PostgreSQL server or without Redis', () => {
    expect(() => validateEnv({ APP_WORKERS: '0' })).toThrow(/APP_WORKERS=/);
    expect(() => validateEnv({ APP_WORKERS: 'many' })).toThrow(/APP_WORKERS=/);
    expect(() => validateEnv({ APP_WORKERS: '2', REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/APP_WORKERS=2: more than one worker needs DATABASE_URL/);
    expect(() => validateEnv({ APP_WORKERS: '2', DATABASE_URL: 'postgres://u@h/db' })).toThrow(/needs REDIS_URL/);
    expect(validateEnv({ APP_WORKERS: '2', DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://127.0.0.1:6379' }).APP_WORKERS).toBe(2);
  });

  it('runs 2 order-write statements at once in one process, 1 per worker with several workers, unless ORDER_WRITE_STATEMENTS says', () => {
    const secrets = { jwtSecret: 'x'.repeat(32), masterKey: '0'.repeat(64), adminPassword: 'p', adminPasswordGenerated: false };
    const statements = (env: NodeJS.ProcessEnv) => buildConfig(validateEnv(env), secrets).database.orderWriteStatements;
    const cluster = { APP_WORKERS: '2', DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(statements({})).toBe(2);
    expect(statements(cluster)).toBe(1);
    expect(statements({ ORDER_WRITE_STATEMENTS: '5' })).toBe(5);
    expect(statements({ ...cluster, ORDER_WRITE_STATEMENTS: '3' })).toBe(3);
    expect(() => validateEnv({ ORDER_WRITE_STATEMENTS: '0' })).toThrow(/ORDER_WRITE_STATEMENTS=/);
  });

  it('applies the documented defaults', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({ APP_WORKERS: 1, PORT: 3000, DATA_DIR: './data', DB_POOL_SIZE: 10, PAPER_INITIAL_BALANCE: '10000', MARKET_FEED: 'synthetic', MARKET_FEED_SEED: 42, LOG_LEVEL: 'info' });
  });

  it('.env.example lists every variable of the schema, and only those', () => {
    const example = fs.readFileSync(path.join(root, '.env.example'), 'utf8');
    const listed = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
    const schema = [...Object.keys(new EnvSchema()), 'DATABASE_URL', 'JWT_SECRET', 'ADMIN_PASSWORD', 'REDIS_URL', 'MASTER_KEY'];
    expect(listed).toEqual([...new Set(schema)].sort());
  });
});
