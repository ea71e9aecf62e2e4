import type { JobHelpers } from 'graphile-worker';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverCallback } from '../src/callbacks/tasks.js';
import { createCaches } from '../src/context.js';
import { CONTACTS_PER_READ, CONVERSATION_DETAILS_BATCH } from '../src/genesys/gateway.js';
import { jobContext, type JobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { runReconcile } from '../src/reconcile/passes.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys, type FakeStep } from './helpers/fake-genesys.js';
import { gatewayFor } from './helpers/worker.js';

/**
 * The callback lifecycle across its parts, against the fake Genesys through the real SDK gateway:
 * retries decided by the reconciler alone and by the wrap-up event with it; ROUTING by the
 * user.start event, by the reconciler, and by both; the reconcile run's request budget shared by
 * its passes over a backlog of both kinds; campaign callbacks finished by the reconcile run.
 */

// Monday 2030-03-04, 10:00 in New York; the factories' hours are 09:00–17:00 on weekdays.
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
  t = await buildTestApp({ clock, gateway, env: { DATABASE_POOL_MAX: '20' } });
  actions = (await authHeader(t, ['actions'])).headers;
  events = (await authHeader(t, ['events'])).headers;
  admin = (await authHeader(t, ['administrator'])).headers;
  deps = jobContext({ db: t.database.db, gateway, clock, caches: createCaches(), logger: createLogger('silent') });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const NO_ANSWER = 'c2e0c6f8-5a8e-4a57-9a55-2f5c1e0a0001';
const RESOLVED = 'c2e0c6f8-5a8e-4a57-9a55-2f5c1e0a0099';
const job = { job: { attempts: 1, max_attempts: 25 } } as unknown as Pick<JobHelpers, 'job'>;
let n = 0;
const uid = () => `${Date.now().toString(16)}-${++n}`;
let phone = 4563000;

async function retryQueue(maxAttempts = 3) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/admin/v1/callback-retry-policies',
    headers: admin,
    payload: { name: `no answer ${uid()}`, wrapUpCodes: [{ id: NO_ANSWER, name: 'No answer' }], waitSeconds: 600, maxAttempts },
  });
  expect(res.statusCode, res.body).toBe(201);
  return queue({ callbackRetryPolicyId: res.json().id });
}
async function queue(extra: object = {}) {
  const genesysQueueId = `gq-${uid()}`;
  const q = await factories(t.database.db).queue({ genesysQueueId, maxPendingPerNumber: 100, ...extra });
  return { ...q, genesysQueueId };
}
async function create(queueName: string): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queueName, phoneNumber: `+1202${++phone}`, customerName: 'Ada Lovelace' } });
  expect(res.json().outcome, res.body).toBe('CREATED');
  return res.json().callbackId as string;
}
const row = (id: string) => t.database.db.selectFrom('callbacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const state = async (id: string) => {
  const r = await row(id);
  return r.completion_reason ? `${r.state}/${r.completion_reason}` : r.state;
};
const moves = async (id: string) =>
  (await t.database.db.selectFrom('callback_history').select(['event', 'to_state', 'reason']).where('callback_id', '=', id).orderBy('id').execute())
    .filter((h) => h.to_state !== null && h.event !== 'created')
    .map((h) => `${h.event}:${h.to_state}${h.reason ? `/${h.reason}` : ''}`);
const attempts = (id: string) => t.database.db.selectFrom('callback_attempts').selectAll().where('callback_id', '=', id).orderBy('attempt').execute();
const deliveryJobs = async (id: string) =>
  (
    await sql<{ payload: Record<string, string> }>`
      select j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'deliver-callback' and j.payload->>'callbackId' = ${id}`.execute(t.database.db)
  ).rows;
const createRequests = (id: string) => fake.requestsTo('createCallback').filter((r) => (r.body as { data?: Record<string, string> }).data?.callbackEngineId === id);

