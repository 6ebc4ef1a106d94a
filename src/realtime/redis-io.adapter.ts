/**
 * Socket.IO through Redis, so that a broadcast on one instance (a user's private event, a room emit)
 * reaches the sockets of every instance (nestjs/nest sample/02-gateways redis-io.adapter.ts, with the
 * URL and the cluster's prefix from the configuration). Its Redis clients close with the app.
 */
import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server, ServerOptions } from 'socket.io';
import type { ClusterOptions } from '../market-data/cluster-options';
import { closeRedis, connectPubSub, type RedisClient } from '../market-data/redis-client';

export class RedisIoAdapter extends IoAdapter {
  private adapterConstructor: ReturnType<typeof createAdapter> | undefined;
  private pub: RedisClient | undefined;
  private sub: RedisClient | undefined;

  constructor(
    app: INestApplicationContext,
    private readonly cluster: ClusterOptions,
    /**
     * The transports offered to clients; unset: Socket.IO's own (long polling, upgraded to WebSocket).
     * Worker processes behind one port offer WebSocket only: a long-polling session is a series of
     * HTTP requests that must all reach the process holding it, and node:cluster hands out
     * connections without regard to sessions.
     */
    private readonly transports?: ('websocket' | 'polling')[],
  ) {
    super(app);
  }

  /** Connects before the gateways are created; fails with RedisUnavailableError when Redis is down. */
  async connectToRedis(logger: Pick<LoggerService, 'warn'>): Promise<void> {
    if (!this.cluster.redisUrl) throw new Error('RedisIoAdapter needs REDIS_URL');
    ({ pub: this.pub, sub: this.sub } = await connectPubSub(this.cluster.redisUrl, logger, 'socket.io'));
    this.adapterConstructor = createAdapter(this.pub, this.sub, { key: `${this.cluster.prefix}#socket.io` });
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, this.transports ? ({ ...options, transports: this.transports } as ServerOptions) : options) as Server;
    if (this.adapterConstructor) server.adapter(this.adapterConstructor);
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    const { pub, sub } = this;
    this.pub = undefined;
    this.sub = undefined;
    await closeRedis(sub);
    await closeRedis(pub);
  }

  /** Closes the Redis clients when the app failed before it could close them itself. */
  async closeRedis(): Promise<void> {
    await this.dispose();
  }
}
