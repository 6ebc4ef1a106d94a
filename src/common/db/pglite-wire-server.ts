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
 *
 * Named prepared statements and portals live in that one session too: each connection's names are
 * prefixed with its own id on the way in (Parse, Bind, Describe, Execute, Close), so that two
 * connections preparing the same name each get their own statement, and a closed connection's
 * statements are deallocated.
 */
import net from 'node:net';

interface PGliteLike {
  isInTransaction(): boolean;
  runExclusive<T>(fn: () => Promise<T>): Promise<T>;
  execProtocolRawStream(message: Uint8Array, options: { onRawData: (data: Uint8Array) => void }): Promise<void>;
}

/** Whom a unit's answers go to. */
interface Client {
  readonly closed: boolean;
  write(data: Uint8Array): void;
  close(): void;
  /** Sends `data` (an error), then ends the connection. */
  terminate(data: Uint8Array): void;
}

interface Unit {
  conn: Client;
  message: Buffer;
}

/** Answers nobody reads (the deallocation of a closed connection's statements). */
const NOBODY: Client = { closed: false, write: () => undefined, close: () => undefined, terminate: () => undefined };

/** A message of the given type with the given body (length filled in). */
function message(type: string, body: Buffer): Buffer {
  const m = Buffer.alloc(5 + body.length);
  m.write(type, 0);
  m.writeInt32BE(4 + body.length, 1);
  body.copy(m, 5);
  return m;
}

/** Reads the NUL-terminated string at `at`: the string and the offset after its NUL. */
function cstring(buf: Buffer, at: number): [string, number] {
  const end = buf.indexOf(0, at);
  return [buf.toString('utf8', at, end), end + 1];
}

let connectionIds = 0;

/** What PostgreSQL sends a session it ends for idle_in_transaction_session_timeout (SQLSTATE 25P03). */
const IDLE_IN_TRANSACTION = message(
  'E',
  Buffer.from('SFATAL\0VFATAL\0C25P03\0Mterminating connection due to idle-in-transaction timeout\0\0'),
);

/** A simple-protocol Query message: ROLLBACK. */
const ROLLBACK = message('Q', Buffer.from('ROLLBACK\0'));

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** Message types that end a unit: Sync, simple Query, Flush, Terminate, CopyDone/CopyFail. */
const UNIT_END = new Set(['S', 'Q', 'H', 'X', 'c', 'f']);
class Connection implements Client {
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Buffer[] = [];
  private startupDone = false;
  closed = false;
  /** This connection's statement and portal names in the shared session start with this. */
  private readonly prefix = `c${++connectionIds}_`;
  /** Named statements prepared by this connection (session names), deallocated when it closes. */
  readonly statements = new Set<string>();

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
      const type = String.fromCharCode(this.buffer[0]);
      const message = this.renamed(type, Buffer.from(this.buffer.subarray(0, length)));
      this.buffer = this.buffer.subarray(length);
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

  private own(name: string): string {
    return name === '' ? name : this.prefix + name;
  }

  /** The message with this connection's statement and portal names made its own. */
  private renamed(type: string, m: Buffer): Buffer {
    const body = m.subarray(5);
    switch (type) {
      case 'P': {
        // Parse: statement name, query, parameter types
        const [name, rest] = cstring(body, 0);
        if (name === '') return m;
        this.statements.add(this.own(name));
        return message(type, Buffer.concat([Buffer.from(`${this.own(name)}\0`), body.subarray(rest)]));
      }
      case 'B': {
        // Bind: portal name, statement name, the rest
        const [portal, afterPortal] = cstring(body, 0);
        const [name, rest] = cstring(body, afterPortal);
        if (portal === '' && name === '') return m;
        return message(type, Buffer.concat([Buffer.from(`${this.own(portal)}\0${this.own(name)}\0`), body.subarray(rest)]));
      }
      case 'D':
      case 'C': {
        // Describe / Close: 'S' or 'P', then the name
        const [name, rest] = cstring(body, 1);
        if (name === '') return m;
        if (type === 'C' && body[0] === 0x53) this.statements.delete(this.own(name));
        return message(type, Buffer.concat([body.subarray(0, 1), Buffer.from(`${this.own(name)}\0`), body.subarray(rest)]));
      }
      case 'E': {
        // Execute: portal name, row limit
        const [portal, rest] = cstring(body, 0);
        if (portal === '') return m;
        return message(type, Buffer.concat([Buffer.from(`${this.own(portal)}\0`), body.subarray(rest)]));
      }
      default:
        return m;
    }
  }

  write(data: Uint8Array): void {
    if (!this.closed && this.socket.writable) this.socket.write(data);
  }

  terminate(data: Uint8Array): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end(data);
    this.server.release(this);
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
  private owner: Client | null = null;

  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: PGliteLike,
    private readonly maxConnections = 32,
    /**
     * A connection that holds a transaction open and sends nothing for this long is ended (its
     * transaction rolled back), as PostgreSQL's idle_in_transaction_session_timeout does: every
     * other connection waits for the open transaction here, so a client stuck inside one would
     * otherwise stop the whole service.
     */
    private readonly idleInTransactionMs = 30_000,
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
    if (unit.conn === this.owner) this.clearIdle();
    this.queue.push(unit);
    void this.drain();
  }

  /**
   * A closed connection's queued work is dropped; its open transaction is rolled back by drain(),
   * then its prepared statements are deallocated.
   */
  release(conn: Connection): void {
    this.connections.delete(conn);
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].conn === conn) this.queue.splice(i, 1);
    if (conn.statements.size > 0) {
      const closes = [...conn.statements].map((name) => message('C', Buffer.from(`S${name}\0`)));
      this.queue.push({ conn: NOBODY, message: Buffer.concat([...closes, message('S', Buffer.alloc(0))]) });
      conn.statements.clear();
    }
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
        const { conn, message: unitMessage } = unit;
        if (conn.closed) continue;
        try {
          await this.db.runExclusive(() => this.db.execProtocolRawStream(new Uint8Array(unitMessage), { onRawData: (d) => conn.write(d) }));
        } catch {
          conn.close();
        }
        if (this.db.isInTransaction()) this.owner = conn;
      }
    } finally {
      this.processing = false;
    }
    this.armIdle();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** Starts the idle-in-transaction clock when the owner of an open transaction has nothing queued. */
  private armIdle(): void {
    this.clearIdle();
    const owner = this.owner;
    if (!owner || owner.closed || !this.db.isInTransaction()) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.owner !== owner || owner.closed || this.processing || this.queue.some((u) => u.conn === owner)) return;
      if (!this.db.isInTransaction()) return;
      owner.terminate(IDLE_IN_TRANSACTION); // released: its transaction is rolled back and the others are served
    }, this.idleInTransactionMs);
    this.idleTimer.unref();
  }

  async close(): Promise<void> {
    this.clearIdle();
    for (const c of [...this.connections]) c.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
