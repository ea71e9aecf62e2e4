import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, skewDateNow, type TestApp } from './helpers/app.js';
import { ALL_WEEK, randomPhone } from './helpers/access-fixtures.js';
import { factories } from './helpers/factories.js';
import { corsHeaders, listen, makeKey, type TestKey } from './helpers/web.js';

const ORIGIN = 'https://shop.example.com';
const FOREIGN = 'https://evil.example.net';
let t: TestApp;
let base: string;
let admin: Record<string, string>;
let queueName: string;
let otherQueue: string;
let key: TestKey;

const phone = () => randomPhone('+1212555');

function call(path: string, opts: { key?: string; origin?: string | null; body?: unknown; method?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.key !== undefined) headers['x-api-key'] = opts.key;
  if (opts.origin !== null) headers.origin = opts.origin ?? ORIGIN;
  return fetch(`${base}${path}`, { method: opts.method ?? 'POST', headers, ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }) });
}

beforeAll(async () => {
  t = await buildTestApp({ env: { RATE_LIMIT_MAX: '1000000', PUBLISHABLE_RATE_LIMIT_PER_IP: '100000', PUBLISHABLE_RATE_LIMIT_PER_KEY: '100000' } });
  admin = (await authHeader(t, ['administrator'])).headers;
  const make = factories(t.database.db);
  const hours = await make.hours({ weekly: ALL_WEEK });
  queueName = (await make.queue({ businessHoursId: hours.id })).name;
  otherQueue = (await make.queue({ businessHoursId: hours.id })).name;
  key = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN, 'http://localhost:5173'] });
  base = await listen(t);
}, 120_000);
afterAll(async () => t?.close());

describe('publishable keys: creation', () => {
  const create = (payload: object) => t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: admin, payload: { name: `k-${Math.random()}`, kind: 'publishable', ...payload } });

  it('answers the key once, then shows it masked with kind, origins and limits', async () => {
    const res = await create({ queues: [queueName], origins: [ORIGIN] });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as { client: Record<string, unknown> & { keys: { key: string }[] }; publishableKey: string; clientSecret?: string };
    expect(body.publishableKey).toMatch(/^pk_[A-Za-z0-9_-]{32}$/);
    expect(body.clientSecret).toBeUndefined();
    expect(body.client).toMatchObject({ kind: 'publishable', roles: ['actions'], queues: [queueName], origins: [ORIGIN], allowNoOrigin: false, rateLimit: { perKey: null, perIp: null }, captcha: null });
    const got = await t.app.inject({ method: 'GET', url: `/admin/v1/clients/${body.client.clientId as string}`, headers: admin });
    expect(got.body).not.toContain(body.publishableKey);
    expect((got.json() as { keys: { key: string }[] }).keys[0]!.key).toBe(`pk_…${body.publishableKey.slice(-4)}`);
    // Stored by SHA-256 only: the database holds no working key.
    const rows = await t.database.db.selectFrom('publishable_keys').selectAll().where('client_id', '=', body.client.clientId as string).execute();
    expect(JSON.stringify(rows)).not.toContain(body.publishableKey);
  });

  it('server clients answer kind "server" and refuse the fields of a key', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: admin });
    const items = (list.json() as { items: { kind: string; origins?: unknown }[] }).items;
    expect(items.some((c) => c.kind === 'server' && c.origins === undefined)).toBe(true);
    const res = await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: admin, payload: { name: `s-${Math.random()}`, roles: ['actions'], origins: [ORIGIN] } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: 'origins' });
  });

  it.each([
    [{ origins: [ORIGIN] }, 'queues'],
    [{ queues: [], origins: [ORIGIN] }, 'queues'],
    [{ queues: null, origins: [ORIGIN] }, 'queues'],
    [{ queues: ['Q'] }, 'origins'],
    [{ queues: ['Q'], origins: [] }, 'origins'],
    [{ queues: ['Q'], origins: ['https://*.example.com'] }, 'origins[0]'],
    [{ queues: ['Q'], origins: ['https://example.com/'] }, 'origins[0]'],
    [{ queues: ['Q'], origins: ['https://example.com/page'] }, 'origins[0]'],
    [{ queues: ['Q'], origins: ['https://Example.com'] }, 'origins[0]'],
    [{ queues: ['Q'], origins: ['https://example.com:443'] }, 'origins[0]'],
    [{ queues: ['Q'], origins: ['http://example.com'] }, 'origins[0]'],
    [{ queues: ['Q'], origins: [ORIGIN, 'example.com'] }, 'origins[1]'],
    [{ queues: ['Q'], origins: [ORIGIN], roles: ['administrator'] }, 'roles'],
    [{ queues: ['Q'], origins: [ORIGIN], captcha: { provider: 'recaptcha-v3', secret: 's' } }, 'captcha.action'],
    [{ queues: ['Q'], origins: [ORIGIN], captcha: { provider: 'hcaptcha' } }, 'captcha.secret'],
    [{ queues: ['Q'], origins: [ORIGIN], captcha: { provider: 'hcaptcha', secret: 's', minScore: 0.3 } }, 'captcha.minScore'],
  ])('refuses %j naming %s', async (payload, field) => {
    const res = await create(payload);
    expect(res.statusCode, res.body).toBe(400);
    expect((res.json() as { field?: string }).field).toContain(field);
  });
});

