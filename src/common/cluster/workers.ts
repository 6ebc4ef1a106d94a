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
 */
import cluster, { type Worker } from 'node:cluster';

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

  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (m: { type?: string; url?: string }) => {
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
    setTimeout(() => {
      if (!stopping) fork();
    }, restartDelayMs);
  });

  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  for (let i = 0; i < options.workers; i++) fork();
  return done;
}
