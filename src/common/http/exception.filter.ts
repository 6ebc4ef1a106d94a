/**
 * The one global filter: maps our DomainError hierarchy, validation failures, unknown routes,
 * malformed JSON and database constraint violations to API.md's error shape
 * `{statusCode, error, code, message, details?}`. Anything else is a logged 500 INTERNAL.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { QueryFailedError } from 'typeorm';
import { DomainError, ErrorDetail } from '../errors';
import { requestIdOf } from '../logging/request-id';

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const HTTP_CODE: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  details?: ErrorDetail[];
}

/** Maps PostgreSQL's SQLSTATE of a constraint violation to our answer. */
function fromDatabase(e: QueryFailedError): ErrorBody | undefined {
  const driverError = e.driverError as { code?: string; constraint?: string };
  const constraint = driverError.constraint ?? 'unknown';
  switch (driverError.code) {
    case '23505':
      return { statusCode: 409, error: REASON[409], code: 'ALREADY_EXISTS', message: `A record with the same key already exists (${constraint})` };
    case '23503':
      return { statusCode: 409, error: REASON[409], code: 'REFERENCE_CONFLICT', message: `The record is referenced by, or references, a missing record (${constraint})` };
    case '23514':
    case '23502':
    case '22003':
    case '22P02':
      return { statusCode: 400, error: REASON[400], code: 'CONSTRAINT_VIOLATION', message: `The value breaks a database rule (${constraint})` };
    default:
      return undefined;
  }
}

export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof DomainError) {
    const status = exception.httpStatus;
    const body: ErrorBody = { statusCode: status, error: REASON[status] ?? 'Error', code: exception.code, message: exception.message };
    if (exception.details && exception.details.length > 0) body.details = exception.details;
    return body;
  }
  if (exception instanceof QueryFailedError) {
    const mapped = fromDatabase(exception);
    if (mapped) return mapped;
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const cause = exception.cause as { type?: string } | undefined;
    if (status === 400 && (cause instanceof SyntaxError || cause?.type === 'entity.parse.failed')) {
      return { statusCode: 400, error: REASON[400], code: 'MALFORMED_JSON', message: 'The request body is not valid JSON' };
    }
    const response = exception.getResponse();
    let message = exception.message;
    if (typeof response === 'object' && response !== null && 'message' in response) {
      const m = (response as { message: unknown }).message;
      message = Array.isArray(m) ? m.join('; ') : String(m);
    }
    if (status === 404 && /^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)/.test(message)) {
      return { statusCode: 404, error: REASON[404], code: 'ROUTE_NOT_FOUND', message };
    }
    return { statusCode: status, error: REASON[status] ?? 'Error', code: HTTP_CODE[status] ?? 'HTTP_ERROR', message };
  }
  // Request body errors (malformed JSON, too large, bad charset: see body-parsers.ts) carry a 4xx
  // status and a type; Nest hands them over as the cause of an HttpException, else as they are.
  const e = exception as { status?: number; type?: string; message?: string };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && typeof e.type === 'string') {
    const code = e.type === 'entity.parse.failed' ? 'MALFORMED_JSON' : HTTP_CODE[e.status] ?? 'BAD_REQUEST';
    const message = e.type === 'entity.parse.failed' ? 'The request body is not valid JSON' : (e.message ?? 'Bad request');
    return { statusCode: e.status, error: REASON[e.status] ?? 'Error', code, message };
  }
  return { statusCode: 500, error: REASON[500], code: 'INTERNAL', message: 'Internal server error' };
}

@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    // A Fastify reply, or Node's response for an error raised in a middleware: the adapter answers both.
    const res: unknown = host.switchToHttp().getResponse();
    const http = this.adapterHost.httpAdapter;
    const body = toErrorBody(exception);
    if (body.statusCode >= 500) {
      // with the request id, which the caller has in X-Request-Id
      const req = host.switchToHttp().getRequest<{ raw?: unknown } | undefined>();
      const requestId = requestIdOf(req?.raw);
      this.logger.error(
        exception instanceof Error ? { msg: exception.message, stack: exception.stack, requestId } : { msg: String(exception), requestId },
      );
    }
    if (http.isHeadersSent(res)) return;
    http.reply(res, body, body.statusCode ?? HttpStatus.INTERNAL_SERVER_ERROR);
  }
}
