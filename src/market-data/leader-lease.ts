/**
 * Leadership of one cluster-wide job (the market feed) under a PostgreSQL advisory lock, held by a
 * session on a dedicated connection: when the leader's process or connection goes away, the server
 * ends its session, the lock is released, and a follower (retrying every `retryMs`) takes it.
 *
 * The embedded database (PGlite behind its socket server) runs every connection in ONE session, so
 * `pg_try_advisory_lock` succeeds for everyone there. To stay exclusive on both, the holder also
 * writes a lease `<token>|<expiry ms>` into a session setting in the same statement, renews it every
 * `retryMs`, and clears it when it stops. On a server each session has its own setting and the
 * advisory lock decides; on PGlite the setting is shared and the lease decides (a holder that
 * vanished without clearing it is replaced when its lease expires, after `ttlMs`). Times are the
 * database's clock, so instances' clocks need not agree.
 */
import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import pg from 'pg';

export interface LeaderLeaseOptions {
  url: string;
  /** Names the job; instances with the same name compete. */
  name: string;
  ttlMs?: number;
  retryMs?: number;
  logger: Pick<LoggerService, 'log' | 'warn'>;
  onElected(): void;
  onDeposed(): void;
}

/** First key of our advisory locks ("CDK1"); the second is a hash of the job's name. */
const LOCK_CLASS = 0x43444b31;

const ACQUIRE_SQL = `
WITH now AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms),
     cur AS (SELECT coalesce(current_setting($1, true), '') AS v)
SELECT set_config($1,
         CASE WHEN cur.v = '' OR split_part(cur.v, '|', 1) = $2 OR split_part(cur.v, '|', 2)::bigint < now.ms
              THEN $2 || '|' || (now.ms + $3::bigint)::text
              ELSE cur.v END,
         false) AS holder
FROM now, cur`;

const RELEASE_SQL = `
SELECT CASE WHEN split_part(coalesce(current_setting($1, true), ''), '|', 1) = $2 THEN set_config($1, '', false) END AS cleared,
       pg_advisory_unlock($3, $4) AS unlocked`;

export class LeaderLease {
  private readonly token = randomUUID();
  private readonly ttlMs: number;
  private readonly retryMs: number;
  private readonly setting: string;
  private readonly lockKey: number;
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private leader = false;
  private busy: Promise<void> = Promise.resolve();

  constructor(private readonly options: LeaderLeaseOptions) {
    this.ttlMs = options.ttlMs ?? 3000;
    this.retryMs = options.retryMs ?? 1000;
    const hash = fnv1a(options.name);
    this.lockKey = hash | 0;
    this.setting = `contract_desk.leader_${hash.toString(16).padStart(8, '0')}`;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops competing; a leader releases the lock and its lease at once, so a follower takes over fast. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.busy;
    const client = this.client;
    this.client = undefined;
    if (client && this.leader) {
      await client.query(RELEASE_SQL, [this.setting, this.token, LOCK_CLASS, this.lockKey]).catch(() => undefined);
    }
    this.setLeader(false);
    await client?.end().catch(() => undefined);
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.busy = this.attempt().finally(() => this.schedule(this.retryMs));
    }, delay);
  }

  private async attempt(): Promise<void> {
    try {
      const client = this.client ?? (await this.connect());
      if (!this.running) return;
      if (!this.leader) {
        const locked = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [LOCK_CLASS, this.lockKey]);
        if (!locked.rows[0].locked) return;
      }
      const lease = await client.query<{ holder: string }>(ACQUIRE_SQL, [this.setting, this.token, String(this.ttlMs)]);
      const mine = lease.rows[0].holder.startsWith(`${this.token}|`);
      if (!mine && !this.leader) {
        // PGlite's shared session granted the lock again: give that grant back.
        await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, this.lockKey]);
      }
      if (this.running) this.setLeader(mine);
    } catch (e) {
      this.options.logger.warn({ msg: 'leader election: database connection failed', name: this.options.name, error: (e as Error).message });
      this.drop();
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.options.url, connectionTimeoutMillis: 5000 });
    client.on('error', () => this.drop(client));
    client.on('end', () => this.drop(client));
    await client.connect();
    this.client = client;
    return client;
  }

  /** The connection is gone: so is the lock. */
  private drop(client: pg.Client | undefined = this.client): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.setLeader(false);
    client?.end().catch(() => undefined);
  }

  private setLeader(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    this.options.logger.log({ msg: leader ? 'elected leader' : 'no longer leader', name: this.options.name });
    if (leader) this.options.onElected();
    else this.options.onDeposed();
  }
}

/** FNV-1a, 32 bits, unsigned. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
