/**
 * Alerts: what the service tells a user about their account without being asked — a liquidation, a
 * forced stop-loss, a margin call. Each alert is kept in `alerts` (so that one raised while the user
 * had no dashboard open is not lost, and an admin can review and acknowledge it) and pushed to the
 * user's sockets as the `alert` event, with the id it was kept under.
 */
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/errors';
import { newestFirst } from '../common/db/newest-first';
import type { Page } from '../common/http/pagination.dto';
import { UserEventsService } from '../realtime/user-events.service';

export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface NewAlert {
  userId: number;
  exchangeAccountId?: number;
  code: string;
  severity: AlertSeverity;
  symbol?: string;
  message: string;
  /** Figures of the alert (decimal strings), as the socket event carries them too. */
  details?: Record<string, string | number | boolean | null>;
}

export interface AlertView {
  id: string;
  userId: number;
  accountId: number | null;
  code: string;
  severity: AlertSeverity;
  symbol: string | null;
  message: string;
  details: Record<string, unknown>;
  createdAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: number | null;
}

export interface AlertFilter {
  userId?: number;
  code?: string;
  severity?: AlertSeverity;
  acknowledged?: boolean;
  limit: number;
  cursor?: string;
}

interface AlertRow {
  id: string;
  user_id: number;
  exchange_account_id: number | null;
  code: string;
  severity: AlertSeverity;
  symbol: string | null;
  message: string;
  details: Record<string, unknown>;
  created_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: number | null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

function toAlertView(r: AlertRow): AlertView {
  return {
    id: String(r.id),
    userId: r.user_id,
    accountId: r.exchange_account_id,
    code: r.code,
    severity: r.severity,
    symbol: r.symbol,
    message: r.message,
    details: r.details,
    createdAt: iso(r.created_at) as string,
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
  };
}

@Injectable()
export class AlertsService {
  private readonly logger = new Logger(AlertsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: UserEventsService,
  ) {}

  /**
   * Keeps the alert, then pushes it to the user's sockets. An alert that cannot be kept (the database
   * failing) is logged and still pushed: the user hears of it either way.
   */
  async raise(a: NewAlert): Promise<AlertView | undefined> {
    let view: AlertView | undefined;
    try {
      const [row] = (await this.dataSource.query(
        `INSERT INTO alerts (user_id, exchange_account_id, code, severity, symbol, message, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [a.userId, a.exchangeAccountId ?? null, a.code, a.severity, a.symbol ?? null, a.message, JSON.stringify(a.details ?? {})],
      )) as AlertRow[];
      view = toAlertView(row);
    } catch (e) {
      this.logger.error({ msg: 'alert not kept', code: a.code, userId: a.userId, error: (e as Error).message });
    }
    this.events.emitToUser(a.userId, 'alert', {
      ...(a.details ?? {}),
      ...(view ? { id: view.id, createdAt: view.createdAt } : {}),
      code: a.code,
      severity: a.severity,
      ...(a.symbol !== undefined ? { symbol: a.symbol } : {}),
      ...(a.exchangeAccountId !== undefined ? { accountId: a.exchangeAccountId } : {}),
      message: a.message,
    });
    return view;
  }

  /** Alerts newest first, filtered; `cursor` is the `nextCursor` of the previous page. */
  async list(f: AlertFilter): Promise<Page<AlertView>> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (f.userId !== undefined) where.push(`user_id = $${params.push(f.userId)}`);
    if (f.code !== undefined) where.push(`code = $${params.push(f.code)}`);
    if (f.severity !== undefined) where.push(`severity = $${params.push(f.severity)}`);
    if (f.acknowledged !== undefined) where.push(f.acknowledged ? 'acknowledged_at IS NOT NULL' : 'acknowledged_at IS NULL');
    return newestFirst(this.dataSource, 'alerts', { where, params }, f, toAlertView);
  }

  /** Acknowledges an open alert: 404 ALERT_NOT_FOUND, 409 ALERT_ALREADY_ACKNOWLEDGED (nothing changes). */
  async acknowledge(id: string, adminId: number): Promise<AlertView> {
    const [rows] = (await this.dataSource.query(
      `UPDATE alerts SET acknowledged_at = CURRENT_TIMESTAMP, acknowledged_by = $2 WHERE id = $1 AND acknowledged_at IS NULL RETURNING *`,
      [id, adminId],
    )) as [AlertRow[], number];
    if (rows.length === 1) return toAlertView(rows[0]);
    const [existing] = (await this.dataSource.query('SELECT * FROM alerts WHERE id = $1', [id])) as AlertRow[];
    if (!existing) throw new NotFoundError('ALERT_NOT_FOUND', `alert ${id} does not exist`);
    throw new ConflictError(
      'ALERT_ALREADY_ACKNOWLEDGED',
      `alert ${id} was acknowledged at ${iso(existing.acknowledged_at)} by user ${existing.acknowledged_by}`,
    );
  }
}
