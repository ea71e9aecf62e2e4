import { testContext } from './helpers/context.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { updateClient } from '../src/clients/service.js';
import { authHeader, buildTestApp, makeClient, TEST_JWT_SECRET, tokenFor, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('POST /oauth/token', () => {
  it('issues a bearer token to a client authenticated with HTTP Basic and a form body', async () => {
    const c = await makeClient(t, ['actions', 'events']);
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: basic(c.clientId, c.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 86_400, scope: 'actions events' });
    const claims = t.app.jwt.decode<{ sub: string; roles: string[]; exp: number; iat: number }>(body.access_token)!;
    expect(claims.sub).toBe(c.clientId);
    expect(claims.roles).toEqual(['actions', 'events']);
    expect(claims.exp - claims.iat).toBe(86_400);
  });

  it('accepts credentials in a JSON body and in a form body', async () => {
    const c = await makeClient(t, ['monitor']);
    const json = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret },
    });
    expect(json.statusCode).toBe(200);
    const form = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&client_id=${c.clientId}&client_secret=${encodeURIComponent(c.clientSecret)}`,
    });
    expect(form.statusCode).toBe(200);
  });

  it('carries the queue allow-list in the token', async () => {
    const c = await makeClient(t, ['actions'], { queues: ['Sales', 'Support'] });
    const claims = t.app.jwt.decode<{ queues: string[] }>(await tokenFor(t, c))!;
    expect(claims.queues).toEqual(['Sales', 'Support']);
  });

  it.each([
    ['a wrong secret', async () => ({ id: (await makeClient(t, ['actions'])).clientId, secret: 'wrong' })],
    ['an unknown client id', async () => ({ id: '4f1c7c3e-1d2b-4c7a-9d1e-2f3a4b5c6d7e', secret: 'whatever' })],
    ['a client id that is not a uuid', async () => ({ id: 'admin', secret: 'admin' })],
  ])('refuses %s with 401 invalid_client', async (_name, creds) => {
    const { id, secret } = await creds();
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: basic(id, secret) },
      payload: { grant_type: 'client_credentials' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_client' });
    expect(res.headers['www-authenticate']).toContain('Basic');
  });

  it('refuses an inactive client', async () => {
    const c = await makeClient(t, ['actions']);
    await updateClient(testContext(t.database.db), c.clientId, { active: false });
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });

  it('answers unsupported_grant_type for any grant but client_credentials, invalid_request without one', async () => {
    const c = await makeClient(t, ['actions']);
    const pw = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'password', client_id: c.clientId, client_secret: c.clientSecret },
    });
    expect(pw.statusCode).toBe(400);
    expect(pw.json().error).toBe('unsupported_grant_type');
    const none = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: { client_id: c.clientId } });
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toBe('invalid_request');
    const notObject = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: '[1,2]', headers: { 'content-type': 'application/json' } });
    expect(notObject.statusCode).toBe(400);
    expect(notObject.json().error).toBe('invalid_request');
  });
});

describe('bearer tokens', () => {
  it('are required on every route but health, readiness, metrics, docs and the token endpoint', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs/']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
    }
    const res = await t.app.inject({ method: 'GET', url: '/admin/v1/clients' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'UNAUTHORIZED' });
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('refuses an expired token', async () => {
    const c = await makeClient(t, ['administrator']);
    const now = Math.floor(Date.now() / 1000);
    const expired = t.app.jwt.sign({ sub: c.clientId, name: 'x', roles: ['administrator'], iat: now - 100, exp: now - 10 });
    const res = await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: { authorization: `Bearer ${expired}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toMatch(/expired/);
  });

  it('refuses a tampered token and one signed with another key', async () => {
    const { headers, client } = await authHeader(t, ['actions']);
    const token = headers.authorization.slice(7);
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.roles = ['administrator'];
    const forged = [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
    const res = await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: { authorization: `Bearer ${forged}` } });
    expect(res.statusCode).toBe(401);

    const other = await buildTestApp({ url: t.url, env: { JWT_SECRET: 'another-secret-another-secret-another-secret' } });
    try {
      const foreign = other.app.jwt.sign({ sub: client.clientId, name: 'x', roles: ['administrator'] });
      const res2 = await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: { authorization: `Bearer ${foreign}` } });
      expect(res2.statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('answers 403 for a valid token without the role', async () => {
    const { headers } = await authHeader(t, ['actions', 'events', 'monitor']);
    const res = await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'FORBIDDEN' });
  });

  it('stop working when the client is deactivated, and follow role changes at once', async () => {
    const { headers, client } = await authHeader(t, ['administrator']);
    expect((await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers })).statusCode).toBe(200);
    const { headers: admin } = await authHeader(t, ['administrator']);

    await t.app.inject({ method: 'PATCH', url: `/admin/v1/clients/${client.clientId}`, headers: admin, payload: { roles: ['monitor'] } });
    expect((await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers })).statusCode).toBe(403);

    await t.app.inject({ method: 'PATCH', url: `/admin/v1/clients/${client.clientId}`, headers: admin, payload: { active: false } });
    const res = await t.app.inject({ method: 'GET', url: '/admin/v1/audit', headers });
    expect(res.statusCode).toBe(401);
  });

  it('issued before a secret rotation stop working; the new secret works and the old one does not', async () => {
    const { headers, client } = await authHeader(t, ['administrator']);
    const rotated = await t.app.inject({ method: 'POST', url: `/admin/v1/clients/${client.clientId}/rotate-secret`, headers });
    expect(rotated.statusCode).toBe(200);
    const { clientSecret } = rotated.json();
    expect(clientSecret).not.toBe(client.clientSecret);

    expect((await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers })).statusCode).toBe(401);
    await expect(tokenFor(t, client)).rejects.toThrow(/401/);
    const fresh = await tokenFor(t, { clientId: client.clientId, clientSecret });
    expect((await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: { authorization: `Bearer ${fresh}` } })).statusCode).toBe(200);
  });

  it('issued in the same second as a secret rotation, before it, stop working; one issued after it works', async () => {
    const client = await makeClient(t, ['monitor']);
    // Every token and the rotation in one instant: iat and the rotation time are the same second.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2030-05-06T07:08:09.100Z') });
    try {
      const { headers: admin } = await authHeader(t, ['administrator']);
      const before = await Promise.all([tokenFor(t, client), tokenFor(t, client), tokenFor(t, client)]);
      const rotated = await t.app.inject({ method: 'POST', url: `/admin/v1/clients/${client.clientId}/rotate-secret`, headers: admin });
      expect(rotated.statusCode).toBe(200);
      const after = await tokenFor(t, { clientId: client.clientId, clientSecret: rotated.json().clientSecret });
      const status = async (token: string) =>
        (await t.app.inject({ method: 'GET', url: '/admin/v1/queues', headers: { authorization: `Bearer ${token}` } })).statusCode;
      expect(await Promise.all(before.map(status))).toEqual([401, 401, 401]);
      expect(await status(after)).toBe(200);
      expect(t.app.jwt.decode<{ iat: number }>(after)!.iat).toBe(t.app.jwt.decode<{ iat: number }>(before[0]!)!.iat);
    } finally {
      vi.useRealTimers();
    }
  });

  it('issued after a rotation on another replica work on a replica that cached the client before it', async () => {
    const { headers: admin } = await authHeader(t, ['administrator']);
    const client = await makeClient(t, ['administrator']);
    const other = await buildTestApp({ url: t.url });
    try {
      const old = await tokenFor(t, client);
      // The other replica caches the client as it was before the rotation.
      expect((await other.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: { authorization: `Bearer ${old}` } })).statusCode).toBe(200);
      const rotated = await t.app.inject({ method: 'POST', url: `/admin/v1/clients/${client.clientId}/rotate-secret`, headers: admin });
      const fresh = await tokenFor(t, { clientId: client.clientId, clientSecret: rotated.json().clientSecret });
      expect((await other.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: { authorization: `Bearer ${fresh}` } })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: { authorization: `Bearer ${old}` } })).statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('signed with a previous key stay valid during a key rotation (JWT_PREVIOUS_SECRETS)', async () => {
    const { headers } = await authHeader(t, ['administrator']);
    const rotatedApp = await buildTestApp({
      url: t.url,
      env: { JWT_SECRET: 'the-new-signing-secret-the-new-signing-secret', JWT_PREVIOUS_SECRETS: TEST_JWT_SECRET },
    });
    const unrotatedApp = await buildTestApp({ url: t.url, env: { JWT_SECRET: 'the-new-signing-secret-the-new-signing-secret' } });
    try {
      expect((await rotatedApp.app.inject({ method: 'GET', url: '/admin/v1/clients', headers })).statusCode).toBe(200);
      expect((await unrotatedApp.app.inject({ method: 'GET', url: '/admin/v1/clients', headers })).statusCode).toBe(401);
    } finally {
      await rotatedApp.close();
      await unrotatedApp.close();
    }
  });
});
