/**
 * The migrations create the whole schema on an empty database and revert cleanly: on a fresh
 * embedded database always, and on a fresh database of the PostgreSQL server when the suite runs
 * against one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/common/db/data-source';
import { startEmbeddedPostgres } from '../../src/common/db/embedded-postgres';
import { runMigrationsLocked } from '../../src/common/db/migration-runner';

/** The seed's three tables, column by column, with the seed's types. */
const SEED_COLUMNS: Record<string, Record<string, string>> = {
  contracts: {
    id: 'integer', symbol: 'character varying(50)', base_asset: 'character varying(20)', quote_asset: 'character varying(20)',
    contract_type: 'character varying(20)', contract_size: 'numeric(20,8)', tick_size: 'numeric(20,8)', min_qty: 'numeric(20,8)',
    max_leverage: 'integer', margin_asset: 'character varying(20)', settlement_asset: 'character varying(20)',
    expiry_date: 'timestamp without time zone', is_active: 'boolean', created_at: 'timestamp without time zone',
    updated_at: 'timestamp without time zone',
  },
  positions: {
    id: 'integer', user_id: 'integer', symbol: 'character varying(50)', side: 'character varying(10)', size: 'numeric(20,8)',
    entry_price: 'numeric(20,8)', mark_price: 'numeric(20,8)', liquidation_price: 'numeric(20,8)', margin: 'numeric(20,8)',
    unrealized_pnl: 'numeric(20,8)', leverage: 'integer', margin_mode: 'character varying(20)',
    created_at: 'timestamp without time zone', updated_at: 'timestamp without time zone',
  },
  contract_orders: {
    id: 'integer', user_id: 'integer', symbol: 'character varying(50)', order_id: 'character varying(100)',
    client_order_id: 'character varying(100)', side: 'character varying(10)', position_side: 'character varying(10)',
    type: 'character varying(20)', quantity: 'numeric(20,8)', price: 'numeric(20,8)', stop_price: 'numeric(20,8)',
    time_in_force: 'character varying(10)', reduce_only: 'boolean', close_position: 'boolean', status: 'character varying(20)',
    filled_qty: 'numeric(20,8)', avg_price: 'numeric(20,8)', commission: 'numeric(20,8)', commission_asset: 'character varying(20)',
    created_at: 'timestamp without time zone', updated_at: 'timestamp without time zone',
  },
};
const NOT_NULL: Record<string, string[]> = {
  contracts: ['symbol', 'base_asset', 'quote_asset', 'contract_type'],
  positions: ['symbol', 'side', 'size'],
  contract_orders: ['symbol', 'side', 'type', 'quantity', 'status'],
};

async function columns(ds: DataSource, table: string) {
  const rows: { column_name: string; type: string; is_nullable: string }[] = await ds.query(
    `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
            CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND n.nspname = current_schema() AND a.attnum > 0 AND NOT a.attisdropped`,
    [table],
  );
  return new Map(rows.map((r) => [r.column_name, r]));
}

async function tables(ds: DataSource): Promise<string[]> {
  const rows: { table_name: string }[] = await ds.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  return rows.map((r) => r.table_name);
}

async function checkMigrations(url: string) {
  const ds = new DataSource(dataSourceOptions(url, 2));
  await ds.initialize();
  try {
    expect(await tables(ds)).toEqual([]);
    await runMigrationsLocked(ds);
    expect(await ds.showMigrations()).toBe(false);
    expect(await tables(ds)).toEqual(expect.arrayContaining(['contracts', 'positions', 'contract_orders', 'users', 'exchange_accounts']));
    for (const [table, expected] of Object.entries(SEED_COLUMNS)) {
      const actual = await columns(ds, table);
      for (const [name, type] of Object.entries(expected)) {
        expect({ table, name, type: actual.get(name)?.type }).toEqual({ table, name, type });
      }
      for (const name of NOT_NULL[table]) expect({ table, name, nullable: actual.get(name)?.is_nullable }).toEqual({ table, name, nullable: 'NO' });
    }
    // the multi-user keys
    await expect(
      ds.query(`INSERT INTO contracts (exchange, symbol, base_asset, quote_asset, contract_type, kind, step_size, max_qty, market_max_qty,
        min_notional, maker_fee_rate, taker_fee_rate, liquidation_fee_rate, brackets)
        VALUES ('paper','X','X','USDT','perpetual','linear',1,1,1,1,0,0,0,'[]'), ('paper','X','X','USDT','perpetual','linear',1,1,1,1,0,0,0,'[]')`),
    ).rejects.toThrow(/uq_contracts_exchange_symbol/);
    await checkOpenOrdersMove(ds);

    while ((await ds.query(`SELECT count(*)::int AS n FROM migrations`))[0].n > 0) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables(ds)).toEqual(['migrations']);
  } finally {
    await ds.destroy();
  }
}

