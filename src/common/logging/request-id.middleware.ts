import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestContext } from './json-logger';

const VALID_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives every request an id (the caller's X-Request-Id when well-formed), echoed in the response.
 * Nest middleware gets Node's own request and response (under Fastify too).
 */
export function requestIdMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const given = req.headers['x-request-id'];
  const requestId = typeof given === 'string' && VALID_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', requestId);
  (req as IncomingMessage & { requestId?: string }).requestId = requestId;
  requestContext.run({ requestId }, next);
}
