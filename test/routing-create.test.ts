import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelInGenesys, deliverCallback, expireOwnership, rescheduleInGenesys } from '../src/callbacks/tasks.js';
import { createCaches } from '../src/context.js';
import { jobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { RoutingNameCache } from '../src/callbacks/routing.js';
import { createSimulatedGateway, SIMULATED_LANGUAGES, SIMULATED_SKILLS } from '../src/genesys/simulated-gateway.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { gatewayFor } from './helpers/worker.js';

/** Routing on create: each field reaches the fake Genesys in the SDK model's shape; agent-owned callbacks. */

const START = '2030-03-04T15:00:00.000Z';
const clock = new TestClock(new Date(START));
let t: TestApp;
let fake: FakeGenesys;
let actions: { authorization: string };
let admin: { authorization: string };
let make: ReturnType<typeof factories>;
let gateway: ReturnType<typeof gatewayFor>;

const BILLING = randomUUID();
const TECH = randomUUID();
const SPANISH = randomUUID();
const AGENT = randomUUID();
const OTHER_AGENT = randomUUID();

beforeAll(async () => {
  fake = await startFakeGenesys();
  fake.skills.push({ id: BILLING, name: 'Billing' }, { id: TECH, name: 'Technical Support' }, { id: randomUUID(), name: 'Billing Disputes' });
  fake.languages.push({ id: SPANISH, name: 'Spanish' });
  gateway = gatewayFor(fake, { maxRetryWaitMs: 1_000, baseBackoffMs: 20 });
  t = await buildTestApp({ clock, gateway });
  actions = (await authHeader(t, ['actions'])).headers;
  admin = (await authHeader(t, ['administrator'])).headers;
  make = factories(t.database.db);
});
afterAll(async () => {
  await t.close();
  await gateway.close?.();
  await fake.close();
});

const jobs = () => jobContext({ db: t.database.db, gateway, clock, caches: createCaches(), logger: createLogger('silent') });
const deliver = (id: string) => deliverCallback(jobs(), { callbackId: id }, { job: { attempts: 1, max_attempts: 25 } } as never);
const row = (id: string) => t.database.db.selectFrom('callbacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const history = (id: string) => t.database.db.selectFrom('callback_history').selectAll().where('callback_id', '=', id).orderBy('at').orderBy('id').execute();

let phone = 4561200;
async function create(payload: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { phoneNumber: `+1202${phone++}`, ...payload } });
}
async function created(payload: Record<string, unknown>): Promise<string> {
  const res = await create(payload);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().outcome, res.body).toBe('CREATED');
  return res.json().callbackId;
}
/** The body Genesys received for this callback's create. */
function createBody(callbackId: string): Record<string, unknown> {
  const req = fake.requestsTo('createCallback').find((r) => (r.body as { data?: Record<string, string> }).data?.callbackEngineId === callbackId);
  expect(req, 'Genesys got the create').toBeDefined();
  return req!.body as Record<string, unknown>;
}
const queueOf = (o: Record<string, unknown> = {}) => make.queue({ genesysQueueId: `gq-${randomUUID()}`, maxPendingPerNumber: 100, ...o });
const at = (minutesFromStart: number) => new Date(Date.parse(START) + minutesFromStart * 60_000).toISOString();