describe('publishable keys: calls from a browser', () => {
  it('an allowed origin books a callback through the key, with CORS headers for that origin', async () => {
    const res = await call('/actions/v1/callbacks/create', { key: key.key, body: { queue: queueName, phoneNumber: phone() } });
    expect(res.status, await res.clone().text()).toBe(200);
    const answer = (await res.json()) as { outcome: string; callbackId: string };
    expect(answer.outcome).toBe('CREATED');
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('vary')?.toLowerCase()).toContain('origin');
    // Recorded as made by the key's client, like any client's callback.
    const row = await t.database.db.selectFrom('callbacks').select(['created_by']).where('id', '=', answer.callbackId).executeTakeFirstOrThrow();
    expect(row.created_by).toBe(key.clientId);
  });

  it.each(['/actions/v1/availability', '/actions/v1/open-for', '/actions/v1/queue-status'])('%s answers the key', async (path) => {
    const res = await call(path, { key: key.key, body: { queue: queueName } });
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it.each([
    ['priority', 1_000_000],
    ['waitedSeconds', 3600],
    ['conversationId', 'c0ffee00-0000-4000-8000-000000000000'],
  ])('a create through a key may not set %s (the contact center decides it): 400 naming it, nothing created', async (field, value) => {
    const phoneNumber = phone();
    const res = await call('/actions/v1/callbacks/create', { key: key.key, body: { queue: queueName, phoneNumber, [field]: value } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { field: string }).field).toBe(field);
    const rows = await t.database.db.selectFrom('callbacks').select('id').where('phone_e164', '=', phoneNumber).execute();
    expect(rows).toEqual([]);
  });

  it('another queue than its own: 403', async () => {
    const res = await call('/actions/v1/callbacks/create', { key: key.key, body: { queue: otherQueue, phoneNumber: phone() } });
    expect(res.status).toBe(403);
  });

  it('a foreign origin: 403 ORIGIN_NOT_ALLOWED and no CORS headers', async () => {
    const res = await call('/actions/v1/callbacks/create', { key: key.key, origin: FOREIGN, body: { queue: queueName, phoneNumber: phone() } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe('ORIGIN_NOT_ALLOWED');
    expect(corsHeaders(res)).toEqual({});
  });

  it("an origin of another key, not this one's: 403 ORIGIN_NOT_ALLOWED and no CORS headers", async () => {
    await makeKey(t, admin, { queues: [queueName], origins: ['https://other-shop.example.com'] });
    const res = await call('/actions/v1/availability', { key: key.key, origin: 'https://other-shop.example.com', body: { queue: queueName } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe('ORIGIN_NOT_ALLOWED');
    expect(corsHeaders(res)).toEqual({});
  });

  it('no Origin: refused unless the key allows it (apps)', async () => {
    const refused = await call('/actions/v1/availability', { key: key.key, origin: null, body: { queue: queueName } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toBe('ORIGIN_NOT_ALLOWED');
    const app = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN], allowNoOrigin: true });
    const ok = await call('/actions/v1/availability', { key: app.key, origin: null, body: { queue: queueName } });
    expect(ok.status, await ok.clone().text()).toBe(200);
  });

  it('an unknown key: 401; an empty one: 401', async () => {
    expect((await call('/actions/v1/availability', { key: 'pk_nope', body: { queue: queueName } })).status).toBe(401);
    expect((await call('/actions/v1/availability', { key: '', body: { queue: queueName } })).status).toBe(401);
  });

  it('the token endpoint refuses a publishable client with a clear error', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: key.clientId, client_secret: key.key } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_client' });
    expect((res.json() as { error_description: string }).error_description).toContain('publishable');
  });
});

describe('publishable keys: rotation and revocation', () => {
  it('a rotation with overlap keeps the old key working until then; overlap 0 ends it at once', async () => {
    const k = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN] });
    const rotate = (overlapSeconds: number) => t.app.inject({ method: 'POST', url: `/admin/v1/clients/${k.clientId}/rotate-key`, headers: admin, payload: { overlapSeconds } });
    const tooLong = await rotate(8 * 24 * 3600);
    expect(tooLong.statusCode).toBe(400);
    const first = await rotate(3600);
    expect(first.statusCode, first.body).toBe(200);
    const second = (first.json() as { publishableKey: string; client: { keys: { expiresAt: string | null }[] } });
    expect(second.client.keys).toHaveLength(2);
    expect(second.client.keys[0]!.expiresAt).toBeNull();
    expect(second.client.keys[1]!.expiresAt).not.toBeNull();
    for (const used of [k.key, second.publishableKey]) expect((await call('/actions/v1/open-for', { key: used, body: { queue: queueName } })).status).toBe(200);
    const third = (await rotate(0)).json() as { publishableKey: string };
    for (const gone of [k.key, second.publishableKey]) expect((await call('/actions/v1/open-for', { key: gone, body: { queue: queueName } })).status).toBe(401);
    expect((await call('/actions/v1/open-for', { key: third.publishableKey, body: { queue: queueName } })).status).toBe(200);
    // A server client has no key to rotate, a key no secret.
    const server = await authHeader(t, ['actions']);
    expect((await t.app.inject({ method: 'POST', url: `/admin/v1/clients/${server.client.clientId}/rotate-key`, headers: admin, payload: {} })).statusCode).toBe(409);
    expect((await t.app.inject({ method: 'POST', url: `/admin/v1/clients/${k.clientId}/rotate-secret`, headers: admin })).statusCode).toBe(409);
  });

  it('deactivating revokes at once here, and on another replica within the cache ttl', async () => {
    const k = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN] });
    const replica = await buildTestApp({ url: t.url, env: { RATE_LIMIT_MAX: '1000000' } });
    try {
      const onReplica = () => replica.app.inject({ method: 'POST', url: '/actions/v1/open-for', headers: { 'x-api-key': k.key, origin: ORIGIN }, payload: { queue: queueName } });
      expect((await onReplica()).statusCode).toBe(200);
      const off = await t.app.inject({ method: 'PATCH', url: `/admin/v1/clients/${k.clientId}`, headers: admin, payload: { active: false } });
      expect(off.statusCode, off.body).toBe(200);
      expect((await call('/actions/v1/open-for', { key: k.key, body: { queue: queueName } })).status).toBe(401);
      const skew = skewDateNow();
      try {
        skew.advance(6_000);
        expect((await onReplica()).statusCode).toBe(401);
      } finally {
        skew.restore();
      }
    } finally {
      await replica.close();
    }
  });

  it('a PATCH changes only what it was sent, and refuses roles and an empty allow-list', async () => {
    const k = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN], rateLimit: { perIp: 5 } });
    const patch = (payload: object) => t.app.inject({ method: 'PATCH', url: `/admin/v1/clients/${k.clientId}`, headers: admin, payload });
    const res = await patch({ origins: [ORIGIN, 'https://m.example.com'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ origins: [ORIGIN, 'https://m.example.com'], queues: [queueName], rateLimit: { perKey: null, perIp: 5 }, allowNoOrigin: false });
    expect((await patch({ roles: ['administrator'] })).statusCode).toBe(400);
    expect((await patch({ queues: [] })).json()).toMatchObject({ field: 'queues' });
    expect((await patch({ kind: 'server' })).statusCode).toBe(400);
  });
});
