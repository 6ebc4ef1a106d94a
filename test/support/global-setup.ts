/**
 * Jest global setup: with DATABASE_URL set, every suite runs against that PostgreSQL server.
 * Without it, one embedded PGlite server is started here (outside the test sandbox) from a cached
 * template data folder copied to a temporary folder, and its URL is exported as DATABASE_URL, so
 * every suite runs the same code path as against a server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/common/db/embedded-postgres';

declare global {
  var __EMBEDDED_PG__: EmbeddedPostgres | undefined;
  var __EMBEDDED_PG_DIR__: string | undefined;
}

async function templateDir(): Promise<string> {
  const version = (JSON.parse(fs.readFileSync(path.join(__dirname, '../../node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version;
  const dir = path.join(os.tmpdir(), `contract-desk-pglite-template-${version}`);
  if (!fs.existsSync(path.join(dir, 'pglite', 'PG_VERSION'))) {
    const building = `${dir}.building-${process.pid}`;
    fs.rmSync(building, { recursive: true, force: true });
    const pg = await startEmbeddedPostgres({ dataDir: building });
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(building, dir);
  }
  return dir;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE = 'server';
    // A test database (its name says "test") starts every run empty, as the embedded one does: the
    // schema comes again from the migrations, and no account, position or feed state of an earlier
    // run weighs on this one. Another database is used as it is.
    const c = new Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    try {
      const [{ db }] = (await c.query('SELECT current_database() AS db')).rows as { db: string }[];
      if (/test/i.test(db)) {
        await c.query('DROP SCHEMA IF EXISTS public CASCADE');
        await c.query('CREATE SCHEMA public');
      } else {
        await c.query(`DO $$ BEGIN IF to_regclass('market_feed_state') IS NOT NULL THEN DELETE FROM market_feed_state; END IF; END $$`);
      }
    } finally {
      await c.end();
    }
    return;
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-desk-test-db-'));
  fs.cpSync(await templateDir(), dataDir, { recursive: true });
  const pg = await startEmbeddedPostgres({ dataDir });
  globalThis.__EMBEDDED_PG__ = pg;
  globalThis.__EMBEDDED_PG_DIR__ = dataDir;
  process.env.DATABASE_URL = pg.url;
  process.env.TEST_DATABASE = 'embedded';
}