describe('routing fields on create', () => {
  it('each field arrives at Genesys in the CreateCallbackCommand / RoutingData shape', async () => {
    clock.set(START);
    const queue = await queueOf({ scriptId: 'queue-script', ownedCallbacksEnabled: true });
    const preferred = [randomUUID(), randomUUID()];
    const id = await created({
      queue: queue.name,
      skills: `Billing, ${TECH}`,
      language: 'spanish',
      preferredAgentIds: preferred.join(','),
      routingLabel: 'vip',
      callerId: '+12025550100',
      callerIdName: 'Acme Support',
      scriptId: 'callback-script',
      ownerAgentId: AGENT,
      priority: 7,
    });
    await deliver(id);
    expect((await row(id)).delivery_status).toBe('DELIVERED');
    const body = createBody(id);
    expect(body.routingData).toEqual({
      queueId: queue.genesysQueueId,
      priority: 7,
      skillIds: [BILLING, TECH],
      languageId: SPANISH,
      preferredAgentIds: preferred,
      label: 'vip',
      scoredAgents: [{ agent: { id: AGENT }, score: 100 }],
      routingFlags: ['AGENT_OWNED_CALLBACK'],
    });
    expect(body).toMatchObject({ callerId: '+12025550100', callerIdName: 'Acme Support', scriptId: 'callback-script' });
    expect(body).not.toHaveProperty('queueId');

    // Stored and shown in the admin GET.
    const view = await t.app.inject({ method: 'GET', url: `/admin/v1/callbacks/${id}`, headers: admin });
    expect(view.json().routing).toEqual({
      skills: [BILLING, TECH],
      language: SPANISH,
      preferredAgentIds: preferred,
      label: 'vip',
      ownerAgentId: AGENT,
      ownershipEndsAt: '2030-03-05T15:00:00Z', // the queue's default 24 hours, from now (immediate)
      callerId: '+12025550100',
      callerIdName: 'Acme Support',
      scriptId: 'callback-script',
    });
  });

  it('without routing inputs the queue’s script goes, and no routing extras', async () => {
    const queue = await queueOf({ scriptId: 'queue-script' });
    const id = await created({ queue: queue.name });
    await deliver(id);
    const body = createBody(id);
    expect(body.routingData).toEqual({ queueId: queue.genesysQueueId, priority: 0 });
    expect(body.scriptId).toBe('queue-script');
    expect(body).not.toHaveProperty('callerId');
  });

  it('the operator create takes the same fields', async () => {
    const queue = await queueOf();
    const res = await t.app.inject({ method: 'POST', url: '/admin/v1/callbacks', headers: admin, payload: { queue: queue.name, phoneNumber: `+1202${phone++}`, skills: 'Billing', routingLabel: 'desk' } });
    expect(res.json().outcome, res.body).toBe('CREATED');
    const cb = await row(res.json().callbackId);
    expect(cb.routing_skills).toEqual([BILLING]);
    expect(cb.routing_label).toBe('desk');
  });
});

describe('the simulated gateway', () => {
  it('knows a few skills and languages by name, so the demo resolves them', async () => {
    const sim = createSimulatedGateway(t.database.db);
    expect(await sim.findSkill('billing')).toEqual(SIMULATED_SKILLS.find((k) => k.name === 'Billing'));
    expect(await sim.findLanguage('Spanish')).toEqual(SIMULATED_LANGUAGES.find((k) => k.name === 'Spanish'));
    expect(await sim.findSkill('Nothing Like It')).toBeNull();
    await sim.releaseCallbackOwner('conv-1');
    const calls = await t.database.db.selectFrom('simulated_genesys_calls').select(['operation', 'request']).where('operation', 'in', ['findSkill', 'releaseCallbackOwner']).execute();
    expect(calls.map((c) => c.operation)).toEqual(['findSkill', 'findSkill', 'releaseCallbackOwner']);
  });
});

describe('recreate', () => {
  it('a recreated callback keeps its routing', async () => {
    const queue = await queueOf();
    const id = await created({ queue: queue.name, skills: 'Billing', language: 'Spanish', callerId: '+12025550111', scriptId: 's-1', routingLabel: 'again' });
    expect((await t.app.inject({ method: 'POST', url: `/admin/v1/callbacks/${id}/cancel`, headers: admin })).json().outcome).toBe('CANCELLED');
    const res = await t.app.inject({ method: 'POST', url: `/admin/v1/callbacks/${id}/recreate`, headers: admin, payload: {} });
    expect(res.json().outcome, res.body).toBe('CREATED');
    const again = await row(res.json().callbackId);
    expect([again.routing_skills, again.routing_language, again.caller_id, again.script_id, again.routing_label]).toEqual([[BILLING], SPANISH, '+12025550111', 's-1', 'again']);
  });
});

