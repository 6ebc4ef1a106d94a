/**
 * The shared folder of real historical futures data used by tests (never copied into the project):
 * SHARED_DATA_DIR if set, else `shared/data` beside the repository, else /work/shared/data.
 * A missing folder fails the test that needs it, saying where it looked.
 */
import fs from 'node:fs';
import path from 'node:path';

export function sharedDataDir(): string {
  const candidates = [process.env.SHARED_DATA_DIR, path.resolve(__dirname, '../../../shared/data'), '/work/shared/data'].filter(
    (c): c is string => typeof c === 'string' && c.length > 0,
  );
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'README.md')));
  if (!found) throw new Error(`The shared data folder was not found (looked in ${candidates.join(', ')}); set SHARED_DATA_DIR`);
  return found;
}
