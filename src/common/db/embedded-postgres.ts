/**
 * The embedded database: PGlite (PostgreSQL compiled to WebAssembly, in-process) kept in a data
 * folder, served on 127.0.0.1 by our wire-protocol server (pglite-wire-server.ts) so that the ordinary `pg` driver and
 * TypeORM's `postgres` driver connect to it by URL, exactly as they connect to a server. The
 * application code is therefore the same on both.
 *
 * A lock file guards the data folder: PGlite itself does not stop two processes opening it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGliteWireServer } from './pglite-wire-server';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function acquireLock(dir: string): () => void {
  const lockFile = path.join(dir, 'contract-desk.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(lockFile, 'utf8') === String(process.pid)) fs.unlinkSync(lockFile);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number.parseInt(fs.readFileSync(lockFile, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && processAlive(owner)) {
        throw new Error(`The embedded database in ${dir} is in use by process ${owner}; stop it or set DATA_DIR`);
      }
      fs.unlinkSync(lockFile); // stale lock of a process that died
    }
  }
  throw new Error(`Could not lock the embedded database in ${dir}`);
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  maxConnections?: number;
  /** See PGliteWireServer (default 30 s). */
  idleInTransactionMs?: number;
}): Promise<EmbeddedPostgres> {
  const dir = path.resolve(options.dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  const release = acquireLock(path.resolve(options.dataDir));
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(dir);
    const server = new PGliteWireServer(db, options.maxConnections ?? 32, options.idleInTransactionMs);
    const { host, port } = await server.listen('127.0.0.1', options.port ?? 0);
    let stopped = false;
    return {
      url: `postgres://postgres@${host}:${port}/postgres?sslmode=disable`,
      async stop() {
        if (stopped) return;
        stopped = true;
        await server.close();
        await db.close();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}
