/**
 * One error hierarchy for the whole service. Domain code and services throw these, never Nest's
 * HttpException; the global filter (common/http/exception.filter.ts) maps each family to its HTTP
 * status through one table. Pure TypeScript: the domain core may import it.
 *
 * Families (what the caller should do):
 * - ValidationError (400): the request is wrong; fix it, do not retry.
 * - RiskRejectedError (400): a risk rule refused the order; the code names the rule.
 * - UnauthorizedError (401), ForbiddenError (403), NotFoundError (404), ConflictError (409).
 * - ExchangeError (502) and its retryable children: the venue failed; the request may be retried.
 */
export type ErrorDetail = { field?: string; code?: string; message: string; [key: string]: unknown };

export abstract class DomainError extends Error {
  abstract readonly httpStatus: number;
  readonly retryable: boolean = false;
  constructor(
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly httpStatus = 400;
}
export class RiskRejectedError extends DomainError {
  readonly httpStatus = 400;
}
export class UnauthorizedError extends DomainError {
  readonly httpStatus = 401;
}
export class ForbiddenError extends DomainError {
  readonly httpStatus = 403;
}
export class NotFoundError extends DomainError {
  readonly httpStatus = 404;
}
export class ConflictError extends DomainError {
  readonly httpStatus = 409;
}
export class UnprocessableError extends DomainError {
  readonly httpStatus = 422;
}

/** The exchange refused or failed. Adapters translate the venue's own codes into these. */
export class ExchangeError extends DomainError {
  readonly httpStatus: number = 502;
}
export class ExchangeUnavailableError extends ExchangeError {
  override readonly httpStatus = 503;
  override readonly retryable = true;
}
export class RateLimitedError extends ExchangeError {
  override readonly httpStatus = 429;
  override readonly retryable = true;
}
/** The exchange rejected the request itself (bad parameters, insufficient margin...): a 4xx for our client. */
export class ExchangeRejectedError extends ExchangeError {
  override readonly httpStatus = 400;
}

/** Throws NotFoundError(code) when `value` is null or undefined. */
export function assertFound<T>(value: T | null | undefined, code: string, message: string): T {
  if (value === null || value === undefined) throw new NotFoundError(code, message);
  return value;
}
