import { Module } from '@nestjs/common';
import { PaperExchangeModule } from '../exchanges/paper/paper-exchange.module';
import { MarketDataModule } from '../market-data/market-data.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { AlertsModule } from '../alerts/alerts.module';
import { ForcedStopLossMonitor } from './forced-stop-loss.monitor';
import { RiskLimitsRepository } from './risk-limits.repository';
import { RiskService } from './risk.service';

@Module({
  imports: [AlertsModule, PaperExchangeModule, MarketDataModule, RealtimeModule],
  providers: [RiskService, RiskLimitsRepository, ForcedStopLossMonitor],
  exports: [RiskService, ForcedStopLossMonitor],
})
export class RiskModule {}
