import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { AuditInterceptor } from './audit.interceptor';

export const AUDITED = 'audited'; // read by AuditInterceptor

export interface AuditedAction {
  /** What was done, `area.verb` (e.g. `user.create`, `risk_limits.set`). */
  action: string;
  /** What it was done to; its id is the route's `:id` (or `:symbol`) when there is one. */
  targetType?: string;
}

/**
 * The route's every call is written to the audit log once it is answered — who, what, on what, from
 * where, the request's parameters and body (secrets redacted) and the outcome, refusals included.
 * The interceptor runs on these routes only: the others (the order path) pay nothing for it.
 */
export const Audited = (action: string, targetType?: string) =>
  applyDecorators(SetMetadata(AUDITED, { action, targetType } satisfies AuditedAction), UseInterceptors(AuditInterceptor));
