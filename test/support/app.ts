/**
 * Builds the whole application for a test, on the test database (DATABASE_URL from global setup),
 * with supertest helpers: the admin's token and users of each role created through the API.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { buildApp, configFromEnv, type BuiltApp } from '../../src/bootstrap';
import { JsonLogger } from '../../src/common/logging/json-logger';
import type { Role } from '../../src/auth/user.entity';

export interface TestApp extends BuiltApp {
  http: TestAgent;
  adminToken: string;
  newUser(role: Role): Promise<{ id: number; username: string; token: string }>;
  login(username: string, password: string): Promise<string>;
}

let counter = 0;
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

export async function createTestApp(env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-desk-test-'));
  const config = configFromEnv({ ...process.env, DATA_DIR: dataDir, ...env });
  const built = await buildApp(config, { logger: new JsonLogger(config.logLevel) });
  const http = request(built.app.getHttpServer());
  const login = async (username: string, password: string) => {
    const res = await http.post('/api/v1/auth/login').send({ username, password });
    if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.accessToken as string;
  };
  const adminToken = await login('admin', 'admin-password-for-tests');
  return {
    ...built,
    http,
    adminToken,
    login,
    async newUser(role: Role) {
      const username = uniqueName(role);
      const password = 'password-of-' + username;
      const res = await http.post('/api/v1/admin/users').set('Authorization', `Bearer ${adminToken}`).send({ username, password, role });
      if (res.status !== 201) throw new Error(`user creation answered ${res.status}: ${JSON.stringify(res.body)}`);
      return { id: res.body.id as number, username, token: await login(username, password) };
    },
    async close() {
      await built.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
