import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../migrations/index.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { Role } from '../src/auth/caller.js';
import { authHeader, buildTestApp, makeClient, TestClock, tokenFor, type TestApp } from './helpers/app.js';
import { createEmptyDatabase } from './helpers/db.js';
import { factories } from './helpers/factories.js';

// Monday 2030-03-04 10:00 in New York.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let admin: { authorization: string };
let qa: { id: string; name: string };
let qb: { id: string; name: string };
let hoursA: { id: string };
let hoursB: { id: string };

beforeAll(async () => {
  t = await buildTestApp({ clock });
  admin = (await authHeader(t, ['administrator'])).headers;
  const make = factories(t.database.db);
  hoursA = await make.hours();
  hoursB = await make.hours();
  qa = await make.queue({ name: 'audit-QA', businessHoursId: hoursA.id });
  qb = await make.queue({ name: 'audit-QB', businessHoursId: hoursB.id });
  for (const queue of [qa, qb]) {
    const res = await t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${queue.id}`, headers: admin, payload: { maxDaysAhead: 20 } });
    expect(res.statusCode, res.body).toBe(200);
  }
});
afterAll(async () => t.close());

interface Entry {
  actor: string;
  actorName: string | null;
  entity: string;
  entityId: string;
  action: string;
}

async function audit(headers: { authorization: string }, query = ''): Promise<Entry[]> {
  const res = await t.app.inject({ method: 'GET', url: `/admin/v1/audit?limit=250${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Entry[];
}

describe('audit reads are scoped by the allow-list', () => {
  it("a supervisor limited to QA does not see QB's audit history, nor its hours; it sees QA's and QA's hours", async () => {
    const supervisor = (await authHeader(t, ['supervisor'], { queues: [qa.name] })).headers;
    const seen = await audit(supervisor);
    const ids = seen.map((e) => e.entityId);
    expect(ids).toContain(qa.id);
    expect(ids).toContain(hoursA.id);
    expect(ids).not.toContain(qb.id);
    expect(ids).not.toContain(hoursB.id);
    expect(await audit(supervisor, `&entity=queue&entityId=${qb.id}`)).toEqual([]);

    const everything = (await audit((await authHeader(t, ['supervisor'])).headers)).map((e) => e.entityId);
    expect(everything).toEqual(expect.arrayContaining([qa.id, qb.id, hoursA.id, hoursB.id]));
  });

  it("a callback retry policy's entries are in the scope of a restricted supervisor whose queue uses it, not of one whose queues do not", async () => {
    const created = await t.app.inject({ method: 'POST', url: '/admin/v1/callback-retry-policies', headers: admin, payload: { name: 'audit retries', wrapUpCodes: [{ id: 'no-answer' }], waitSeconds: 600, maxAttempts: 3 } });
    expect(created.statusCode, created.body).toBe(201);
    const policyId = created.json().id as string;
    expect((await t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${qa.id}`, headers: admin, payload: { callbackRetryPolicyId: policyId } })).statusCode).toBe(200);
    const ofQa = (await audit((await authHeader(t, ['supervisor'], { queues: [qa.name] })).headers, `&entity=callback-retry-policy&entityId=${policyId}`)).map((e) => e.action);
    expect(ofQa).toEqual(['create']);
    expect(await audit((await authHeader(t, ['supervisor'], { queues: [qb.name] })).headers, `&entity=callback-retry-policy&entityId=${policyId}`)).toEqual([]);
    expect((await t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${qa.id}`, headers: admin, payload: { callbackRetryPolicyId: null } })).statusCode).toBe(200);
  });

  it('a restricted administrator sees the entries of clients within its scope and of what it did itself, not of other clients', async () => {
    const restricted = await authHeader(t, ['administrator'], { queues: [qa.id] });
    const within = await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: admin, payload: { name: 'audit-within', roles: ['administrator'], queues: [qa.name] } });
    const beyond = await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: admin, payload: { name: 'audit-beyond', roles: ['administrator'], queues: [qb.name] } });
    const own = await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: restricted.headers, payload: { name: 'audit-own', roles: ['administrator'], queues: [qa.id] } });
    expect(own.statusCode, own.body).toBe(201);
    const deleted = await t.app.inject({ method: 'DELETE', url: `/admin/v1/clients/${own.json().client.clientId}`, headers: restricted.headers });
    expect(deleted.statusCode).toBe(204);

    const ids = (await audit(restricted.headers, '&entity=client')).map((e) => `${e.entityId} ${e.action}`);
    expect(ids).toContain(`${within.json().client.clientId} create`);
    expect(ids).toContain(`${own.json().client.clientId} delete`); // its own doing, though the client is gone
    expect(ids.some((e) => e.startsWith(beyond.json().client.clientId))).toBe(false);
  });
});

