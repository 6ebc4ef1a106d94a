/**
 * Redis connections for the cluster (Socket.IO adapter, tick channel). A server that cannot be
 * reached at start fails the start with a clear message; once connected, a lost connection is
 * retried with a backoff. Errors are logged without the URL (it may hold a password).
 */
import type { LoggerService } from '@nestjs/common';
import { createClient, type RedisClientType } from 'redis';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the client without modules, functions or scripts
export type RedisClient = RedisClientType<{}, {}, {}, 3, {}>;

export class RedisUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`Redis (REDIS_URL) could not be reached: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RedisUnavailableError';
  }
}

export async function connectRedis(url: string, logger: Pick<LoggerService, 'warn'>, name: string): Promise<RedisClient> {
  let connected = false;
  const client = createClient({
    url,
    name,
    socket: {
      connectTimeout: 3000,
      reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(100 * 2 ** retries, 2000) : cause),
    },
  });
  client.on('error', (e: Error) => {
    if (connected) logger.warn({ msg: 'redis connection error', client: name, error: e.message });
  });
  try {
    await client.connect();
  } catch (e) {
    client.destroy();
    throw new RedisUnavailableError(e);
  }
  connected = true;
  return client;
}

/**
 * A client for commands and a duplicate of it for subscriptions (a subscribed connection takes no
 * other command). Reconnection is each client's own; errors are logged once, on the first.
 */
export async function connectPubSub(url: string, logger: Pick<LoggerService, 'warn'>, name: string): Promise<{ pub: RedisClient; sub: RedisClient }> {
  const pub = await connectRedis(url, logger, `${name}-pub`);
  const sub = pub.duplicate();
  sub.on('error', () => undefined);
  try {
    await sub.connect();
  } catch (e) {
    sub.destroy();
    await closeRedis(pub);
    throw new RedisUnavailableError(e);
  }
  return { pub, sub };
}

/** Closes a client, waiting for pending replies; never throws. */
export async function closeRedis(client: RedisClient | undefined): Promise<void> {
  if (!client) return;
  try {
    if (client.isOpen) await client.close();
  } catch {
    client.destroy();
  }
}
