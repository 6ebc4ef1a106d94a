/**
 * Builds the application from the environment: validate the configuration, load or create the
 * generated secrets, start the embedded database when no DATABASE_URL is set, then the Nest app
 * (migrations run as it starts). Used by main.ts and by the tests alike.
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './common/db/embedded-postgres';
import { createHttpAdapter, keepDocsContentTypes } from './common/http/http-adapter';
import { createValidationPipe } from './common/http/validation';
import { JsonLogger } from './common/logging/json-logger';
import { buildConfig, type AppConfig } from './config/app-config';
import { validateEnv } from './config/env.schema';
import { clusterOptions } from './market-data/cluster-options';
import { RedisIoAdapter } from './realtime/redis-io.adapter';
import { loadOrCreateSecrets } from './config/secrets';

export interface BuiltApp {
  app: INestApplication;
  config: AppConfig;
  close(): Promise<void>;
}

export function configFromEnv(env: NodeJS.ProcessEnv): AppConfig {
  const parsed = validateEnv(env);
  const secrets = loadOrCreateSecrets(parsed, parsed.DATA_DIR);
  return buildConfig(parsed, secrets);
}

export async function buildApp(config: AppConfig, options: { logger?: JsonLogger | false } = {}): Promise<BuiltApp> {
  let embedded: EmbeddedPostgres | undefined;
  if (config.database.embedded) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.database.embeddedPort });
    config = { ...config, database: { ...config.database, url: embedded.url } };
  }
  try {
    const logger = options.logger === undefined ? new JsonLogger(config.logLevel) : options.logger;
    // Fastify (proxy trust, request bodies and routing set up in createHttpAdapter); Nest's own
    // body parsers stay off.
    const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), createHttpAdapter(config), {
      logger: logger === false ? false : logger,
      bodyParser: false,
    });
    app.useGlobalPipes(createValidationPipe());
    app.enableShutdownHooks();
    if (config.redisUrl) {
      // Socket.IO shares the HTTP server; with REDIS_URL its broadcasts reach every instance.
      const adapter = new RedisIoAdapter(app, clusterOptions(config), config.workers > 1 ? ['websocket'] : undefined);
      try {
        await adapter.connectToRedis(logger === false ? { warn: () => undefined } : logger);
      } catch (e) {
        await adapter.closeRedis();
        await app.close();
        throw e;
      }
      app.useWebSocketAdapter(adapter);
    }
    const doc = new DocumentBuilder()
      .setTitle('Contract Desk')
      .setDescription('Crypto futures trading: contracts, positions, orders, margin, on Binance, OKX and a paper exchange')
      .setVersion('1')
      .addBearerAuth()
      .build();
    keepDocsContentTypes(app.getHttpAdapter().getInstance(), '/docs');
    SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc), { jsonDocumentUrl: 'docs-json' });
    await app.init();
    // Fastify loads its plugins (the documentation's static files) once ready; the app then also
    // answers requests on its server without listen() (supertest).
    await app.getHttpAdapter().getInstance().ready();
    return {
      app,
      config,
      async close() {
        await app.close();
        await embedded?.stop();
      },
    };
  } catch (e) {
    await embedded?.stop();
    throw e;
  }
}
