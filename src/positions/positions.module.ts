import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuthModule } from '../auth/auth.module';
import { ContractsModule } from '../contracts/contracts.module';
import { PaperExchangeModule } from '../exchanges/paper/paper-exchange.module';
import { MarketDataModule } from '../market-data/market-data.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { RiskModule } from '../risk/risk.module';
import { LiveAccountPublisher } from './live-account.publisher';
import { AdminAccountsController } from './admin-accounts.controller';
import { PositionsController } from './positions.controller';
import { PositionsService } from './positions.service';

@Module({
  imports: [AccountsModule, AuthModule, ContractsModule, PaperExchangeModule, RiskModule, MarketDataModule, RealtimeModule],
  controllers: [PositionsController, AdminAccountsController],
  providers: [PositionsService, LiveAccountPublisher],
  exports: [PositionsService],
})
export class PositionsModule {}