describe('the acting client is recorded by id and name', () => {
  async function namedClient(roles: Role[], name: string) {
    const client = await makeClient(t, roles, { name });
    return { client, headers: { authorization: `Bearer ${await tokenFor(t, client)}` } };
  }

  it('an audit entry records the actor id and name, and the audit API shows the name', async () => {
    const named = await namedClient(['administrator'], 'ops-admin-for-audit');
    const res = await t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${qa.id}`, headers: named.headers, payload: { maxDaysAhead: 21 } });
    expect(res.statusCode, res.body).toBe(200);

    const row = await t.database.db
      .selectFrom('audit_log')
      .select(['actor', 'actor_name'])
      .where('entity', '=', 'queue')
      .where('entity_id', '=', qa.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ actor: named.client.clientId, actor_name: 'ops-admin-for-audit' });
    const [latest] = await audit(admin, `&entity=queue&entityId=${qa.id}`);
    expect(latest).toMatchObject({ actor: named.client.clientId, actorName: 'ops-admin-for-audit' });
  });

  it('callback history records the actor id and name, and the desk shows the name', async () => {
    const actions = await namedClient(['actions'], 'ivr-flows-for-history');
    const created = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions.headers, payload: { queue: qa.name, phoneNumber: '+12025550143', desiredTime: '2030-03-05T10:00' } });
    expect(created.json().outcome, created.body).toBe('CREATED');
    const { callbackId } = created.json();

    const row = await t.database.db.selectFrom('callback_history').select(['actor', 'actor_name']).where('callback_id', '=', callbackId).executeTakeFirstOrThrow();
    expect(row).toEqual({ actor: actions.client.clientId, actor_name: 'ivr-flows-for-history' });
    const view = await t.app.inject({ method: 'GET', url: `/admin/v1/callbacks/${callbackId}`, headers: admin });
    expect(view.statusCode, view.body).toBe(200);
    expect(view.json().history[0]).toMatchObject({ actor: actions.client.clientId, actorName: 'ivr-flows-for-history', event: 'created' });
  });
});

describe('migration 0007 backfills actor names', () => {
  it('from the client (current name, or the last name its audit entries recorded) and for the service itself', async () => {
    const url = await createEmptyDatabase();
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }) });
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      const before = await migrator.migrateTo('0005_client_token_generation');
      expect(before.error).toBeUndefined();
      const live = '11111111-1111-4111-8111-111111111111';
      const gone = '22222222-2222-4222-8222-222222222222';
      await sql`insert into api_clients (id, name, secret_hash, roles) values (${live}, 'still-here', 'x', '{administrator}')`.execute(db);
      await sql`
        insert into audit_log (actor, action, entity, entity_id, before, after) values
          ('cli', 'create', 'client', ${gone}, null, '{"name":"first-name"}'),
          ('cli', 'update', 'client', ${gone}, '{"name":"first-name"}', '{"name":"last-name"}'),
          (${gone}, 'update', 'queue', 'q1', null, null),
          (${live}, 'update', 'queue', 'q2', null, null),
          ('worker', 'update', 'queue', 'q3', null, null),
          ('somebody-unknown', 'update', 'queue', 'q4', null, null)`.execute(db);
      await migrateToLatest(url);
      const { rows } = await sql<{ entity_id: string; actor_name: string | null }>`select entity_id, actor_name from audit_log where entity = 'queue' order by entity_id`.execute(db);
      expect(rows).toEqual([
        { entity_id: 'q1', actor_name: 'last-name' },
        { entity_id: 'q2', actor_name: 'still-here' },
        { entity_id: 'q3', actor_name: 'worker' },
        { entity_id: 'q4', actor_name: null },
      ]);
    } finally {
      await db.destroy();
    }
  });
});
