/**
 * npm run migration:run | migration:revert | migration:generate -- <Name>
 * On the configured database: the server at DATABASE_URL, or the embedded one in DATA_DIR.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { configFromEnv } from '../bootstrap';
import { dataSourceOptions } from '../common/db/data-source';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../common/db/embedded-postgres';
import { runMigrationsLocked } from '../common/db/migration-runner';

async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  if (!['run', 'revert', 'generate'].includes(command ?? '')) {
    throw new Error('usage: migrate run | revert | generate <Name>');
  }
  const config = configFromEnv(process.env);
  let embedded: EmbeddedPostgres | undefined;
  let url = config.database.url;
  if (config.database.embedded) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir });
    url = embedded.url;
  }
  const ds = new DataSource(dataSourceOptions(url as string, 2));
  await ds.initialize();
  try {
    if (command === 'run') {
      await runMigrationsLocked(ds, (names) => process.stdout.write(names.length ? `applied: ${names.join(', ')}\n` : 'nothing to apply\n'));
    } else if (command === 'revert') {
      await ds.undoLastMigration({ transaction: 'each' });
      process.stdout.write('reverted the last migration\n');
    } else {
      if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error('generate needs a name in PascalCase');
      const sql = await ds.driver.createSchemaBuilder().log();
      if (sql.upQueries.length === 0) {
        process.stdout.write('the entities match the schema: nothing to generate\n');
        return;
      }
      const ts = Date.now();
      const esc = (q: string) => q.replace(/`/g, '\\`');
      const up = sql.upQueries.map((q) => `    await q.query(\`${esc(q.query)}\`);`).join('\n');
      const down = sql.downQueries.reverse().map((q) => `    await q.query(\`${esc(q.query)}\`);`).join('\n');
      const file = path.resolve('migrations', `${ts}-${name.replace(/[A-Z]/g, (c, i: number) => (i ? '-' : '') + c.toLowerCase())}.ts`);
      fs.writeFileSync(
        file,
        `import type { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${name}${ts} implements MigrationInterface {\n  name = '${name}${ts}';\n\n  async up(q: QueryRunner): Promise<void> {\n${up}\n  }\n\n  async down(q: QueryRunner): Promise<void> {\n${down}\n  }\n}\n`,
      );
      process.stdout.write(`wrote ${file}; add it to migrations/index.ts\n`);
    }
  } finally {
    await ds.destroy();
    await embedded?.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
