/**
 * A PostgreSQL wire-protocol server in front of one in-process PGlite database, so the ordinary `pg`
 * driver (and TypeORM) connect to it by URL exactly as to a server.
 *
 * Why not @electric-sql/pglite-socket's server: PGlite is ONE backend session shared by every
 * connection, and that server interleaves single protocol messages of different connections. With
 * the extended query protocol (Parse/Bind/Describe/Execute/Sync — every parameterized query) one
 * connection's Bind can then meet another's Parse ("bind message supplies 3 parameters, but prepared
 * statement requires 1"), or worse, run with the wrong statement. Here a connection's messages are
 * executed as one unit up to each Sync (or simple Query), and while a transaction is open only the
 * connection that opened it is served; the others wait — which is how transactions serialize.
 */
import net from 'node:net';

interface PGliteLike {
  isInTransaction(): boolean;
  runExclusive<T>(fn: () => Promise<T>): Promise<T>;
  execProtocolRawStream(message: Uint8Array, options: { onRawData: (data: Uint8Array) => void }): Promise<void>;
}

interface Unit {
  conn: Connection;
  message: Buffer;
}

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** Message types that end a unit: Sync, simple Query, Flush, Terminate, CopyDone/CopyFail. */
const UNIT_END = new Set(['S', 'Q', 'H', 'X', 'c', 'f']);
/** A simple-protocol Query message: ROLLBACK. */
const ROLLBACK = (() => {
  const sql = Buffer.from('ROLLBACK\0');
  const m = Buffer.alloc(5 + sql.length);
  m.write('Q', 0);
  m.writeInt32BE(4 + sql.length, 1);
  sql.copy(m, 5);
  return m;
})();

class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Buffer[] = [];
  private startupDone = false;
  closed = false;

  constructor(
    readonly socket: net.Socket,
    private readonly server: PGliteWireServer,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (!this.startupDone) {
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        const code = this.buffer.readInt32BE(4);
        if (this.buffer.length < length) return;
        const message = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        if (code === SSL_REQUEST) {
          this.socket.write('N');
          continue;
        }
        if (code === CANCEL_REQUEST) {
          this.socket.end();
          return;
        }
        if (code !== PROTOCOL_3) {
          this.socket.destroy();
          return;
        }
        this.startupDone = true;
        this.server.enqueue({ conn: this, message: Buffer.from(message) });
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = 1 + this.buffer.readInt32BE(1);
      if (this.buffer.length < length) return;
      const message = Buffer.from(this.buffer.subarray(0, length));
      this.buffer = this.buffer.subarray(length);
      const type = String.fromCharCode(message[0]);
      if (type === 'X') {
        this.close();
        return;
      }
      this.pending.push(message);
      if (UNIT_END.has(type)) {
        const unit = Buffer.concat(this.pending);
        this.pending = [];
        this.server.enqueue({ conn: this, message: unit });
      }
    }
  }

  write(data: Uint8Array): void {
    if (!this.closed && this.socket.writable) this.socket.write(data);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.server.release(this);
  }
}

export class PGliteWireServer {
  private readonly server: net.Server;
  private readonly queue: Unit[] = [];
  private readonly connections = new Set<Connection>();
  private processing = false;
  /** The connection whose transaction is open, served alone until it ends. */
  private owner: Connection | null = null;

  constructor(
    private readonly db: PGliteLike,
    private readonly maxConnections = 32,
  ) {
    this.server = net.createServer((socket) => {
      if (this.connections.size >= this.maxConnections) {
        socket.end();
        return;
      }
      this.connections.add(new Connection(socket, this));
    });
  }

  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return { host, port: (this.server.address() as net.AddressInfo).port };
  }

  enqueue(unit: Unit): void {
    this.queue.push(unit);
    void this.drain();
  }

  /** A closed connection's queued work is dropped; its open transaction is rolled back by drain(). */
  release(conn: Connection): void {
    this.connections.delete(conn);
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].conn === conn) this.queue.splice(i, 1);
    void this.drain();
  }

  private next(): Unit | undefined {
    if (this.owner && this.db.isInTransaction()) {
      const i = this.queue.findIndex((u) => u.conn === this.owner);
      return i < 0 ? undefined : this.queue.splice(i, 1)[0];
    }
    this.owner = null;
    return this.queue.shift();
  }

  /**
   * Rolls back the transaction a vanished connection left open. Sent as a protocol message inside
   * runExclusive: PGlite's exec() takes the same lock and would wait on itself.
   */
  private async abandonOwner(): Promise<void> {
    if (this.owner?.closed) {
      if (this.db.isInTransaction()) {
        await this.db.runExclusive(() => this.db.execProtocolRawStream(new Uint8Array(ROLLBACK), { onRawData: () => undefined }));
      }
      this.owner = null;
    }
  }

  private async drain(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (;;) {
        await this.abandonOwner();
        const unit = this.next();
        if (!unit) break;
        const { conn, message } = unit;
        if (conn.closed) continue;
        try {
          await this.db.runExclusive(() => this.db.execProtocolRawStream(new Uint8Array(message), { onRawData: (d) => conn.write(d) }));
        } catch {
          conn.close();
        }
        if (this.db.isInTransaction()) this.owner = conn;
      }
    } finally {
      this.processing = false;
    }
  }

  async close(): Promise<void> {
    for (const c of [...this.connections]) c.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
