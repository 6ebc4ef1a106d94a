import { buildApp, configFromEnv } from './bootstrap';
import { InvalidConfigurationError } from './config/env.schema';

async function main(): Promise<void> {
  let config;
  try {
    config = configFromEnv(process.env);
    config.auth.printGeneratedPassword = true;
  } catch (e) {
    if (e instanceof InvalidConfigurationError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
  const built = await buildApp(config);
  await built.app.listen(built.config.port, '0.0.0.0');
  const url = await built.app.getUrl();
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'listening', url, database: config.database.embedded ? 'embedded' : 'server', docs: `${url}/docs` })}\n`,
  );
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
