import { Module } from '@nestjs/common';
import { PaperExchangeModule } from '../exchanges/paper/paper-exchange.module';
import { MarketDataModule } from '../market-data/market-data.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { AdminAlertsController } from './admin-alerts.controller';
import { AlertsService } from './alerts.service';
import { LiquidationRiskMonitor } from './liquidation-risk.monitor';

@Module({
  imports: [RealtimeModule, PaperExchangeModule, MarketDataModule],
  controllers: [AdminAlertsController],
  providers: [AlertsService, LiquidationRiskMonitor],
  exports: [AlertsService],
})
export class AlertsModule {}
