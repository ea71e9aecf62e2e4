import type { JobHelpers } from 'graphile-worker';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterConversation } from '../src/callbacks/attempts.js';
import { deliverCallback, rescheduleInGenesys } from '../src/callbacks/tasks.js';
import { createCaches } from '../src/context.js';
import { jobContext, type JobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { testContext } from './helpers/context.js';
import { gatewayFor } from './helpers/worker.js';

/**
 * Retries for callbacks nobody answered (issue 12 §4, seed 002): a queue's callback retry policy,
 * the wrap-up event that decides, and each attempt delivered to a fake Genesys through the real SDK.
 * The delivery job is called as the worker would call it, with the clock moved past the wait.
 */

// Monday 2030-03-04, 10:00 in New York.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let fake: FakeGenesys;
let actions: { authorization: string };
let events: { authorization: string };
let admin: { authorization: string };
let deps: JobContext;
beforeAll(async () => {
  fake = await startFakeGenesys();
  const gateway = gatewayFor(fake, { maxRetryWaitMs: 5_000, baseBackoffMs: 1 });
  t = await buildTestApp({ clock, gateway, env: { DATABASE_POOL_MAX: '30' } });
  actions = (await authHeader(t, ['actions'])).headers;
  events = (await authHeader(t, ['events'])).headers;
  admin = (await authHeader(t, ['administrator'])).headers;
  deps = jobContext({ db: t.database.db, gateway, clock, caches: createCaches(), logger: createLogger('silent') });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const NO_ANSWER = 'b1e0c6f8-5a8e-4a57-9a55-2f5c1e0a0001';
const BUSY = 'b1e0c6f8-5a8e-4a57-9a55-2f5c1e0a0002';
const RESOLVED = 'b1e0c6f8-5a8e-4a57-9a55-2f5c1e0a0099';

const job = { job: { attempts: 1, max_attempts: 25 } } as unknown as Pick<JobHelpers, 'job'>;
let n = 0;
const uid = () => `${Date.now().toString(16)}-${++n}`;
let phone = 4561200;

async function policy(body: object = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/admin/v1/callback-retry-policies',
    headers: admin,
    payload: { name: `no answer ${uid()}`, wrapUpCodes: [{ id: NO_ANSWER, name: 'No answer' }, { id: BUSY }], waitSeconds: 600, maxAttempts: 3, ...body },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; maxAttempts: number; waitSeconds: number };
}

async function queue(callbackRetryPolicyId: string | null) {
  const genesysQueueId = `gq-${uid()}`;
  const q = await factories(t.database.db).queue({ genesysQueueId, maxPendingPerNumber: 100, callbackRetryPolicyId });
  return { ...q, genesysQueueId };
}

async function create(queueName: string, extra: object = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/actions/v1/callbacks/create',
    headers: actions,
    payload: { queue: queueName, phoneNumber: `+1202${++phone}`, customerName: 'Ada Lovelace', priority: 7, userData: JSON.stringify({ reason: 'billing', account: 'A-17' }), ...extra },
  });
  expect(res.json().outcome, res.body).toBe('CREATED');
  return res.json().callbackId as string;
}

