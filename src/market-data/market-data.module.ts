import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK, systemClock } from './clock';
import { CLUSTER_OPTIONS, clusterOptions } from './cluster-options';
import { FeedRunner } from './feed-runner.service';
import { MarketDataService } from './market-data.service';

/** The hot cache of market data and the paper market feed (on the cluster's leader). */
@Module({
  providers: [
    { provide: CLUSTER_OPTIONS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => clusterOptions(config) },
    { provide: CLOCK, useValue: systemClock },
    MarketDataService,
    FeedRunner,
  ],
  exports: [MarketDataService, FeedRunner, CLUSTER_OPTIONS, CLOCK],
})
export class MarketDataModule {}