describe('skill and language names', () => {
  it('many creates racing on a new name ask Genesys once', async () => {
    const queue = await queueOf();
    const raced = randomUUID();
    fake.skills.push({ id: raced, name: 'Raced Skill' });
    const before = fake.requestsTo('listSkills').filter((r) => r.query.name === 'Raced Skill').length;
    expect(before).toBe(0);
    const answers = await Promise.all(Array.from({ length: 20 }, () => create({ queue: queue.name, skills: 'Raced Skill' })));
    expect(answers.map((a) => a.json().outcome)).toEqual(Array(20).fill('CREATED'));
    expect(fake.requestsTo('listSkills').filter((r) => r.query.name === 'Raced Skill')).toHaveLength(1);
    const rows = await t.database.db.selectFrom('callbacks').select('routing_skills').where('queue_id', '=', queue.id).execute();
    expect(rows.map((r) => r.routing_skills)).toEqual(Array(20).fill([raced]));
  });

  it('the name cache keeps at most its size, the oldest going first', async () => {
    const cache = new RoutingNameCache(60_000, 2);
    let asked = 0;
    const ask = async () => {
      asked++;
      return null;
    };
    for (const name of ['a', 'b', 'c']) await cache.get('skill', name, 0, ask);
    await cache.get('skill', 'c', 1, ask);
    await cache.get('skill', 'b', 1, ask);
    expect(asked).toBe(3);
    await cache.get('skill', 'a', 1, ask); // evicted: asked again
    expect(asked).toBe(4);
  });

  it('the cache expires: after its TTL Genesys is asked again', async () => {
    const queue = await queueOf();
    fake.skills.push({ id: randomUUID(), name: 'Expiring Skill' });
    const asked = () => fake.requestsTo('listSkills').filter((r) => r.query.name === 'Expiring Skill').length;
    clock.set(START);
    await created({ queue: queue.name, skills: 'Expiring Skill' });
    clock.set(at(9));
    await created({ queue: queue.name, skills: 'Expiring Skill' });
    expect(asked()).toBe(1);
    clock.set(at(11));
    await created({ queue: queue.name, skills: 'Expiring Skill' });
    expect(asked()).toBe(2);
    clock.set(START);
  });

  it('are resolved once and then served from the cache', async () => {
    const queue = await queueOf();
    fake.skills.push({ id: randomUUID(), name: 'Cached Skill' });
    const before = fake.requestsTo('listSkills').length;
    const first = await created({ queue: queue.name, skills: 'Cached Skill' });
    expect(fake.requestsTo('listSkills').length).toBe(before + 1);
    expect(fake.requestsTo('listSkills').at(-1)!.query.name).toBe('Cached Skill');
    const second = await created({ queue: queue.name, skills: 'cached skill' });
    expect(fake.requestsTo('listSkills').length).toBe(before + 1);
    expect((await row(first)).routing_skills).toEqual((await row(second)).routing_skills);
  });

  it('an unknown skill is a 400 naming its entry; an unknown language names language', async () => {
    const queue = await queueOf();
    const res = await create({ queue: queue.name, skills: 'Billing,No Such Skill' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field ?? res.json().field).toBe('skills[1]');
    expect(res.body).toContain('No Such Skill');
    const lang = await create({ queue: queue.name, language: 'Klingon' });
    expect(lang.statusCode).toBe(400);
    expect(lang.body).toContain('language');
    const tooMany = await create({ queue: queue.name, skills: Array.from({ length: 21 }, () => BILLING).join(',') });
    expect(tooMany.statusCode).toBe(400);
    const none = await t.database.db.selectFrom('callbacks').select('id').where('queue_id', '=', queue.id).execute();
    expect(none).toHaveLength(0);
  });

  it('Genesys unreachable at create: the name is kept and resolved at delivery; unknown then: the delivery fails', async () => {
    const queue = await queueOf();
    fake.skills.push({ id: randomUUID(), name: 'Late Skill' });
    fake.failUntilRecovered('listSkills', 403);
    let id: string;
    let gone: string;
    try {
      id = await created({ queue: queue.name, skills: 'Late Skill' });
      gone = await created({ queue: queue.name, skills: 'Deleted Skill' });
    } finally {
      fake.recover('listSkills');
    }
    expect((await row(id)).routing_skills).toEqual(['Late Skill']);
    await deliver(id);
    const late = fake.skills.find((s) => s.name === 'Late Skill')!.id;
    expect((createBody(id).routingData as { skillIds: string[] }).skillIds).toEqual([late]);
    await deliver(gone);
    const failed = await row(gone);
    expect(failed.delivery_status).toBe('FAILED');
    expect(failed.delivery_error).toContain('Deleted Skill');
    expect(failed.state).toBe('COMPLETED');
  });
});

describe('preserveOriginal', () => {
  it('takes skills, language and priority from the IVR conversation in Genesys; explicit inputs win', async () => {
    clock.set(START);
    const queue = await queueOf();
    const ivr = fake.seedConversation({
      participants: [
        { purpose: 'customer', calls: [{ state: 'connected' }] },
        { purpose: 'acd', queueId: 'ivr-queue', calls: [{ state: 'connected' }], conversationRoutingData: { priority: 12, skills: [{ id: TECH }], language: { id: SPANISH } } },
      ],
    });
    const id = await created({ queue: queue.name, conversationId: ivr, preserveOriginal: true });
    await deliver(id);
    expect(createBody(id).routingData).toEqual({ queueId: queue.genesysQueueId, priority: 12, skillIds: [TECH], languageId: SPANISH });
    const entry = (await history(id)).find((h) => h.event === 'created');
    expect(entry?.detail).toMatchObject({ preservedFrom: ivr, preserved: { skillIds: [TECH], languageId: SPANISH, priority: 12 } });

    const own = await created({ queue: queue.name, conversationId: ivr, preserveOriginal: true, skills: 'Billing', priority: 3 });
    await deliver(own);
    expect(createBody(own).routingData).toEqual({ queueId: queue.genesysQueueId, priority: 3, skillIds: [BILLING], languageId: SPANISH });
  });

  it('an unknown conversation leaves the queue’s defaults; without conversationId it is a 400', async () => {
    const queue = await queueOf({ defaultPriority: 4 });
    const id = await created({ queue: queue.name, conversationId: randomUUID(), preserveOriginal: true });
    expect((await row(id)).priority).toBe(4);
    expect((await row(id)).routing_skills).toEqual([]);
    const res = await create({ queue: queue.name, preserveOriginal: true });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('preserveOriginal');
  });
});

describe('agent-owned callbacks', () => {
  it('queue settings: defaults, a PATCH changes only what it sends, bad values name the field, changes are audited', async () => {
    const queue = await queueOf();
    expect([queue.ownedCallbacksEnabled, queue.defaultOwnershipHours, queue.ownershipExpiry]).toEqual([false, 24, 'queue']);
    const patched = await t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${queue.id}`, headers: admin, payload: { ownershipExpiry: 'disconnect' } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect([patched.json().ownedCallbacksEnabled, patched.json().defaultOwnershipHours, patched.json().ownershipExpiry]).toEqual([false, 24, 'disconnect']);
    for (const [field, value] of [['defaultOwnershipHours', 0], ['defaultOwnershipHours', 721], ['ownershipExpiry', 'drop']] as const) {
      const bad = await t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${queue.id}`, headers: admin, payload: { [field]: value } });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain(field);
    }
    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'before', 'after']).where('entity', '=', 'queue').where('entity_id', '=', queue.id).where('action', '=', 'update').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.before).toMatchObject({ ownershipExpiry: 'queue' });
    expect(audit[0]!.after).toMatchObject({ ownershipExpiry: 'disconnect' });
  });

  it('need a queue that takes them; ownershipHours is bounded and needs an owner', async () => {
    const plain = await queueOf();
    const res = await create({ queue: plain.name, ownerAgentId: AGENT });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('ownerAgentId');
    const owned = await queueOf({ ownedCallbacksEnabled: true });
    expect((await create({ queue: owned.name, ownerAgentId: AGENT, ownershipHours: 721 })).statusCode).toBe(400);
    expect((await create({ queue: owned.name, ownerAgentId: AGENT, ownershipHours: 0 })).statusCode).toBe(400);
    expect((await create({ queue: owned.name, ownershipHours: 2 })).statusCode).toBe(400);
  });

  it('cannot be rescheduled or cancelled within 15 minutes of its time: an outcome for flows, a 409 for the desk', async () => {
    clock.set(START);
    const queue = await queueOf({ ownedCallbacksEnabled: true });
    const id = await created({ queue: queue.name, ownerAgentId: AGENT, ownershipHours: 2, desiredTime: at(60) });
    expect((await row(id)).ownership_ends_at!.toISOString()).toBe(at(180));

    // 15 minutes and one second before: still allowed (a reschedule to the same time changes nothing).
    clock.set(at(45 - 1 / 60));
    const ok = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/reschedule', headers: actions, payload: { callbackId: id, desiredTime: at(60) } });
    expect(ok.json().outcome, ok.body).toBe('RESCHEDULED');

    // Exactly 15 minutes before, and after: refused.
    clock.set(at(45));
    const flow = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/reschedule', headers: actions, payload: { callbackId: id, desiredTime: at(120) } });
    expect(flow.statusCode).toBe(200);
    expect(flow.json().outcome).toBe('NOT_RESCHEDULABLE');
    expect(flow.json().message).toContain('15 minutes');
    const cancel = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: id } });
    expect(cancel.json().outcome).toBe('NOT_CANCELLABLE');
    clock.set(at(50));
    const desk = await t.app.inject({ method: 'POST', url: `/admin/v1/callbacks/${id}/reschedule`, headers: admin, payload: { desiredTime: at(120) } });
    expect(desk.statusCode).toBe(409);
    expect(desk.body).toContain('15 minutes');
    const deskCancel = await t.app.inject({ method: 'POST', url: `/admin/v1/callbacks/${id}/cancel`, headers: admin });
    expect(deskCancel.statusCode).toBe(409);
    const cb = await row(id);
    expect(cb.state).toBe('SCHEDULED');
    expect(cb.scheduled_time!.toISOString()).toBe(at(60));
  });

  it('a reschedule before the cut-off moves the ownership end with it, and Genesys is told with the owner', async () => {
    clock.set(START);
    const queue = await queueOf({ ownedCallbacksEnabled: true });
    const id = await created({ queue: queue.name, ownerAgentId: AGENT, ownershipHours: 1, desiredTime: at(60) });
    await deliver(id);
    const res = await t.app.inject({ method: 'POST', url: `/admin/v1/callbacks/${id}/reschedule`, headers: admin, payload: { desiredTime: at(120) } });
    expect(res.json().outcome, res.body).toBe('RESCHEDULED');
    expect((await row(id)).ownership_ends_at!.toISOString()).toBe(at(180));
    const [job] = await ownershipJobs(id);
    expect(job!.run_at.toISOString()).toBe(at(180));
    await rescheduleInGenesys(jobs(), { callbackId: id });
    const patch = fake.requestsTo('rescheduleCallback').at(-1)!.body as { agentId?: string };
    expect(patch.agentId).toBe(AGENT);
  });

  it('expiry with ownershipExpiry queue: the owner is released in Genesys and the callback stays for the queue', async () => {
    clock.set(START);
    const queue = await queueOf({ ownedCallbacksEnabled: true, ownershipExpiry: 'queue', defaultOwnershipHours: 3 });
    const id = await created({ queue: queue.name, ownerAgentId: OTHER_AGENT, desiredTime: at(60) });
    const [job] = await ownershipJobs(id);
    expect(job!.run_at.toISOString()).toBe(at(240));
    await deliver(id);
    const conversationId = (await row(id)).genesys_conversation_id!;
    clock.set(at(240));
    await expireOwnership(jobs(), { callbackId: id });
    const release = fake.requestsTo('setPriority').find((r) => r.path.endsWith(conversationId));
    expect(release?.body).toEqual({ requestScoredAgents: [] });
    const conv = fake.conversations.get(conversationId)!;
    expect(conv.participants.flatMap((p) => p.conversationRoutingData?.scoredAgents ?? [])).toEqual([]);
    const cb = await row(id);
    expect(cb.state).toBe('SCHEDULED');
    const entry = (await history(id)).find((h) => h.event === 'ownership-released');
    expect(entry?.detail).toMatchObject({ ownerAgentId: OTHER_AGENT });
    // No longer owned: the cut-off no longer applies.
    clock.set(at(241));
    const cancel = await t.app.inject({ method: 'POST', url: `/admin/v1/callbacks/${id}/cancel`, headers: admin });
    expect(cancel.json().outcome).toBe('CANCELLED');
  });

  it('expiry with ownershipExpiry disconnect: the callback ends EXPIRED and is cancelled in Genesys', async () => {
    clock.set(START);
    const queue = await queueOf({ ownedCallbacksEnabled: true, ownershipExpiry: 'disconnect' });
    const id = await created({ queue: queue.name, ownerAgentId: AGENT, ownershipHours: 1 });
    await deliver(id);
    const conversationId = (await row(id)).genesys_conversation_id!;
    clock.set(at(60));
    await expireOwnership(jobs(), { callbackId: id });
    const cb = await row(id);
    expect(cb.state).toBe('COMPLETED');
    expect(cb.completion_reason).toBe('EXPIRED');
    expect((await history(id)).find((h) => h.event === 'ownership-expired')).toMatchObject({ reason: 'EXPIRED', to_state: 'COMPLETED' });
    await cancelInGenesys(jobs(), { callbackId: id });
    expect(fake.requestsTo('cancelCallback').some((r) => r.path.endsWith(conversationId))).toBe(true);
    expect(fake.conversations.get(conversationId)!.participants.every((p) => (p.callbacks ?? []).every((c) => c.state === 'disconnected'))).toBe(true);
  });
});

async function ownershipJobs(callbackId: string) {
  const { rows } = await sql<{ run_at: Date }>`
    select j.run_at from graphile_worker._private_jobs j join graphile_worker._private_tasks k on k.id = j.task_id
    where k.identifier = 'ownership-expiry' and j.key = ${`ownership:${callbackId}`}`.execute(t.database.db);
  return rows;
}
