/**
 * Margin monitoring: on the feed's leader, at most every `LIQUIDATION_RISK_EVERY_MS`, every active
 * paper account is read at the current marks and each open position's distance to its liquidation
 * price (|mark − liquidation| / mark) is checked. A leg that comes within 5 % raises the alert
 * LIQUIDATION_RISK (`warning`), within 2 % once more (`critical`); the leg is alerted again only after
 * it has moved back beyond 7.5 % (or closed), so a position hovering around a threshold does not
 * flood its user. What was alerted is kept in `liquidation_risk_levels` and read at the start of each
 * pass, so a new leader (a restart, a failover, leadership moving back) carries on from the levels
 * the last pass left: it neither alerts a leg again nor misses its re-arming. A level is written
 * after its alert is raised: a pass cut off in between alerts that leg once more, never not at all.
 */
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Decimal, toApi } from '../common/decimal';
import { PaperExchangeService } from '../exchanges/paper/paper-exchange.service';
import { MarketDataService } from '../market-data/market-data.service';
import { AlertsService } from './alerts.service';

export const LIQUIDATION_RISK_EVERY_MS = 2000;
const WARNING = '0.05';
const CRITICAL = '0.02';
const REARM = '0.075';

type Level = 'warning' | 'critical';

/** A position leg as `liquidation_risk_levels` keeps it. */
interface AlertedLeg {
  exchangeAccountId: number;
  symbol: string;
  positionSide: string;
  level: Level;
}

/** The alert level of a leg at this distance to liquidation, given the level it was last alerted at. */
export function riskTransition(distance: Decimal, alerted: Level | undefined): { alert?: Level; now: Level | undefined } {
  if (distance.lt(CRITICAL)) return alerted === 'critical' ? { now: 'critical' } : { alert: 'critical', now: 'critical' };
  if (distance.lt(WARNING)) return alerted ? { now: alerted } : { alert: 'warning', now: 'warning' };
  if (alerted && distance.lt(REARM)) return { now: alerted };
  return { now: undefined };
}

@Injectable()
export class LiquidationRiskMonitor implements OnModuleInit {
  private readonly logger = new Logger(LiquidationRiskMonitor.name);
  private lastRun = 0;
  private running = false;

  constructor(
    private readonly paper: PaperExchangeService,
    private readonly marketData: MarketDataService,
    private readonly alerts: AlertsService,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    // a leader-only tick listener: once per cluster
    this.marketData.onTick(() => {
      if (this.running || Date.now() - this.lastRun < LIQUIDATION_RISK_EVERY_MS) return;
      this.running = true;
      this.lastRun = Date.now();
      this.check()
        .catch((e: unknown) => this.logger.error({ msg: 'liquidation risk pass failed', error: (e as Error).message }))
        .finally(() => (this.running = false));
    });
  }

  /** One pass over every active account; resolves once its alerts are raised. */
  async check(): Promise<void> {
    const seen = new Set<string>();
    const alerted = await this.levels();
    for (const account of await this.paper.activeViews(undefined, { withPositions: true })) {
      // the event loop is given back between accounts: requests are served in between
      await new Promise<void>((resolve) => setImmediate(resolve));
      const { exchangeAccountId, userId, view } = account;
      for (const p of view.positions) {
        if (p.qty.eq(0) || !p.liquidationPrice.gt(0) || !p.markPrice.gt(0)) continue;
        const key = `${exchangeAccountId}:${p.symbol}:${p.positionSide}`;
        seen.add(key);
        const distance = p.markPrice.minus(p.liquidationPrice).abs().div(p.markPrice);
        const was = alerted.get(key)?.level;
        const { alert, now } = riskTransition(distance, was);
        if (!alert) {
          if (was && !now) await this.forget(exchangeAccountId, p.symbol, p.positionSide);
          continue;
        }
        const pct = toApi(distance.times(100).round(2, 0));
        await this.alerts.raise({
          userId,
          exchangeAccountId,
          code: 'LIQUIDATION_RISK',
          severity: alert,
          symbol: p.symbol,
          message: `Your ${p.symbol} ${p.positionSide === 'BOTH' ? (p.qty.gt(0) ? 'long' : 'short') : p.positionSide.toLowerCase()} position is ${pct}% from its liquidation price ${toApi(p.liquidationPrice)} (mark ${toApi(p.markPrice)})`,
          details: { positionSide: p.positionSide, size: toApi(p.qty.abs()), markPrice: toApi(p.markPrice), liquidationPrice: toApi(p.liquidationPrice), distancePct: pct },
        });
        await this.dataSource.query(
          `INSERT INTO liquidation_risk_levels (exchange_account_id, symbol, position_side, level) VALUES ($1, $2, $3, $4)
           ON CONFLICT (exchange_account_id, symbol, position_side) DO UPDATE SET level = EXCLUDED.level, updated_at = CURRENT_TIMESTAMP`,
          [exchangeAccountId, p.symbol, p.positionSide, now],
        );
      }
    }
    // legs closed (or gone below the watch) since are forgotten: alerted again if they come back
    for (const [key, leg] of alerted) if (!seen.has(key)) await this.forget(leg.exchangeAccountId, leg.symbol, leg.positionSide);
  }

  /** Per leg (`account:symbol:side`), the leg and the level it was last alerted at. */
  private async levels(): Promise<Map<string, AlertedLeg>> {
    const rows: AlertedLeg[] = await this.dataSource.query(
      `SELECT exchange_account_id AS "exchangeAccountId", symbol, position_side AS "positionSide", level FROM liquidation_risk_levels`,
    );
    return new Map(rows.map((r) => [`${r.exchangeAccountId}:${r.symbol}:${r.positionSide}`, r]));
  }

  private async forget(exchangeAccountId: number, symbol: string, positionSide: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM liquidation_risk_levels WHERE exchange_account_id = $1 AND symbol = $2 AND position_side = $3`,
      [exchangeAccountId, symbol, positionSide],
    );
  }
}