const row = (id: string) => t.database.db.selectFrom('callbacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const history = async (id: string) => t.database.db.selectFrom('callback_history').selectAll().where('callback_id', '=', id).orderBy('id').execute();
const createRequests = (id: string) => fake.requestsTo('createCallback').filter((r) => (r.body as { data?: Record<string, string> }).data?.callbackEngineId === id);
const deliveryJobs = async (id: string) =>
  (
    await sql<{ run_at: Date; payload: Record<string, string> }>`
      select j.run_at, j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'deliver-callback' and j.payload->>'callbackId' = ${id}`.execute(t.database.db)
  ).rows;

/** Delivery jobs of a later attempt (the first one's stays in the table: the test runs it by hand, not the worker). */
const retryJobs = async (id: string) => (await deliveryJobs(id)).filter((j) => j.payload.attempt !== undefined);

const post = (path: string, payload: object) => t.app.inject({ method: 'POST', url: `/events/v1/${path}`, headers: events, payload });
const event = (conversationId: string, extra: object = {}) => ({ conversationId, participantId: randomUUID(), eventTime: clock.now().getTime(), mediaType: 'CALLBACK', ...extra });
const wrapup = (conversationId: string, wrapupCode: string, extra: object = {}) => post('conversation-wrapup', event(conversationId, { wrapupCode, ...extra }));

/** Delivers the callback's current attempt (the job, as the worker runs it) and answers its conversation. */
async function deliver(id: string): Promise<string> {
  const [pending] = await deliveryJobs(id);
  expect(pending, 'a delivery job is pending').toBeDefined();
  await deliverCallback(deps, { callbackId: id, ...(pending!.payload.attempt && { attempt: pending!.payload.attempt }) }, job);
  const r = await row(id);
  expect(r.delivery_status).toBe('DELIVERED');
  return r.genesys_conversation_id!;
}

/** acd.start → acd.end ANSWERED → the agent's user.end: the conversation as an agent had it. */
async function agentHad(conversationId: string, genesysQueueId: string) {
  expect((await post('conversation-acd-start', event(conversationId, { queueId: genesysQueueId }))).statusCode).toBe(200);
  expect((await post('conversation-acd-end', event(conversationId, { queueId: genesysQueueId, acdOutcome: 'ANSWERED' }))).statusCode).toBe(200);
  const end = await post('conversation-user-end', event(conversationId, { queueId: genesysQueueId, userId: 'agent-1', disconnectType: 'CLIENT', interactingDurationMs: 5000 }));
  expect(end.statusCode, end.body).toBe(200);
}

describe('a callback nobody answered is tried again, up to the policy’s attempts', () => {
  it('wrap-up with a no-answer code → a new attempt after the wait (same number, name, data, queue, priority); at max attempts COMPLETED/NO_ANSWER with every attempt listed', async () => {
    const p = await policy();
    const q = await queue(p.id);
    const id = await create(q.name);
    const conversations: string[] = [];

    for (let attempt = 1; attempt <= 3; attempt++) {
      const conversationId = await deliver(id);
      conversations.push(conversationId);
      await agentHad(conversationId, q.genesysQueueId);
      // The agent left: in a queue with a policy the callback waits for the wrap-up.
      expect(await row(id)).toMatchObject({ state: 'PROCESSING', attempt, completion_reason: null });

      const res = await wrapup(conversationId, attempt === 2 ? BUSY : NO_ANSWER, { queueId: q.genesysQueueId });
      expect(res.statusCode, res.body).toBe(200);
      if (attempt < 3) {
        const retryAt = new Date(clock.now().getTime() + 600_000);
        expect(res.json()).toMatchObject({ accepted: true, action: 'RETRY_SCHEDULED', callbackId: id, attempt, maxAttempts: 3 });
        expect(new Date(res.json().retryAt).getTime()).toBe(retryAt.getTime());
        expect(await row(id)).toMatchObject({ state: 'SCHEDULED', attempt: attempt + 1, delivery_status: 'PENDING', genesys_conversation_id: null, scheduled_time: retryAt, slot_start: null });
        // The next attempt's delivery is committed with the decision, due at the retry time.
        const pending = await deliveryJobs(id);
        expect(pending).toHaveLength(1);
        expect(new Date(pending[0]!.run_at).getTime()).toBe(retryAt.getTime());
        expect(pending[0]!.payload).toEqual({ callbackId: id, attempt: String(attempt + 1) });
        const last = (await history(id)).at(-1)!;
        expect(last).toMatchObject({ event: 'retry-scheduled', from_state: 'PROCESSING', to_state: 'SCHEDULED' });
        expect(last.detail).toMatchObject({ attempt: attempt + 1, maxAttempts: 3, endedConversationId: conversationId, message: expect.stringContaining(`attempt ${attempt + 1} of 3`) });
        clock.advance(600_000);
      } else {
        expect(res.json()).toMatchObject({ action: 'NO_ANSWER', callbackId: id, attempt: 3, maxAttempts: 3, retryAt: '' });
      }
    }

    const done = await row(id);
    expect(done).toMatchObject({ state: 'COMPLETED', completion_reason: 'NO_ANSWER', attempt: 3, genesys_conversation_id: conversations[2] });
    const final = (await history(id)).at(-1)!;
    expect(final).toMatchObject({ event: 'wrapup', to_state: 'COMPLETED', reason: 'NO_ANSWER' });
    expect((final.detail as { attempts: unknown[] }).attempts).toEqual(conversations.map((conversationId, i) => expect.objectContaining({ attempt: i + 1, conversationId, wrapUpCode: i === 1 ? BUSY : NO_ANSWER })));

    // Exactly three callbacks reached Genesys, each the same request but for its attempt.
    const sent = createRequests(id).map((r) => r.body as { routingData: { queueId: string; priority: number }; callbackNumbers: string[]; callbackUserName: string; data: Record<string, string> });
    expect(sent).toHaveLength(3);
    for (const [i, body] of sent.entries()) {
      expect(body).toMatchObject({ routingData: { queueId: q.genesysQueueId, priority: 7 }, callbackNumbers: [done.phone_e164], callbackUserName: 'Ada Lovelace' });
      expect(body.data).toEqual({ reason: 'billing', account: 'A-17', callbackEngineId: id, callbackEngineAttempt: String(i + 1) });
      expect(body).not.toHaveProperty('callbackScheduledTime');
    }
    expect(new Set(conversations).size).toBe(3);

    // The desk lists the attempts.
    const desk = (await t.app.inject({ method: 'GET', url: `/admin/v1/callbacks/${id}`, headers: admin })).json();
    expect(desk).toMatchObject({ state: 'COMPLETED', completionReason: 'NO_ANSWER', attempt: 3 });
    expect(desk.attempts.map((a: { attempt: number; outcome: string; conversationId: string }) => [a.attempt, a.outcome, a.conversationId])).toEqual([
      [1, 'RETRY_SCHEDULED', conversations[0]],
      [2, 'RETRY_SCHEDULED', conversations[1]],
      [3, 'NO_ANSWER', conversations[2]],
    ]);
    expect(new Date(desk.attempts[0].retryAt).toISOString()).toBe('2030-03-04T15:10:00.000Z');
  });

  it('maxAttempts 1 means no retry: the first no-answer wrap-up ends the callback as NO_ANSWER', async () => {
    const q = await queue((await policy({ maxAttempts: 1 })).id);
    const id = await create(q.name);
    const conversationId = await deliver(id);
    const res = await wrapup(conversationId, NO_ANSWER);
    expect(res.json()).toMatchObject({ action: 'NO_ANSWER', attempt: 1, maxAttempts: 1 });
    expect(await row(id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'NO_ANSWER' });
    expect(await retryJobs(id)).toHaveLength(0);
  });

  it('any other wrap-up code completes it as HANDLED (ids compared without regard to case)', async () => {
    const q = await queue((await policy()).id);
    const id = await create(q.name);
    const conversationId = await deliver(id);
    await agentHad(conversationId, q.genesysQueueId);
    const res = await wrapup(conversationId, RESOLVED);
    expect(res.json()).toMatchObject({ action: 'HANDLED', callbackId: id, attempt: 1, maxAttempts: 3 });
    expect(await row(id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'HANDLED', attempt: 1 });
    expect(createRequests(id)).toHaveLength(1);

    const id2 = await create(q.name);
    const conversation2 = await deliver(id2);
    expect((await wrapup(conversation2, NO_ANSWER.toUpperCase())).json().action).toBe('RETRY_SCHEDULED');
  });

  it('without a policy nothing changes: the agent’s user.end completes it as HANDLED, a later wrap-up changes nothing', async () => {
    const q = await queue(null);
    const id = await create(q.name);
    const conversationId = await deliver(id);
    await agentHad(conversationId, q.genesysQueueId);
    expect(await row(id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'HANDLED', attempt: 1 });
    const res = await wrapup(conversationId, NO_ANSWER);
    expect(res.json()).toMatchObject({ action: 'IGNORED', callbackId: id, maxAttempts: 0 });
    expect(await row(id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'HANDLED' });
    expect(await retryJobs(id)).toHaveLength(0);
    // Nor is an attempt recorded for a queue without retries.
    expect(await t.database.db.selectFrom('callback_attempts').select('id').where('callback_id', '=', id).execute()).toHaveLength(0);
  });

  it('a wrap-up forwarded before the acd.end and user.end still decides; the late events of that conversation change nothing', async () => {
    const q = await queue((await policy()).id);
    const id = await create(q.name);
    const conversationId = await deliver(id);
    await post('conversation-acd-start', event(conversationId, { queueId: q.genesysQueueId }));
    expect((await row(id)).state).toBe('QUEUED');
    expect((await wrapup(conversationId, NO_ANSWER)).json().action).toBe('RETRY_SCHEDULED');
    await post('conversation-acd-end', event(conversationId, { queueId: q.genesysQueueId, acdOutcome: 'ANSWERED' }));
    await post('conversation-user-end', event(conversationId, { userId: 'agent-1', disconnectType: 'CLIENT' }));
    expect(await row(id)).toMatchObject({ state: 'SCHEDULED', attempt: 2, delivery_status: 'PENDING' });
  });
});

describe('the decision for a conversation that ended without a wrap-up', () => {
  it('from user.end a null wrap-up means "still to come" (AWAITING_WRAPUP); from any other source (the reconciler) it means none: HANDLED', async () => {
    const q = await queue((await policy()).id);
    const id = await create(q.name);
    const conversationId = await deliver(id);
    await agentHad(conversationId, q.genesysQueueId);
    const userEnd = (await history(id)).at(-1)!;
    // Already PROCESSING (acd.end ANSWERED): user.end records that it waits, and moves nothing.
    expect(userEnd).toMatchObject({ event: 'user.end', from_state: null, to_state: null });
    expect((await row(id)).state).toBe('PROCESSING');
    expect(userEnd.detail).toMatchObject({ message: 'Awaiting the wrap-up', attempt: 1, maxAttempts: 3 });

    const ctx = testContext(t.database.db, undefined, clock);
    const decide = (end: Parameters<typeof afterConversation>[3]) => t.database.db.transaction().execute((trx) => afterConversation(ctx, trx, { id }, end));
    expect(await decide({ wrapUpCode: null, source: 'user.end', conversationId })).toBe('AWAITING_WRAPUP');
    expect(await decide({ wrapUpCode: NO_ANSWER, source: 'wrapup', conversationId: randomUUID() })).toBe('UNCHANGED');
    expect(await decide({ wrapUpCode: null, source: 'wrapup', conversationId })).toBe('HANDLED');
    expect(await row(id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'HANDLED' });
    expect(await decide({ wrapUpCode: NO_ANSWER, source: 'wrapup' })).toBe('UNCHANGED');
  });
});

describe('events that must change nothing', () => {
  it('the same wrap-up forwarded 20 times at once: one retry, 19 DUPLICATE; wrap-ups with other keys for the same conversation: IGNORED', async () => {
    const q = await queue((await policy()).id);
    const id = await create(q.name);
    const conversationId = await deliver(id);
    await agentHad(conversationId, q.genesysQueueId);
    const same = event(conversationId, { wrapupCode: NO_ANSWER });
    // The same event (one key) and the same wrap-up seen by other triggers (other participant, other keys).
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, () => post('conversation-wrapup', same)),
      ...Array.from({ length: 10 }, () => wrapup(conversationId, NO_ANSWER)),
    ]);
    const actions = answers.map((a) => a.json().action as string);
    expect(actions.filter((a) => a === 'RETRY_SCHEDULED')).toHaveLength(1);
    expect(actions.slice(0, 20).filter((a) => a === 'DUPLICATE').length).toBeGreaterThanOrEqual(19);
    expect(actions.filter((a) => !['RETRY_SCHEDULED', 'DUPLICATE', 'IGNORED'].includes(a))).toEqual([]);
    expect(await row(id)).toMatchObject({ state: 'SCHEDULED', attempt: 2 });
    expect(await t.database.db.selectFrom('callback_attempts').select('attempt').where('callback_id', '=', id).execute()).toEqual([{ attempt: 1 }]);
    expect((await history(id)).filter((h) => h.event === 'retry-scheduled')).toHaveLength(1);
    expect(await retryJobs(id)).toHaveLength(1);
    // The repeat, later, is still a duplicate.
    expect((await post('conversation-wrapup', same)).json().action).toBe('DUPLICATE');
  });

  it('two services on one database, the same wrap-up forwarded to both at once (and again): one retry, one attempt recorded, one job', async () => {
    const other = await buildTestApp({ url: t.url, clock, gateway: gatewayFor(fake), env: { DATABASE_POOL_MAX: '20' } });
    try {
      const otherEvents = (await authHeader(other, ['events'])).headers;
      const q = await queue((await policy()).id);
      const ids = await Promise.all(Array.from({ length: 5 }, () => create(q.name)));
      for (const id of ids) {
        const conversationId = await deliver(id);
        const same = event(conversationId, { wrapupCode: NO_ANSWER });
        const answers = await Promise.all(
          Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? post('conversation-wrapup', same) : other.app.inject({ method: 'POST', url: '/events/v1/conversation-wrapup', headers: otherEvents, payload: same }))),
        );
        const actions = answers.map((a) => a.json().action as string);
        expect(actions.filter((a) => a === 'RETRY_SCHEDULED'), id).toHaveLength(1);
        expect(actions.filter((a) => a === 'DUPLICATE'), id).toHaveLength(15);
        expect(await row(id)).toMatchObject({ state: 'SCHEDULED', attempt: 2 });
        expect(await t.database.db.selectFrom('callback_attempts').select('attempt').where('callback_id', '=', id).execute()).toEqual([{ attempt: 1 }]);
        expect(await retryJobs(id)).toHaveLength(1);
      }
    } finally {
      await other.close();
    }
  });

  it('events of an earlier attempt’s conversation no longer move the callback', async () => {
    const q = await queue((await policy()).id);
    const id = await create(q.name);
    const first = await deliver(id);
    await agentHad(first, q.genesysQueueId);
    await wrapup(first, NO_ANSWER);
    clock.advance(600_000);
    const second = await deliver(id);
    expect(second).not.toBe(first);
    await post('conversation-acd-start', event(second, { queueId: q.genesysQueueId }));
    const before = await row(id);
    expect(before).toMatchObject({ state: 'QUEUED', attempt: 2, genesys_conversation_id: second });
    const historyBefore = (await history(id)).length;

    expect((await wrapup(first, RESOLVED)).json()).toMatchObject({ action: 'IGNORED', callbackId: '' });
    expect((await wrapup(first, NO_ANSWER)).json().action).toBe('IGNORED');
    await post('conversation-acd-end', event(first, { queueId: q.genesysQueueId, acdOutcome: 'ABANDON' }));
    await post('conversation-user-end', event(first, { userId: 'agent-1', disconnectType: 'CLIENT' }));
    expect(await row(id)).toMatchObject({ state: 'QUEUED', attempt: 2, genesys_conversation_id: second, completion_reason: null });
    expect(await history(id)).toHaveLength(historyBefore);
  });

  it('a wrap-up of a conversation that is no callback’s is IGNORED', async () => {
    const res = await wrapup(randomUUID(), NO_ANSWER);
    expect(res.json()).toMatchObject({ accepted: true, action: 'IGNORED', callbackId: '', attempt: 0, retryAt: '' });
  });
});

