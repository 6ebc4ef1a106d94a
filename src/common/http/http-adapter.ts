/**
 * The HTTP platform: Fastify, set up to answer clients as the API always has —
 * - routes match case-insensitively and with or without a trailing slash, parameters of any length;
 * - the request bodies of body-parsers.ts;
 * - a path that cannot be percent-decoded is a 400 "Failed to decode param '<segment>'";
 * - Node's own timeouts and answers to malformed HTTP (Fastify would keep idle connections 72 s,
 *   time requests out never, and answer a client error with a JSON body of its own);
 * - no 503 of Fastify's own while the app closes;
 * - X-Forwarded-For trusted only with TRUST_PROXY;
 * - every request's id (request-id.ts).
 * Fastify's logger stays off: the app logs through Nest's logger.
 */
import { BadRequestException, HttpException } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import type { AppConfig } from '../../config/app-config';
import { registerRequestIds } from '../logging/request-id';
import { JSON_BODY_LIMIT, registerBodyParsers } from './body-parsers';
import { toErrorBody } from './exception.filter';

/** The first segment of the request's path that does not percent-decode. */
function undecodableSegment(url: string): string | undefined {
  const query = url.indexOf('?');
  for (const segment of (query === -1 ? url : url.slice(0, query)).split('/')) {
    try {
      decodeURIComponent(segment);
    } catch {
      return segment;
    }
  }
  return undefined;
}

export function createHttpAdapter(config: Pick<AppConfig, 'trustProxy'>): FastifyAdapter {
  const adapter = new FastifyAdapter({
    logger: false,
    trustProxy: config.trustProxy,
    bodyLimit: JSON_BODY_LIMIT,
    routerOptions: {
      caseSensitive: false,
      ignoreTrailingSlash: true,
      // Node's limit on a request's headers (16 KiB) bounds it as well.
      maxParamLength: 16 * 1024,
    },
    keepAliveTimeout: 5_000,
    requestTimeout: 300_000,
    return503OnClosing: false,
    // The router's refusals come before any hook (so without X-Request-Id) and would reach
    // Fastify's default error handler: they are answered in the app's error shape here.
    frameworkErrors: (error: Error & { code?: string; statusCode?: number }, request: FastifyRequest, reply: FastifyReply) => {
      const segment = error.code === 'FST_ERR_BAD_URL' ? undecodableSegment(request.raw.url ?? '') : undefined;
      const status = error.statusCode ?? 500;
      const body = toErrorBody(
        segment !== undefined ? new BadRequestException(`Failed to decode param '${segment}'`) : status < 500 ? new HttpException(error.message, status) : error,
      );
      reply.code(body.statusCode).send(body);
    },
  });
  const fastify = adapter.getInstance();
  registerRequestIds(fastify);
  registerBodyParsers(fastify);
  fastify.server.removeAllListeners('clientError');
  return adapter;
}

/**
 * The content types of the documentation's pages as they were served: text with its charset
 * (Fastify leaves a type a handler set as it is) and the UI's script files as text/javascript.
 * Only for routes under `prefix` (call before they are added).
 */
export function keepDocsContentTypes(fastify: FastifyInstance, prefix: string): void {
  const onSend: onSendHookHandler = (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (type === 'application/javascript; charset=utf-8') reply.header('content-type', 'text/javascript; charset=utf-8');
    else if (typeof type === 'string' && !type.includes(';') && (type.startsWith('text/') || type === 'application/javascript')) reply.header('content-type', `${type}; charset=utf-8`);
    done(null, payload);
  };
  fastify.addHook('onRoute', (route) => {
    if (!route.url.startsWith(prefix)) return;
    route.onSend = route.onSend === undefined ? [onSend] : [...(Array.isArray(route.onSend) ? route.onSend : [route.onSend]), onSend];
  });
}
