import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { ALL_WEEK, randomPhone } from './helpers/access-fixtures.js';
import { factories } from './helpers/factories.js';
import { startFakeCaptcha, type FakeCaptcha } from './helpers/fake-captcha.js';
import { listen, makeKey, type TestKey } from './helpers/web.js';

const ORIGIN = 'https://captcha.example.com';
const HOST = 'captcha.example.com';
const SECRET = 'recaptcha-secret-0123456789abcdef';
let t: TestApp;
let fake: FakeCaptcha;
let base: string;
let admin: Record<string, string>;
let queueName: string;
let v3: TestKey;

const phone = () => randomPhone('+1212555');
const token = () => `tok-${randomUUID()}`;
const good = (tok: string, over: Record<string, unknown> = {}) => fake.verdict(tok, { success: true, hostname: HOST, score: 0.9, action: 'callback', ...over });

async function create(k: TestKey, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/actions/v1/callbacks/create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': k.key, origin: ORIGIN, ...headers },
    body: JSON.stringify({ queue: queueName, phoneNumber: phone(), ...body }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: string; details?: { reason?: string } } };
}

async function metric(name: string, result: string): Promise<number> {
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`captcha_verifications_total{key="${name}",result="${result}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

beforeAll(async () => {
  fake = await startFakeCaptcha();
  t = await buildTestApp({
    env: { RATE_LIMIT_MAX: '1000000', PUBLISHABLE_RATE_LIMIT_PER_IP: '100000', CAPTCHA_VERIFY_BASE_URL: fake.baseUrl, CAPTCHA_VERIFY_TIMEOUT_MS: '500', DATABASE_POOL_MAX: '20' },
  });
  admin = (await authHeader(t, ['administrator'])).headers;
  const make = factories(t.database.db);
  queueName = (await make.queue({ businessHoursId: (await make.hours({ weekly: ALL_WEEK })).id })).name;
  v3 = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN], captcha: { provider: 'recaptcha-v3', secret: SECRET, action: 'callback', minScore: 0.5 } });
  base = await listen(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

describe('CAPTCHA on a publishable key', () => {
  it('the secret is stored encrypted and shown masked', async () => {
    const row = await t.database.db.selectFrom('api_clients').select('captcha').where('id', '=', v3.clientId).executeTakeFirstOrThrow();
    expect(JSON.stringify(row.captcha)).not.toContain(SECRET);
    const got = (await t.app.inject({ method: 'GET', url: `/admin/v1/clients/${v3.clientId}`, headers: admin })).json() as { captcha: { secret: string; provider: string } };
    expect(got.captcha).toMatchObject({ provider: 'recaptcha-v3', secret: `…${SECRET.slice(-4)}`, action: 'callback', minScore: 0.5 });
    expect(JSON.stringify(got)).not.toContain(SECRET);
  });

  it('without a token: 403 CAPTCHA_REQUIRED', async () => {
    const res = await create(v3, {});
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'CAPTCHA_REQUIRED', field: 'captchaToken' });
  });

  it('a good token (body) passes once: the provider was asked with the secret, the token and the client IP', async () => {
    const tok = token();
    good(tok);
    const before = await metric(v3.name, 'passed');
    const res = await create(v3, { captchaToken: tok });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.outcome).toBe('CREATED');
    const asked = fake.requests.filter((r) => r.fields.response === tok);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ path: '/recaptcha/api/siteverify', fields: { secret: SECRET, remoteip: '127.0.0.1' } });
    expect(await metric(v3.name, 'passed')).toBe(before + 1);
    // Used again for another request: refused, though the fake provider would accept it again.
    const again = await create(v3, { captchaToken: tok });
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ error: 'CAPTCHA_FAILED', details: { reason: 'reused' } });
  });

  it('the token may come in X-Captcha-Token', async () => {
    const tok = token();
    good(tok);
    expect((await create(v3, {}, { 'x-captcha-token': tok })).status).toBe(200);
  });

  it('a retry of the same request (same token, same idempotency key) passes without asking the provider again', async () => {
    const tok = token();
    good(tok);
    const body = { captchaToken: tok, idempotencyKey: randomUUID(), phoneNumber: phone() };
    const first = await create(v3, body);
    expect(first.status).toBe(200);
    const retriedBefore = await metric(v3.name, 'retried');
    const passedBefore = await metric(v3.name, 'passed');
    const second = await create(v3, body);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body).toMatchObject({ replayed: true, callbackId: first.body.callbackId });
    expect(fake.requests.filter((r) => r.fields.response === tok)).toHaveLength(1);
    expect(await metric(v3.name, 'retried')).toBe(retriedBefore + 1);
    expect(await metric(v3.name, 'passed')).toBe(passedBefore);
    // The same token with another idempotency key is a new request: refused.
    expect((await create(v3, { ...body, idempotencyKey: randomUUID() })).body).toMatchObject({ error: 'CAPTCHA_FAILED', details: { reason: 'reused' } });
  });

  it('two different requests racing with one token: exactly one passes', async () => {
    const tok = token();
    good(tok);
    const answers = await Promise.all(Array.from({ length: 6 }, () => create(v3, { captchaToken: tok })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const refused of answers.filter((a) => a.status !== 200)) expect(refused.body).toMatchObject({ error: 'CAPTCHA_FAILED', details: { reason: 'reused' } });
  });

  it.each([
    ['low_score', { score: 0.3 }],
    ['wrong_action', { action: 'login' }],
    ['wrong_hostname', { hostname: 'evil.example.net' }],
    ['failed', { success: false, 'error-codes': ['invalid-input-response'] }],
  ])('%s: 403 CAPTCHA_FAILED, counted', async (reason, over) => {
    const tok = token();
    good(tok, over);
    const before = await metric(v3.name, reason);
    const res = await create(v3, { captchaToken: tok });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'CAPTCHA_FAILED', field: 'captchaToken', details: { reason } });
    expect(await metric(v3.name, reason)).toBe(before + 1);
  });

  it('a token the provider does not know: CAPTCHA_FAILED; a token of the wrong type: 400', async () => {
    expect((await create(v3, { captchaToken: 'never-issued' })).body).toMatchObject({ error: 'CAPTCHA_FAILED' });
    const res = await create(v3, { captchaToken: 42 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: 'captchaToken' });
  });

  it('the verifier down or too slow: 503 with Retry-After, never 500', async () => {
    const tok = token();
    good(tok);
    try {
      fake.mode('down');
      const down = await create(v3, { captchaToken: tok });
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ error: 'SERVICE_UNAVAILABLE' });
      fake.mode('hang', 2_000);
      const slow = await create(v3, { captchaToken: tok });
      expect(slow.status).toBe(503);
    } finally {
      fake.mode('up');
    }
    // Not consumed by the failed checks: the same token passes once the provider answers.
    expect((await create(v3, { captchaToken: tok })).status).toBe(200);
    expect(await metric(v3.name, 'unavailable')).toBeGreaterThanOrEqual(2);
  });

  it('a key without CAPTCHA needs no token; switching it on and off takes effect at once', async () => {
    const k = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN] });
    expect((await create(k, {})).status).toBe(200);
    const on = await t.app.inject({ method: 'PATCH', url: `/admin/v1/clients/${k.clientId}`, headers: admin, payload: { captcha: { provider: 'hcaptcha', secret: 'hcaptcha-secret-xyz' } } });
    expect(on.statusCode, on.body).toBe(200);
    expect((await create(k, {})).body).toMatchObject({ error: 'CAPTCHA_REQUIRED' });
    // A change without a secret keeps the stored one.
    const hosts = await t.app.inject({ method: 'PATCH', url: `/admin/v1/clients/${k.clientId}`, headers: admin, payload: { captcha: { provider: 'hcaptcha', hostnames: ['app.example.org'] } } });
    expect(hosts.statusCode, hosts.body).toBe(200);
    const tok = token();
    fake.verdict(tok, { success: true, hostname: 'app.example.org' });
    expect((await create(k, { captchaToken: tok })).status).toBe(200);
    expect(fake.requests.find((r) => r.fields.response === tok)).toMatchObject({ path: '/siteverify', fields: { secret: 'hcaptcha-secret-xyz' } });
    const off = await t.app.inject({ method: 'PATCH', url: `/admin/v1/clients/${k.clientId}`, headers: admin, payload: { captcha: null } });
    expect(off.statusCode).toBe(200);
    expect((await create(k, {})).status).toBe(200);
  });

  it.each([
    ['turnstile', '/turnstile/v0/siteverify', { action: 'book' }, { action: 'book' }],
    ['recaptcha-v2', '/recaptcha/api/siteverify', {}, {}],
  ])('%s is checked at its own verify path', async (provider, path, settings, verdict) => {
    const k = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN], captcha: { provider, secret: `${provider}-secret`, ...settings } });
    const tok = token();
    fake.verdict(tok, { success: true, hostname: HOST, ...verdict });
    expect((await create(k, { captchaToken: tok })).status).toBe(200);
    expect(fake.requests.find((r) => r.fields.response === tok)?.path).toBe(path);
    if (provider === 'turnstile') {
      const wrong = token();
      fake.verdict(wrong, { success: true, hostname: HOST, action: 'other' });
      expect((await create(k, { captchaToken: wrong })).body).toMatchObject({ details: { reason: 'wrong_action' } });
    }
  });
});
