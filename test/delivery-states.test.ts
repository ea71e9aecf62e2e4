import type { JobHelpers } from 'graphile-worker';
import { createCaches } from '../src/context.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelInGenesys, deliverCallback, RetryLater } from '../src/callbacks/tasks.js';
import { jobContext, type JobContext } from '../src/jobs/context.js';
import { buildTaskList } from '../src/jobs/tasks.js';
import { createLogger } from '../src/logger.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { gatewayFor } from './helpers/worker.js';
import type { GenesysGateway } from '../src/genesys/gateway.js';

/**
 * The delivery state of a callback, step by step: each task is called as the worker would call it,
 * one attempt at a time, against a fake Genesys, so no test waits for a poll or a backoff.
 */

// Monday 2030-03-04, 10:00 in New York; the factories' hours are 09:00–17:00 on weekdays.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let fake: FakeGenesys;
let actions: { authorization: string };
let deps: JobContext;
let gateway: GenesysGateway;
beforeAll(async () => {
  fake = await startFakeGenesys();
  // No waiting between the gateway's own retries: each test drives the attempts itself.
  gateway = gatewayFor(fake, { maxRetryWaitMs: 5_000, baseBackoffMs: 1 });
  t = await buildTestApp({ clock, gateway });
  actions = (await authHeader(t, ['actions'])).headers;
  deps = jobContext({ db: t.database.db, gateway, clock, caches: createCaches(), logger: createLogger('silent') });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

/** The worker's view of the job: attempt `n` of 25. */
const attempt = (n: number) => ({ job: { attempts: n, max_attempts: 25 } }) as unknown as Pick<JobHelpers, 'job'>;

let phone = 4569100;
async function queue(o: { slotCapacity?: number } = {}) {
  const hours = await factories(t.database.db).hours();
  return factories(t.database.db).queue({ businessHoursId: hours.id, genesysQueueId: `gq-${Math.random().toString(36).slice(2)}`, ...o });
}
async function create(queueName: string, extra: object = {}): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queueName, phoneNumber: `+1202${++phone}`, ...extra } });
  expect(res.json().outcome, res.body).toBe('CREATED');
  return res.json().callbackId;
}
const row = (id: string) => t.database.db.selectFrom('callbacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const history = async (id: string) => (await t.database.db.selectFrom('callback_history').select('event').where('callback_id', '=', id).orderBy('id').execute()).map((h) => h.event);

/** The Genesys conversations that carry our callback id. */
const inGenesys = (id: string) => [...fake.conversations.values()].filter((c) => c.participants.some((p) => p.attributes?.callbackEngineId === id));
const createRequests = (id: string) => fake.requestsTo('createCallback').filter((r) => (r.body as { data?: Record<string, string> }).data?.callbackEngineId === id);

async function jobPayload(task: string, callbackId: string): Promise<Record<string, string>> {
  const { rows } = await sql<{ payload: Record<string, string> }>`
    select j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    where t.identifier = ${task} and j.payload->>'callbackId' = ${callbackId}`.execute(t.database.db);
  expect(rows, `${task} job for ${callbackId}`).toHaveLength(1);
  return rows[0]!.payload;
}

describe('a delivery whose outcome is unknown', () => {
  it.each([
    ['a 504', { status: 504 }],
    ['a reset connection', { reset: true as const }],
  ])('after %s on a create Genesys carried out, stays SENDING, and the next attempt finds the callback instead of creating a second', async (_what, failure) => {
    const { name } = await queue();
    const id = await create(name);
    fake.failAfterWork('createCallback', [failure]);

    await expect(deliverCallback(deps, { callbackId: id }, attempt(1))).rejects.toBeInstanceOf(RetryLater);
    expect(await row(id)).toMatchObject({ delivery_status: 'SENDING', delivery_attempts: 1, delivery_error: expect.any(String) });
    const [made] = inGenesys(id);
    expect(made, 'Genesys made the callback although its answer was lost').toBeDefined();

    await deliverCallback(deps, { callbackId: id }, attempt(2));
    expect(await row(id)).toMatchObject({ delivery_status: 'DELIVERED', delivery_attempts: 2, genesys_conversation_id: made!.id, delivery_error: null });
    expect(inGenesys(id)).toHaveLength(1);
    expect(createRequests(id)).toHaveLength(1);
    expect(await history(id)).toEqual(['created', 'delivery-reconciled']);
  });

  it('after a 500 (not carried out) goes back to PENDING, and the next attempt creates it without asking Genesys first', async () => {
    const { name } = await queue();
    const id = await create(name);
    // A create is never replayed by the gateway itself: one 500, one failed attempt.
    fake.failNext('createCallback', [{ status: 500 }]);
    await expect(deliverCallback(deps, { callbackId: id }, attempt(1))).rejects.toBeInstanceOf(RetryLater);
    expect(await row(id)).toMatchObject({ delivery_status: 'PENDING', delivery_error: expect.stringMatching(/500/) });
    expect(inGenesys(id)).toHaveLength(0);

    const lookups = fake.requestsTo('conversationDetailsQuery').length;
    await deliverCallback(deps, { callbackId: id }, attempt(2));
    expect(fake.requestsTo('conversationDetailsQuery')).toHaveLength(lookups);
    expect(await row(id)).toMatchObject({ delivery_status: 'DELIVERED' });
    expect(inGenesys(id)).toHaveLength(1);
    expect(await history(id)).toEqual(['created', 'delivered']);
  });
});

describe('a delivery that will not succeed', () => {
  it('refused by Genesys (400): the callback ends COMPLETED/FAILED and frees its slot for another; FAILED is final, a rerun of its job sends nothing', async () => {
    clock.set('2030-03-04T15:00:00Z');
    const q = await queue({ slotCapacity: 1 });
    const id = await create(q.name, { desiredTime: '2030-03-05T10:00' });
    const slot = () => t.database.db.selectFrom('slot_bookings').select('booked').where('queue_id', '=', q.id).where('slot_start', '=', new Date('2030-03-05T15:00:00Z')).executeTakeFirst();
    expect(await slot()).toEqual({ booked: 1 });
    const full = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: q.name, phoneNumber: `+1202${++phone}`, desiredTime: '2030-03-05T10:00' } });
    expect(full.json().outcome).toBe('SLOT_FULL');

    fake.failNext('createCallback', [{ status: 400 }]);
    await deliverCallback(deps, { callbackId: id }, attempt(1));
    expect(await row(id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'FAILED', delivery_status: 'FAILED', delivery_error: expect.stringMatching(/400/) });
    expect(await slot()).toEqual({ booked: 0 });
    await create(q.name, { desiredTime: '2030-03-05T10:00' });

    // Its job run again (a worker that died before finishing it): FAILED is final, nothing is sent.
    await deliverCallback(deps, { callbackId: id }, attempt(2));
    expect(createRequests(id)).toHaveLength(1);
    expect(await row(id)).toMatchObject({ delivery_status: 'FAILED', delivery_attempts: 1 });
  });

  it('on the job’s last attempt, a failure Genesys would have us retry (500) ends the delivery FAILED and the callback COMPLETED/FAILED', async () => {
    const { name } = await queue();
    const id = await create(name);
    fake.failNext('createCallback', [{ status: 500 }]);
    await deliverCallback(deps, { callbackId: id }, attempt(25));
    expect(await row(id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'FAILED', delivery_status: 'FAILED', delivery_error: expect.stringMatching(/500/) });
  });

  it('a queue without genesysQueueId: FAILED at once, naming the setting, and nothing sent', async () => {
    const q = await factories(t.database.db).queue({});
    const id = await create(q.name);
    const before = fake.requestsTo('createCallback').length;
    await deliverCallback(deps, { callbackId: id }, attempt(1));
    expect(await row(id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'FAILED', delivery_status: 'FAILED', delivery_error: expect.stringMatching(/genesysQueueId/) });
    expect(fake.requestsTo('createCallback')).toHaveLength(before);
  });
});

