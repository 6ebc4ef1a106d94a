/**
 * Private events to one user's sockets, wherever they are connected: the room `user:<id>` is joined
 * at the handshake, and with REDIS_URL set the Redis adapter carries the emit to the other
 * instances. Orders, positions, accounts and alerts call `emitToUser` after their transaction commits.
 */
import { Injectable } from '@nestjs/common';
import { RealtimeGateway } from './realtime.gateway';
import { userRoom, type UserEventMap, type UserEventName } from './realtime-events';

@Injectable()
export class UserEventsService {
  constructor(private readonly gateway: RealtimeGateway) {}

  /** Sends `event` to every socket of the user, on every instance; a no-op before the server starts. */
  emitToUser<E extends UserEventName>(userId: number, event: E, payload: UserEventMap[E]): void {
    this.gateway.server?.to(userRoom(userId)).emit(event, payload);
  }
}