/** Delivers the callback's current attempt (its delivery job, as the worker runs it). */
async function deliver(id: string): Promise<string> {
  const [pending] = await deliveryJobs(id);
  expect(pending, 'a delivery job is pending').toBeDefined();
  await deliverCallback(deps, { callbackId: id, ...(pending!.payload.attempt && { attempt: pending!.payload.attempt }) }, job);
  const r = await row(id);
  expect(r.delivery_status).toBe('DELIVERED');
  return r.genesys_conversation_id!;
}
/** One reconcile run, a second later than the last (a run compares each callback once). */
async function reconcile(maxRequests = 50) {
  clock.advance(1_000);
  const report = await runReconcile(deps, { maxRequests });
  for (const p of report.passes) expect(p.error, p.name).toBeUndefined();
  return report;
}
const drive = (conversationId: string, ...steps: FakeStep[]) => steps.forEach((s) => fake.drive(conversationId, s));
/** The conversation as an agent had it, ended with the agent's wrap-up code (what analytics shows). */
const handledWith = (conversationId: string, userId: string, wrapUpCode: string) =>
  drive(conversationId, { to: 'queued' }, { to: 'alerting', userId }, { to: 'connected', userId }, { to: 'ended', by: 'agent', wrapUpCode });
let tick = 0;
const post = (path: string, payload: object) => t.app.inject({ method: 'POST', url: `/events/v1/${path}`, headers: events, payload });
const event = (conversationId: string, extra: object = {}) => ({ conversationId, participantId: randomUUID(), eventTime: clock.now().getTime() + ++tick, mediaType: 'CALLBACK', ...extra });

describe('retries with every event withheld: the reconciler reads the wrap-up code', () => {
  it('no-answer wrap-ups → retry scheduled → next attempt delivered → … → COMPLETED/NO_ANSWER at max attempts', async () => {
    const q = await retryQueue(3);
    const id = await create(q.name);
    const conversations: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const conversationId = await deliver(id);
      conversations.push(conversationId);
      expect(await row(id)).toMatchObject({ attempt, state: attempt === 1 ? 'QUEUED' : 'SCHEDULED' });
      handledWith(conversationId, `agent-${attempt}`, NO_ANSWER);
      await reconcile();
      if (attempt < 3) {
        expect(await row(id)).toMatchObject({ state: 'SCHEDULED', attempt: attempt + 1, delivery_status: 'PENDING', genesys_conversation_id: null, completion_reason: null });
        // A second run before the next attempt is delivered has nothing to compare: no second retry.
        await reconcile();
        expect((await row(id)).attempt).toBe(attempt + 1);
        clock.advance(600_000);
      }
    }
    expect(await state(id)).toBe('COMPLETED/NO_ANSWER');
    const recorded = await attempts(id);
    expect(recorded.map((a) => [a.attempt, a.outcome, a.conversation_id, a.wrap_up_code, a.source])).toEqual([
      [1, 'RETRY_SCHEDULED', conversations[0], NO_ANSWER, 'reconciled'],
      [2, 'RETRY_SCHEDULED', conversations[1], NO_ANSWER, 'reconciled'],
      [3, 'NO_ANSWER', conversations[2], NO_ANSWER, 'reconciled'],
    ]);
    expect(createRequests(id)).toHaveLength(3);
    expect(new Set(conversations).size).toBe(3);
    // Nothing after the end: another run sends nothing and moves nothing.
    await reconcile();
    expect(createRequests(id)).toHaveLength(3);
    expect(await state(id)).toBe('COMPLETED/NO_ANSWER');
  });

  it('a wrap-up code that is not the policy’s → COMPLETED/HANDLED, no retry', async () => {
    const q = await retryQueue(3);
    const id = await create(q.name);
    const conversationId = await deliver(id);
    handledWith(conversationId, 'agent-1', RESOLVED);
    await reconcile();
    expect(await state(id)).toBe('COMPLETED/HANDLED');
    expect((await attempts(id)).map((a) => [a.attempt, a.outcome, a.wrap_up_code])).toEqual([[1, 'HANDLED', RESOLVED]]);
    expect(await deliveryJobs(id).then((jobs) => jobs.filter((j) => j.payload.attempt !== undefined))).toEqual([]);
    expect(createRequests(id)).toHaveLength(1);
  });
});

