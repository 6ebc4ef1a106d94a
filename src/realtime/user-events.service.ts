/**
 * Private events to one user's sockets, wherever they are connected: the room `user:<id>` is joined
 * at the handshake, and with REDIS_URL set the Redis adapter carries the emit to the other
 * instances. Orders, positions, accounts and alerts call `emitToUser` after their transaction commits.
 */
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { RealtimeGateway } from './realtime.gateway';
import { UserPresence } from './user-presence';
import { userRoom, type UserEventMap, type UserEventName } from './realtime-events';

@Injectable()
export class UserEventsService implements OnModuleDestroy {
  private stopping = false;

  constructor(
    private readonly gateway: RealtimeGateway,
    private readonly presence: UserPresence,
  ) {}

  /**
   * Could an event to the user reach anybody — is one of the user's sockets connected here or, with
   * Redis, on another instance (UserPresence)? Publishers skip building events nobody receives, and
   * nothing is sent through Redis for them.
   */
  hasListeners(userId: number): boolean {
    if (this.stopping || !this.gateway.server) return false;
    return this.presence.present(userId);
  }

  /** The users an event could reach (see hasListeners): publishers of everyone's updates read only theirs. */
  listeningUsers(): number[] {
    if (this.stopping || !this.gateway.server) return [];
    return this.presence.users();
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