describe('between attempts', () => {
  it('a retry takes no slot: a scheduled callback keeps its booking in its own slot, and its retry books nothing', async () => {
    const q = await queue((await policy()).id);
    const id = await create(q.name, { desiredTime: '2030-03-04T16:00:00Z' });
    const booked = async () => (await t.database.db.selectFrom('slot_bookings').select(['slot_start', 'booked']).where('queue_id', '=', q.id).execute()).map((b) => [new Date(b.slot_start).toISOString(), b.booked]);
    expect(await booked()).toEqual([['2030-03-04T16:00:00.000Z', 1]]);
    const conversationId = await deliver(id);
    // The first attempt asked Genesys for the booked time; the retry is created to be called at once.
    expect((createRequests(id)[0]!.body as { callbackScheduledTime?: string }).callbackScheduledTime).toBe('2030-03-04T16:00:00.000Z');
    clock.set('2030-03-04T16:05:00Z');
    await wrapup(conversationId, NO_ANSWER);
    expect(await booked()).toEqual([['2030-03-04T16:00:00.000Z', 1]]);
    clock.advance(600_000);
    await deliver(id);
    expect(createRequests(id)[1]!.body).not.toHaveProperty('callbackScheduledTime');
    expect(await booked()).toEqual([['2030-03-04T16:00:00.000Z', 1]]);
  });

  it('a scheduled callback waiting for its retry can be rescheduled: its next attempt’s delivery moves to the new time, and a reschedule job has nothing to move in Genesys (no RetryLater, no request)', async () => {
    const q = await queue((await policy()).id);
    clock.set('2030-03-04T15:00:00Z');
    const id = await create(q.name, { desiredTime: '2030-03-04T15:30:00Z' });
    const conversationId = await deliver(id);
    clock.set('2030-03-04T15:35:00Z');
    await wrapup(conversationId, NO_ANSWER);
    const moved = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/reschedule', headers: actions, payload: { callbackId: id, desiredTime: '2030-03-04T18:00:00Z' } });
    expect(moved.json().outcome, moved.body).toBe('RESCHEDULED');
    const [pending] = await retryJobs(id);
    expect(pending!.payload).toEqual({ callbackId: id, attempt: '2' });
    expect(new Date(pending!.run_at).toISOString()).toBe('2030-03-04T18:00:00.000Z');
    expect(await row(id)).toMatchObject({ state: 'SCHEDULED', attempt: 2, scheduled_time: new Date('2030-03-04T18:00:00Z') });
    // Genesys has no attempt 2 yet (the first attempt's conversation is over): nothing to wait for, nothing to move.
    const patches = fake.requestsTo('rescheduleCallback').length;
    await rescheduleInGenesys(deps, { callbackId: id });
    expect(fake.requestsTo('rescheduleCallback')).toHaveLength(patches);
  });

  it('a callback waiting for its retry can be cancelled: nothing more is sent to Genesys', async () => {
    const q = await queue((await policy()).id);
    const id = await create(q.name);
    const conversationId = await deliver(id);
    await wrapup(conversationId, NO_ANSWER);
    const cancel = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: id } });
    expect(cancel.json().outcome).toBe('CANCELLED');
    clock.advance(600_000);
    await deliverCallback(deps, { callbackId: id, attempt: '2' }, job);
    expect(await row(id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'CANCELLED_BY_CUSTOMER', delivery_status: 'NOT_REQUIRED' });
    expect(createRequests(id)).toHaveLength(1);
  });

  it('an attempt whose create got no answer is looked up in Genesys by its own attempt: the earlier attempt’s conversation (same callback id) is not taken for it', async () => {
    const q = await queue((await policy()).id);
    const id = await create(q.name);
    const first = await deliver(id);
    await wrapup(first, NO_ANSWER);
    clock.advance(600_000);
    const retry = { callbackId: id, attempt: '2' };

    // Not carried out (a 504 before Genesys did anything): the lookup finds no attempt 2, so it is sent again.
    fake.failNext('createCallback', [{ status: 504 }]);
    await expect(deliverCallback(deps, retry, job)).rejects.toThrow();
    expect(await row(id)).toMatchObject({ delivery_status: 'SENDING', attempt: 2 });
    const lookups = fake.requestsTo('conversationDetailsQuery').length;
    await deliverCallback(deps, retry, job);
    expect(fake.requestsTo('conversationDetailsQuery').length).toBeGreaterThan(lookups);
    const second = (await row(id)).genesys_conversation_id!;
    expect(second).not.toBe(first);
    expect(createRequests(id)).toHaveLength(3); // attempt 1, attempt 2 (failed), attempt 2 again
    expect(fake.conversations.get(second)?.participants[0]?.attributes).toMatchObject({ callbackEngineId: id, callbackEngineAttempt: '2' });
    expect((await history(id)).at(-1)).toMatchObject({ event: 'delivered' });

    // Carried out but the answer lost: the lookup finds attempt 3's own conversation, nothing is sent twice.
    await wrapup(second, NO_ANSWER);
    clock.advance(600_000);
    fake.failAfterWork('createCallback', [{ status: 504 }]);
    await expect(deliverCallback(deps, { callbackId: id, attempt: '3' }, job)).rejects.toThrow();
    await deliverCallback(deps, { callbackId: id, attempt: '3' }, job);
    const third = (await row(id)).genesys_conversation_id!;
    expect([first, second]).not.toContain(third);
    expect(fake.conversations.get(third)?.participants[0]?.attributes).toMatchObject({ callbackEngineAttempt: '3' });
    expect(createRequests(id)).toHaveLength(4);
    expect((await history(id)).at(-1)).toMatchObject({ event: 'delivery-reconciled' });
  });

  it('a delivery job left from an earlier attempt does not send the next attempt before its wait', async () => {
    const q = await queue((await policy()).id);
    const id = await create(q.name);
    const conversationId = await deliver(id);
    await wrapup(conversationId, NO_ANSWER);
    // The first attempt's job, run again (its worker died after the delivery committed): nothing.
    await deliverCallback(deps, { callbackId: id }, job);
    expect(await row(id)).toMatchObject({ state: 'SCHEDULED', attempt: 2, delivery_status: 'PENDING' });
    expect(createRequests(id)).toHaveLength(1);
  });
});

