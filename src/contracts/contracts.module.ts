import { Module } from '@nestjs/common';
import { MarketDataModule } from '../market-data/market-data.module';
import { ContractsController } from './contracts.controller';
import { ContractsService } from './contracts.service';

@Module({ imports: [MarketDataModule], controllers: [ContractsController], providers: [ContractsService], exports: [ContractsService] })
export class ContractsModule {}