describe('the wrap-up event and the reconciler seeing the same end: one attempt recorded, one retry', () => {
  async function ended() {
    const q = await retryQueue(3);
    const id = await create(q.name);
    const conversationId = await deliver(id);
    handledWith(conversationId, 'agent-1', NO_ANSWER);
    return { id, conversationId, q };
  }
  async function expectOneRetry(id: string, conversationId: string) {
    expect(await row(id)).toMatchObject({ state: 'SCHEDULED', attempt: 2, genesys_conversation_id: null });
    expect((await attempts(id)).map((a) => [a.attempt, a.outcome, a.conversation_id])).toEqual([[1, 'RETRY_SCHEDULED', conversationId]]);
    expect((await deliveryJobs(id)).filter((j) => j.payload.attempt !== undefined).map((j) => j.payload.attempt)).toEqual(['2']);
    expect((await moves(id)).filter((m) => m.startsWith('retry-scheduled'))).toHaveLength(1);
  }

  it('event first, then the reconciler: the event decides, the reconciler finds nothing to compare', async () => {
    const { id, conversationId, q } = await ended();
    const res = await post('conversation-wrapup', event(conversationId, { queueId: q.genesysQueueId, wrapupCode: NO_ANSWER }));
    expect(res.json()).toMatchObject({ action: 'RETRY_SCHEDULED', callbackId: id, attempt: 1, maxAttempts: 3 });
    await reconcile();
    await expectOneRetry(id, conversationId);
    expect((await attempts(id))[0]!.source).toBe('wrapup');
  });

  it('reconciler first, then the event: the late wrap-up is of an earlier attempt and changes nothing', async () => {
    const { id, conversationId, q } = await ended();
    await reconcile();
    const res = await post('conversation-wrapup', event(conversationId, { queueId: q.genesysQueueId, wrapupCode: NO_ANSWER }));
    expect(res.json()).toMatchObject({ action: 'IGNORED' });
    await expectOneRetry(id, conversationId);
    expect((await attempts(id))[0]!.source).toBe('reconciled');
  });

  it('both at once, many times over: still one attempt and one retry each', async () => {
    const cases = await Promise.all(Array.from({ length: 6 }, () => ended()));
    clock.advance(1_000);
    await Promise.all([
      ...cases.flatMap(({ conversationId, q }) => [0, 1].map(() => post('conversation-wrapup', event(conversationId, { queueId: q.genesysQueueId, wrapupCode: NO_ANSWER })))),
      runReconcile(deps, { maxRequests: 50 }),
      runReconcile(deps, { maxRequests: 50 }),
    ]);
    for (const { id, conversationId } of cases) await expectOneRetry(id, conversationId);
  });
});

