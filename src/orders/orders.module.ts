import { Module } from '@nestjs/common';
import { WorkerCalls } from '../common/cluster/worker-calls';
import { AccountsModule } from '../accounts/accounts.module';
import { AuthModule } from '../auth/auth.module';
import { ContractsModule } from '../contracts/contracts.module';
import { PaperExchangeModule } from '../exchanges/paper/paper-exchange.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { RiskModule } from '../risk/risk.module';
import { AlertsModule } from '../alerts/alerts.module';
import { TradingEventsPublisher } from './trading-events.publisher';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [AlertsModule, AccountsModule, AuthModule, ContractsModule, PaperExchangeModule, RiskModule, RealtimeModule],
  controllers: [OrdersController],
  providers: [OrdersService, TradingEventsPublisher, WorkerCalls],
  exports: [OrdersService],
})
export class OrdersModule {}
