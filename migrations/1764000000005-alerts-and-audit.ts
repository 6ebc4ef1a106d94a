import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts (liquidations, forced stop-losses, margin calls), kept so that an alert raised while its
 * user had no dashboard open is not lost and an admin can acknowledge it; and the audit log of every
 * administrative and account-setting action (who, what, on what, from where, with which outcome).
 */
export class AlertsAndAudit1764000000005 implements MigrationInterface {
  name = 'AlertsAndAudit1764000000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alerts (
        id BIGSERIAL PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        exchange_account_id INTEGER REFERENCES exchange_accounts(id),
        code VARCHAR(64) NOT NULL,
        severity VARCHAR(10) NOT NULL,
        symbol VARCHAR(50),
        message TEXT NOT NULL,
        details JSONB NOT NULL DEFAULT '{}',
        created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
        acknowledged_at TIMESTAMP,
        acknowledged_by INTEGER REFERENCES users(id),
        CONSTRAINT ck_alerts_severity CHECK (severity IN ('info', 'warning', 'critical'))
      )`);
    await q.query(`CREATE INDEX ix_alerts_user ON alerts (user_id, id)`);
    await q.query(`CREATE INDEX ix_alerts_open ON alerts (id) WHERE acknowledged_at IS NULL`);
    await q.query(`
      CREATE TABLE audit_logs (
        id BIGSERIAL PRIMARY KEY,
        created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
        actor_user_id INTEGER REFERENCES users(id),
        action VARCHAR(64) NOT NULL,
        target_type VARCHAR(32),
        target_id VARCHAR(64),
        method VARCHAR(10) NOT NULL,
        path VARCHAR(300) NOT NULL,
        status INTEGER NOT NULL,
        outcome VARCHAR(10) NOT NULL,
        error_code VARCHAR(64),
        ip VARCHAR(64),
        request_id VARCHAR(64),
        details JSONB NOT NULL DEFAULT '{}',
        CONSTRAINT ck_audit_logs_outcome CHECK (outcome IN ('succeeded', 'failed'))
      )`);
    await q.query(`CREATE INDEX ix_audit_logs_actor ON audit_logs (actor_user_id, id)`);
    await q.query(`CREATE INDEX ix_audit_logs_action ON audit_logs (action, id)`);
    await q.query(`CREATE INDEX ix_audit_logs_target ON audit_logs (target_type, target_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_logs`);
    await q.query(`DROP TABLE alerts`);
  }
}
