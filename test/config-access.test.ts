import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveQueue } from '../src/queues/resolve.js';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { testContext } from './helpers/context.js';

/**
 * Configuration under a queue allow-list: shared configuration is read-only to a restricted
 * administrator when queues outside its allow-list use it; campaigns belong to a queue; only an
 * unrestricted administrator decides which Genesys queue a queue stands for.
 */

type Headers = { authorization: string };
let t: TestApp;
let admin: Headers;
/** An administrator restricted to queue A. */
let adminA: Headers;
let qa: { id: string; name: string };
let qb: { id: string; name: string };
let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}-${Math.random().toString(36).slice(2, 7)}`;

const send = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, headers: Headers, payload?: object) =>
  t.app.inject({ method, url, headers, ...(payload !== undefined && { payload }) });

beforeAll(async () => {
  t = await buildTestApp();
  admin = (await authHeader(t, ['administrator'])).headers;
  qa = (await send('POST', '/admin/v1/queues', admin, { name: unique('QA'), timezone: 'UTC', genesysQueueId: unique('g-a') })).json();
  qb = (await send('POST', '/admin/v1/queues', admin, { name: unique('QB'), timezone: 'UTC', genesysQueueId: unique('g-b') })).json();
  adminA = (await authHeader(t, ['administrator'], { queues: [qa.name] })).headers;
});
afterAll(async () => t.close());

describe('genesysQueueId', () => {
  it('a restricted administrator cannot set its queue’s genesysQueueId to another queue’s (403), and flows naming that Genesys id keep landing in the other queue', async () => {
    const theirs = (await send('GET', `/admin/v1/queues/${qb.id}`, admin)).json().genesysQueueId as string;
    const hijack = await send('PATCH', `/admin/v1/queues/${qa.id}`, adminA, { genesysQueueId: theirs });
    expect(hijack.statusCode).toBe(403);
    expect(hijack.json().message).toMatch(/genesysQueueId/);
    expect((await send('GET', `/admin/v1/queues/${qa.id}`, admin)).json().genesysQueueId).not.toBe(theirs);
    expect((await resolveQueue(testContext(t.database.db), { queueId: theirs })).queue.id).toBe(qb.id);
  });

  it('only an unrestricted administrator sets or changes genesysQueueId: a restricted one gets 403 on create with one and on PATCH of it, and may resend the current value', async () => {
    const current = (await send('GET', `/admin/v1/queues/${qa.id}`, admin)).json().genesysQueueId as string;
    expect((await send('PATCH', `/admin/v1/queues/${qa.id}`, adminA, { genesysQueueId: unique('g-new') })).statusCode).toBe(403);
    expect((await send('PATCH', `/admin/v1/queues/${qa.id}`, adminA, { genesysQueueId: null })).statusCode).toBe(403);
    expect((await send('PATCH', `/admin/v1/queues/${qa.id}`, adminA, { genesysQueueId: current, maxDaysAhead: 20 })).statusCode).toBe(200);

    const name = unique('QA2');
    const { headers: adminA2 } = await authHeader(t, ['administrator'], { queues: [qa.name, name] });
    expect((await send('POST', '/admin/v1/queues', adminA2, { name, timezone: 'UTC', genesysQueueId: unique('g') })).statusCode).toBe(403);
    const created = await send('POST', '/admin/v1/queues', adminA2, { name, timezone: 'UTC' });
    expect(created.statusCode).toBe(201);
    expect((await send('PATCH', `/admin/v1/queues/${created.json().id}`, admin, { genesysQueueId: unique('g') })).statusCode).toBe(200);
  });

  it('a Genesys queue id belongs to one queue: a duplicate is a 409 naming genesysQueueId', async () => {
    const theirs = (await send('GET', `/admin/v1/queues/${qb.id}`, admin)).json().genesysQueueId as string;
    const dup = await send('PATCH', `/admin/v1/queues/${qa.id}`, admin, { genesysQueueId: theirs });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ error: 'CONFLICT', field: 'genesysQueueId' });
    const created = await send('POST', '/admin/v1/queues', admin, { name: unique('Q'), timezone: 'UTC', genesysQueueId: theirs });
    expect(created.statusCode).toBe(409);
    expect(created.json().field).toBe('genesysQueueId');
  });

  it('a queueId that is one queue’s own id resolves to that queue, even when another queue took it as its Genesys id', async () => {
    const first = (await send('POST', '/admin/v1/queues', admin, { name: unique('Q1'), timezone: 'UTC' })).json();
    const second = (await send('POST', '/admin/v1/queues', admin, { name: unique('Q2'), timezone: 'UTC' })).json();
    expect((await send('PATCH', `/admin/v1/queues/${first.id}`, admin, { genesysQueueId: second.id })).statusCode).toBe(200);
    expect((await resolveQueue(testContext(t.database.db), { queueId: second.id })).queue.id).toBe(second.id);
  });
});

interface SharedResource {
  path: string;
  /** The queue setting that points at it. */
  field: string;
  create: () => object;
  patch: object;
}

const SHARED: SharedResource[] = [
  { path: 'business-hours', field: 'businessHoursId', create: () => ({ name: unique('hours'), timezone: 'UTC', weekly: {} }), patch: { timezone: 'Europe/Berlin' } },
  { path: 'capacity-rules', field: 'capacityRuleId', create: () => ({ name: unique('rule'), timeslotLength: 'hour' }), patch: { cells: { monday: { '09:00': 3 } } } },
  { path: 'number-rules', field: 'numberRuleId', create: () => ({ name: unique('numbers'), permittedCountries: ['US'] }), patch: { permittedCountries: ['US', 'CA'] } },
  {
    path: 'prioritization-policies',
    field: 'prioritizationPolicyId',
    create: () => ({ name: unique('policy'), mode: 'step', intervalSeconds: 60, maxSteps: 3, maxPriority: 10 }),
    patch: { maxSteps: 4 },
  },
];

describe.each(SHARED)('shared configuration: $path', (r) => {
  const url = (id?: string) => `/admin/v1/${r.path}${id === undefined ? '' : `/${id}`}`;
  const make = async () => (await send('POST', url(), admin, r.create())).json().id as string;
  const useIn = async (queueId: string, id: string) => expect((await send('PATCH', `/admin/v1/queues/${queueId}`, admin, { [r.field]: id })).statusCode).toBe(200);

  it('used by a queue outside a restricted administrator’s allow-list: read-only to it (403 on update and delete), shown with its own queues only; an unrestricted administrator changes it', async () => {
    const shared = await make();
    await useIn(qa.id, shared);
    await useIn(qb.id, shared);
    expect((await send('PATCH', url(shared), adminA, r.patch)).statusCode).toBe(403);
    expect((await send('DELETE', url(shared), adminA)).statusCode).toBe(403);
    const read = await send('GET', url(shared), adminA);
    expect(read.statusCode).toBe(200);
    expect(read.json().queues).toEqual([{ id: qa.id, name: qa.name }]);
    expect((await send('PATCH', url(shared), admin, r.patch)).statusCode).toBe(200);
    await useIn(qa.id, (await make()));
    await useIn(qb.id, (await make()));
  });

  it('a restricted administrator creates it, changes what only its own queues use or nothing uses, and may point its queue at shared configuration', async () => {
    const created = await send('POST', url(), adminA, r.create());
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    expect((await send('PATCH', url(id), adminA, r.patch)).statusCode).toBe(200);
    expect((await send('PATCH', `/admin/v1/queues/${qa.id}`, adminA, { [r.field]: id })).statusCode).toBe(200);
    expect((await send('PATCH', url(id), adminA, r.patch)).statusCode).toBe(200);
    expect((await send('DELETE', url(id), adminA)).statusCode).toBe(409); // in use by its own queue

    const shared = await make();
    await useIn(qb.id, shared);
    expect((await send('PATCH', `/admin/v1/queues/${qa.id}`, adminA, { [r.field]: shared })).statusCode).toBe(200);
    expect((await send('PATCH', `/admin/v1/queues/${qa.id}`, adminA, { [r.field]: null })).statusCode).toBe(200);
    await useIn(qb.id, (await make()));

    const unused = await send('POST', url(), adminA, r.create());
    expect((await send('DELETE', url(unused.json().id), adminA)).statusCode).toBe(204);
  });
});

describe('capacity statement', () => {
  it('a restricted administrator editing a capacity rule used by another queue gets 403, for the statement replace as for the patch', async () => {
    const rule = (await send('POST', '/admin/v1/capacity-rules', admin, { name: unique('rule'), timeslotLength: 'hour', cells: { monday: { '09:00': 5 } } })).json();
    await send('PATCH', `/admin/v1/queues/${qb.id}`, admin, { capacityRuleId: rule.id });
    const replaced = await send('PUT', `/admin/v1/capacity-rules/${rule.id}/statement`, adminA, { tuesday: { '09:00': 1 } });
    expect(replaced.statusCode).toBe(403);
    expect((await send('GET', `/admin/v1/capacity-rules/${rule.id}`, admin)).json().cells).toEqual({ monday: { '09:00': 5 } });
    expect((await send('PUT', `/admin/v1/capacity-rules/${rule.id}/statement`, admin, { tuesday: { '09:00': 1 } })).statusCode).toBe(200);
    await send('PATCH', `/admin/v1/queues/${qb.id}`, admin, { capacityRuleId: null });
    expect((await send('PUT', `/admin/v1/capacity-rules/${rule.id}/statement`, adminA, { tuesday: { '09:00': 2 } })).statusCode).toBe(200);
  });
});

describe('campaigns', () => {
  const campaign = (extra: object = {}) => ({ name: unique('campaign'), contactListId: 'list', phoneColumn: 'Phone', ...extra });

  it('hours or a number rule used by another queue’s campaign, or by a campaign without a queue, are read-only to a restricted administrator', async () => {
    for (const [path, field, body] of [
      ['business-hours', 'businessHoursId', () => ({ name: unique('hours'), timezone: 'UTC', weekly: {} })],
      ['number-rules', 'numberRuleId', () => ({ name: unique('numbers'), permittedCountries: ['US'] })],
    ] as const) {
      const viaB = (await send('POST', `/admin/v1/${path}`, admin, body())).json().id;
      const viaNone = (await send('POST', `/admin/v1/${path}`, admin, body())).json().id;
      expect((await send('POST', '/admin/v1/campaigns', admin, campaign({ queueId: qb.id, [field]: viaB }))).statusCode).toBe(201);
      expect((await send('POST', '/admin/v1/campaigns', admin, campaign({ [field]: viaNone }))).statusCode).toBe(201);
      expect((await send('PATCH', `/admin/v1/${path}/${viaB}`, adminA, { name: unique('x') })).statusCode).toBe(403);
      expect((await send('PATCH', `/admin/v1/${path}/${viaNone}`, adminA, { name: unique('x') })).statusCode).toBe(403);
    }
  });

  it('belong to a queue: a restricted client lists only its queues’ campaigns, and reading, changing, deleting or listing callbacks of another’s (or of one without a queue) is 403', async () => {
    const mine = (await send('POST', '/admin/v1/campaigns', admin, campaign({ queueId: qa.id }))).json();
    const theirs = (await send('POST', '/admin/v1/campaigns', admin, campaign({ queueId: qb.id }))).json();
    const unowned = (await send('POST', '/admin/v1/campaigns', admin, campaign())).json();
    expect(unowned.queueId).toBeNull();
    const { headers: monitorA } = await authHeader(t, ['monitor'], { queues: [qa.name] });

    for (const headers of [adminA, monitorA]) {
      const ids = (await send('GET', '/admin/v1/campaigns', headers)).json().items.map((c: { id: string }) => c.id);
      expect(ids).toContain(mine.id);
      expect(ids).not.toContain(theirs.id);
      expect(ids).not.toContain(unowned.id);
      expect((await send('GET', `/admin/v1/campaigns/${mine.id}`, headers)).statusCode).toBe(200);
      for (const other of [theirs, unowned]) {
        expect((await send('GET', `/admin/v1/campaigns/${other.id}`, headers)).statusCode).toBe(403);
        expect((await send('GET', `/admin/v1/campaigns/${other.id}/callbacks`, headers)).statusCode).toBe(403);
      }
    }
    for (const other of [theirs, unowned]) {
      expect((await send('PATCH', `/admin/v1/campaigns/${other.id}`, adminA, { maxDelaySeconds: 60 })).statusCode).toBe(403);
      expect((await send('DELETE', `/admin/v1/campaigns/${other.id}`, adminA)).statusCode).toBe(403);
    }
    const all = (await send('GET', '/admin/v1/campaigns', admin)).json().items.map((c: { id: string }) => c.id);
    expect(all).toEqual(expect.arrayContaining([mine.id, theirs.id, unowned.id]));
  });

  it('a restricted administrator creates campaigns only in its own queues and cannot move one to another queue', async () => {
    expect((await send('POST', '/admin/v1/campaigns', adminA, campaign({ queueId: qb.id }))).statusCode).toBe(403);
    expect((await send('POST', '/admin/v1/campaigns', adminA, campaign())).statusCode).toBe(403);
    const created = await send('POST', '/admin/v1/campaigns', adminA, campaign({ queueId: qa.id }));
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect((await send('PATCH', `/admin/v1/campaigns/${id}`, adminA, { queueId: qb.id })).statusCode).toBe(403);
    expect((await send('PATCH', `/admin/v1/campaigns/${id}`, adminA, { queueId: null })).statusCode).toBe(403);
    expect((await send('PATCH', `/admin/v1/campaigns/${id}`, adminA, { maxDelaySeconds: 60 })).statusCode).toBe(200);
    expect((await send('DELETE', `/admin/v1/campaigns/${id}`, adminA)).statusCode).toBe(204);
  });

  it('a queueId naming no queue is a 400 naming queueId', async () => {
    const res = await send('POST', '/admin/v1/campaigns', admin, campaign({ queueId: '00000000-0000-4000-8000-000000000000' }));
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('queueId');
  });
});

describe('retry policies and preview settings', () => {
  it('apply to every queue: a restricted administrator reads them but gets 403 on create, update, delete and on the preview-retry settings', async () => {
    const policy = (await send('POST', '/admin/v1/retry-policies', admin, { name: unique('retry'), match: unique('WRAPUP'), waitSeconds: 60, maxAttempts: 2 })).json();
    expect((await send('GET', `/admin/v1/retry-policies/${policy.id}`, adminA)).statusCode).toBe(200);
    expect((await send('POST', '/admin/v1/retry-policies', adminA, { name: unique('retry'), match: unique('WRAPUP'), waitSeconds: 60, maxAttempts: 2 })).statusCode).toBe(403);
    expect((await send('PATCH', `/admin/v1/retry-policies/${policy.id}`, adminA, { waitSeconds: 30 })).statusCode).toBe(403);
    expect((await send('DELETE', `/admin/v1/retry-policies/${policy.id}`, adminA)).statusCode).toBe(403);
    const settings = (await send('GET', '/admin/v1/settings/preview-retries', adminA)).json();
    expect((await send('PUT', '/admin/v1/settings/preview-retries', adminA, settings)).statusCode).toBe(403);
    expect((await send('PUT', '/admin/v1/settings/preview-retries', admin, settings)).statusCode).toBe(200);
    expect((await send('PATCH', `/admin/v1/retry-policies/${policy.id}`, admin, { waitSeconds: 30 })).statusCode).toBe(200);
  });

  it('a duplicate match is a 409 naming match', async () => {
    const match = unique('WRAPUP');
    await send('POST', '/admin/v1/retry-policies', admin, { name: unique('retry'), match, waitSeconds: 60, maxAttempts: 2 });
    const dup = await send('POST', '/admin/v1/retry-policies', admin, { name: unique('retry'), match, waitSeconds: 60, maxAttempts: 2 });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().field).toBe('match');
  });
});
