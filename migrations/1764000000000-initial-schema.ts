import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The seed's three tables (contracts, positions, contract_orders) with the seed's columns and
 * types, plus users and exchange_accounts, and what a multi-user, multi-exchange service needs:
 * `exchange` on contracts, `exchange_account_id` on positions and orders, unique keys, CHECKs and
 * the indexes of the list queries.
 *
 * Departures from the seed, each with its reason:
 * - contract_orders.order_id: the seed's UNIQUE is kept, but per exchange — (exchange, order_id) —
 *   because two exchanges may hand out the same id. It is NULL until the exchange acknowledged.
 * - contracts gets min_price, max_price, step_size, max_qty, market_max_qty, min_notional, kind, fee rates and the
 *   leverage brackets (jsonb of decimal strings): pre-trade checks and the calculator need them.
 * - positions gets position_side (BOTH in one-way mode, LONG/SHORT in hedge mode) so one account
 *   can hold a long and a short on one symbol.
 * No seed column is widened.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id SERIAL PRIMARY KEY,
        username VARCHAR(50) NOT NULL,
        password_hash VARCHAR(100) NOT NULL,
        role VARCHAR(10) NOT NULL,
        disabled BOOLEAN NOT NULL DEFAULT FALSE,
        created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
        updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
        CONSTRAINT uq_users_username UNIQUE (username),
        CONSTRAINT ck_users_role CHECK (role IN ('viewer', 'trader', 'admin'))
      )`);
    await q.query(`
      CREATE TABLE exchange_accounts (
        id SERIAL PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        exchange VARCHAR(20) NOT NULL,
        name VARCHAR(50) NOT NULL,
        is_default BOOLEAN NOT NULL DEFAULT FALSE,
        dual_side_position BOOLEAN NOT NULL DEFAULT FALSE,
        api_key_encrypted TEXT,
        api_secret_encrypted TEXT,
        passphrase_encrypted TEXT,
        created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
        updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
        CONSTRAINT uq_exchange_accounts_user_exchange_name UNIQUE (user_id, exchange, name),
        CONSTRAINT ck_exchange_accounts_exchange CHECK (exchange IN ('paper', 'binance', 'okx'))
      )`);
    await q.query(`CREATE INDEX ix_exchange_accounts_user ON exchange_accounts (user_id)`);
    await q.query(`
      CREATE TABLE contracts (
        id SERIAL PRIMARY KEY,
        exchange VARCHAR(20) NOT NULL,
        symbol VARCHAR(50) NOT NULL,
        base_asset VARCHAR(20) NOT NULL,
        quote_asset VARCHAR(20) NOT NULL,
        contract_type VARCHAR(20) NOT NULL,
        kind VARCHAR(10) NOT NULL,
        contract_size DECIMAL(20,8),
        tick_size DECIMAL(20,8),
        min_price DECIMAL(20,8) NOT NULL DEFAULT 0,
        max_price DECIMAL(20,8) NOT NULL DEFAULT 0,
        step_size DECIMAL(20,8) NOT NULL,
        min_qty DECIMAL(20,8),
        max_qty DECIMAL(20,8) NOT NULL,
        market_max_qty DECIMAL(20,8) NOT NULL,
        min_notional DECIMAL(20,8) NOT NULL,
        max_leverage INTEGER,
        margin_asset VARCHAR(20),
        settlement_asset VARCHAR(20),
        expiry_date TIMESTAMP,
        maker_fee_rate DECIMAL(12,8) NOT NULL,
        taker_fee_rate DECIMAL(12,8) NOT NULL,
        liquidation_fee_rate DECIMAL(12,8) NOT NULL,
        funding_interval_hours INTEGER,
        brackets JSONB NOT NULL,
        is_active BOOLEAN DEFAULT TRUE,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        CONSTRAINT uq_contracts_exchange_symbol UNIQUE (exchange, symbol),
        CONSTRAINT ck_contracts_type CHECK (contract_type IN ('perpetual', 'delivery')),
        CONSTRAINT ck_contracts_kind CHECK (kind IN ('linear', 'inverse')),
        CONSTRAINT ck_contracts_positive CHECK (tick_size > 0 AND step_size > 0 AND contract_size > 0
          AND max_leverage > 0 AND min_qty > 0 AND min_notional >= 0)
      )`);
    await q.query(`CREATE INDEX ix_contracts_type ON contracts (exchange, contract_type, margin_asset)`);
    await q.query(`
      CREATE TABLE positions (
        id SERIAL PRIMARY KEY,
        user_id INTEGER REFERENCES users(id),
        exchange_account_id INTEGER NOT NULL REFERENCES exchange_accounts(id),
        exchange VARCHAR(20) NOT NULL,
        symbol VARCHAR(50) NOT NULL,
        side VARCHAR(10) NOT NULL,
        position_side VARCHAR(10) NOT NULL DEFAULT 'BOTH',
        size DECIMAL(20,8) NOT NULL,
        entry_price DECIMAL(20,8),
        mark_price DECIMAL(20,8),
        liquidation_price DECIMAL(20,8),
        margin DECIMAL(20,8),
        unrealized_pnl DECIMAL(20,8),
        leverage INTEGER,
        margin_mode VARCHAR(20),
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        CONSTRAINT uq_positions_account_symbol_side UNIQUE (exchange_account_id, symbol, position_side),
        CONSTRAINT ck_positions_side CHECK (side IN ('LONG', 'SHORT')),
        CONSTRAINT ck_positions_position_side CHECK (position_side IN ('BOTH', 'LONG', 'SHORT')),
        CONSTRAINT ck_positions_size CHECK (size > 0),
        CONSTRAINT ck_positions_leverage CHECK (leverage IS NULL OR leverage > 0),
        CONSTRAINT ck_positions_margin_mode CHECK (margin_mode IS NULL OR margin_mode IN ('isolated', 'cross'))
      )`);
    await q.query(`CREATE INDEX ix_positions_user ON positions (user_id)`);
    await q.query(`
      CREATE TABLE contract_orders (
        id SERIAL PRIMARY KEY,
        user_id INTEGER REFERENCES users(id),
        exchange_account_id INTEGER NOT NULL REFERENCES exchange_accounts(id),
        exchange VARCHAR(20) NOT NULL,
        symbol VARCHAR(50) NOT NULL,
        order_id VARCHAR(100),
        client_order_id VARCHAR(100),
        side VARCHAR(10) NOT NULL,
        position_side VARCHAR(10),
        type VARCHAR(20) NOT NULL,
        quantity DECIMAL(20,8) NOT NULL,
        price DECIMAL(20,8),
        stop_price DECIMAL(20,8),
        time_in_force VARCHAR(10),
        reduce_only BOOLEAN DEFAULT FALSE,
        close_position BOOLEAN DEFAULT FALSE,
        status VARCHAR(20) NOT NULL,
        filled_qty DECIMAL(20,8) DEFAULT 0,
        avg_price DECIMAL(20,8),
        commission DECIMAL(20,8),
        commission_asset VARCHAR(20),
        callback_rate DECIMAL(10,4),
        working_type VARCHAR(20),
        reject_reason VARCHAR(200),
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        CONSTRAINT uq_contract_orders_exchange_order_id UNIQUE (exchange, order_id),
        CONSTRAINT uq_contract_orders_account_client_id UNIQUE (exchange_account_id, client_order_id),
        CONSTRAINT ck_contract_orders_side CHECK (side IN ('BUY', 'SELL')),
        CONSTRAINT ck_contract_orders_position_side CHECK (position_side IS NULL OR position_side IN ('BOTH', 'LONG', 'SHORT')),
        CONSTRAINT ck_contract_orders_type CHECK (type IN ('MARKET', 'LIMIT', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT',
          'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET')),
        CONSTRAINT ck_contract_orders_tif CHECK (time_in_force IS NULL OR time_in_force IN ('GTC', 'IOC', 'FOK', 'GTX')),
        CONSTRAINT ck_contract_orders_status CHECK (status IN ('NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED',
          'REJECTED', 'EXPIRED')),
        CONSTRAINT ck_contract_orders_quantity CHECK (quantity > 0 OR (close_position AND quantity >= 0)),
        CONSTRAINT ck_contract_orders_price CHECK ((price IS NULL OR price > 0) AND (stop_price IS NULL OR stop_price > 0)),
        CONSTRAINT ck_contract_orders_filled CHECK (filled_qty >= 0)
      )`);
    await q.query(`CREATE INDEX ix_contract_orders_account_list ON contract_orders (exchange_account_id, id DESC)`);
    await q.query(
      `CREATE INDEX ix_contract_orders_account_symbol_status ON contract_orders (exchange_account_id, symbol, status, id DESC)`,
    );
    await q.query(`CREATE INDEX ix_contract_orders_user ON contract_orders (user_id, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE contract_orders`);
    await q.query(`DROP TABLE positions`);
    await q.query(`DROP TABLE contracts`);
    await q.query(`DROP TABLE exchange_accounts`);
    await q.query(`DROP TABLE users`);
  }
}
