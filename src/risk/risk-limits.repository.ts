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
export function limitsFromRow(r: Record<string, unknown>): RiskLimits {
  return {
    maxLeverage: r.max_leverage as number | null,
    maxOrderNotional: norm(r.max_order_notional as string | null),
    maxPositionNotional: norm(r.max_position_notional as string | null),
    maxDailyTrades: r.max_daily_trades as number | null,
    forcedStopLossPct: norm(r.forced_stop_loss_pct as string | null),
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
    const [row] = await m.query(
      `SELECT count(*)::int AS n FROM contract_orders WHERE exchange_account_id = $1 AND created_at >= date_trunc('day', now() AT TIME ZONE 'UTC')
         AND status <> 'REJECTED'`,
      [exchangeAccountId],
    );
    return row.n as number;
  }
}
