/**
 * Secrets the operator did not set are generated once and kept in DATA_DIR/secrets.json (mode 0600),
 * so tokens stay valid and stored API keys stay decryptable across restarts.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EnvSchema } from './env.schema';

interface StoredSecrets {
  jwtSecret?: string;
  masterKey?: string;
  adminPassword?: string;
}

export function loadOrCreateSecrets(env: EnvSchema, dataDir: string) {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'secrets.json');
  let stored: StoredSecrets = {};
  if (fs.existsSync(file)) stored = JSON.parse(fs.readFileSync(file, 'utf8')) as StoredSecrets;
  let changed = false;
  const pick = (configured: string | undefined, key: keyof StoredSecrets, make: () => string): string => {
    if (configured !== undefined) return configured;
    if (stored[key] === undefined) {
      stored[key] = make();
      changed = true;
    }
    return stored[key] as string;
  };
  const jwtSecret = pick(env.JWT_SECRET, 'jwtSecret', () => randomBytes(48).toString('base64url'));
  const masterKey = pick(env.MASTER_KEY, 'masterKey', () => randomBytes(32).toString('hex'));
  const adminPassword = pick(env.ADMIN_PASSWORD, 'adminPassword', () => randomBytes(15).toString('base64url'));
  if (changed) fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return { jwtSecret, masterKey, adminPassword, adminPasswordGenerated: env.ADMIN_PASSWORD === undefined };
}
