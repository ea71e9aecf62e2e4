import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agingCheck } from '../src/aging/tracks.js';
import { deliverCallback } from '../src/callbacks/tasks.js';
import { createCaches } from '../src/context.js';
import { jobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys, type FakeParticipant } from './helpers/fake-genesys.js';
import { genesysFixture } from './helpers/fixtures.js';
import { gatewayFor } from './helpers/worker.js';

/**
 * Issue 12, section 5: aging builds on the priority Genesys holds (the ACD participant's
 * conversationRoutingData.priority, as the callback-prioritization blueprint reads it), never sets
 * one below it, and age mode credits the wait a caller had before asking for the callback.
 */

const acdStartFixture = genesysFixture('acd-start-callback.json');
// Monday 2030-03-04, 10:00 in New York: the factories' hours (09:00–17:00 weekdays) are open.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let fake: FakeGenesys;
let events: { authorization: string };
let admin: { authorization: string };
let actions: { authorization: string };
let deps: Parameters<typeof agingCheck>[0];
let make: ReturnType<typeof factories>;
beforeAll(async () => {
  fake = await startFakeGenesys();
  // Quick retries: a failure injected below is retried without real waiting.
  const gateway = gatewayFor(fake, { baseBackoffMs: 1, maxRetryWaitMs: 1 });
  t = await buildTestApp({ clock, gateway });
  events = (await authHeader(t, ['events'])).headers;
  admin = (await authHeader(t, ['administrator'])).headers;
  actions = (await authHeader(t, ['actions'])).headers;
  deps = jobContext({ db: t.database.db, gateway, clock, caches: createCaches(), logger: createLogger('silent') });
  make = factories(t.database.db);
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

let n = 0;
const uid = () => `${Date.now().toString(16)}-${++n}`;
const acdStart = (payload: object) => t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-start', headers: events, payload: { ...acdStartFixture, eventTime: clock.now().getTime(), ...payload } });
const track = async (conversationId: string) => (await t.app.inject({ method: 'GET', url: `/admin/v1/aging-tracks/${conversationId}`, headers: admin })).json();
const sent = (conversationId: string) => fake.requestsTo('setPriority').filter((r) => r.path.endsWith(`/${conversationId}`)).map((r) => (r.body as { priority: number }).priority);

/** A callback waiting in queue whose ACD participant holds `priority` (none: Genesys does not say). */
const waiting = (queueId: string, priority?: number): FakeParticipant[] => [
  { purpose: 'customer', callbacks: [{ state: 'connected' }] },
  { purpose: 'acd', queueId, callbacks: [{ state: 'connected' }], ...(priority !== undefined && { conversationRoutingData: { priority } }) },
];

async function agingQueue(policy: object, extra: Record<string, unknown> = {}) {
  const p = await t.app.inject({ method: 'POST', url: '/admin/v1/prioritization-policies', headers: admin, payload: { name: `p-${uid()}`, ...policy } });
  expect(p.statusCode, p.body).toBe(201);
  const genesysQueueId = `gq-${uid()}`;
  const queue = await make.queue({ genesysQueueId, prioritizationPolicyId: p.json().id, ...extra });
  return { genesysQueueId, queue };
}

const STEP = { mode: 'step', intervalSeconds: 60, increment: 5, maxSteps: 10, maxPriority: 100 };

describe('aging starts from the priority Genesys holds', () => {
  it('with routingPriority absent from acd.start, the first check reads the real one and builds on it', async () => {
    const { genesysQueueId: queueId } = await agingQueue(STEP);
    const conversationId = fake.seedConversation({ participants: waiting(queueId, 40) });
    const { routingPriority: _absent, ...noPriority } = acdStartFixture as Record<string, unknown>;
    const started = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-start', headers: events, payload: { ...noPriority, conversationId, queueId, eventTime: clock.now().getTime() } });
    expect(started.json().action).toBe('TRACKING_STARTED');
    expect(await track(conversationId)).toMatchObject({ basePriority: 0, steps: 0 });
    const reads = fake.requestsTo('getConversation').length;
    await agingCheck(deps, { conversationId });
    await agingCheck(deps, { conversationId });
    // 40 + 5, then + 5 again: not 5 and 10, which would have lowered it.
    expect(sent(conversationId)).toEqual([45, 50]);
    expect(await track(conversationId)).toMatchObject({ basePriority: 40, steps: 2, currentPriority: 50 });
    // Read through the conversation the check already reads: one GET per check, no other call.
    expect(fake.requestsTo('getConversation').length - reads).toBe(2);
  });

  it('the real priority wins over the routingPriority the event carried', async () => {
    const { genesysQueueId: queueId } = await agingQueue(STEP);
    const conversationId = fake.seedConversation({ participants: waiting(queueId, 30) });
    await acdStart({ conversationId, queueId, routingPriority: 2 });
    await agingCheck(deps, { conversationId });
    expect(sent(conversationId)).toEqual([35]);
  });

  it('without a priority from Genesys, the event’s routingPriority stays the base', async () => {
    const { genesysQueueId: queueId } = await agingQueue(STEP);
    const conversationId = fake.seedConversation({ participants: waiting(queueId) });
    await acdStart({ conversationId, queueId, routingPriority: 2 });
    await agingCheck(deps, { conversationId });
    expect(sent(conversationId)).toEqual([7]);
    expect(await track(conversationId)).toMatchObject({ basePriority: 2, currentPriority: 7 });
  });

  it('never sets a priority below the current one: not at the cap, not after something else raised it', async () => {
    // Already above the policy's cap: nothing is sent, the track stops at the cap with the real priority.
    const { genesysQueueId: high } = await agingQueue(STEP);
    const above = fake.seedConversation({ participants: waiting(high, 250) });
    await acdStart({ conversationId: above, queueId: high });
    await agingCheck(deps, { conversationId: above });
    expect(sent(above)).toEqual([]);
    expect(await track(above)).toMatchObject({ status: 'STOPPED', stopReason: 'PRIORITY_CAP', currentPriority: 250 });
    expect(fake.conversations.get(above)!.participants[1]!.conversationRoutingData?.priority).toBe(250);

    // Raised by someone else between checks (an in-queue flow, a supervisor): aging continues from there.
    const { genesysQueueId: queueId } = await agingQueue({ ...STEP, maxPriority: 1000 });
    const conversationId = fake.seedConversation({ participants: waiting(queueId, 10) });
    await acdStart({ conversationId, queueId });
    await agingCheck(deps, { conversationId }); // 15
    const acd = fake.conversations.get(conversationId)!.participants[1]!;
    acd.conversationRoutingData = { priority: 300 };
    await agingCheck(deps, { conversationId }); // 20 would lower it: 300 stays, nothing sent
    acd.conversationRoutingData = { priority: 22 };
    await agingCheck(deps, { conversationId }); // 25 > 22
    expect(sent(conversationId)).toEqual([15, 25]);
    const tr = await track(conversationId);
    expect(tr.history.map((h: { priority: number }) => h.priority)).toEqual([15, 300, 25]);
    for (let i = 1; i < tr.history.length; i++) expect(tr.history[i].priority).toBeGreaterThanOrEqual(15);
  });

  it('a first step retried after a failure does not build on its own earlier write', async () => {
    const { genesysQueueId: queueId } = await agingQueue(STEP);
    const conversationId = fake.seedConversation({ participants: waiting(queueId, 40) });
    await acdStart({ conversationId, queueId });
    // Genesys applies the change but every answer fails: the job fails and will run again.
    fake.failAfterWork('setPriority', [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }]);
    await expect(agingCheck(deps, { conversationId })).rejects.toThrow();
    expect(fake.conversations.get(conversationId)!.participants[1]!.conversationRoutingData?.priority).toBe(45);
    await agingCheck(deps, { conversationId });
    expect(await track(conversationId)).toMatchObject({ basePriority: 40, steps: 1, currentPriority: 45 });
    // Not 50: the base was recorded before the step was sent.
    expect(new Set(sent(conversationId))).toEqual(new Set([45]));
  });

  it('age mode starts from the real priority too', async () => {
    const { genesysQueueId: queueId } = await agingQueue({ mode: 'age', intervalSeconds: 60, pointsPerMinute: 2, maxSteps: 10, maxPriority: 10_000 });
    const conversationId = fake.seedConversation({ participants: waiting(queueId, 100) });
    const started = clock.now();
    await acdStart({ conversationId, queueId });
    clock.set(new Date(started.getTime() + 3 * 60_000));
    await agingCheck(deps, { conversationId });
    expect(sent(conversationId)).toEqual([106]);
  });
});

describe('waitedSeconds on callbacks/create', () => {
  const create = (payload: object) => t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload });
  let phone = 0;
  const nextPhone = () => `+1202456${String(3000 + phone++).padStart(4, '0')}`;

  /** Creates an immediate callback, delivers it to the fake and puts it in queue (ACD connected). */
  async function queuedCallback(queueName: string, waitedSeconds?: number) {
    const res = await create({ queue: queueName, phoneNumber: nextPhone(), ...(waitedSeconds !== undefined && { waitedSeconds }) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().outcome).toBe('CREATED');
    const callbackId = res.json().callbackId as string;
    await deliverCallback(deps, { callbackId }, { job: { attempts: 1, max_attempts: 25 } } as never);
    const row = await t.database.db.selectFrom('callbacks').select(['genesys_conversation_id', 'waited_seconds']).where('id', '=', callbackId).executeTakeFirstOrThrow();
    const conversationId = row.genesys_conversation_id!;
    for (const p of fake.conversations.get(conversationId)!.participants) for (const c of p.callbacks ?? []) c.state = 'connected';
    return { conversationId, waitedSeconds: row.waited_seconds };
  }

  it('age mode counts from the moment the caller started waiting', async () => {
    const hours = await make.hours();
    const { genesysQueueId: queueId, queue } = await agingQueue(
      { mode: 'age', intervalSeconds: 60, pointsPerMinute: 1, maxSteps: 10, maxPriority: 10_000 },
      { businessHoursId: hours.id, defaultPriority: 0 },
    );
    const waited = await queuedCallback(queue.name, 600);
    const fresh = await queuedCallback(queue.name);
    expect(waited.waitedSeconds).toBe(600);
    expect(fresh.waitedSeconds).toBe(0);
    const started = clock.now();
    expect((await acdStart({ conversationId: waited.conversationId, queueId })).json().action).toBe('TRACKING_STARTED');
    expect((await acdStart({ conversationId: fresh.conversationId, queueId })).json().action).toBe('TRACKING_STARTED');
    const tr = await track(waited.conversationId);
    expect(tr.waitedSeconds).toBe(600);
    expect(new Date(tr.startedAt).getTime()).toBe(started.getTime());
    // The first check still comes after the policy's delay from the real start; only the age is credited.
    clock.set(new Date(started.getTime() + 60_000));
    await agingCheck(deps, { conversationId: waited.conversationId });
    await agingCheck(deps, { conversationId: fresh.conversationId });
    expect(sent(waited.conversationId)).toEqual([11]);
    expect(sent(fresh.conversationId)).toEqual([1]);
  });

  it('is an integer from 0 to 86,400', async () => {
    const hours = await make.hours();
    const queue = await make.queue({ businessHoursId: hours.id });
    for (const waitedSeconds of [-1, 86_401, 1.5, 'ten']) {
      const res = await create({ queue: queue.name, phoneNumber: nextPhone(), waitedSeconds });
      expect(res.statusCode, String(waitedSeconds)).toBe(400);
    }
    for (const waitedSeconds of [0, 86_400]) {
      const res = await create({ queue: queue.name, phoneNumber: nextPhone(), waitedSeconds });
      expect(res.json().outcome, String(waitedSeconds)).toBe('CREATED');
    }
  });
});
