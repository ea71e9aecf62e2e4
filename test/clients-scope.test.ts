import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, makeClient, tokenFor, type TestApp, type TestClient } from './helpers/app.js';
import { factories } from './helpers/factories.js';

/** A restricted administrator can never hand out, or reach, more access than it holds itself. */

let t: TestApp;
let qa: { id: string; name: string; genesysQueueId: string | null };
let qb: { id: string; name: string; genesysQueueId: string | null };
let restricted: { client: TestClient; headers: { authorization: string } };
let unrestricted: { client: TestClient; headers: { authorization: string } };

beforeAll(async () => {
  t = await buildTestApp();
  const make = factories(t.database.db);
  qa = await make.queue({ name: 'scope-QA', genesysQueueId: 'genesys-scope-qa' });
  qb = await make.queue({ name: 'scope-QB', genesysQueueId: 'genesys-scope-qb' });
  restricted = await authHeader(t, ['administrator', 'monitor'], { queues: [qa.name] });
  unrestricted = await authHeader(t, ['administrator']);
});
afterAll(async () => t.close());

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: { authorization: string }, payload?: object) =>
  t.app.inject({ method, url: `/admin/v1${url}`, headers, ...(payload && { payload }) });

const clientNamed = (name: string) => t.database.db.selectFrom('api_clients').select(['id', 'roles', 'queues']).where('name', '=', name).executeTakeFirst();

describe('a restricted administrator creating clients', () => {
  it('cannot create an unrestricted administrator client (no allow-list is beyond any allow-list): 403, nothing created', async () => {
    for (const payload of [
      { name: 'widen-null', roles: ['administrator'], queues: null },
      { name: 'widen-absent', roles: ['administrator'] },
    ]) {
      const res = await api('POST', '/clients', restricted.headers, payload);
      expect(res.statusCode, res.body).toBe(403);
      expect(await clientNamed(payload.name)).toBeUndefined();
    }
  });

  it('cannot grant a queue beyond its allow-list, or a queue that does not exist', async () => {
    for (const payload of [
      { name: 'widen-qb', roles: ['monitor'], queues: [qa.name, qb.name] },
      { name: 'widen-qb-by-genesys-id', roles: ['monitor'], queues: [qb.genesysQueueId] },
      { name: 'widen-unknown', roles: ['monitor'], queues: ['a-queue-created-later'] },
    ]) {
      const res = await api('POST', '/clients', restricted.headers, payload);
      expect(res.statusCode, `${payload.name}: ${res.body}`).toBe(403);
      expect(await clientNamed(payload.name)).toBeUndefined();
    }
  });

  it('may grant its own queues named by name, id or Genesys id (the same queue), with roles it holds', async () => {
    const res = await api('POST', '/clients', restricted.headers, { name: 'within-qa', roles: ['monitor'], queues: [qa.name, qa.id, qa.genesysQueueId] });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().client.queues).toEqual([qa.name, qa.id, qa.genesysQueueId]);
  });

  it('makes the flows\' and triggers\' clients of its own queues: an administrator grants every role within its allow-list', async () => {
    const res = await api('POST', '/clients', restricted.headers, { name: 'qa-flows', roles: ['actions', 'events'], queues: [qa.name] });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().client).toMatchObject({ roles: ['actions', 'events'], queues: [qa.name] });
  });

  it('an unrestricted administrator still grants any roles and queues', async () => {
    const res = await api('POST', '/clients', unrestricted.headers, { name: 'any-access', roles: ['events', 'actions'], queues: null });
    expect(res.statusCode, res.body).toBe(201);
  });
});

