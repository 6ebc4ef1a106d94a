/**
 * Writes the audit entry of every `@Audited` route once it is answered, success or refusal (a
 * validation failure, a missing user, a conflict), before the answer leaves: an admin reading the
 * log right after an action finds it there. Calls refused before the route (no token, wrong role)
 * are not the route's: the authentication guard answers them.
 */
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { Caller } from '../auth/auth.decorators';
import { toErrorBody } from '../common/http/exception.filter';
import type { AuditedAction } from './audited.decorator';

/** The metadata key of `@Audited` (kept here: the decorator file imports this one). */
const AUDITED = 'audited';
import { AuditService } from './audit.service';
import { requestIdOf } from '../common/logging/request-id';

interface AuditedRequest {
  method: string;
  url: string;
  ip?: string;
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  user?: Caller;
  raw?: unknown;
}

@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const meta = this.reflector.get<AuditedAction | undefined>(AUDITED, context.getHandler());
    if (!meta || context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<AuditedRequest>();
    // the status the route answers with: its @HttpCode, else 201 for a POST and 200 otherwise
    const fixed = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler());
    const okStatus = fixed ?? (req.method === 'POST' ? 201 : 200);
    const write = (status: number, errorCode?: string) => {
      const params = req.params ?? {};
      const details: Record<string, unknown> = {};
      if (Object.keys(params).length > 0) details.params = params;
      if (req.query && Object.keys(req.query).length > 0) details.query = req.query;
      if (req.body !== undefined && !(typeof req.body === 'object' && req.body !== null && Object.keys(req.body).length === 0)) details.body = req.body;
      return this.audit.record({
        actorUserId: req.user?.id ?? null,
        action: meta.action,
        targetType: meta.targetType,
        targetId: params.id ?? params.symbol,
        method: req.method,
        path: req.url.split('?')[0],
        status,
        errorCode,
        ip: req.ip,
        requestId: requestIdOf(req.raw),
        details,
      });
    };
    return from(
      (async () => {
        let value: unknown;
        try {
          value = await lastValueFrom(next.handle(), { defaultValue: undefined });
        } catch (e) {
          const body = toErrorBody(e);
          await write(body.statusCode, body.code);
          throw e;
        }
        await write(okStatus);
        return value;
      })(),
    );
  }
}
