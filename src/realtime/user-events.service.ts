/**
 * Private events to one user's sockets, wherever they are connected: the room `user:<id>` is joined
 * at the handshake, and with REDIS_URL set the Redis adapter carries the emit to the other
 * instances. Orders, positions, accounts and alerts call `emitToUser` after their transaction commits.
 */
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { RealtimeGateway } from './realtime.gateway';
import { userRoom, type UserEventMap, type UserEventName } from './realtime-events';

@Injectable()
export class UserEventsService implements OnModuleDestroy {
  private stopping = false;

  constructor(
    private readonly gateway: RealtimeGateway,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Could an event to the user reach anybody? Always with Redis (the user's sockets may be on
   * another instance); else only while one of the user's sockets is connected here. Publishers skip
   * building events nobody receives.
   */
  hasListeners(userId: number): boolean {
    if (this.stopping) return false;
    const server = this.gateway.server;
    if (!server) return false;
    if (this.config.redisUrl !== undefined) return true;
    return (server.of('/').adapter.rooms.get(userRoom(userId))?.size ?? 0) > 0;
  }

  /** Once the application is stopping, nothing more is sent (the Redis clients close next). */
  onModuleDestroy(): void {
    this.stopping = true;
  }

  /** Sends `event` to every socket of the user, on every instance; a no-op before the server starts and while it stops. */
  emitToUser<E extends UserEventName>(userId: number, event: E, payload: UserEventMap[E]): void {
    if (this.stopping) return;
    this.gateway.server?.to(userRoom(userId)).emit(event, payload);
  }
}
