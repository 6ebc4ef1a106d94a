/**
 * The Socket.IO edge (API.md "Socket.IO"), on the HTTP server's port.
 *
 * - Handshake: `auth: {token}` is verified before the connection exists; a missing, bad or expired
 *   token is refused with `connect_error` whose `data.code` is TOKEN_MISSING, TOKEN_INVALID,
 *   TOKEN_EXPIRED or USER_DISABLED. Without a token, WS_PUBLIC_MARKET_DATA=true admits the socket
 *   for market data only.
 * - Every authenticated socket joins `user:<id>` and receives the private events (UserEventsService).
 * - `subscribe` / `unsubscribe` `{channel, symbol, exchange?}` answer an acknowledgement
 *   `{ok: true, channel, symbol}` or `{ok: false, code, message}`; an error leaves the connection
 *   open. A subscription is answered with the channel's latest value, then its updates.
 * - A session ends with its token: when the token expires the socket receives `session_ended`
 *   `{code: 'TOKEN_EXPIRED', message}` and is disconnected; when an admin disables the user, every
 *   socket of that user, on every instance, receives `session_ended` `{code: 'USER_DISABLED'}` and
 *   is disconnected. The client reconnects with a fresh token.
 */
import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import type { Caller } from '../auth/auth.decorators';
import { AuthService } from '../auth/auth.service';
import { UsersService } from '../auth/users.service';
import { DomainError, UnauthorizedError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MarketDataService, PAPER_EXCHANGE } from '../market-data/market-data.service';
import { MarketBroadcaster } from './market-broadcaster';
import { UserPresence } from './user-presence';
import { MARKET_CHANNELS, marketRoom, type MarketChannel, type SubscriptionAck, userRoom } from './realtime-events';

interface SocketData {
  /** null: an anonymous market-data socket (WS_PUBLIC_MARKET_DATA). */
  caller: Caller | null;
  /** When the token expires (epoch ms); undefined for an anonymous socket. */
  expiresAt?: number;
}

/** setTimeout's longest delay; a longer-lived token is checked again when this fires. */
const MAX_TIMER_MS = 2_147_483_647;

type ClientSocket = Socket<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>;

type HandshakeError = Error & { data?: { code: string } };

function handshakeError(code: string, message: string): HandshakeError {
  const err: HandshakeError = new Error(message);
  err.data = { code };
  return err;
}

