import cluster from 'node:cluster';
import { buildApp, configFromEnv } from './bootstrap';
import { reportListening, runPrimary } from './common/cluster/workers';
import { InvalidConfigurationError } from './config/env.schema';
import { PaperExchangeService } from './exchanges/paper/paper-exchange.service';

/** How long an instance waits for the market before it listens regardless. */
const MARKET_WAIT_MS = 15_000;

const log = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);

async function main(): Promise<void> {
  let config;
  try {
    // in the primary, this also creates the generated secrets (DATA_DIR/secrets.json) the workers then read
    config = configFromEnv(process.env);
    config.auth.printGeneratedPassword = true;
  } catch (e) {
    if (e instanceof InvalidConfigurationError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
  if (config.workers > 1 && cluster.isPrimary) {
    process.exit(await runPrimary({ workers: config.workers, log }));
  }
  const built = await buildApp(config);
  // take connections once the market has reached this instance (the first ticks, from the feed here or
  // through Redis), so that a new or replacement worker never answers an order NO_MARKET_DATA
  if (!(await built.app.get(PaperExchangeService).whenMarketData(MARKET_WAIT_MS))) {
    log({ level: 'warn', msg: `no market data after ${MARKET_WAIT_MS / 1000} s; listening anyway (orders answer 503 NO_MARKET_DATA until it comes)` });
  }
  await built.app.listen(built.config.port, '0.0.0.0');
  const url = await built.app.getUrl();
  if (cluster.isWorker) {
    log({ level: 'info', msg: 'worker listening', url, worker: cluster.worker?.id, pid: process.pid });
    reportListening(url);
  } else {
    log({ level: 'info', msg: 'listening', url, database: config.database.embedded ? 'embedded' : 'server', docs: `${url}/docs` });
  }
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await built.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'start failed', error: e instanceof Error ? e.message : String(e) })}\n`);
  process.exit(1);
});
