/**
 * socket.io-client helpers for the real-time suites: connect to an app listening on loopback,
 * await events and acknowledgements with a deadline, and close everything opened.
 */
import { io, type Socket } from 'socket.io-client';
import type { INestApplication } from '@nestjs/common';

export type ClientSocket = Socket;

/** Starts the app's HTTP (and Socket.IO) server on a free loopback port; returns its base URL. */
export async function listen(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

export class Sockets {
  private readonly open: Socket[] = [];

  /** A websocket client, not yet connected. */
  client(url: string, token?: string): Socket {
    const socket = io(url, {
      transports: ['websocket'],
      auth: token === undefined ? {} : { token },
      reconnection: false,
      forceNew: true,
      autoConnect: false,
    });
    this.open.push(socket);
    return socket;
  }

  /** Connects; rejects with the connect_error. */
  async connect(url: string, token?: string): Promise<Socket> {
    const socket = this.client(url, token);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
      socket.connect();
    });
    return socket;
  }

  /** The connect_error a connection attempt ends with (fails if it connects). */
  async refusal(url: string, token?: string): Promise<Error & { data?: { code?: string } }> {
    const socket = this.client(url, token);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => reject(new Error('the connection was accepted')));
      socket.once('connect_error', (e) => resolve(e as Error & { data?: { code?: string } }));
      socket.connect();
    });
  }

  closeAll(): void {
    for (const s of this.open.splice(0)) s.disconnect();
  }
}

export async function emitWithAck<T>(socket: Socket, event: string, payload: unknown, timeoutMs = 5000): Promise<T> {
  return (await socket.timeout(timeoutMs).emitWithAck(event, payload)) as T;
}

/** Resolves with the first `event` that satisfies `predicate`, or rejects after `timeoutMs`. */
export function nextEvent<T>(socket: Socket, event: string, timeoutMs = 5000, predicate: (payload: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler);
      reject(new Error(`no "${event}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    const handler = (payload: T) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      socket.off(event, handler);
      resolve(payload);
    };
    socket.on(event, handler);
  });
}

/** Records every `event` payload from now on; `stop()` removes the listener. */
export function record<T>(socket: Socket, event: string): { items: T[]; stop(): void } {
  const items: T[] = [];
  const handler = (payload: T) => items.push(payload);
  socket.on(event, handler);
  return { items, stop: () => socket.off(event, handler) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
