import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MarketDataModule } from '../market-data/market-data.module';
import { RealtimeGateway } from './realtime.gateway';
import { UserEventsService } from './user-events.service';
import { UserPresence } from './user-presence';

/**
 * The Socket.IO gateway and the private events. Other modules import it for UserEventsService
 * (`emitToUser(userId, 'order', record)`).
 */
@Module({
  imports: [AuthModule, MarketDataModule],
  providers: [RealtimeGateway, UserEventsService, UserPresence],
  exports: [UserEventsService],
})
export class RealtimeModule {}
