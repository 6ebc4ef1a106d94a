/**
 * Pushes market snapshots to this instance's sockets (each instance serves its own sockets from its
 * own cache, so a tick crosses Redis once, not once per socket).
 *
 * - `ticker`, `markPrice`, `trades` and `funding` (when it changed) are room broadcasts.
 * - `depth` is conflated per socket: a socket whose connection still has packets waiting keeps only
 *   the latest book per room in a slot, sent when its connection drains — a slow client gets the
 *   latest book, not a backlog.
 * - A socket whose backlog still grows past the limits (packets waiting in engine.io, bytes waiting
 *   in the WebSocket) is disconnected, so that one slow client cannot grow the server's memory.
 */
import type { LoggerService } from '@nestjs/common';
import type { Namespace, Socket } from 'socket.io';
import type { DepthView, MarketSnapshot } from '../market-data/market-data.types';
import { marketRoom } from './realtime-events';

export interface BacklogLimits {
  /** engine.io packets waiting to be written. */
  maxPendingPackets: number;
  /** Bytes the WebSocket has not handed to the kernel yet. */
  maxPendingBytes: number;
}

export const DEFAULT_BACKLOG_LIMITS: BacklogLimits = { maxPendingPackets: 1000, maxPendingBytes: 8 * 1024 * 1024 };

/** What engine.io and ws keep private but expose at run time. */
interface ConnectionInternals {
  writeBuffer?: unknown[];
  transport?: { writable?: boolean; socket?: { bufferedAmount?: number } };
}

export function backlogOf(socket: Socket): { packets: number; bytes: number; writable: boolean } {
  const conn = socket.conn as unknown as ConnectionInternals;
  return {
    packets: conn.writeBuffer?.length ?? 0,
    bytes: conn.transport?.socket?.bufferedAmount ?? 0,
    writable: conn.transport?.writable !== false,
  };
}

export class MarketBroadcaster {
  private readonly depthSlots = new WeakMap<Socket, Map<string, DepthView>>();

  constructor(
    private readonly nsp: Namespace,
    private readonly logger: Pick<LoggerService, 'warn'>,
    private readonly limits: BacklogLimits = DEFAULT_BACKLOG_LIMITS,
  ) {}

  broadcast(snapshots: MarketSnapshot[]): void {
    if (this.nsp.sockets.size === 0) return;
    for (const s of snapshots) {
      const local = this.nsp.local;
      local.to(marketRoom('ticker', s.exchange, s.symbol)).emit('ticker', s.events.ticker);
      local.to(marketRoom('markPrice', s.exchange, s.symbol)).emit('markPrice', s.events.markPrice);
      if (s.events.trades.trades.length > 0) local.to(marketRoom('trades', s.exchange, s.symbol)).emit('trades', s.events.trades);
      if (s.fundingChanged) local.to(marketRoom('funding', s.exchange, s.symbol)).emit('funding', s.events.funding);
      this.depth(marketRoom('depth', s.exchange, s.symbol), s.events.depth);
    }
    this.dropSlowClients();
  }

  private depth(room: string, depth: DepthView): void {
    const ids = this.nsp.adapter.rooms.get(room);
    if (!ids) return;
    for (const id of ids) {
      const socket = this.nsp.sockets.get(id);
      if (!socket) continue;
      const backlog = backlogOf(socket);
      let slot = this.depthSlots.get(socket);
      if (backlog.packets === 0 && backlog.writable) {
        if (slot) {
          slot.set(room, depth);
          this.flush(socket);
        } else {
          socket.emit('depth', depth);
        }
        continue;
      }
      if (!slot) {
        slot = new Map();
        this.depthSlots.set(socket, slot);
        socket.conn.once('drain', () => this.flush(socket));
      }
      slot.set(room, depth);
    }
  }

  private flush(socket: Socket): void {
    const slot = this.depthSlots.get(socket);
    this.depthSlots.delete(socket);
    if (!slot || !socket.connected) return;
    for (const [room, depth] of slot) if (socket.rooms.has(room)) socket.emit('depth', depth);
  }

  private dropSlowClients(): void {
    for (const socket of this.nsp.sockets.values()) {
      const { packets, bytes } = backlogOf(socket);
      if (packets <= this.limits.maxPendingPackets && bytes <= this.limits.maxPendingBytes) continue;
      this.logger.warn({ msg: 'slow client disconnected', socketId: socket.id, userId: socket.data?.caller?.id ?? null, pendingPackets: packets, pendingBytes: bytes });
      this.depthSlots.delete(socket);
      socket.disconnect(true);
    }
  }
}
