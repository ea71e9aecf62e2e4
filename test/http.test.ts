import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, makeClient, type TestApp } from './helpers/app.js';

let t: TestApp;
let admin: { authorization: string };
beforeAll(async () => {
  t = await buildTestApp({
    env: { BODY_LIMIT_BYTES: '2048' },
    // A route that fails the way a real bug would: an internal error with details that must not leak.
    beforeReady: (app) =>
      app.get('/test/boom', { config: { public: true } }, async () => {
        throw new Error('relation "api_clients" password=hunter2 at /srv/app/src/x.ts:12');
      }),
  });
  admin = (await authHeader(t, ['administrator'])).headers;
});
afterAll(async () => t.close());

const errorShape = { error: expect.any(String), message: expect.any(String), correlationId: expect.any(String) };

describe('error answers', () => {
  it('malformed JSON → 400 INVALID_JSON', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: { ...admin, 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ ...errorShape, error: 'INVALID_JSON' });
  });

  it('an empty JSON body → 400 INVALID_JSON', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: { ...admin, 'content-type': 'application/json' }, payload: '' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('INVALID_JSON');
  });

  it('a body over the limit → 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/v1/clients',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(5_000), roles: ['actions'] }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ ...errorShape, error: 'PAYLOAD_TOO_LARGE' });
  });

  it('a content type other than JSON → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const res = await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: { ...admin, 'content-type': type }, payload: 'name=x' });
      expect(res.statusCode, type).toBe(415);
      expect(res.json()).toMatchObject({ ...errorShape, error: 'UNSUPPORTED_MEDIA_TYPE' });
    }
  });

  it('an unknown route → 404 NOT_FOUND, with or without a token', async () => {
    for (const headers of [{}, admin]) {
      const res = await t.app.inject({ method: 'GET', url: '/admin/v1/nothing-here?x=1', headers });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ ...errorShape, error: 'NOT_FOUND', message: 'Route GET /admin/v1/nothing-here not found' });
    }
  });

  it('schema violations → 400 naming the field, in the body, params and query', async () => {
    const body = await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: admin, payload: { name: 'x', roles: { admin: true } } });
    expect(body.json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'roles' });
    const params = await t.app.inject({ method: 'GET', url: '/admin/v1/clients/123', headers: admin });
    expect(params.json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'id' });
    const query = await t.app.inject({ method: 'GET', url: '/admin/v1/audit?limit=9999', headers: admin });
    expect(query.statusCode).toBe(400);
    expect(query.json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'limit' });
  });

  it('a 500 says only "Internal error" and carries the correlation id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/boom', headers: { 'inin-correlation-id': 'abc-123' } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'INTERNAL', message: 'Internal error', correlationId: 'abc-123' });
    expect(res.body).not.toContain('hunter2');
  });
});

describe('correlation ids', () => {
  it('are taken from ININ-Correlation-Id, echoed in the header and the error body', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: { 'ININ-Correlation-Id': 'genesys-corr-42' } });
    expect(res.headers['inin-correlation-id']).toBe('genesys-corr-42');
    expect(res.json().correlationId).toBe('genesys-corr-42');
  });

  it('are generated when absent or unsafe to log', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(none.headers['inin-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'inin-correlation-id': 'x\u001b[31m"}{' } });
    expect(unsafe.headers['inin-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('operations', () => {
  it('/healthz and /readyz answer without a token', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready', checks: { database: 'ok', worker: 'elsewhere' } });
  });

  it('/metrics counts requests per route and status, with durations and pool stats', async () => {
    await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: admin });
    await t.app.inject({ method: 'GET', url: '/admin/v1/clients/00000000-0000-4000-8000-000000000000', headers: admin });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/http_requests_total\{method="GET",route="\/admin\/v1\/clients",status_code="200"\} \d+/);
    // Route patterns, never raw ids, label the series.
    expect(res.body).toMatch(/route="\/admin\/v1\/clients\/:id",status_code="404"/);
    expect(res.body).not.toContain('00000000-0000-4000-8000-000000000000');
    expect(res.body).toMatch(/http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/admin\/v1\/clients",status_code="200"\}/);
    expect(res.body).toMatch(/db_pool_connections\{state="total"\} \d+/);
  });
});

describe('rate limits', () => {
  it('answer 429 in the error shape with Retry-After, per client', async () => {
    const limited = await buildTestApp({ url: t.url, env: { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' } });
    try {
      const a = (await authHeader(limited, ['administrator'])).headers;
      const b = (await authHeader(limited, ['administrator'])).headers;
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await limited.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: a })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429]);
      const res = await limited.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: a });
      expect(res.statusCode).toBe(429);
      expect(res.json()).toMatchObject({ ...errorShape, error: 'RATE_LIMITED' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // Another client has its own budget.
      expect((await limited.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: b })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('limit the token endpoint per IP, more strictly', async () => {
    const limited = await buildTestApp({ url: t.url, env: { TOKEN_RATE_LIMIT_MAX: '2' } });
    try {
      const c = await makeClient(limited, ['actions']);
      const ask = (ip: string) =>
        limited.app.inject({
          method: 'POST',
          url: '/oauth/token',
          remoteAddress: ip,
          payload: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: 'wrong' },
        });
      expect((await ask('10.0.0.1')).statusCode).toBe(401);
      expect((await ask('10.0.0.1')).statusCode).toBe(401);
      const third = await ask('10.0.0.1');
      expect(third.statusCode).toBe(429);
      // Seconds until the 60 s window ends.
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(third.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect((await ask('10.0.0.2')).statusCode).toBe(401);
    } finally {
      await limited.close();
    }
  });
});