describe('no client changes its own roles or allow-list', () => {
  it('a restricted administrator cannot PATCH its own client to drop its allow-list or add roles: 403, unchanged', async () => {
    for (const payload of [{ queues: null }, { queues: [qa.name, qb.name] }, { roles: ['administrator', 'monitor', 'supervisor'] }, { roles: ['administrator'] }]) {
      const res = await api('PATCH', `/clients/${restricted.client.clientId}`, restricted.headers, payload);
      expect(res.statusCode, `${JSON.stringify(payload)}: ${res.body}`).toBe(403);
    }
    const row = await t.database.db.selectFrom('api_clients').select(['roles', 'queues']).where('id', '=', restricted.client.clientId).executeTakeFirstOrThrow();
    expect(row).toEqual({ roles: ['administrator', 'monitor'], queues: [qa.name] });
  });

  it('an unrestricted administrator cannot change its own roles either; its name, and an unchanged list, it may send', async () => {
    const own = await authHeader(t, ['administrator']);
    expect((await api('PATCH', `/clients/${own.client.clientId}`, own.headers, { roles: ['administrator', 'events'] })).statusCode).toBe(403);
    expect((await api('PATCH', `/clients/${own.client.clientId}`, own.headers, { queues: [qa.name] })).statusCode).toBe(403);
    const renamed = await api('PATCH', `/clients/${own.client.clientId}`, own.headers, { name: 'self-renamed', roles: ['administrator'], queues: null });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'self-renamed', roles: ['administrator'], queues: null });
  });

  it('another administrator changes it', async () => {
    const target = await makeClient(t, ['monitor'], { queues: [qa.name] });
    const res = await api('PATCH', `/clients/${target.clientId}`, unrestricted.headers, { queues: null, roles: ['monitor', 'supervisor'] });
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe("clients whose access is beyond a restricted administrator's", () => {
  let outside: TestClient[];
  let inside: TestClient;
  beforeAll(async () => {
    outside = [
      await makeClient(t, ['monitor'], { queues: [qb.name] }),
      await makeClient(t, ['monitor']), // every queue
    ];
    inside = await makeClient(t, ['monitor'], { queues: [qa.id] });
  });

  it('cannot rotate the secret of a client outside its scope: 403, the old secret keeps working', async () => {
    for (const client of outside) {
      const res = await api('POST', `/clients/${client.clientId}/rotate-secret`, restricted.headers);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.body).not.toContain('clientSecret');
      await expect(tokenFor(t, client)).resolves.toMatch(/^ey/);
    }
    expect((await api('POST', `/clients/${inside.clientId}/rotate-secret`, restricted.headers)).statusCode).toBe(200);
  });

  it('does not list them, and gets, changes, deactivates or deletes none of them (403)', async () => {
    const listed = (await api('GET', '/clients', restricted.headers)).json().items.map((c: { clientId: string }) => c.clientId);
    expect(listed).toContain(inside.clientId);
    expect(listed).toContain(restricted.client.clientId);
    for (const client of outside) {
      expect(listed).not.toContain(client.clientId);
      expect((await api('GET', `/clients/${client.clientId}`, restricted.headers)).statusCode).toBe(403);
      expect((await api('PATCH', `/clients/${client.clientId}`, restricted.headers, { name: `renamed-${client.clientId}` })).statusCode).toBe(403);
      expect((await api('PATCH', `/clients/${client.clientId}`, restricted.headers, { active: false })).statusCode).toBe(403);
      expect((await api('DELETE', `/clients/${client.clientId}`, restricted.headers)).statusCode).toBe(403);
      const row = await t.database.db.selectFrom('api_clients').select(['active']).where('id', '=', client.clientId).executeTakeFirst();
      expect(row).toEqual({ active: true });
    }
    const all = (await api('GET', '/clients', unrestricted.headers)).json().items.map((c: { clientId: string }) => c.clientId);
    for (const client of outside) expect(all).toContain(client.clientId);
  });

  it('cannot widen a client in its scope, and may change it within its own access', async () => {
    const target = await makeClient(t, ['monitor'], { queues: [qa.name] });
    expect((await api('PATCH', `/clients/${target.clientId}`, restricted.headers, { queues: [qa.name, qb.id] })).statusCode).toBe(403);
    expect((await api('PATCH', `/clients/${target.clientId}`, restricted.headers, { queues: null })).statusCode).toBe(403);
    // Roles are not access beyond its own: its queues stay the limit (an administrator grants every role).
    expect((await api('PATCH', `/clients/${target.clientId}`, restricted.headers, { roles: ['supervisor'] })).statusCode).toBe(200);
    const ok = await api('PATCH', `/clients/${target.clientId}`, restricted.headers, { queues: [qa.genesysQueueId], active: false });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await api('DELETE', `/clients/${target.clientId}`, restricted.headers)).statusCode).toBe(204);
  });
});
