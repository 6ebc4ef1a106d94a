import { DynamicModule, Logger, Module } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from './accounts/accounts.module';
import { AlertsModule } from './alerts/alerts.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ContractsModule } from './contracts/contracts.module';
import { OrdersModule } from './orders/orders.module';
import { PositionsModule } from './positions/positions.module';
import { dataSourceOptions, poolSizeOf } from './common/db/data-source';
import { runMigrationsLocked } from './common/db/migration-runner';
import { GlobalExceptionFilter } from './common/http/exception.filter';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { MarketDataModule } from './market-data/market-data.module';
import { RealtimeModule } from './realtime/realtime.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.database.url) throw new Error('database url must be resolved before the app module is built');
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(config.database.url as string, poolSizeOf(config.database)),
          // The schema is migrated before any module starts using the database.
          dataSourceFactory: async (options) => {
            const ds = await new DataSource(options as DataSourceOptions).initialize();
            await runMigrationsLocked(ds, (names) => {
              if (names.length > 0) new Logger('Migrations').log({ msg: 'migrations applied', migrations: names });
            });
            return ds;
          },
        }),
        AuditModule,
        AccountsModule,
        AuthModule,
        // Before ContractsModule: their fixed routes (/contracts/account, /orders...) must win over /contracts/:symbol.
        OrdersModule,
        PositionsModule,
        ContractsModule,
        HealthModule,
        MarketDataModule,
        RealtimeModule,
        AlertsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: GlobalExceptionFilter }],
    };
  }
}
