import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, makeClient, skewDateNow, tokenFor, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

const execFileAsync = promisify(execFile);

let t: TestApp;
let admin: { authorization: string };
beforeAll(async () => {
  t = await buildTestApp();
  admin = (await authHeader(t, ['administrator'])).headers;
});
afterAll(async () => t.close());

describe('/admin/v1/clients', () => {
  it('creates a client whose secret is returned once and works at the token endpoint', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/v1/clients',
      headers: admin,
      payload: { name: 'ivr-flows', roles: ['actions'], queues: ['Sales'] },
    });
    expect(res.statusCode).toBe(201);
    const { client, clientSecret } = res.json();
    expect(client).toMatchObject({ name: 'ivr-flows', roles: ['actions'], queues: ['Sales'], active: true });
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(tokenFor(t, { clientId: client.clientId, clientSecret })).resolves.toMatch(/^ey/);

    const got = await t.app.inject({ method: 'GET', url: `/admin/v1/clients/${client.clientId}`, headers: admin });
    expect(got.statusCode).toBe(200);
    expect(JSON.stringify(got.json())).not.toContain(clientSecret);
    expect(got.json()).not.toHaveProperty('secretHash');
    const listed = await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: admin });
    expect(listed.body).not.toContain(clientSecret);
    expect(listed.body).not.toContain('scrypt');
  });

  it('stores only a salted scrypt hash of the secret', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: admin, payload: { name: 'hash-check', roles: ['events'] } });
    const { client, clientSecret } = res.json();
    const row = await t.database.db.selectFrom('api_clients').select('secret_hash').where('id', '=', client.clientId).executeTakeFirstOrThrow();
    expect(row.secret_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(row.secret_hash).not.toContain(clientSecret);
  });

  it('refuses a duplicate name with 409 and bad input with 400 naming the field', async () => {
    await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: admin, payload: { name: 'dup', roles: ['actions'] } });
    const dup = await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: admin, payload: { name: 'dup', roles: ['actions'] } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toBe('CONFLICT');

    const cases: [unknown, string][] = [
      [{ roles: ['actions'] }, 'name'],
      [{ name: 'x', roles: [] }, 'roles'],
      [{ name: 'x', roles: ['root'] }, 'roles[0]'],
      [{ name: 'x', roles: ['actions'], extra: 1 }, 'extra'],
      [{ name: '', roles: ['actions'] }, 'name'],
    ];
    for (const [payload, field] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: admin, payload: payload as object });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json()).toMatchObject({ error: 'VALIDATION_FAILED', field });
    }
  });

  it('updates roles, queues and active; deletes; unknown ids are 404', async () => {
    const created = (await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: admin, payload: { name: 'to-change', roles: ['monitor'] } })).json();
    const id = created.client.clientId;
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/admin/v1/clients/${id}`,
      headers: admin,
      payload: { roles: ['supervisor', 'monitor'], queues: ['A', 'B'], active: false },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ roles: ['supervisor', 'monitor'], queues: ['A', 'B'], active: false });
    const cleared = await t.app.inject({ method: 'PATCH', url: `/admin/v1/clients/${id}`, headers: admin, payload: { queues: null } });
    expect(cleared.json().queues).toBeNull();

    expect((await t.app.inject({ method: 'DELETE', url: `/admin/v1/clients/${id}`, headers: admin })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/admin/v1/clients/${id}`, headers: admin })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/admin/v1/clients/${id}`, headers: admin })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/admin/v1/clients/${id}/rotate-secret`, headers: admin })).statusCode).toBe(404);
  });

  it('writes every change to the audit log with actor, before and after, and never the secret', async () => {
    const created = (await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: admin, payload: { name: 'audited', roles: ['monitor'] } })).json();
    const id = created.client.clientId;
    await t.app.inject({ method: 'PATCH', url: `/admin/v1/clients/${id}`, headers: { ...admin, 'inin-correlation-id': 'corr-audit-1' }, payload: { roles: ['developer'] } });
    const rotated = (await t.app.inject({ method: 'POST', url: `/admin/v1/clients/${id}/rotate-secret`, headers: admin })).json();
    await t.app.inject({ method: 'DELETE', url: `/admin/v1/clients/${id}`, headers: admin });

    const res = await t.app.inject({ method: 'GET', url: `/admin/v1/audit?entity=client&entityId=${id}`, headers: admin });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { action: string; actor: string; before: any; after: any; correlationId: string }[];
    expect(items.map((i) => i.action)).toEqual(['delete', 'rotate-secret', 'update', 'create']);
    const update = items[2]!;
    expect(update.before.roles).toEqual(['monitor']);
    expect(update.after.roles).toEqual(['developer']);
    expect(update.correlationId).toBe('corr-audit-1');
    expect(update.actor).not.toBe('anonymous');
    expect(res.body).not.toContain(created.clientSecret);
    expect(res.body).not.toContain(rotated.clientSecret);
  });

  it('pages the audit log with a cursor', async () => {
    const first = (await t.app.inject({ method: 'GET', url: '/admin/v1/audit?limit=2', headers: admin })).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = (await t.app.inject({ method: 'GET', url: `/admin/v1/audit?limit=2&cursor=${first.nextCursor}`, headers: admin })).json();
    expect(second.items[0].id).toBeLessThan(first.items[1].id);
  });
});

describe('npm run cli -- clients create', () => {
  it('prints {"clientId","clientSecret"} as JSON on stdout, and the client can get a token', async () => {
    for (const name of ['q1', 'q2']) await factories(t.database.db).queue({ name }); // --queues must name existing queues
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', 'clients', 'create', '--name', 'from-cli', '--roles', 'actions,events', '--queues', 'q1,q2', '--json'],
      { env: { ...process.env, DATABASE_URL: t.url, JWT_SECRET: 'x'.repeat(40) } },
    );
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({ name: 'from-cli', roles: ['actions', 'events'], queues: ['q1', 'q2'] });
    await expect(tokenFor(t, { clientId: out.clientId, clientSecret: out.clientSecret })).resolves.toMatch(/^ey/);
  });

  it('fails with a usage message for an unknown role', async () => {
    const run = execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'clients', 'create', '--name', 'bad', '--roles', 'root'], {
      env: { ...process.env, DATABASE_URL: t.url, JWT_SECRET: 'x'.repeat(40) },
    });
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('unknown role(s): root') });
  });
});

describe('client state across replicas (two apps on one database)', () => {
  it('a client deactivated on one replica is refused there at once, and on the other once its 5 s cache window has passed', async () => {
    const other = await buildTestApp({ url: t.url });
    const clock = skewDateNow();
    try {
      const client = await makeClient(t, ['monitor']);
      const headers = { authorization: `Bearer ${await tokenFor(t, client)}` };
      const read = (app: TestApp) => app.app.inject({ method: 'GET', url: '/admin/v1/queues', headers });
      expect((await read(t)).statusCode).toBe(200);
      expect((await read(other)).statusCode).toBe(200); // the other replica now caches the client as active

      const off = await t.app.inject({ method: 'PATCH', url: `/admin/v1/clients/${client.clientId}`, headers: admin, payload: { active: false } });
      expect(off.json().active).toBe(false);
      expect((await read(t)).statusCode).toBe(401);

      clock.advance(5_001);
      const refused = await read(other);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().message).toMatch(/inactive/);
    } finally {
      clock.restore();
      await other.close();
    }
  });
});
