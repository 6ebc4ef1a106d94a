/**
 * Request bodies, read the way the API has always read them (body-parser's `json` with a 1 MiB
 * limit and `urlencoded` extended with 100 KiB, as Express applied them), on Fastify:
 * - `application/json` (exactly that media type, any case): a UTF charset, gzip/deflate/br bodies
 *   inflated, an empty body is `{}`, the top level must be an object or an array (else 400
 *   entity.parse.failed, MALFORMED_JSON), a leading byte-order mark is dropped;
 * - `application/x-www-form-urlencoded`: utf-8 or iso-8859-1, parsed by `qs` (nesting, arrays);
 * - any other or no media type, or a malformed Content-Type: the body is not read and the handler
 *   gets none (Fastify would answer 415);
 * - GET/HEAD/TRACE bodies (which Fastify never reads) are checked all the same, so a malformed one
 *   is refused as before.
 * Failures are RequestBodyErrors, shaped like body-parser's http-errors (`status`, `expose`, its
 * `type`), so Nest maps them to an HttpException whose cause the exception filter reads, as it did
 * body-parser's.
 */
import { AsyncResource } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import qs from 'qs';

export const JSON_BODY_LIMIT = 1024 * 1024;
export const FORM_BODY_LIMIT = 100 * 1024;
const FORM_PARAMETER_LIMIT = 1000;
const FORM_DEPTH = 32;

type BodyKind = 'json' | 'form';

export class RequestBodyError extends Error {
  readonly statusCode: number;
  readonly expose = true;
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
  ) {
    super(message);
    this.statusCode = status;
  }
}

/** The media type of a Content-Type value: up to the first ";", spaces and tabs trimmed, lower case. */
function mediaType(contentType: string): string {
  const end = contentType.indexOf(';');
  return (end === -1 ? contentType : contentType.slice(0, end)).replace(/^[ \t]+|[ \t]+$/g, '').toLowerCase();
}

function kindOf(contentType: string | undefined): BodyKind | undefined {
  if (!contentType) return undefined;
  const type = mediaType(contentType);
  return type === 'application/json' ? 'json' : type === 'application/x-www-form-urlencoded' ? 'form' : undefined;
}

/** The charset parameter (its first occurrence, quoted or not), lower case. */
function charsetOf(contentType: string): string | undefined {
  const match = /;[ \t]*charset[ \t]*=[ \t]*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/i.exec(contentType);
  if (!match) return undefined;
  const value = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2].replace(/[ \t]+$/, '');
  return value.toLowerCase();
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length'] ?? NaN));
}

function decompressor(encoding: string): Transform {
  switch (encoding) {
    case 'deflate':
      return zlib.createInflate();
    case 'gzip':
      return zlib.createGunzip();
    case 'br':
      return zlib.createBrotliDecompress();
    case 'zstd': {
      const create = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
      if (create) return create();
    }
  }
  throw new RequestBodyError(415, `unsupported content encoding "${encoding}"`, 'encoding.unsupported');
}

function decode(body: Buffer, charset: string): string {
  switch (charset) {
    case 'utf-8':
      return body.toString('utf8').replace(/^\uFEFF/, '');
    case 'iso-8859-1':
      return body.toString('latin1');
    default:
      // utf-16le and utf-16be (the byte-order mark is dropped)
      return new TextDecoder(charset).decode(body);
  }
}

const DECODABLE = new Set(['utf-8', 'iso-8859-1', 'utf-16le', 'utf-16be']);

/** Reads what is left of the request, then calls back (an answer sent earlier would cut off a client still sending). */
function drain(req: IncomingMessage, then: () => void): void {
  if (req.complete || req.destroyed) {
    then();
    return;
  }
  const finish = () => {
    req.off('end', finish);
    req.off('close', finish);
    then();
  };
  req.on('end', finish);
  req.on('close', finish);
  req.resume();
}

