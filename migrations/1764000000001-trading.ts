import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trading on the paper exchange: the engine's per-account state (`paper_accounts`, locked per
 * operation, so orders of one account are serialized across instances), its ledger, the insurance
 * fund, fills (`trades`), funding payments (unique per position and funding time, so a re-run books
 * nothing twice) and the per-user risk limits set by admins.
 * Ledger and fee amounts are DECIMAL(36,18): coin-margined fees and funding carry more than 8
 * decimals exactly; the seed's DECIMAL(20,8) columns are untouched.
 */
export class Trading1764000000001 implements MigrationInterface {
  name = 'Trading1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE paper_accounts (
        exchange_account_id INTEGER PRIMARY KEY REFERENCES exchange_accounts(id),
        seq BIGINT NOT NULL,
        clock BIGINT NOT NULL,
        active BOOLEAN NOT NULL DEFAULT FALSE,
        state JSONB NOT NULL,
        updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
      )`);
    await q.query(`CREATE INDEX ix_paper_accounts_active ON paper_accounts (exchange_account_id) WHERE active`);
    await q.query(`
      CREATE TABLE paper_ledger (
        id BIGSERIAL PRIMARY KEY,
        exchange_account_id INTEGER NOT NULL REFERENCES exchange_accounts(id),
        entry_id VARCHAR(40) NOT NULL,
        time TIMESTAMP NOT NULL,
        asset VARCHAR(20) NOT NULL,
        type VARCHAR(30) NOT NULL,
        amount DECIMAL(36,18) NOT NULL,
        balance_after DECIMAL(36,18) NOT NULL,
        symbol VARCHAR(50) NOT NULL DEFAULT '',
        ref VARCHAR(100) NOT NULL DEFAULT '',
        CONSTRAINT uq_paper_ledger_entry UNIQUE (exchange_account_id, entry_id)
      )`);
    await q.query(`CREATE INDEX ix_paper_ledger_account ON paper_ledger (exchange_account_id, id DESC)`);
    await q.query(`
      CREATE TABLE paper_insurance_fund (
        asset VARCHAR(20) PRIMARY KEY,
        balance DECIMAL(36,18) NOT NULL
      )`);
    await q.query(`
      CREATE TABLE trades (
        id BIGSERIAL PRIMARY KEY,
        user_id INTEGER REFERENCES users(id),
        exchange_account_id INTEGER NOT NULL REFERENCES exchange_accounts(id),
        exchange VARCHAR(20) NOT NULL,
        symbol VARCHAR(50) NOT NULL,
        trade_id VARCHAR(100) NOT NULL,
        order_id VARCHAR(100) NOT NULL,
        side VARCHAR(10) NOT NULL,
        position_side VARCHAR(10) NOT NULL,
        price DECIMAL(20,8) NOT NULL,
        qty DECIMAL(20,8) NOT NULL,
        quote_qty DECIMAL(36,18) NOT NULL,
        realized_pnl DECIMAL(36,18) NOT NULL,
        commission DECIMAL(36,18) NOT NULL,
        commission_asset VARCHAR(20) NOT NULL,
        maker BOOLEAN NOT NULL,
        time TIMESTAMP NOT NULL,
        CONSTRAINT uq_trades_account_trade UNIQUE (exchange_account_id, trade_id),
        CONSTRAINT ck_trades_side CHECK (side IN ('BUY', 'SELL')),
        CONSTRAINT ck_trades_qty CHECK (qty > 0 AND price > 0)
      )`);
    await q.query(`CREATE INDEX ix_trades_account ON trades (exchange_account_id, id DESC)`);
    await q.query(`CREATE INDEX ix_trades_account_time ON trades (exchange_account_id, time)`);
    await q.query(`
      CREATE TABLE funding_payments (
        id BIGSERIAL PRIMARY KEY,
        exchange_account_id INTEGER NOT NULL REFERENCES exchange_accounts(id),
        symbol VARCHAR(50) NOT NULL,
        position_side VARCHAR(10) NOT NULL,
        funding_time TIMESTAMP NOT NULL,
        funding_rate DECIMAL(20,12) NOT NULL,
        mark_price DECIMAL(20,8) NOT NULL,
        amount DECIMAL(36,18) NOT NULL,
        asset VARCHAR(20) NOT NULL,
        CONSTRAINT uq_funding_payments_position_time UNIQUE (exchange_account_id, symbol, position_side, funding_time)
      )`);
    await q.query(`
      CREATE TABLE risk_limits (
        user_id INTEGER PRIMARY KEY REFERENCES users(id),
        max_leverage INTEGER,
        max_order_notional DECIMAL(30,8),
        max_position_notional DECIMAL(30,8),
        max_daily_trades INTEGER,
        forced_stop_loss_pct DECIMAL(10,4),
        updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
        CONSTRAINT ck_risk_limits_positive CHECK ((max_leverage IS NULL OR max_leverage > 0)
          AND (max_order_notional IS NULL OR max_order_notional > 0)
          AND (max_position_notional IS NULL OR max_position_notional > 0)
          AND (max_daily_trades IS NULL OR max_daily_trades >= 0)
          AND (forced_stop_loss_pct IS NULL OR (forced_stop_loss_pct > 0 AND forced_stop_loss_pct <= 100)))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE risk_limits`);
    await q.query(`DROP TABLE funding_payments`);
    await q.query(`DROP TABLE trades`);
    await q.query(`DROP TABLE paper_insurance_fund`);
    await q.query(`DROP TABLE paper_ledger`);
    await q.query(`DROP TABLE paper_accounts`);
  }
}