/** Reverts the migrations applied after `name`, then `name` itself. */
async function revertThrough(ds: DataSource, name: string) {
  const applied = async () => ((await ds.query(`SELECT name FROM migrations`)) as { name: string }[]).some((m) => m.name === name);
  while (await applied()) await ds.undoLastMigration({ transaction: 'each' });
}

/** An account's open orders move out of its engine state into paper_open_orders, and back on revert. */
async function checkOpenOrdersMove(ds: DataSource) {
  await revertThrough(ds, 'PaperOpenOrders1764000000004');
  expect(await tables(ds)).not.toContain('paper_open_orders');
  const [{ id: userId }] = await ds.query(`INSERT INTO users (username, password_hash, role) VALUES ('mig_user', 'x', 'trader') RETURNING id`);
  const [{ id }] = await ds.query(`INSERT INTO exchange_accounts (user_id, exchange, name) VALUES ($1, 'paper', 'paper') RETURNING id`, [userId]);
  const orders = [
    { orderId: '9', symbol: 'BTCUSDT', price: '90000', qty: '0.001' },
    { orderId: '12', symbol: 'BTCUSDT', price: '91000', qty: '0.002' },
  ];
  const state = { accountId: String(id), wallets: [], settings: [], positions: [], openOrders: orders, orderHistory: [], ledger: [] };
  await ds.query(`INSERT INTO paper_accounts (exchange_account_id, seq, clock, active, state) VALUES ($1, 12, 0, TRUE, $2)`, [id, JSON.stringify(state)]);
  await runMigrationsLocked(ds);
  const moved: { order_id: string; state: object }[] = await ds.query(`SELECT order_id::text, state FROM paper_open_orders o WHERE exchange_account_id = $1 ORDER BY o.order_id`, [id]);
  expect(moved).toEqual([{ order_id: '9', state: orders[0] }, { order_id: '12', state: orders[1] }]);
  expect((await ds.query(`SELECT state->'openOrders' AS o FROM paper_accounts WHERE exchange_account_id = $1`, [id]))[0].o).toEqual([]);
  await revertThrough(ds, 'PaperOpenOrders1764000000004');
  expect((await ds.query(`SELECT state->'openOrders' AS o FROM paper_accounts WHERE exchange_account_id = $1`, [id]))[0].o).toEqual(orders);
  await ds.query(`DELETE FROM paper_accounts`);
  await ds.query(`DELETE FROM exchange_accounts`);
  await ds.query(`DELETE FROM users WHERE username = 'mig_user'`);
  await runMigrationsLocked(ds);
}

describe('migrations', () => {
  it('create the whole schema on an empty embedded database and revert cleanly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-desk-mig-'));
    const pg = await startEmbeddedPostgres({ dataDir: dir });
    try {
      await checkMigrations(pg.url);
    } finally {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const onServer = process.env.TEST_DATABASE === 'server';
  if (onServer) it('create the whole schema on an empty server database and revert cleanly', async () => {
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const name = `contract_desk_migtest_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(process.env.DATABASE_URL as string);
      url.pathname = `/${name}`;
      await checkMigrations(url.toString());
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    }
  });
});
