/**
 * Group commit for the optimistic order path: order writes of different accounts that wait for a
 * statement slot are written together, in one statement (`writeOrdersIfUnchanged`) — one round trip,
 * one transaction and one WAL flush for all of them. A write that finds a slot free goes at once,
 * alone: nothing waits to be batched, batches form only while earlier statements are running.
 *
 * A statement holds at most one write per account (a second write of an account waits for the
 * next one) and writes that read along the same. When a statement fails (one write meeting the
 * unique key of its client order id fails all of it, atomically), each of its writes is tried again
 * alone, so that the failure reaches only the write it belongs to.
 */
import type { OrderWrite, Queryable, ReadAlong } from './paper-store';
import { writeOrdersIfUnchanged } from './paper-store';

type Rows = Record<string, unknown>[] | undefined;

interface Pending {
  write: OrderWrite;
  resolve(rows: Rows): void;
  reject(e: unknown): void;
}

export interface BatchStats {
  statements: number;
  writes: number;
  largest: number;
  /** Statements that failed and whose writes were tried again one by one. */
  split: number;
}

export class OrderWriteBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  readonly stats: BatchStats = { statements: 0, writes: 0, largest: 0, split: 0 };

  constructor(
    private readonly pool: () => Queryable,
    /** Statements running at once at most (the rest of the pool stays for reads and the tick pass). */
    private readonly maxInFlight: number,
    /** Writes per statement at most. */
    private readonly maxBatch = 32,
  ) {}

  /** Writes one order's outcome (in a statement with others when it has to wait): its rows, or undefined on a conflict. */
  write(write: OrderWrite): Promise<Rows> {
    return new Promise<Rows>((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const along = this.queue[0].write.along;
      const batch: Pending[] = [];
      const accounts = new Set<number>();
      const rest: Pending[] = [];
      for (const p of this.queue) {
        if (batch.length < this.maxBatch && p.write.along === along && !accounts.has(p.write.accountId)) {
          batch.push(p);
          accounts.add(p.write.accountId);
        } else {
          rest.push(p);
        }
      }
      this.queue = rest;
      this.inFlight++;
      void this.run(along, batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(along: ReadAlong, batch: Pending[]): Promise<void> {
    this.stats.statements++;
    this.stats.writes += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    let results: Rows[];
    try {
      results = await writeOrdersIfUnchanged(this.pool(), along, batch.map((p) => p.write));
    } catch (e) {
      if (batch.length === 1) {
        batch[0].reject(e);
        return;
      }
      this.stats.split++;
      await Promise.all(
        batch.map(async (p) => {
          try {
            const [rows] = await writeOrdersIfUnchanged(this.pool(), along, [p.write]);
            p.resolve(rows);
          } catch (err) {
            p.reject(err);
          }
        }),
      );
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]));
  }
}
