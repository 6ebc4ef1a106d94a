import { EventEmitter } from 'node:events';
import type { Namespace } from 'socket.io';
import type { MarketSnapshot } from '../market-data/market-data.types';
import { toSnapshot } from '../market-data/market-views';
import { PaperFeeds } from '../market-data/paper-feeds';
import { MarketBroadcaster } from './market-broadcaster';
import { marketRoom } from './realtime-events';

/** A socket as engine.io/socket.io expose it to the broadcaster, recording what it was sent. */
class FakeSocket {
  readonly rooms = new Set<string>();
  readonly data = { caller: null };
  readonly sent: { event: string; payload: { ts: number } }[] = [];
  connected = true;
  readonly conn = Object.assign(new EventEmitter(), {
    writeBuffer: [] as unknown[],
    transport: { writable: true, socket: { bufferedAmount: 0 } },
  });
  constructor(readonly id: string) {}
  emit(event: string, payload: { ts: number }) {
    this.sent.push({ event, payload });
    return true;
  }
  disconnect() {
    this.connected = false;
    this.nsp.sockets.delete(this.id);
  }
  nsp!: FakeNamespace;
}

class FakeNamespace {
  readonly sockets = new Map<string, FakeSocket>();
  readonly adapter = { rooms: new Map<string, Set<string>>() };
  readonly local = {
    to: (room: string) => ({
      emit: (event: string, payload: { ts: number }) => {
        for (const id of this.adapter.rooms.get(room) ?? []) this.sockets.get(id)?.emit(event, payload);
      },
    }),
  };
  add(id: string, rooms: string[]): FakeSocket {
    const s = new FakeSocket(id);
    s.nsp = this;
    this.sockets.set(id, s);
    for (const r of rooms) {
      s.rooms.add(r);
      if (!this.adapter.rooms.has(r)) this.adapter.rooms.set(r, new Set());
      this.adapter.rooms.get(r)!.add(id);
    }
    return s;
  }
}

describe(MarketBroadcaster.name, () => {
  const feeds = new PaperFeeds({ source: 'synthetic', seed: 42 });
  let previous: MarketSnapshot | undefined;
  const nextSnapshot = (ts: number): MarketSnapshot => {
    const tick = feeds.next(ts).find((t) => t.symbol === 'BTCUSDT')!;
    previous = toSnapshot('paper', tick, previous);
    return previous;
  };
  const depthRoom = marketRoom('depth', 'paper', 'BTCUSDT');
  const markRoom = marketRoom('markPrice', 'paper', 'BTCUSDT');
  const warnings: unknown[] = [];
  const logger = { warn: (m: unknown) => warnings.push(m) };

  it('sends every book to a drained socket, and only the latest book to a backlogged one when it drains', () => {
    const nsp = new FakeNamespace();
    const sut = new MarketBroadcaster(nsp as unknown as Namespace, logger, { maxPendingPackets: 100, maxPendingBytes: 1e9 });
    const fast = nsp.add('fast', [depthRoom]);
    const slow = nsp.add('slow', [depthRoom]);
    slow.conn.writeBuffer.push('a packet still waiting');
    for (let i = 1; i <= 5; i++) sut.broadcast([nextSnapshot(i * 100)]);
    expect(fast.sent.map((s) => s.payload.ts)).toEqual([100, 200, 300, 400, 500]);
    expect(slow.sent).toEqual([]);

    slow.conn.writeBuffer.length = 0;
    slow.conn.emit('drain');
    expect(slow.sent.map((s) => [s.event, s.payload.ts])).toEqual([['depth', 500]]);
    sut.broadcast([nextSnapshot(600)]);
    expect(slow.sent.map((s) => s.payload.ts)).toEqual([500, 600]);
  });

  it('disconnects a socket whose backlog passes the limits, and only that one', () => {
    const nsp = new FakeNamespace();
    const sut = new MarketBroadcaster(nsp as unknown as Namespace, logger, { maxPendingPackets: 3, maxPendingBytes: 1000 });
    const ok = nsp.add('ok', [markRoom]);
    const stuck = nsp.add('stuck', [markRoom]);
    const bloated = nsp.add('bloated', [markRoom]);
    stuck.conn.writeBuffer.push(1, 2, 3, 4);
    bloated.conn.transport.socket.bufferedAmount = 5000;
    sut.broadcast([nextSnapshot(700)]);
    expect(ok.connected).toBe(true);
    expect(stuck.connected).toBe(false);
    expect(bloated.connected).toBe(false);
    expect(ok.sent.map((s) => s.event)).toEqual(['markPrice']);
    expect(warnings).toHaveLength(2);
  });
});
