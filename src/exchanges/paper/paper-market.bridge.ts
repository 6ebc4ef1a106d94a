import { Injectable, OnModuleInit } from '@nestjs/common';
import { MarketDataService } from '../../market-data/market-data.service';
import { PaperExchangeService } from './paper-exchange.service';

/** Feeds the market data service's ticks to the paper exchange: followed everywhere, processed on the leader. */
@Injectable()
export class PaperMarketBridge implements OnModuleInit {
  constructor(
    private readonly marketData: MarketDataService,
    private readonly paper: PaperExchangeService,
  ) {}

  onModuleInit(): void {
    this.marketData.onTick((ticks) => this.paper.followTicks(ticks), { everyInstance: true });
    this.marketData.onTick((ticks) => this.paper.processTicks(ticks));
  }
}