describe('callback retry policies (admin)', () => {
  const send = (method: 'POST' | 'PATCH' | 'DELETE' | 'GET', url: string, payload?: object) =>
    t.app.inject({ method, url: `/admin/v1/${url}`, headers: admin, ...(payload && { payload }) });

  it.each([
    [{ waitSeconds: 59 }, 'waitSeconds'],
    [{ waitSeconds: 86_401 }, 'waitSeconds'],
    [{ maxAttempts: 0 }, 'maxAttempts'],
    [{ maxAttempts: 22 }, 'maxAttempts'],
    [{ wrapUpCodes: [] }, 'wrapUpCodes'],
    [{ wrapUpCodes: [{ id: ' ' }] }, 'wrapUpCodes'],
    [{ wrapUpCodes: [{ id: 'a' }, { id: 'A' }] }, 'wrapUpCodes'],
    [{ wrapUpCodes: [{ id: 'a', colour: 'red' }] }, 'wrapUpCodes'],
    [{ name: '' }, 'name'],
  ])('refuses %j with a 400 naming %s', async (change, field) => {
    const res = await send('POST', 'callback-retry-policies', { name: `p ${uid()}`, wrapUpCodes: [{ id: NO_ANSWER }], waitSeconds: 600, maxAttempts: 3, ...change });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().field ?? res.json().message).toMatch(new RegExp(`^${field}|/${field}`));
  });

  it('accepts the seed’s bounds: 0 to 20 retries (1 to 21 attempts), a wait of up to 24 h', async () => {
    for (const [maxAttempts, waitSeconds] of [[1, 60], [21, 86_400]] as const) {
      const res = await send('POST', 'callback-retry-policies', { name: `p ${uid()}`, wrapUpCodes: [{ id: NO_ANSWER }], waitSeconds, maxAttempts });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ maxAttempts, waitSeconds, wrapUpCodes: [{ id: NO_ANSWER, name: null }], queues: [] });
    }
  });

  it('PATCH changes only what it was sent; a queue using it is listed; deleting it while used is 409; audited', async () => {
    const p = await policy();
    const q = await queue(p.id);
    const patched = await send('PATCH', `callback-retry-policies/${p.id}`, { maxAttempts: 5 });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ maxAttempts: 5, waitSeconds: 600, wrapUpCodes: [{ id: NO_ANSWER, name: 'No answer' }, { id: BUSY, name: null }], queues: [{ id: q.id, name: q.name }] });
    expect((await send('PATCH', `callback-retry-policies/${p.id}`, {})).statusCode).toBe(400);
    const del = await send('DELETE', `callback-retry-policies/${p.id}`);
    expect(del.statusCode).toBe(409);
    expect(del.json().message).toContain(q.name);
    expect((await send('PATCH', `queues/${q.id}`, { callbackRetryPolicyId: null })).json().callbackRetryPolicyId).toBeNull();
    expect((await send('DELETE', `callback-retry-policies/${p.id}`)).statusCode).toBe(204);
    expect((await send('GET', `callback-retry-policies/${p.id}`)).statusCode).toBe(404);
    const audit = (await send('GET', `audit?entity=callback-retry-policy&entityId=${p.id}`)).json();
    expect(audit.items.map((a: { action: string }) => a.action).sort()).toEqual(['create', 'delete', 'update']);
  });

  it('a queue pointing at an unknown policy is a 4xx naming callbackRetryPolicyId', async () => {
    const q = await queue(null);
    const res = await send('PATCH', `queues/${q.id}`, { callbackRetryPolicyId: randomUUID() });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.json().field).toBe('callbackRetryPolicyId');
  });

  it('the wrap-up webhook refuses an event without wrapupCode or conversationId, naming the field', async () => {
    for (const [body, field] of [
      [{ conversationId: randomUUID() }, 'wrapupCode'],
      [{ wrapupCode: NO_ANSWER }, 'conversationId'],
      [{ conversationId: randomUUID(), wrapupCode: NO_ANSWER, eventTime: 'yesterday' }, 'eventTime'],
    ] as const) {
      const res = await post('conversation-wrapup', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().field).toBe(field);
    }
  });
});
