/**
 * Structured JSON logs, one object a line (a line about a request carries its `requestId`: the
 * caller passes it in the object logged).
 * Values under keys that look secret (password, token, secret, key, authorization) are redacted.
 */
import type { LoggerService } from '@nestjs/common';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'verbose'] as const;
type Level = (typeof LEVELS)[number];
const SECRET_KEY = /pass(word)?|token|secret|api[-_]?key|authorization|master[-_]?key|signature|cookie/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

export class JsonLogger implements LoggerService {
  private readonly max: number;
  constructor(
    level: string = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {
    this.max = LEVELS.indexOf(level as Level);
  }

  private emit(level: Level, message: unknown, rest: unknown[]): void {
    if (LEVELS.indexOf(level) > this.max) return;
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level };
    if (context) entry.context = context;
    if (typeof message === 'object' && message !== null && !(message instanceof Error)) {
      Object.assign(entry, redact(message));
    } else if (message instanceof Error) {
      entry.msg = message.message;
      entry.stack = message.stack;
    } else {
      entry.msg = String(message);
    }
    const extra = rest.filter((r) => r !== undefined);
    if (extra.length > 0) entry.extra = redact(extra);
    this.write(JSON.stringify(entry));
  }

  log(message: unknown, ...rest: unknown[]) {
    this.emit('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.emit('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.emit('fatal', message, rest);
  }
}
