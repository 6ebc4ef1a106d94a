import zlib from 'node:zlib';
import { JwtService } from '@nestjs/jwt';
import { DataSource, QueryFailedError } from 'typeorm';
import { toErrorBody } from '../../src/common/http/exception.filter';
import { createTestApp, uniqueName, type TestApp } from '../support/app';

const ERROR_SHAPE = {
  statusCode: expect.any(Number),
  error: expect.any(String),
  code: expect.any(String),
  message: expect.any(String),
};

describe('foundation (HTTP, auth, errors)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /health and /health/ready, and serves the OpenAPI document', async () => {
    expect((await t.http.get('/health')).body).toEqual({ status: 'ok' });
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.migrations).toBe('applied');
    const docs = await t.http.get('/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger');
    const json = await t.http.get('/docs-json');
    expect(Object.keys(json.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/admin/users']));
  });

  it('logs in and tells the caller who they are; the response carries a request id', async () => {
    const res = await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${t.adminToken}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: expect.any(Number), username: 'admin', role: 'admin' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a token accepted before is refused from the second it expires', async () => {
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await new JwtService({ secret: t.config.auth.jwtSecret }).signAsync({ sub: JSON.parse(Buffer.from(t.adminToken.split('.')[1], 'base64url').toString()).sub, exp });
    const ok = await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);
    expect(ok.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    const late = await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);
    expect(late.status).toBe(401);
    expect(late.body.code).toBe('TOKEN_EXPIRED');
    // a token differing in its signature is checked on its own, never taken for the one kept
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${tampered}`)).body.code).toBe('TOKEN_INVALID');
  });

  it('401: missing, malformed, wrong-signature and expired tokens, and wrong passwords', async () => {
    const none = await t.http.get('/api/v1/auth/me');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ ...ERROR_SHAPE, statusCode: 401, error: 'Unauthorized', code: 'TOKEN_MISSING' });
    const bad = await t.http.get('/api/v1/auth/me').set('Authorization', 'Bearer not.a.token');
    expect(bad.body.code).toBe('TOKEN_INVALID');
    const forged = await new JwtService({ secret: 'another-secret-that-is-long-enough-000000' }).signAsync({ sub: '1' });
    expect((await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${forged}`)).body.code).toBe('TOKEN_INVALID');
    const expired = await new JwtService({ secret: t.config.auth.jwtSecret }).signAsync({ sub: '1', exp: Math.floor(Date.now() / 1000) - 10 });
    const exp = await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${expired}`);
    expect(exp.status).toBe(401);
    expect(exp.body.code).toBe('TOKEN_EXPIRED');
    const wrong = await t.http.post('/api/v1/auth/login').send({ username: 'admin', password: 'wrong-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ ...ERROR_SHAPE, statusCode: 401, code: 'INVALID_CREDENTIALS' });
  });

  it('403: a viewer and a trader cannot use the admin routes', async () => {
    for (const role of ['viewer', 'trader'] as const) {
      const u = await t.newUser(role);
      const res = await t.http.get('/api/v1/admin/users').set('Authorization', `Bearer ${u.token}`);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ ...ERROR_SHAPE, statusCode: 403, error: 'Forbidden', code: 'ROLE_REQUIRED' });
    }
  });

  it('404: unknown routes and unknown users', async () => {
    const route = await t.http.get('/api/v1/nothing-here').set('Authorization', `Bearer ${t.adminToken}`);
    expect(route.status).toBe(404);
    expect(route.body).toEqual({ ...ERROR_SHAPE, statusCode: 404, error: 'Not Found', code: 'ROUTE_NOT_FOUND' });
    const user = await t.http.get('/api/v1/admin/users/999999999').set('Authorization', `Bearer ${t.adminToken}`);
    expect(user.status).toBe(404);
    expect(user.body.code).toBe('USER_NOT_FOUND');
  });

  it('400 with field details for invalid bodies and unknown fields; nothing is created', async () => {
    const username = uniqueName('bad');
    const res = await t.http
      .post('/api/v1/admin/users')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .send({ username, password: 'short', role: 'emperor', extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
    const fields = (res.body.details as { field: string; code: string }[]).map((d) => `${d.field}:${d.code}`);
    expect(fields).toEqual(expect.arrayContaining(['password:MIN_LENGTH', 'role:IS_IN', 'extra:UNKNOWN_FIELD']));
    const login = await t.http.post('/api/v1/auth/login').send({ username, password: 'short' });
    expect(login.status).toBe(401);
  });

  it('400 for malformed JSON', async () => {
    const res = await t.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"username": "admin",');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ ...ERROR_SHAPE, statusCode: 400, code: 'MALFORMED_JSON' });
  });

  it('reads request bodies as it always has: JSON (inflated, 1 MiB at most, UTF charsets) and forms; others are not read', async () => {
    const login = () => t.http.post('/api/v1/auth/login');
    const wrong = JSON.stringify({ username: 'admin', password: 'wrong-password' });
    const form = await login().type('form').send('username=admin&password=admin-password-for-tests');
    expect(form.status).toBe(200);
    expect(form.body.accessToken).toEqual(expect.any(String));
    // the compressed bytes as they are (superagent would JSON-encode a Buffer)
    const raw = (body: Buffer) => body as unknown as string;
    const gzip = await login().set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').serialize(raw).send(zlib.gzipSync(wrong));
    expect(gzip.body).toMatchObject({ statusCode: 401, code: 'INVALID_CREDENTIALS' });
    for (const type of ['text/plain', 'application/vnd.api+json', 'foo', '']) {
      const ignored = await login().set('Content-Type', type).send(wrong);
      expect(ignored.status).toBe(400);
      expect(ignored.body.code).toBe('VALIDATION_FAILED');
    }
    const empty = await login().set('Content-Type', 'application/json').send('');
    expect(empty.body.code).toBe('VALIDATION_FAILED');
    const scalar = await login().set('Content-Type', 'application/json').send('null');
    expect(scalar.body).toEqual({ ...ERROR_SHAPE, statusCode: 400, code: 'MALFORMED_JSON' });
    const large = await login().set('Content-Type', 'application/json').send(JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }));
    expect(large.status).toBe(413);
    expect(large.body).toEqual({ statusCode: 413, error: 'Payload Too Large', code: 'PAYLOAD_TOO_LARGE', message: 'request entity too large' });
    const charset = await login().set('Content-Type', 'application/json; charset=latin1').send(wrong);
    expect(charset.status).toBe(415);
    expect(charset.body).toEqual({ statusCode: 415, error: 'Unsupported Media Type', code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported charset "LATIN1"' });
    const encoding = await login().set('Content-Type', 'application/json').set('Content-Encoding', 'zzz').send(wrong);
    expect(encoding.status).toBe(415);
    expect(encoding.body.message).toBe('unsupported content encoding "zzz"');
  });

  it('matches routes regardless of case and of a trailing slash; an undecodable path is a 400', async () => {
    expect((await t.http.get('/HEALTH/')).body).toEqual({ status: 'ok' });
    const head = await t.http.head('/health');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('15');
    const options = await t.http.options('/health');
    expect(options.status).toBe(404);
    expect(options.body.code).toBe('ROUTE_NOT_FOUND');
    const bad = await t.http.get('/api/v1/contracts/%E0%A4%A').set('Authorization', `Bearer ${t.adminToken}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ statusCode: 400, error: 'Bad Request', code: 'BAD_REQUEST', message: "Failed to decode param '%E0%A4%A'" });
    const echoed = await t.http.get('/health').set('X-Request-Id', 'caller.id_1-2');
    expect(echoed.headers['x-request-id']).toBe('caller.id_1-2');
  });

  it('409 for a taken username', async () => {
    const u = await t.newUser('viewer');
    const res = await t.http
      .post('/api/v1/admin/users')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .send({ username: u.username, password: 'another-password', role: 'trader' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ ...ERROR_SHAPE, statusCode: 409, error: 'Conflict', code: 'USERNAME_TAKEN' });
  });

  it('maps a real unique-constraint violation of the database to 409 ALREADY_EXISTS', async () => {
    const ds = t.app.get(DataSource);
    const u = await t.newUser('viewer');
    let caught: unknown;
    try {
      await ds.query(`INSERT INTO users (username, password_hash, role) VALUES ($1, 'x', 'viewer')`, [u.username]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(QueryFailedError);
    expect(toErrorBody(caught)).toMatchObject({ statusCode: 409, code: 'ALREADY_EXISTS' });
    let check: unknown;
    try {
      await ds.query(`INSERT INTO users (username, password_hash, role) VALUES ($1, 'x', 'emperor')`, [uniqueName('r')]);
    } catch (e) {
      check = e;
    }
    expect(toErrorBody(check)).toMatchObject({ statusCode: 400, code: 'CONSTRAINT_VIOLATION' });
  });

  it('admin creates, lists (paginated), changes and disables users; a disabled user is locked out at once', async () => {
    const u = await t.newUser('viewer');
    const me = await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${u.token}`);
    expect(me.body.role).toBe('viewer');
    const patched = await t.http
      .patch(`/api/v1/admin/users/${u.id}`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .send({ role: 'trader' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: u.id, role: 'trader', disabled: false });
    expect(patched.body).not.toHaveProperty('passwordHash');
    expect((await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${u.token}`)).body.role).toBe('trader');

    const page1 = await t.http.get('/api/v1/admin/users?limit=1').set('Authorization', `Bearer ${t.adminToken}`);
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await t.http.get(`/api/v1/admin/users?limit=1&cursor=${page1.body.nextCursor}`).set('Authorization', `Bearer ${t.adminToken}`);
    expect(page2.body.items[0].id).toBeGreaterThan(page1.body.items[0].id);
    const tooMany = await t.http.get('/api/v1/admin/users?limit=501').set('Authorization', `Bearer ${t.adminToken}`);
    expect(tooMany.status).toBe(400);

    await t.http.patch(`/api/v1/admin/users/${u.id}`).set('Authorization', `Bearer ${t.adminToken}`).send({ disabled: true });
    const locked = await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${u.token}`);
    expect(locked.status).toBe(401);
    expect(locked.body.code).toBe('USER_DISABLED');
  });

  it('stores passwords with a slow hash, never in clear', async () => {
    const u = await t.newUser('viewer');
    const [row] = await t.app.get(DataSource).query('SELECT password_hash FROM users WHERE id = $1', [u.id]);
    expect(row.password_hash).toMatch(/^\$2[aby]\$10\$/);
    expect(row.password_hash).not.toContain('password-of-');
  });

  it('gives every new user a paper account', async () => {
    const u = await t.newUser('trader');
    const rows = await t.app.get(DataSource).query('SELECT exchange, is_default FROM exchange_accounts WHERE user_id = $1', [u.id]);
    expect(rows).toEqual([{ exchange: 'paper', is_default: true }]);
  });
});
