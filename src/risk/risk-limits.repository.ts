import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { dec, toApi } from '../common/decimal';

/** An admin's limits for one user; null = no limit. Decimals as strings. */
export interface RiskLimits {
  maxLeverage: number | null;
  maxOrderNotional: string | null;
  maxPositionNotional: string | null;
  maxDailyTrades: number | null;
  forcedStopLossPct: string | null;
}

const norm = (v: string | null) => (v === null ? null : toApi(dec(v)));

/** A risk_limits row (snake_case columns) as limits. */
function limitsFromRow(r: Record<string, unknown>): RiskLimits {
  return {
    maxLeverage: r.max_leverage as number | null,
    maxOrderNotional: norm(r.max_order_notional as string | null),
    maxPositionNotional: norm(r.max_position_notional as string | null),
    maxDailyTrades: r.max_daily_trades as number | null,
    forcedStopLossPct: norm(r.forced_stop_loss_pct as string | null),
  };
}

/** Orders placed today (UTC) by the account whose id is the SQL expression `account`, refused ones excluded. */
const ordersTodaySql = (account: string) =>
  `(SELECT count(*)::int FROM contract_orders o WHERE o.exchange_account_id = ${account}
      AND o.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AND o.status <> 'REJECTED')`;

/** The limits of the user whose id is the SQL expression `user`, when they were last set (text). */
const limitsStampSql = (user: string) => `(SELECT r.updated_at::text FROM risk_limits r WHERE r.user_id = ${user})`;

/** Days since the epoch, UTC: the day a daily count is for. */
export const utcDay = (ms: number) => Math.floor(ms / 86_400_000);

/**
 * What the optimistic order path reads along with the account, in the same statement: the owner's
 * limits (decimals as text), their stamp, today's order count when a daily limit is set, and the
 * database's clock. The write then requires the stamp unchanged (`unchanged`).
 */
export const LIMITS_READ_ALONG = {
  name: 'risk_limits',
  columns: (user: string, account: string) => `
    (SELECT json_build_object('max_leverage', r.max_leverage, 'max_order_notional', r.max_order_notional::text,
       'max_position_notional', r.max_position_notional::text, 'max_daily_trades', r.max_daily_trades,
       'forced_stop_loss_pct', r.forced_stop_loss_pct::text) FROM risk_limits r WHERE r.user_id = ${user}) AS limits,
    ${limitsStampSql(user)} AS limits_stamp,
    CASE WHEN (SELECT r.max_daily_trades FROM risk_limits r WHERE r.user_id = ${user}) IS NOT NULL THEN ${ordersTodaySql(account)} END AS orders_today,
    extract(epoch FROM now())::float8 * 1000 AS now_ms`,
  stampColumn: 'limits_stamp',
  unchanged: (user: string, stamp: string) => `${limitsStampSql(user)} IS NOT DISTINCT FROM ${stamp}::text`,
};

/** The limits as read along with an account (`LIMITS_READ_ALONG`). */
export interface LimitsRead {
  limits: RiskLimits | null;
  /** Null without limits. */
  stamp: string | null;
  /** Null without a daily limit. */
  ordersToday: number | null;
  /** The UTC day `ordersToday` counts. */
  day: number;
}

export function limitsRead(row: Record<string, unknown>): LimitsRead {
  return {
    limits: row.limits ? limitsFromRow(row.limits as Record<string, unknown>) : null,
    stamp: (row.limits_stamp as string | null) ?? null,
    ordersToday: row.orders_today == null ? null : Number(row.orders_today),
    day: utcDay(Number(row.now_ms)),
  };
}

@Injectable()
export class RiskLimitsRepository {
  async find(m: EntityManager, userId: number): Promise<RiskLimits | null> {
    const rows: Record<string, string | number | null>[] = await m.query(
      `SELECT max_leverage, max_order_notional, max_position_notional, max_daily_trades, forced_stop_loss_pct FROM risk_limits WHERE user_id = $1`,
      [userId],
    );
    return rows.length === 0 ? null : limitsFromRow(rows[0]);
  }

  async put(m: EntityManager, userId: number, l: RiskLimits): Promise<RiskLimits> {
    await m.query(
      `INSERT INTO risk_limits (user_id, max_leverage, max_order_notional, max_position_notional, max_daily_trades, forced_stop_loss_pct, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (user_id) DO UPDATE SET max_leverage = EXCLUDED.max_leverage, max_order_notional = EXCLUDED.max_order_notional,
         max_position_notional = EXCLUDED.max_position_notional, max_daily_trades = EXCLUDED.max_daily_trades,
         forced_stop_loss_pct = EXCLUDED.forced_stop_loss_pct, updated_at = now()`,
      [userId, l.maxLeverage, l.maxOrderNotional, l.maxPositionNotional, l.maxDailyTrades, l.forcedStopLossPct],
    );
    return (await this.find(m, userId)) as RiskLimits;
  }

  /** The users with a forced stop-loss, and its percentage (normalized decimal string). */
  async forcedStopLosses(m: EntityManager): Promise<Map<number, string>> {
    const rows: { user_id: number; pct: string }[] = await m.query(
      `SELECT user_id, forced_stop_loss_pct::text AS pct FROM risk_limits WHERE forced_stop_loss_pct IS NOT NULL`,
    );
    return new Map(rows.map((r) => [Number(r.user_id), toApi(dec(r.pct))]));
  }

  /** Orders placed today (UTC) by the account, refused ones excluded. */
  async ordersToday(m: EntityManager, exchangeAccountId: number): Promise<number> {
    const [row] = await m.query(`SELECT ${ordersTodaySql('$1')} AS n`, [exchangeAccountId]);
    return row.n as number;
  }
}