@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnModuleDestroy {
  @WebSocketServer() server: Server | undefined;
  private readonly logger = new Logger(RealtimeGateway.name);
  private stopBroadcast: (() => void) | undefined;

  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly marketData: MarketDataService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly presence: UserPresence,
  ) {}

  afterInit(server: Server): void {
    server.use((socket, next) => {
      this.authenticate(socket as ClientSocket).then(
        () => next(),
        (e: unknown) => {
          if (e instanceof DomainError) return next(handshakeError(e.code, e.message));
          this.logger.error({ msg: 'socket handshake failed', error: e instanceof Error ? e.message : String(e) });
          next(handshakeError('INTERNAL', 'The handshake failed'));
        },
      );
    });
    this.users.onUserChanged((user) => {
      if (user.disabled) this.endSessions(server, user.id, 'USER_DISABLED', 'This user was disabled');
    });
    const broadcaster = new MarketBroadcaster(server.of('/'), this.logger);
    this.stopBroadcast = this.marketData.onSnapshots((snapshots) => broadcaster.broadcast(snapshots));
  }

  onModuleDestroy(): void {
    this.stopBroadcast?.();
  }

  async handleConnection(socket: ClientSocket): Promise<void> {
    const caller = socket.data.caller;
    if (!caller) return;
    await socket.join(userRoom(caller.id));
    this.expireAt(socket);
  }

  /** Ends the socket's session when its token expires. */
  private expireAt(socket: ClientSocket): void {
    const expiresAt = socket.data.expiresAt;
    if (expiresAt === undefined) return;
    const timer = setTimeout(() => {
      if (Date.now() < expiresAt) return this.expireAt(socket);
      this.endSession(socket, 'TOKEN_EXPIRED', 'The token has expired: reconnect with a new token');
    }, Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - Date.now())));
    timer.unref();
    socket.once('disconnect', () => clearTimeout(timer));
  }

  private endSession(socket: ClientSocket, code: string, message: string): void {
    (socket as unknown as Socket).emit('session_ended', { code, message });
    socket.disconnect(true);
  }

  /** Every socket of the user, on every instance (through the Redis adapter when there is one). */
  private endSessions(server: Server, userId: number, code: string, message: string): void {
    const room = server.in(userRoom(userId));
    room.emit('session_ended', { code, message });
    room.disconnectSockets(true);
  }

  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: ClientSocket, @MessageBody() body: unknown): Promise<SubscriptionAck> {
    const parsed = this.parse(body);
    if (!parsed.ok) return parsed;
    const { channel, symbol, exchange } = parsed;
    await socket.join(marketRoom(channel, exchange, symbol));
    const snapshot = this.marketData.snapshot(symbol, exchange);
    // The current value follows the acknowledgement (sent when this handler returns).
    if (snapshot) setImmediate(() => socket.connected && (socket as unknown as Socket).emit(channel, snapshot.events[channel]));
    return { ok: true, channel, symbol };
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(@ConnectedSocket() socket: ClientSocket, @MessageBody() body: unknown): Promise<SubscriptionAck> {
    const parsed = this.parse(body);
    if (!parsed.ok) return parsed;
    const { channel, symbol, exchange } = parsed;
    await socket.leave(marketRoom(channel, exchange, symbol));
    return { ok: true, channel, symbol };
  }

  private async authenticate(socket: ClientSocket): Promise<void> {
    const token: unknown = socket.handshake.auth?.token;
    if (token === undefined || token === null || token === '') {
      if (!this.config.ws.publicMarketData) throw new UnauthorizedError('TOKEN_MISSING', 'An access token is required: connect with auth: {token}');
      socket.data.caller = null;
      return;
    }
    if (typeof token !== 'string') throw new UnauthorizedError('TOKEN_INVALID', 'The token is invalid');
    const caller = await this.auth.verifyToken(token);
    socket.data.caller = caller;
    socket.data.expiresAt = tokenExpiry(token);
    // present (on every instance) before the client sees `connect`; uncounted when the connection
    // ends, whether or not the socket got as far as connecting
    const release = await this.presence.connected(caller.id);
    socket.once('disconnect', release);
    socket.conn.once('close', release);
  }

  private parse(body: unknown): { ok: true; channel: MarketChannel; symbol: string; exchange: string } | Extract<SubscriptionAck, { ok: false }> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { ok: false, code: 'VALIDATION_FAILED', message: 'The payload must be an object {channel, symbol, exchange?}' };
    }
    const { channel, symbol, exchange = PAPER_EXCHANGE } = body as Record<string, unknown>;
    if (typeof channel !== 'string' || !(MARKET_CHANNELS as readonly string[]).includes(channel)) {
      return { ok: false, code: 'INVALID_CHANNEL', message: `channel must be one of ${MARKET_CHANNELS.join(', ')}` };
    }
    if (typeof symbol !== 'string' || symbol.length === 0 || symbol.length > 64) {
      return { ok: false, code: 'VALIDATION_FAILED', message: 'symbol must be a contract symbol such as BTCUSDT' };
    }
    if (typeof exchange !== 'string' || exchange.length === 0 || exchange.length > 32) {
      return { ok: false, code: 'VALIDATION_FAILED', message: 'exchange must be an exchange name such as paper' };
    }
    if (!this.marketData.isKnownSymbol(symbol, exchange)) {
      return { ok: false, code: 'SYMBOL_NOT_FOUND', message: `symbol ${symbol} was not found on exchange ${exchange}` };
    }
    return { ok: true, channel: channel as MarketChannel, symbol, exchange };
  }
}

/** The `exp` of a token already verified (epoch ms), or undefined when it has none. */
function tokenExpiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
