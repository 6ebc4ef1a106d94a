import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

const VALID_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The id given to a request (see `registerRequestIds`), on Node's request object. */
export function requestIdOf(raw: unknown): string | undefined {
  return (raw as { requestId?: string } | undefined)?.requestId;
}

/**
 * Gives every request an id (the caller's X-Request-Id when well-formed, else a new UUID), echoed in
 * the response and kept on Node's request (`requestIdOf`) for the audit log and the error log.
 *
 * A Fastify hook rather than Nest middleware (which Fastify runs through its Express-style middleware
 * layer), and no AsyncLocalStorage: on Node 20 that turns on promise hooks for every promise the
 * process makes, a cost every request pays (about 5 % of an order's CPU here) so that a log line
 * could find its request on its own. The lines that belong to a request are written with it at hand.
 */
export function registerRequestIds(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const given = request.headers['x-request-id'];
    const requestId = typeof given === 'string' && VALID_ID.test(given) ? given : randomUUID();
    reply.header('X-Request-Id', requestId);
    (request.raw as { requestId?: string }).requestId = requestId;
    done();
  });
}
