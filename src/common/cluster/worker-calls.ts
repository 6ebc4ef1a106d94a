/**
 * Calls between the worker processes of one machine (APP_WORKERS > 1), relayed by the primary: the
 * worker that received a request can have another worker run part of it. Each worker holds a slot
 * (0 … workers − 1, kept by its replacement when it dies); `ownerOf(key)` names the slot that owns a
 * key. The orders of a user are placed by the user's owner, whichever worker the request reached:
 * the owner keeps the account's state from one order to the next (no read, no conflict), where
 * orders of one account alternating between workers would each find the state the worker kept
 * stale. Outside worker processes there is one instance and nothing is forwarded.
 *
 * A call answers its value, or the error its handler threw (as the same HTTP error); `unavailable`
 * when the owner is not there (restarting) or did not answer in time — the caller then does the work
 * itself.
 */
import cluster from 'node:cluster';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DomainError, type ErrorDetail } from '../errors';
import { toErrorBody, type ErrorBody } from '../http/exception.filter';

export const CALL_MESSAGE = 'contract-desk:call';
export const REPLY_MESSAGE = 'contract-desk:reply';

export interface CallMessage {
  type: typeof CALL_MESSAGE;
  id: number;
  /** The slot that should run it. */
  slot: number;
  /** The worker (cluster id) that asked, filled in by the primary. */
  from?: number;
  method: string;
  args: unknown;
}

export interface ReplyMessage {
  type: typeof REPLY_MESSAGE;
  id: number;
  /** The worker (cluster id) the reply goes to. */
  to?: number;
  value?: unknown;
  error?: ErrorBody;
  unavailable?: true;
}

/** An error another worker's handler threw, answered as the same HTTP error. */
export class ForwardedError extends DomainError {
  readonly httpStatus: number;
  constructor(body: ErrorBody) {
    super(body.code, body.message, body.details as ErrorDetail[] | undefined);
    this.httpStatus = body.statusCode;
  }
}

export type CallResult<T> = { ok: true; value: T } | { ok: false; unavailable: true };

@Injectable()
export class WorkerCalls implements OnModuleDestroy {
  private readonly logger = new Logger(WorkerCalls.name);
  /** This worker's slot; undefined outside worker processes. */
  readonly slot: number | undefined;
  readonly workers: number;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: ReplyMessage): void; timer: NodeJS.Timeout }>();
  private readonly handlers = new Map<string, (args: unknown) => Promise<unknown>>();
  private readonly onMessage = (m: unknown) => this.receive(m as CallMessage | ReplyMessage);

  constructor() {
    const slot = Number(process.env.CONTRACT_DESK_WORKER_SLOT);
    const workers = Number(process.env.CONTRACT_DESK_WORKERS);
    const active = cluster.isWorker && Number.isInteger(slot) && Number.isInteger(workers) && workers > 1;
    this.slot = active ? slot : undefined;
    this.workers = active ? workers : 1;
    if (active) process.on('message', this.onMessage);
  }

  onModuleDestroy(): void {
    process.off('message', this.onMessage);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ type: REPLY_MESSAGE, id, unavailable: true });
    }
    this.pending.clear();
  }

  /** The slot owning `key` (a user id, say), or undefined when there is one instance. */
  ownerOf(key: number): number | undefined {
    return this.slot === undefined ? undefined : ((key % this.workers) + this.workers) % this.workers;
  }

  /** Registers what this worker runs for the others. */
  handle<A, T>(method: string, fn: (args: A) => Promise<T>): void {
    this.handlers.set(method, fn as (args: unknown) => Promise<unknown>);
  }

  /** Runs `method` on the worker holding `slot`. */
  async call<T>(slot: number, method: string, args: unknown, timeoutMs: number): Promise<CallResult<T>> {
    if (this.slot === undefined || !process.send) return { ok: false, unavailable: true };
    const id = this.nextId++;
    const reply = await new Promise<ReplyMessage>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ type: REPLY_MESSAGE, id, unavailable: true });
      }, timeoutMs);
      this.pending.set(id, { resolve, timer });
      // a channel already closed (the primary going away) answers through the time-out
      process.send?.({ type: CALL_MESSAGE, id, slot, method, args } satisfies CallMessage, undefined, undefined, () => undefined);
    });
    if (reply.error) throw new ForwardedError(reply.error);
    if (reply.unavailable) return { ok: false, unavailable: true };
    return { ok: true, value: reply.value as T };
  }

  private receive(m: CallMessage | ReplyMessage): void {
    if (m?.type === REPLY_MESSAGE) {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      p.resolve(m);
    } else if (m?.type === CALL_MESSAGE) {
      void this.run(m);
    }
  }

  private async run(m: CallMessage): Promise<void> {
    const reply: ReplyMessage = { type: REPLY_MESSAGE, id: m.id, to: m.from };
    const handler = this.handlers.get(m.method);
    this.logger.debug({ msg: 'call from another worker', method: m.method, slot: this.slot, pid: process.pid });
    if (!handler) {
      reply.unavailable = true;
    } else {
      try {
        reply.value = await handler(m.args);
      } catch (e) {
        reply.error = toErrorBody(e);
        if (reply.error.statusCode >= 500) this.logger.error(e instanceof Error ? e : String(e));
      }
    }
    process.send?.(reply, undefined, undefined, () => undefined);
  }
}
