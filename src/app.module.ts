import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from './accounts/accounts.module';
import { AuthModule } from './auth/auth.module';
import { dataSourceOptions } from './common/db/data-source';
import { MigrationRunner } from './common/db/migration-runner';
import { GlobalExceptionFilter } from './common/http/exception.filter';
import { requestIdMiddleware } from './common/logging/request-id.middleware';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.database.url) throw new Error('database url must be resolved before the app module is built');
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config.database.url, config.database.embedded ? 4 : config.database.poolSize)),
        AccountsModule,
        AuthModule,
        HealthModule,
      ],
      providers: [MigrationRunner, { provide: APP_FILTER, useClass: GlobalExceptionFilter }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(requestIdMiddleware).forRoutes('*');
  }
}
