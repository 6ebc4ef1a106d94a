/**
 * The embedded default: with no DATABASE_URL the service starts its own PGlite database in DATA_DIR,
 * keeps its data across a restart, and refuses a second process on the same folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { buildApp, configFromEnv } from '../../src/bootstrap';
import { startEmbeddedPostgres } from '../../src/common/db/embedded-postgres';

describe('embedded database', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-desk-embedded-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('keeps users across a restart, and generated secrets stay the same', async () => {
    const env = { ...process.env, DATABASE_URL: undefined, DATA_DIR: dataDir, JWT_SECRET: undefined, ADMIN_PASSWORD: undefined };
    const first = await buildApp(configFromEnv(env), { logger: false });
    expect(first.config.database.embedded).toBe(true);
    const password = first.config.auth.adminPassword;
    expect(password.length).toBeGreaterThanOrEqual(16);
    const http1 = request(first.app.getHttpServer());
    const admin = await http1.post('/api/v1/auth/login').send({ username: 'admin', password });
    expect(admin.status).toBe(200);
    const created = await http1
      .post('/api/v1/admin/users')
      .set('Authorization', `Bearer ${admin.body.accessToken}`)
      .send({ username: 'survivor', password: 'survivor-password', role: 'trader' });
    expect(created.status).toBe(201);
    await first.close();

    const second = await buildApp(configFromEnv(env), { logger: false });
    try {
      expect(second.config.auth.adminPassword).toBe(password);
      const http2 = request(second.app.getHttpServer());
      expect((await http2.get('/health/ready')).status).toBe(200);
      const login = await http2.post('/api/v1/auth/login').send({ username: 'survivor', password: 'survivor-password' });
      expect(login.status).toBe(200);
      // a token of the first run is still valid: the JWT key was kept
      const me = await http2.get('/api/v1/auth/me').set('Authorization', `Bearer ${admin.body.accessToken}`);
      expect(me.body.username).toBe('admin');
    } finally {
      await second.close();
    }
  });

  it('refuses a second process on the same data folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-desk-lock-'));
    fs.writeFileSync(path.join(dir, 'contract-desk.lock'), String(process.ppid));
    await expect(startEmbeddedPostgres({ dataDir: dir })).rejects.toThrow(/in use by process/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