/** The whole body, decoded, within `limit` bytes (after inflation). */
function readBody(req: IncomingMessage, charset: string, limit: number, callback: (err: Error | null, text?: string) => void): void {
  let inflating: Transform | undefined;
  let length: number | undefined;
  try {
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'identity') {
      const declared = req.headers['content-length'];
      length = declared === undefined || Number.isNaN(Number(declared)) ? undefined : parseInt(declared, 10);
    } else {
      inflating = decompressor(encoding);
      req.pipe(inflating);
    }
  } catch (e) {
    callback(e as Error);
    return;
  }
  const stream: Readable = inflating ?? req;
  let settled = false;
  /** Stops the inflation (its late errors ignored). */
  const release = () => {
    if (!inflating) return;
    req.unpipe(inflating);
    inflating.on('error', () => undefined);
    inflating.destroy();
  };
  const fail = (err: Error) => {
    if (settled) return;
    settled = true;
    cleanup();
    release();
    drain(req, () => callback(err));
  };
  if (length !== undefined && length > limit) {
    settled = true;
    drain(req, () => callback(new RequestBodyError(413, 'request entity too large', 'entity.too.large')));
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > limit) fail(new RequestBodyError(413, 'request entity too large', 'entity.too.large'));
    else chunks.push(chunk);
  };
  const onEnd = () => {
    if (settled) return;
    if (length !== undefined && received !== length) {
      fail(new RequestBodyError(400, 'request size did not match content length', 'request.size.invalid'));
      return;
    }
    settled = true;
    cleanup();
    if (inflating) {
      release();
      req.resume();
    }
    callback(null, decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received), charset));
  };
  // e.g. an inflation failure ("incorrect header check")
  const onError = (err: Error) => fail(new RequestBodyError(400, err.message, 'stream.error'));
  const onAborted = () => fail(new RequestBodyError(400, 'request aborted', 'request.aborted'));
  const onClose = () => {
    if (!settled && !req.complete) onAborted();
  };
  function cleanup() {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('error', onError);
    req.off('aborted', onAborted);
    req.off('close', onClose);
  }
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('error', onError);
  req.on('aborted', onAborted);
  req.on('close', onClose);
}

function parseJson(text: string): unknown {
  if (text.length === 0) return {};
  const first = /^[\x20\x09\x0a\x0d]*(.?)/.exec(text)?.[1];
  let message = 'JSON text must be an object or an array';
  if (first === '{' || first === '[') {
    try {
      return JSON.parse(text);
    } catch (e) {
      message = (e as Error).message;
    }
  }
  throw new RequestBodyError(400, message, 'entity.parse.failed');
}

function parseForm(text: string, charset: string): unknown {
  if (text.length === 0) return {};
  let count = 0;
  let index = -1;
  do {
    count += 1;
    if (count > FORM_PARAMETER_LIMIT) throw new RequestBodyError(413, 'too many parameters', 'parameters.too.many');
    index = text.indexOf('&', index + 1);
  } while (index !== -1);
  try {
    return qs.parse(text, {
      allowPrototypes: true,
      arrayLimit: Math.max(100, count),
      depth: FORM_DEPTH,
      charset: charset as 'utf-8' | 'iso-8859-1',
      parameterLimit: FORM_PARAMETER_LIMIT,
      strictDepth: true,
    });
  } catch (e) {
    if (e instanceof RangeError) throw new RequestBodyError(400, 'The input exceeded the depth', 'querystring.parse.rangeError');
    throw new RequestBodyError(400, (e as Error).message, 'entity.parse.failed');
  }
}

/** Reads and parses a JSON or form body; `undefined` when the request has none. */
function parseBody(req: IncomingMessage, kind: BodyKind, callback: (err: Error | null, body?: unknown) => void): void {
  if (!hasBody(req)) {
    callback(null, undefined);
    return;
  }
  const contentType = req.headers['content-type'] as string;
  const charset = charsetOf(contentType) || 'utf-8';
  const valid = kind === 'json' ? charset.startsWith('utf-') : charset === 'utf-8' || charset === 'iso-8859-1';
  if (!valid || !DECODABLE.has(charset)) {
    callback(new RequestBodyError(415, `unsupported charset "${charset.toUpperCase()}"`, 'charset.unsupported'));
    return;
  }
  readBody(req, charset, kind === 'json' ? JSON_BODY_LIMIT : FORM_BODY_LIMIT, (err, text) => {
    if (err) {
      callback(err);
      return;
    }
    try {
      callback(null, kind === 'json' ? parseJson(text as string) : parseForm(text as string, charset));
    } catch (e) {
      callback(e as Error);
    }
  });
}

/** Replaces Fastify's content-type parsers (call before the app is initialised). */
export function registerBodyParsers(fastify: FastifyInstance): void {
  // The body is read in the preParsing hook below, so that a failure is answered like any other
  // error (Fastify closes the connection after a parser's failure; body-parser left it open), and
  // a GET's body is checked as before; the parser then only hands over what the hook read.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, _payload, done) => done(null, request.body));
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const contentType = request.headers['content-type'];
    if (contentType === undefined) {
      done(null, payload);
      return;
    }
    const kind = kindOf(contentType);
    if (kind === undefined) {
      // Not read, as before. Fastify would answer 415 to a malformed Content-Type before any
      // parser runs: the header is left out of its choice.
      delete request.raw.headers['content-type'];
      done(null, payload);
      return;
    }
    // Back in the request's async context (the request id of the logs) once the body is read
    // (an AsyncResource of its own: Node 20's AsyncResource.bind builds a deprecation wrapper on
    // every call).
    const scope = new AsyncResource('contract-desk.body');
    const resume = (err: Error | null, value?: typeof payload) => scope.runInAsyncScope(done, undefined, err, value);
    parseBody(request.raw, kind, (err, body) => {
      if (err) {
        resume(err);
        return;
      }
      request.body = body;
      resume(null, payload);
    });
  });
}