describe('ROUTING: by the user.start event, by the reconciler, and by both', () => {
  async function queued() {
    const q = await queue();
    const id = await create(q.name);
    const conversationId = await deliver(id);
    expect(await state(id)).toBe('QUEUED');
    drive(conversationId, { to: 'queued' });
    return { id, conversationId, q };
  }
  const userStart = (conversationId: string, q: { genesysQueueId: string }, extra: object = {}) => post('conversation-user-start', event(conversationId, { queueId: q.genesysQueueId, userId: 'agent-7', ...extra }));

  it('by the event: an agent alerted on a QUEUED callback → ROUTING (history user.start); the same event again is DUPLICATE', async () => {
    const { id, conversationId, q } = await queued();
    const payload = event(conversationId, { queueId: q.genesysQueueId, userId: 'agent-7' });
    const res = await post('conversation-user-start', payload);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ accepted: true, action: 'ROUTING', callbackId: id, message: 'Routing to agent agent-7' });
    expect(await moves(id)).toEqual(['user.start:ROUTING']);
    expect((await post('conversation-user-start', payload)).json().action).toBe('DUPLICATE');
    // Analytics lags the event (no agent shown yet): the reconciler leaves it ROUTING.
    await reconcile();
    expect(await moves(id)).toEqual(['user.start:ROUTING']);
  });

  it('by the reconciler alone (events withheld): an agent alerting in the details → ROUTING', async () => {
    const { id, conversationId } = await queued();
    drive(conversationId, { to: 'alerting', userId: 'agent-7' });
    await reconcile();
    expect(await moves(id)).toEqual(['reconciled:ROUTING']);
  });

  it('both, in either order: ROUTING once', async () => {
    const a = await queued();
    drive(a.conversationId, { to: 'alerting', userId: 'agent-7' });
    expect((await userStart(a.conversationId, a.q)).json().action).toBe('ROUTING');
    await reconcile();
    expect(await moves(a.id)).toEqual(['user.start:ROUTING']);

    const b = await queued();
    drive(b.conversationId, { to: 'alerting', userId: 'agent-7' });
    await reconcile();
    expect((await userStart(b.conversationId, b.q)).json()).toMatchObject({ action: 'IGNORED', callbackId: '' });
    expect(await moves(b.id)).toEqual(['reconciled:ROUTING']);
  });

  it('both at once, with many forwarded copies: one move to ROUTING per callback', async () => {
    const cases = await Promise.all(Array.from({ length: 5 }, () => queued()));
    for (const c of cases) drive(c.conversationId, { to: 'alerting', userId: 'agent-7' });
    clock.advance(1_000);
    const answers = await Promise.all([...cases.flatMap((c) => Array.from({ length: 4 }, () => userStart(c.conversationId, c.q))), runReconcile(deps, { maxRequests: 50 })]);
    for (const a of answers.slice(0, -1)) expect((a as { statusCode: number }).statusCode).toBe(200);
    for (const c of cases) {
      const m = await moves(c.id);
      expect(m).toHaveLength(1);
      expect(m[0]).toMatch(/^(user\.start|reconciled):ROUTING$/);
    }
  });

  it('never backwards: a PROCESSING or COMPLETED callback stays; an alert that already ended does not route it again', async () => {
    const { id, conversationId, q } = await queued();
    drive(conversationId, { to: 'alerting', userId: 'agent-7' }, { to: 'connected', userId: 'agent-7' });
    await reconcile();
    expect(await state(id)).toBe('PROCESSING');
    expect((await userStart(conversationId, q)).json()).toMatchObject({ action: 'IGNORED', message: 'The callback is processing: it does not go back to routing' });
    drive(conversationId, { to: 'ended', by: 'agent', wrapUpCode: RESOLVED });
    await reconcile();
    expect((await userStart(conversationId, q)).json().action).toBe('IGNORED');
    expect(await moves(id)).toEqual(['reconciled:PROCESSING', 'reconciled:COMPLETED/HANDLED']);

    // The agent's user.end (never answered) forwarded before its user.start: the late start changes nothing.
    const late = await queued();
    const participantId = randomUUID();
    await post('conversation-user-end', event(late.conversationId, { participantId, queueId: late.q.genesysQueueId, userId: 'agent-8', disconnectType: 'CLIENT', interactingDurationMs: 0 }));
    const res = await post('conversation-user-start', event(late.conversationId, { participantId, queueId: late.q.genesysQueueId, userId: 'agent-8' }));
    expect(res.json()).toMatchObject({ action: 'IGNORED', message: "This agent's participant has ended already" });
    expect(await state(late.id)).toBe('QUEUED');
  });

  it('an alerted agent who does not answer: user.end takes it back to QUEUED, and so does the reconciler when the details show the ended alert', async () => {
    const a = await queued();
    const participantId = randomUUID();
    expect((await userStart(a.conversationId, a.q, { participantId })).json().action).toBe('ROUTING');
    await post('conversation-user-end', event(a.conversationId, { participantId, queueId: a.q.genesysQueueId, userId: 'agent-7', disconnectType: 'CLIENT', interactingDurationMs: 0 }));
    expect(await moves(a.id)).toEqual(['user.start:ROUTING', 'user.end:QUEUED']);

    const b = await queued();
    drive(b.conversationId, { to: 'alerting', userId: 'agent-7' });
    expect((await userStart(b.conversationId, b.q)).json().action).toBe('ROUTING');
    drive(b.conversationId, { to: 'noAnswer', userId: 'agent-7' });
    await reconcile();
    expect(await moves(b.id)).toEqual(['user.start:ROUTING', 'reconciled:QUEUED']);
  });

  it('answers 400 naming the field for a body without its conversation or with an overlong userId, and IGNORED without an agent or for another medium', async () => {
    const { id, conversationId, q } = await queued();
    const { conversationId: _omitted, ...noConversation } = event(conversationId, { userId: 'agent-7' });
    const bad = await post('conversation-user-start', noConversation);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('conversationId');
    const longUser = await post('conversation-user-start', event(conversationId, { userId: 'x'.repeat(201) }));
    expect(longUser.statusCode).toBe(400);
    expect(longUser.body).toContain('userId');
    expect((await post('conversation-user-start', event(conversationId, { queueId: q.genesysQueueId }))).json().action).toBe('IGNORED');
    expect((await post('conversation-user-start', event(conversationId, { queueId: q.genesysQueueId, userId: 'agent-7', mediaType: 'VOICE' }))).json().action).toBe('IGNORED');
    expect(await state(id)).toBe('QUEUED');
  });
});