describe('a delivered callback', () => {
  it('is never sent again: its delivery job run a second time (its worker died after the commit) sends nothing', async () => {
    const { name } = await queue();
    const id = await create(name);
    await deliverCallback(deps, { callbackId: id }, attempt(1));
    const delivered = await row(id);
    expect(delivered).toMatchObject({ delivery_status: 'DELIVERED', delivery_attempts: 1 });
    await deliverCallback(deps, { callbackId: id }, attempt(2));
    expect(createRequests(id)).toHaveLength(1);
    expect(inGenesys(id)).toHaveLength(1);
    expect(await row(id)).toMatchObject({ delivery_status: 'DELIVERED', delivery_attempts: 1, genesys_conversation_id: delivered.genesys_conversation_id });
  });
});

describe('cancel and reschedule around delivery', () => {
  it('a callback cancelled before its delivery ran is never sent to Genesys: NOT_REQUIRED, nothing to cancel there', async () => {
    const { name } = await queue();
    const id = await create(name);
    const cancel = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: id } });
    expect(cancel.json().outcome).toBe('CANCELLED');

    await deliverCallback(deps, { callbackId: id }, attempt(1));
    expect(createRequests(id)).toHaveLength(0);
    expect(inGenesys(id)).toHaveLength(0);
    expect(await row(id)).toMatchObject({ state: 'COMPLETED', delivery_status: 'NOT_REQUIRED', genesys_conversation_id: null });

    const cancels = fake.requestsTo('cancelCallback').length;
    await cancelInGenesys(deps, { callbackId: id });
    expect(fake.requestsTo('cancelCallback')).toHaveLength(cancels);
  });

  it('the cancel job of a callback cancelled before its delivery ran finishes at once (no RetryLater): Genesys will never get it', async () => {
    const { name } = await queue();
    const id = await create(name);
    const cancel = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: id } });
    expect(cancel.json().outcome).toBe('CANCELLED');
    expect(await row(id)).toMatchObject({ state: 'COMPLETED', delivery_status: 'PENDING' });

    // The cancel job runs first: it has nothing to wait for, as the delivery job will skip the callback.
    const cancels = fake.requestsTo('cancelCallback').length;
    await cancelInGenesys(deps, { callbackId: id });
    expect(fake.requestsTo('cancelCallback')).toHaveLength(cancels);
    expect(await history(id)).not.toContain('cancelled-in-genesys');
    await deliverCallback(deps, { callbackId: id }, attempt(1));
    expect(createRequests(id)).toHaveLength(0);
    expect(await row(id)).toMatchObject({ delivery_status: 'NOT_REQUIRED' });
  });

  it('a callback cancelled while its create is on its way to Genesys is cancelled there once the create lands: the cancel job waits (RetryLater), then cancels that conversation', async () => {
    const { name } = await queue();
    const id = await create(name);
    // The create reaches the gateway and waits there until the test lets it through.
    let sent!: () => void;
    const reached = new Promise<void>((resolve) => (sent = resolve));
    let land!: () => void;
    const landing = new Promise<void>((resolve) => (land = resolve));
    const gated = jobContext({
      db: t.database.db,
      gateway: { ...gateway, createCallback: async (req) => (sent(), await landing, gateway.createCallback(req)) },
      clock,
      caches: createCaches(),
      logger: createLogger('silent'),
    });
    const delivering = deliverCallback(gated, { callbackId: id }, attempt(1));
    await reached;
    expect(await row(id)).toMatchObject({ delivery_status: 'SENDING', genesys_conversation_id: null });

    const cancel = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: id } });
    expect(cancel.json().outcome).toBe('CANCELLED');
    const cancels = fake.requestsTo('cancelCallback').length;
    // Genesys may be about to get it: the cancel job must not finish as if there were nothing to cancel.
    await expect(cancelInGenesys(deps, { callbackId: id })).rejects.toBeInstanceOf(RetryLater);
    expect(fake.requestsTo('cancelCallback')).toHaveLength(cancels);
    expect(await history(id)).not.toContain('cancelled-in-genesys');

    land();
    await delivering;
    const delivered = await row(id);
    expect(delivered).toMatchObject({ state: 'COMPLETED', delivery_status: 'DELIVERED' });
    const conversationId = delivered.genesys_conversation_id!;
    expect(inGenesys(id).map((c) => c.id)).toEqual([conversationId]);

    await cancelInGenesys(deps, { callbackId: id });
    expect(fake.requestsTo('cancelCallback').slice(cancels).filter((r) => r.path.includes(conversationId))).toHaveLength(1);
    expect((await history(id)).at(-1)).toBe('cancelled-in-genesys');
  });

  it('a reschedule of a delivered callback moves it in Genesys to the new time (through the reschedule-callback job)', async () => {
    clock.set('2030-03-04T15:00:00Z');
    const { name } = await queue();
    const id = await create(name, { desiredTime: '2030-03-05T10:00' });
    await deliverCallback(deps, { callbackId: id }, attempt(1));
    const { genesys_conversation_id: conversationId } = await row(id);
    expect(conversationId).not.toBeNull();

    const moved = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/reschedule', headers: actions, payload: { callbackId: id, desiredTime: '2030-03-05T11:30' } });
    expect(moved.json()).toMatchObject({ outcome: 'RESCHEDULED', scheduledTime: '2030-03-05T16:30:00Z' });

    const tasks = buildTaskList({ ...deps, retentionDays: 14 });
    await (tasks['reschedule-callback'] as (payload: unknown, helpers: unknown) => Promise<void>)(await jobPayload('reschedule-callback', id), attempt(1));
    const sent = fake.requestsTo('rescheduleCallback').filter((r) => (r.body as { conversationId: string }).conversationId === conversationId);
    expect(sent.map((r) => r.body)).toEqual([{ conversationId, callbackScheduledTime: '2030-03-05T16:30:00.000Z' }]);
    const times = fake.conversations.get(conversationId!)!.participants.flatMap((p) => (p.callbacks ?? []).map((c) => c.callbackScheduledTime));
    expect(times).toEqual(['2030-03-05T16:30:00.000Z', '2030-03-05T16:30:00.000Z']);
    expect((await history(id)).at(-1)).toBe('rescheduled-in-genesys');
  });
});
