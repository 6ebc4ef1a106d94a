import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__EMBEDDED_PG__?.stop();
  if (globalThis.__EMBEDDED_PG_DIR__) fs.rmSync(globalThis.__EMBEDDED_PG_DIR__, { recursive: true, force: true });
}