describe('the reconcile run: one budget for all its passes', () => {
  let b: TestApp;
  let bDeps: JobContext;
  const bClock = new TestClock(new Date('2030-03-04T15:00:00Z'));
  beforeAll(async () => {
    const gateway = gatewayFor(fake, { maxRetryWaitMs: 5_000, baseBackoffMs: 1 });
    b = await buildTestApp({ clock: bClock, gateway });
    bDeps = jobContext({ db: b.database.db, gateway, clock: bClock, caches: createCaches(), logger: createLogger('silent') });
  });
  afterAll(async () => b.close());

  async function campaign(app: TestApp, extra: object = {}) {
    const headers = (await authHeader(app, ['administrator'])).headers;
    const res = await app.app.inject({ method: 'POST', url: '/admin/v1/campaigns', headers, payload: { name: `across-${uid()}`, contactListId: `across-list-${randomUUID()}`, phoneColumn: 'PhoneNumber', maxDelaySeconds: 3600, ...extra } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; contactListId: string; maxQueuedHours: number };
  }
  /** `count` QUEUED campaign callbacks whose contacts are in the fake's list, inserted at `at`. */
  async function queuedCampaignCallbacks(app: TestApp, c: { id: string; contactListId: string }, count: number, at: Date): Promise<{ id: string; contactId: string }[]> {
    const rows = Array.from({ length: count }, (_, i) => ({
      campaign_id: c.id,
      state: 'QUEUED' as const,
      phone_e164: `+1303666${String(i).padStart(4, '0')}`,
      dial_at: at,
      priority: false,
      contact_id: randomUUID(),
      delivery_status: 'DELIVERED' as const,
      delivered_at: at,
      created_by: 'test',
      idempotency_key: null,
    }));
    const inserted = await app.database.db.insertInto('campaign_callbacks').values(rows).returning(['id', 'contact_id']).execute();
    for (const r of inserted) fake.seedContact({ id: r.contact_id, contactListId: c.contactListId, data: { PhoneNumber: 'x' } });
    return inserted.map((r) => ({ id: r.id, contactId: r.contact_id }));
  }
  /** `count` delivered callbacks waiting in queue in the fake. */
  async function pendingCallbacks(app: TestApp, count: number): Promise<string[]> {
    const q = await factories(app.database.db).queue({ genesysQueueId: `gq-backlog-${uid()}` });
    const rows = Array.from({ length: count }, (_, i) => ({
      queue_id: q.id,
      type: 'immediate' as const,
      state: 'QUEUED' as const,
      phone_e164: `+1303555${String(i).padStart(4, '0')}`,
      priority: 0,
      user_data: JSON.stringify({}),
      created_by: 'test',
      delivery_status: 'DELIVERED' as const,
      delivered_at: bClock.now(),
      genesys_conversation_id: fake.seedConversation({ participants: [{ purpose: 'customer', callbacks: [{ state: 'connected' }] }, { purpose: 'acd', queueId: q.genesysQueueId!, callbacks: [{ state: 'alerting' }] }] }),
    }));
    return (await app.database.db.insertInto('callbacks').values(rows).returning('id').execute()).map((r) => r.id);
  }

  it('a backlog of both kinds beyond one run’s budget: both passes progress every run, and the whole backlog is read in the computed number of runs', async () => {
    const CALLBACKS = 450;
    const CAMPAIGN_CALLBACKS = 300;
    const MAX_REQUESTS = 4;
    const callbackIds = await pendingCallbacks(b, CALLBACKS);
    const c = await campaign(b);
    const campaignIds = (await queuedCampaignCallbacks(b, c, CAMPAIGN_CALLBACKS, bClock.now())).map((x) => x.id);
    const needed = Math.ceil(CALLBACKS / CONVERSATION_DETAILS_BATCH) + Math.ceil(CAMPAIGN_CALLBACKS / CONTACTS_PER_READ);
    const runs = Math.ceil(needed / MAX_REQUESTS);
    expect([needed, runs]).toEqual([11, 3]);

    const unread = async () => ({
      callbacks: (await b.database.db.selectFrom('callbacks').select('id').where('id', 'in', callbackIds).where('reconciled_at', 'is', null).execute()).length,
      campaign: (await b.database.db.selectFrom('campaign_callbacks').select('id').where('id', 'in', campaignIds).where('checked_at', 'is', null).execute()).length,
    });
    const progress: { callbacks: number; campaign: number }[] = [];
    for (let run = 1; run <= runs; run++) {
      // A run a minute, as the job runs.
      bClock.advance(60_000);
      const before = await unread();
      const report = await runReconcile(bDeps, { maxRequests: MAX_REQUESTS });
      for (const p of report.passes) expect(p.error, p.name).toBeUndefined();
      expect(report.requests).toBeLessThanOrEqual(MAX_REQUESTS);
      const after = await unread();
      progress.push({ callbacks: before.callbacks - after.callbacks, campaign: before.campaign - after.campaign });
      if (run < runs) {
        // Each pass got its share: neither waits for the other's backlog.
        expect(report.passes.map((p) => [p.name, p.requests])).toEqual([
          ['upcoming', 0],
          ['call-in', 0],
          ['callbacks', 2],
          ['campaign-callbacks', 2],
        ]);
        expect(after.callbacks + after.campaign, `run ${run}: backlog left`).toBeGreaterThan(0);
      }
    }
    for (const [i, p] of progress.entries()) {
      if (i < runs - 1) expect(p.callbacks, `run ${i + 1}`).toBeGreaterThan(0);
      if (i < runs - 1) expect(p.campaign, `run ${i + 1}`).toBeGreaterThan(0);
    }
    // Run 3: the 50 callbacks left take one request, the leftover three read the last 100 contacts.
    expect(progress).toEqual([
      { callbacks: 200, campaign: 100 },
      { callbacks: 200, campaign: 100 },
      { callbacks: 50, campaign: 100 },
    ]);
    expect(await unread()).toEqual({ callbacks: 0, campaign: 0 });
  });

  it('drives campaign callbacks to HANDLED (dialed after insertion) and EXPIRED (past maxQueuedHours), with the callbacks pass in the same run', async () => {
    const c = await campaign(b, { maxQueuedHours: 2 });
    bClock.advance(60_000);
    const now = bClock.now();
    const [dialed, waiting] = await queuedCampaignCallbacks(b, c, 2, new Date(now.getTime() - 60 * 60_000));
    const [stale] = await queuedCampaignCallbacks(b, c, 1, new Date(now.getTime() - 3 * 3_600_000));
    fake.contacts.get(c.contactListId)!.get(dialed!.contactId)!.callRecords = { PhoneNumber: { lastAttempt: new Date(now.getTime() - 30 * 60_000).toISOString(), lastResult: 'ININ-OUTBOUND-LIVE-VOICE' } };
    const report = await runReconcile(bDeps, { maxRequests: 10 });
    expect(report.passes.find((p) => p.name === 'campaign-callbacks')).toMatchObject({ moved: 2 });
    const states = await b.database.db
      .selectFrom('campaign_callbacks')
      .select(['id', 'state', 'completion_reason', 'contact_removal'])
      .where('id', 'in', [dialed!.id, waiting!.id, stale!.id])
      .execute();
    const byId = new Map(states.map((s) => [s.id, s]));
    expect(byId.get(dialed!.id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'HANDLED' });
    expect(byId.get(stale!.id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'EXPIRED', contact_removal: 'PENDING' });
    expect(byId.get(waiting!.id)).toMatchObject({ state: 'QUEUED', completion_reason: null });
  });
});
