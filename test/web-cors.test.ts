import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { ALL_WEEK } from './helpers/access-fixtures.js';
import { factories } from './helpers/factories.js';
import { corsHeaders, listen, makeKey, type TestKey } from './helpers/web.js';

const ORIGIN = 'https://cors.example.com';
let t: TestApp;
let base: string;
let admin: Record<string, string>;
let queueName: string;
let key: TestKey;

const preflight = (path: string, origin: string, method = 'POST', headers = 'x-api-key, content-type') =>
  fetch(`${base}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } });

beforeAll(async () => {
  t = await buildTestApp({ env: { RATE_LIMIT_MAX: '1000000', PUBLISHABLE_RATE_LIMIT_PER_IP: '100000' } });
  admin = (await authHeader(t, ['administrator'])).headers;
  const make = factories(t.database.db);
  queueName = (await make.queue({ businessHoursId: (await make.hours({ weekly: ALL_WEEK })).id })).name;
  key = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN] });
  base = await listen(t);
}, 120_000);
afterAll(async () => t?.close());

describe('CORS for publishable keys (real sockets)', () => {
  it.each(['/actions/v1/callbacks/create', '/actions/v1/availability', '/actions/v1/open-for', '/actions/v1/queue-status'])(
    'a preflight to %s from an allowed origin: that origin, the headers a page sends, POST, a max-age, Vary: Origin',
    async (path) => {
      const res = await preflight(path, ORIGIN);
      expect(res.status).toBe(204);
      const h = corsHeaders(res);
      expect(h['access-control-allow-origin']).toBe(ORIGIN);
      expect(h['access-control-allow-headers']!.split(/,\s*/).sort()).toEqual(['content-type', 'x-api-key', 'x-captcha-token']);
      expect(h['access-control-allow-methods']).toBe('POST');
      expect(h['access-control-max-age']).toBe('600');
      expect(h['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers.get('vary')?.toLowerCase()).toContain('origin');
    },
  );

  it('a preflight from a foreign origin, or a lookalike, gets no CORS header', async () => {
    for (const origin of ['https://evil.example.com', 'https://cors.example.com.evil.net', 'http://cors.example.com', 'null']) {
      const res = await preflight('/actions/v1/callbacks/create', origin);
      expect(corsHeaders(res), origin).toEqual({});
    }
  });

  it('never answers "*"', async () => {
    const res = await fetch(`${base}/actions/v1/availability`, { method: 'POST', headers: { origin: ORIGIN, 'x-api-key': key.key, 'content-type': 'application/json' }, body: JSON.stringify({ queue: queueName }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-expose-headers')).toContain('retry-after');
  });

  it.each([
    ['/admin/v1/clients', 'GET'],
    ['/admin/v1/callbacks', 'GET'],
    ['/auth/v1/session', 'POST'],
    ['/oauth/token', 'POST'],
    ['/events/v1/conversation-acd-start', 'POST'],
    ['/console/', 'GET'],
    ['/actions/v1/callbacks/cancel', 'POST'],
    ['/actions/v1/callbacks/lookup', 'POST'],
    ['/healthz', 'GET'],
  ])('no CORS at all on %s (%s): the preflight answers without any Access-Control-* header', async (path, method) => {
    const res = await preflight(path, ORIGIN, method);
    // OPTIONS answers what the path allows (204 with Allow), as it always has: nothing for another origin.
    expect(res.headers.get('allow')).toContain(method);
    expect(corsHeaders(res)).toEqual({});
  });

  it('a real admin request from an allowed origin carries no CORS header either', async () => {
    const res = await fetch(`${base}/admin/v1/clients`, { headers: { ...admin, origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual({});
  });

  it('the preflight follows the keys: a new key opens its origin at once, a deactivated one closes it', async () => {
    const origin = `https://new-${Math.random().toString(36).slice(2, 8)}.example.com`;
    expect(corsHeaders(await preflight('/actions/v1/availability', origin))).toEqual({});
    const k = await makeKey(t, admin, { queues: [queueName], origins: [origin] });
    expect(corsHeaders(await preflight('/actions/v1/availability', origin))['access-control-allow-origin']).toBe(origin);
    const off = await t.app.inject({ method: 'PATCH', url: `/admin/v1/clients/${k.clientId}`, headers: admin, payload: { active: false } });
    expect(off.statusCode).toBe(200);
    expect(corsHeaders(await preflight('/actions/v1/availability', origin))).toEqual({});
  });

  it('corsOriginAllowed answers what a preflight does', async () => {
    expect(await t.app.corsOriginAllowed(ORIGIN, 'POST', '/actions/v1/callbacks/create')).toBe(true);
    expect(await t.app.corsOriginAllowed(ORIGIN, 'POST', '/actions/v1/callbacks/cancel')).toBe(false);
    expect(await t.app.corsOriginAllowed('https://evil.example.com', 'POST', '/actions/v1/callbacks/create')).toBe(false);
    expect(await t.app.corsOriginAllowed(undefined, 'POST', '/actions/v1/callbacks/create')).toBe(false);
  });
});

describe('rate limits of publishable keys', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await buildTestApp({ url: t.url, env: { PUBLISHABLE_RATE_LIMIT_PER_IP: '5', PUBLISHABLE_RATE_LIMIT_PER_KEY: '1000', PUBLISHABLE_RATE_LIMIT_WINDOW_SECONDS: '3600' } });
  }, 120_000);
  afterAll(async () => limited?.close());
  const hit = (k: string, ip: string) =>
    limited.app.inject({ method: 'POST', url: '/actions/v1/open-for', remoteAddress: ip, headers: { 'x-api-key': k, origin: ORIGIN }, payload: { queue: queueName } });

  it('per client IP: a bounded burst of 20 at once lets exactly the default 5 through, 429 with Retry-After for the rest; another IP is not affected', async () => {
    const k = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN] });
    const answers = await Promise.all(Array.from({ length: 20 }, () => hit(k.key, '10.1.0.1')));
    const codes = answers.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(5);
    expect(codes.filter((c) => c === 429)).toHaveLength(15);
    const refused = answers.find((r) => r.statusCode === 429)!;
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ error: 'RATE_LIMITED' });
    expect((await hit(k.key, '10.1.0.2')).statusCode).toBe(200);
  });

  it("per key: the key's own limit holds across IPs", async () => {
    const k = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN], rateLimit: { perKey: 4, perIp: 100 } });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => hit(k.key, `10.2.0.${i + 1}`)));
    expect(answers.filter((r) => r.statusCode === 200)).toHaveLength(4);
    expect(answers.filter((r) => r.statusCode === 429)).toHaveLength(8);
    // Another key from the same IPs has its own allowance.
    const other = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN] });
    expect((await hit(other.key, '10.2.0.1')).statusCode).toBe(200);
  });

  it("a key's own per-IP limit is used instead of the default", async () => {
    const k = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN], rateLimit: { perIp: 2 } });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await hit(k.key, '10.3.0.1')).statusCode);
    expect(codes).toEqual([200, 200, 429, 429]);
  });
});
