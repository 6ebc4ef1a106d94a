import { Module, OnModuleInit } from '@nestjs/common';
import { AccountsModule } from '../../accounts/accounts.module';
import { AccountsService } from '../../accounts/accounts.service';
import { ContractsModule } from '../../contracts/contracts.module';
import { ContractsService } from '../../contracts/contracts.service';
import { MarketDataModule } from '../../market-data/market-data.module';
import { PaperExchangeService } from './paper-exchange.service';
import { PaperMarketBridge } from './paper-market.bridge';

@Module({
  imports: [AccountsModule, ContractsModule, MarketDataModule],
  providers: [PaperExchangeService, PaperMarketBridge],
  exports: [PaperExchangeService],
})
export class PaperExchangeModule implements OnModuleInit {
  constructor(
    private readonly paper: PaperExchangeService,
    private readonly contracts: ContractsService,
    private readonly accounts: AccountsService,
  ) {}

  async onModuleInit(): Promise<void> {
    const specs = [];
    for (const c of await this.contracts.list({ exchange: 'paper' })) specs.push(await this.contracts.getSpec(c.symbol, 'paper'));
    this.paper.useContracts(specs);
    this.accounts.setPaperAccountInitializer({ initialize: (m, account) => this.paper.initialize(m, account.id) });
  }
}
