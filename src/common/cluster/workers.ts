/**
 * Worker processes on one machine (APP_WORKERS > 1): the primary forks that many workers, each a full
 * instance of the service (its own Nest app, database pool and Redis clients), all listening on the
 * one port — node:cluster hands each new connection to a worker. The instances coordinate as
 * instances on several machines do: orders of an account are serialized by the account's version
 * compare-and-set and row lock in PostgreSQL, the feed runs on the holder of the leader lease, ticks
 * and Socket.IO broadcasts travel through Redis. The primary serves nothing itself.
 *
 * - A worker that dies is replaced (after `restartDelayMs`); one that keeps dying before it listens
 *   (`maxFailedStarts` in a row) stops the whole service with exit code 1, as does a first start that
 *   fails (a bad database URL, say): nothing would be served.
 * - SIGTERM or SIGINT stops the workers gracefully (each closes its app: requests in flight are
 *   answered, connections closed), SIGKILL after `stopTimeoutMs`; the primary then exits 0.
 * - Each worker holds a slot (0 … n − 1; a replacement takes the dead worker's) and the primary
 *   relays the calls between workers (worker-calls.ts): a call to a slot with no listening worker
 *   is answered `unavailable` at once.
 */
import cluster, { type Worker } from 'node:cluster';
import { CALL_MESSAGE, REPLY_MESSAGE, type CallMessage, type ReplyMessage } from './worker-calls';

/** The message a worker sends its primary once its server listens. */
export const LISTENING_MESSAGE = 'contract-desk:listening';

export interface PrimaryOptions {
  workers: number;
  /** One JSON log line. */
  log(line: Record<string, unknown>): void;
  restartDelayMs?: number;
  stopTimeoutMs?: number;
  maxFailedStarts?: number;
}

/** Tells the primary (when there is one) that this worker listens at `url`. */
export function reportListening(url: string): void {
  if (cluster.isWorker) process.send?.({ type: LISTENING_MESSAGE, url });
}

/** Runs the primary until the workers are stopped; resolves with the process's exit code. */
export function runPrimary(options: PrimaryOptions): Promise<number> {
  const restartDelayMs = options.restartDelayMs ?? 1000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
  const maxFailedStarts = options.maxFailedStarts ?? 5;
  const listening = new Set<Worker>();
  const slots = new Map<number, Worker>();
  const slotOf = new Map<Worker, number>();
  let everyoneListened = false;
  let failedStarts = 0;
  let stopping: { code: number } | undefined;
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));

  const alive = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());

  const stop = (code: number) => {
    if (stopping) return;
    stopping = { code };
    const workers = alive();
    if (workers.length === 0) return finish(code);
    for (const w of workers) w.process.kill('SIGTERM');
    setTimeout(() => {
      for (const w of alive()) w.process.kill('SIGKILL');
    }, stopTimeoutMs);
  };

  const relay = (from: Worker, m: CallMessage | ReplyMessage) => {
    if (m.type === CALL_MESSAGE) {
      const target = slots.get(m.slot);
      if (target && listening.has(target) && !target.isDead()) target.send({ ...m, from: from.id });
      else from.send({ type: REPLY_MESSAGE, id: m.id, unavailable: true } satisfies ReplyMessage);
    } else {
      const to = m.to === undefined ? undefined : cluster.workers?.[m.to];
      if (to && !to.isDead()) to.send(m);
    }
  };

  const fork = (slot: number) => {
    const worker = cluster.fork({ CONTRACT_DESK_WORKER_SLOT: String(slot), CONTRACT_DESK_WORKERS: String(options.workers) });
    slots.set(slot, worker);
    slotOf.set(worker, slot);
    // a message to a worker that is going away fails on its channel: logged, never thrown here
    worker.on('error', (e: Error) => options.log({ level: 'warn', msg: 'worker channel error', pid: worker.process.pid, error: e.message }));
    worker.on('message', (m: { type?: string; url?: string }) => {
      if (m?.type === CALL_MESSAGE || m?.type === REPLY_MESSAGE) return relay(worker, m as CallMessage | ReplyMessage);
      if (m?.type !== LISTENING_MESSAGE) return;
      listening.add(worker);
      failedStarts = 0;
      if (!everyoneListened && listening.size === options.workers) {
        everyoneListened = true;
        options.log({ level: 'info', msg: 'listening', url: m.url, workers: options.workers, database: 'server', docs: `${m.url}/docs` });
      }
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const hadListened = listening.delete(worker);
    if (stopping) {
      if (alive().length === 0) finish(stopping.code);
      return;
    }
    options.log({ level: 'error', msg: 'worker exited', pid: worker.process.pid, code, signal });
    if (!everyoneListened) {
      options.log({ level: 'fatal', msg: 'a worker failed to start: stopping' });
      return stop(1);
    }
    if (!hadListened && ++failedStarts >= maxFailedStarts) {
      options.log({ level: 'fatal', msg: `workers failed to start ${failedStarts} times in a row: stopping` });
      return stop(1);
    }
    const slot = slotOf.get(worker) as number;
    slotOf.delete(worker);
    setTimeout(() => {
      if (!stopping) fork(slot);
    }, restartDelayMs);
  });

  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  for (let slot = 0; slot < options.workers; slot++) fork(slot);
  return done;
}
