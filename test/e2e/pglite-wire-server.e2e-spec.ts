/**
 * The embedded database's wire server: many `pg` connections share one PGlite session, so the
 * server must keep each connection's extended-protocol messages together and serve an open
 * transaction's owner alone. Each case here failed with the socket server it replaces.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/common/db/embedded-postgres';

describe('PGlite wire server', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-desk-wire-'));
  let pg: EmbeddedPostgres;
  let pool: Pool;

  beforeAll(async () => {
    pg = await startEmbeddedPostgres({ dataDir });
    pool = new Pool({ connectionString: pg.url, max: 8 });
    await pool.query('CREATE TABLE wire_counter (id int PRIMARY KEY, n bigint NOT NULL)');
    await pool.query('INSERT INTO wire_counter VALUES (1, 0)');
  }, 60_000);

  afterAll(async () => {
    await pool.end();
    await pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every connection its own parameterized query when hundreds run at once', async () => {
    const queries = Array.from({ length: 400 }, (_, i) => {
      // different parameter counts, so a Bind meeting another connection's Parse cannot pass unnoticed
      if (i % 3 === 0) return pool.query('SELECT $1::int AS a', [i]).then((r) => [i, Number(r.rows[0].a)]);
      if (i % 3 === 1) return pool.query('SELECT $1::int + $2::int AS a', [i, 0]).then((r) => [i, Number(r.rows[0].a)]);
      return pool.query('SELECT $1::int + $2::int - $3::int AS a', [i, 5, 5]).then((r) => [i, Number(r.rows[0].a)]);
    });
    for (const [expected, got] of await Promise.all(queries)) expect(got).toBe(expected);
  });

  it('serializes transactions: read-modify-write increments from 8 connections lose nothing', async () => {
    const increments = 80;
    await Promise.all(
      Array.from({ length: increments }, async () => {
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          const { rows } = await c.query('SELECT n FROM wire_counter WHERE id = $1', [1]);
          await new Promise((r) => setImmediate(r)); // give other connections a chance to interleave
          await c.query('UPDATE wire_counter SET n = $1 WHERE id = $2', [Number(rows[0].n) + 1, 1]);
          await c.query('COMMIT');
        } finally {
          c.release();
        }
      }),
    );
    const { rows } = await pool.query('SELECT n FROM wire_counter WHERE id = 1');
    expect(Number(rows[0].n)).toBe(increments);
  });

  it('rolls back the open transaction of a connection that goes away, and serves the others again', async () => {
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    await client.query('BEGIN');
    await client.query('UPDATE wire_counter SET n = -1 WHERE id = 1');
    const waiting = pool.query('SELECT n FROM wire_counter WHERE id = 1'); // waits for the owner
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    client.on('error', () => undefined);
    const { rows } = await waiting;
    expect(Number(rows[0].n)).toBe(80);
  });

  it('reports an error to its connection only, and the connection stays usable', async () => {
    const c = await pool.connect();
    try {
      await expect(c.query('SELECT $1::int / 0 AS a', [1])).rejects.toThrow(/division by zero/);
      const other = await pool.query('SELECT $1::text AS t', ['fine']);
      expect(other.rows[0].t).toBe('fine');
      expect((await c.query('SELECT $1::int AS a', [7])).rows[0].a).toBe(7);
    } finally {
      c.release();
    }
  });

  it('gives each connection its own named prepared statements, and deallocates them when it closes', async () => {
    const a = new Client({ connectionString: pg.url });
    const b = new Client({ connectionString: pg.url });
    await a.connect();
    await b.connect();
    try {
      // the same name, different statements: each connection must keep getting its own
      const run = async () => {
        for (let i = 0; i < 20; i++) {
          const [ra, rb] = await Promise.all([
            a.query({ name: 'same_name', text: 'SELECT $1::int * 2 AS v', values: [i] }),
            b.query({ name: 'same_name', text: 'SELECT $1::text || $2::text AS v', values: [String(i), '!'] }),
          ]);
          expect(ra.rows[0].v).toBe(i * 2);
          expect(rb.rows[0].v).toBe(`${i}!`);
        }
      };
      await run();
      const prepared = async () => (await pool.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE '%same_name'`)).rows[0].n as number;
      expect(await prepared()).toBe(2);
      await a.end();
      for (let waited = 0; waited < 2000 && (await prepared()) !== 1; waited += 50) await new Promise((r) => setTimeout(r, 50));
      expect(await prepared()).toBe(1);
    } finally {
      await b.end();
    }
  });
});

describe('PGlite wire server: a transaction left idle', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-desk-wire-idle-'));
  let pg: EmbeddedPostgres;
  let pool: Pool;

  beforeAll(async () => {
    pg = await startEmbeddedPostgres({ dataDir, idleInTransactionMs: 400 });
    pool = new Pool({ connectionString: pg.url, max: 2 });
    await pool.query('CREATE TABLE idle_counter (id int PRIMARY KEY, n bigint NOT NULL)');
    await pool.query('INSERT INTO idle_counter VALUES (1, 7)');
  }, 60_000);

  afterAll(async () => {
    await pool.end();
    await pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends a connection idle in its transaction (25P03, rolled back) and serves the others; a busy transaction is not ended', async () => {
    // a transaction that keeps working for longer than the timeout is not idle
    const busy = await pool.connect();
    await busy.query('BEGIN');
    for (let i = 0; i < 8; i++) {
      await busy.query('UPDATE idle_counter SET n = n + 1 WHERE id = 1');
      await new Promise((r) => setTimeout(r, 100));
    }
    await busy.query('COMMIT');
    busy.release();
    expect(Number((await pool.query('SELECT n FROM idle_counter WHERE id = 1')).rows[0].n)).toBe(15);

    const stuck = new Client({ connectionString: pg.url });
    const errors: { code?: string }[] = [];
    stuck.on('error', (e) => errors.push(e as { code?: string }));
    await stuck.connect();
    await stuck.query('BEGIN');
    await stuck.query('UPDATE idle_counter SET n = -1 WHERE id = 1');
    const started = Date.now();
    // waits for the stuck transaction, then sees it rolled back
    const { rows } = await pool.query('SELECT n FROM idle_counter WHERE id = 1');
    expect(Number(rows[0].n)).toBe(15);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(5000);
    for (let waited = 0; errors.length === 0 && waited < 2000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(errors.some((e) => e.code === '25P03')).toBe(true);
    await stuck.end().catch(() => undefined);
  });
});
