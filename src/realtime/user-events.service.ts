/**
 * Private events to one user's sockets, wherever they are connected: the room `user:<id>` is joined
 * at the handshake, and with REDIS_URL set the Redis adapter carries the emit to the other
 * instances. Orders, positions, accounts and alerts call `emitToUser` after their transaction commits.
 */
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { RealtimeGateway } from './realtime.gateway';
import { userRoom, type UserEventMap, type UserEventName } from './realtime-events';

@Injectable()
export class UserEventsService implements OnModuleDestroy {
  private stopping = false;

  constructor(private readonly gateway: RealtimeGateway) {}

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
