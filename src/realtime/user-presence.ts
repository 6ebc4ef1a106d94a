/**
 * Which users have a Socket.IO connection anywhere in the cluster: publishers build and send a
 * private event only when somebody can receive it. Without Redis that is this instance's own room;
 * with Redis every instance keeps the set of users connected to each of the others, so an order of a
 * user with no dashboard open (a bot) sends nothing through Redis at all — before, every private
 * event of every order crossed Redis to every instance, listener or not.
 *
 * - Each instance keeps its connected users in a Redis set `<prefix>#presence:<instance>`
 *   (expiring unless refreshed: an instance that dies drops out) and announces each change on the
 *   channel `<prefix>#presence`: `+<instance> <user>`, `-<instance> <user>`, `!<instance>` (gone).
 * - A user is marked present before the handshake completes, and the announcement has reached Redis
 *   by then: events of orders placed after the client sees `connect` are not skipped.
 * - The view of the others is read again from the sets every RESYNC_MS; the announcements received
 *   meanwhile are applied over the read, in order. A doubt counts as present (an event sent for
 *   nothing costs a little; an event skipped is lost).
 */
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CLUSTER_OPTIONS, type ClusterOptions } from '../market-data/cluster-options';
import { closeRedis, connectPubSub, type RedisClient } from '../market-data/redis-client';

const TTL_SECONDS = 90;
const RESYNC_MS = 30_000;

@Injectable()
export class UserPresence implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(UserPresence.name);
  readonly instance = randomBytes(8).toString('hex');
  /** Sockets of each user on this instance. */
  private readonly local = new Map<number, number>();
  /** The other instances holding a socket of each user. */
  private remote = new Map<number, Set<string>>();
  /** Announcements received while the sets are being read (applied over the read). */
  private replay: string[] | undefined;
  private pub: RedisClient | undefined;
  private sub: RedisClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly channel: string;
  private readonly key: string;

  constructor(@Inject(CLUSTER_OPTIONS) private readonly cluster: ClusterOptions) {
    this.channel = `${cluster.prefix}#presence`;
    this.key = `${cluster.prefix}#presence:${this.instance}`;
  }

  async onModuleInit(): Promise<void> {
    if (!this.cluster.redisUrl) return;
    ({ pub: this.pub, sub: this.sub } = await connectPubSub(this.cluster.redisUrl, this.logger, 'presence'));
    await this.sub.subscribe(this.channel, (message: string) => {
      this.replay?.push(message);
      this.apply(this.remote, message);
    });
    await this.resync();
    this.timer = setInterval(() => void this.refresh(), RESYNC_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const { pub, sub } = this;
    this.pub = undefined;
    this.sub = undefined;
    try {
      if (pub?.isReady) await pub.multi().del(this.key).publish(this.channel, `!${this.instance}`).exec();
    } catch {
      // the set expires by itself
    }
    await closeRedis(sub);
    await closeRedis(pub);
  }

  /** The users with a socket here or on another instance. */
  users(): number[] {
    const out = [...this.local.keys()];
    for (const id of this.remote.keys()) if (!this.local.has(id)) out.push(id);
    return out;
  }

  /** Could an event to the user reach a socket, here or on another instance? */
  present(userId: number): boolean {
    return this.local.has(userId) || this.remote.has(userId);
  }

  /**
   * Counts a socket of the user here (announced to the other instances before this resolves) and
   * answers the function that uncounts it (call it once, when the socket disconnects).
   */
  async connected(userId: number): Promise<() => void> {
    const n = this.local.get(userId) ?? 0;
    this.local.set(userId, n + 1);
    if (n === 0) await this.announce(userId, true);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.local.get(userId) ?? 1) - 1;
      if (left > 0) {
        this.local.set(userId, left);
        return;
      }
      this.local.delete(userId);
      void this.announce(userId, false);
    };
  }

  private async announce(userId: number, on: boolean): Promise<void> {
    const pub = this.pub;
    if (!pub) return;
    try {
      const tx = pub.multi();
      if (on) tx.sAdd(this.key, String(userId)).expire(this.key, TTL_SECONDS);
      else tx.sRem(this.key, String(userId));
      await tx.publish(this.channel, `${on ? '+' : '-'}${this.instance} ${userId}`).exec();
    } catch (e) {
      this.logger.warn({ msg: 'presence not announced', error: e instanceof Error ? e.message : String(e) });
    }
  }

  private apply(view: Map<number, Set<string>>, message: string): void {
    const kind = message[0];
    const space = message.indexOf(' ');
    const instance = space < 0 ? message.slice(1) : message.slice(1, space);
    if (instance === this.instance) return;
    if (kind === '!') {
      for (const [user, holders] of view) if (holders.delete(instance) && holders.size === 0) view.delete(user);
      return;
    }
    const userId = Number(message.slice(space + 1));
    if (!Number.isInteger(userId)) return;
    const holders = view.get(userId);
    if (kind === '+') {
      if (holders) holders.add(instance);
      else view.set(userId, new Set([instance]));
    } else if (kind === '-' && holders?.delete(instance) && holders.size === 0) {
      view.delete(userId);
    }
  }

  /** Keeps this instance's set alive, and reads the others' again. */
  private async refresh(): Promise<void> {
    try {
      if (this.local.size > 0) await this.pub?.expire(this.key, TTL_SECONDS);
      await this.resync();
    } catch (e) {
      this.logger.warn({ msg: 'presence not refreshed', error: e instanceof Error ? e.message : String(e) });
    }
  }

  private async resync(): Promise<void> {
    const pub = this.pub;
    if (!pub || this.replay) return;
    this.replay = [];
    try {
      const read = new Map<number, Set<string>>();
      const prefix = `${this.cluster.prefix}#presence:`;
      for await (const keys of pub.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) {
        for (const key of keys) {
          const instance = key.slice(prefix.length);
          if (instance === this.instance) continue;
          for (const member of await pub.sMembers(key)) this.apply(read, `+${instance} ${member}`);
        }
      }
      for (const message of this.replay) this.apply(read, message);
      this.remote = read;
    } finally {
      this.replay = undefined;
    }
  }
}
