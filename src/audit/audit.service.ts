/**
 * The audit log: every administrative and account-setting action, kept in `audit_logs` — the actor,
 * the action and its target, the route, the outcome (status and error code), the client's address,
 * the request id, and the request's parameters with every secret redacted. Read by admins through
 * `GET /api/v1/admin/audit-logs`. Nothing is ever updated or deleted here.
 */
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { newestFirst } from '../common/db/newest-first';
import type { Page } from '../common/http/pagination.dto';

export interface AuditEntry {
  actorUserId: number | null;
  action: string;
  targetType?: string;
  targetId?: string;
  method: string;
  path: string;
  status: number;
  errorCode?: string;
  ip?: string;
  requestId?: string;
  details: Record<string, unknown>;
}

export interface AuditView {
  id: string;
  time: string;
  actorUserId: number | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  method: string;
  path: string;
  status: number;
  outcome: 'succeeded' | 'failed';
  errorCode: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  actorUserId?: number;
  action?: string;
  targetType?: string;
  targetId?: string;
  outcome?: 'succeeded' | 'failed';
  limit: number;
  cursor?: string;
}

/** Keys whose values never reach the log (passwords, tokens, API keys and secrets, signatures). */
const SECRET_KEY = /pass|secret|token|api.?key|signature|private|credential|master/i;
/** The recorded parameters are cut past this many characters of JSON. */
const MAX_DETAILS = 4000;

/** A copy of `value` with every secret-named key's value replaced by "[redacted]". */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  if (value === null || typeof value !== 'object') return typeof value === 'string' && value.length > 500 ? `${value.slice(0, 500)}…` : value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

interface AuditRow {
  id: string;
  created_at: Date;
  actor_user_id: number | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  method: string;
  path: string;
  status: number;
  outcome: 'succeeded' | 'failed';
  error_code: string | null;
  ip: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

function toAuditView(r: AuditRow): AuditView {
  return {
    id: String(r.id),
    time: r.created_at.toISOString(),
    actorUserId: r.actor_user_id,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    method: r.method,
    path: r.path,
    status: r.status,
    outcome: r.outcome,
    errorCode: r.error_code,
    ip: r.ip,
    requestId: r.request_id,
    details: r.details,
  };
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(private readonly dataSource: DataSource) {}

  /** Writes one entry; a failure to write is logged (the action itself has happened) and never thrown. */
  async record(e: AuditEntry): Promise<void> {
    let details = JSON.stringify(redact(e.details));
    if (details.length > MAX_DETAILS) details = JSON.stringify({ truncated: true, head: details.slice(0, MAX_DETAILS) });
    try {
      await this.dataSource.query(
        `INSERT INTO audit_logs (actor_user_id, action, target_type, target_id, method, path, status, outcome, error_code, ip, request_id, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          e.actorUserId, e.action, e.targetType ?? null, e.targetId?.slice(0, 64) ?? null, e.method.slice(0, 10), e.path.slice(0, 300), e.status,
          e.status < 400 ? 'succeeded' : 'failed', e.errorCode?.slice(0, 64) ?? null, e.ip?.slice(0, 64) ?? null, e.requestId ?? null, details,
        ],
      );
    } catch (err) {
      this.logger.error({ msg: 'audit entry not written', action: e.action, actorUserId: e.actorUserId, error: (err as Error).message });
    }
  }

  /** Entries newest first, filtered; `cursor` is the `nextCursor` of the previous page. */
  async list(f: AuditFilter): Promise<Page<AuditView>> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (f.actorUserId !== undefined) where.push(`actor_user_id = $${params.push(f.actorUserId)}`);
    if (f.action !== undefined) where.push(`action = $${params.push(f.action)}`);
    if (f.targetType !== undefined) where.push(`target_type = $${params.push(f.targetType)}`);
    if (f.targetId !== undefined) where.push(`target_id = $${params.push(f.targetId)}`);
    if (f.outcome !== undefined) where.push(`outcome = $${params.push(f.outcome)}`);
    return newestFirst(this.dataSource, 'audit_logs', { where, params }, f, toAuditView);
  }
}
