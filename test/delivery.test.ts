import type { ChildProcess } from 'node:child_process';
import { DateTime } from 'luxon';
import { createCaches } from '../src/context.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { startJobRunner, type JobRunner } from '../src/jobs/runner.js';
import { buildTaskList } from '../src/jobs/tasks.js';
import { createLogger } from '../src/logger.js';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { gatewayFor, startWorkerProcess, stopProcess, waitUntil } from './helpers/worker.js';

/** Durable delivery of callbacks to Genesys through the real SDK, against a fake Genesys Cloud. */

let t: TestApp;
let fake: FakeGenesys;
let actions: { authorization: string };
beforeAll(async () => {
  t = await buildTestApp({ env: { DATABASE_POOL_MAX: '20' } });
  fake = await startFakeGenesys();
  actions = (await authHeader(t, ['actions'])).headers;
});
afterAll(async () => {
  await fake.close();
  await t.close();
});

async function withRunner<T>(fn: () => Promise<T>): Promise<T> {
  const logger = createLogger('silent');
  const gateway = gatewayFor(fake, { maxRetryWaitMs: 5_000, baseBackoffMs: 50 });
  const runner: JobRunner = await startJobRunner({
    pool: t.database.pool,
    db: t.database.db,
    tasks: buildTaskList({ db: t.database.db, gateway, clock: systemClock, caches: createCaches(), logger, retentionDays: 14 }),
    concurrency: 4,
    pollInterval: 200,
    logger,
  });
  try {
    return await fn();
  } finally {
    await runner.stop();
  }
}

let phone = 4560100;
async function createCallbacks(queueName: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queueName, phoneNumber: `+1202${++phone}` } });
    expect(res.json().outcome, res.body).toBe('CREATED');
    ids.push(res.json().callbackId);
  }
  return ids;
}

const statuses = async (ids: string[]) =>
  (await t.database.db.selectFrom('callbacks').select(['id', 'delivery_status', 'genesys_conversation_id']).where('id', 'in', ids).execute());
const allDelivered = (ids: string[]) => async () => (await statuses(ids)).every((r) => r.delivery_status === 'DELIVERED');

/** How many Genesys conversations carry each of our callback ids. */
function conversationsPerCallback(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of fake.conversations.values()) {
    const id = c.participants.find((p) => p.purpose === 'customer')?.attributes?.callbackEngineId;
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

async function deliveryQueue() {
  return factories(t.database.db).queue({ genesysQueueId: `gq-${Math.random().toString(36).slice(2)}`, maxPendingPerNumber: 100 });
}

describe('delivery to Genesys', () => {
  it('creates the callback in Genesys with our id in its data, and records the conversation', async () => {
    const queue = await deliveryQueue();
    const [id] = await createCallbacks(queue.name, 1);
    await withRunner(() => waitUntil(allDelivered([id!]), 15_000));
    const [row] = await statuses([id!]);
    const conversation = fake.conversations.get(row!.genesys_conversation_id!);
    expect(conversation?.participants.find((p) => p.purpose === 'customer')?.attributes).toMatchObject({ callbackEngineId: id });
    expect(conversationsPerCallback().get(id!)).toBe(1);
  });

  it('honours 429 Retry-After three times, then delivers once', async () => {
    const queue = await deliveryQueue();
    fake.failNext('createCallback', [{ status: 429, retryAfter: 1 }, { status: 429, retryAfter: 1 }, { status: 429, retryAfter: 1 }]);
    const before = fake.requestsTo('createCallback').length;
    const [id] = await createCallbacks(queue.name, 1);
    await withRunner(() => waitUntil(allDelivered([id!]), 20_000));
    const attempts = fake.requestsTo('createCallback').slice(before);
    expect(attempts).toHaveLength(4);
    for (let i = 1; i < attempts.length; i++) expect(attempts[i]!.at - attempts[i - 1]!.at).toBeGreaterThanOrEqual(990);
    expect(conversationsPerCallback().get(id!)).toBe(1);
  });

  it('keeps retrying through an outage of 500s and delivers after recovery', async () => {
    const queue = await deliveryQueue();
    const before = fake.requestsTo('createCallback').length;
    fake.failUntilRecovered('createCallback', 500);
    const [id] = await createCallbacks(queue.name, 1);
    await withRunner(async () => {
      const during = async () => t.database.db.selectFrom('callbacks').select(['delivery_status', 'delivery_error']).where('id', '=', id!).executeTakeFirstOrThrow();
      // A failing delivery is visible, never silent, and stays pending for another try, more than once.
      let seen: Awaited<ReturnType<typeof during>> | undefined;
      await waitUntil(async () => {
        seen = await during();
        return seen.delivery_status === 'PENDING' && fake.requestsTo('createCallback').length - before >= 2;
      }, 20_000);
      expect(seen).toMatchObject({ delivery_status: 'PENDING', delivery_error: expect.stringMatching(/500/) });
      fake.recover('createCallback');
      await waitUntil(allDelivered([id!]), 30_000);
    });
    expect(conversationsPerCallback().get(id!)).toBe(1);
  }, 90_000); // two job-layer backoffs (about 3 s and 7 s) before the third attempt

  it('logs in again once after a 401 and delivers', async () => {
    const queue = await deliveryQueue();
    await withRunner(async () => {
      const [warm] = await createCallbacks(queue.name, 1);
      await waitUntil(allDelivered([warm!]), 15_000);
      const logins = fake.requestsTo('token').length;
      fake.expireTokens();
      const [id] = await createCallbacks(queue.name, 1);
      await waitUntil(allDelivered([id!]), 15_000);
      expect(fake.requestsTo('token').length - logins).toBe(1);
      expect(conversationsPerCallback().get(id!)).toBe(1);
    });
  });

  it('marks a delivery Genesys refuses (4xx) as FAILED with the reason, without retrying forever', async () => {
    const queue = await deliveryQueue();
    fake.failNext('createCallback', [{ status: 400 }]);
    const [id] = await createCallbacks(queue.name, 1);
    await withRunner(() => waitUntil(async () => (await statuses([id!]))[0]?.delivery_status === 'FAILED', 15_000));
    const row = await t.database.db.selectFrom('callbacks').select(['delivery_error']).where('id', '=', id!).executeTakeFirstOrThrow();
    expect(row.delivery_error).toMatch(/400/);
  });

  it('cancels and reschedules in Genesys what was delivered: the cancel and the PATCH with the new time reach Genesys', async () => {
    const queue = await deliveryQueue();
    const [id] = await createCallbacks(queue.name, 1);
    // A scheduled one, tomorrow on the hour (the queue has no business hours: any hour is open).
    const tomorrow = DateTime.now().setZone(queue.timezone).plus({ days: 1 }).startOf('hour');
    const booked = await t.app.inject({
      method: 'POST',
      url: '/actions/v1/callbacks/create',
      headers: actions,
      payload: { queue: queue.name, phoneNumber: `+1202${++phone}`, desiredTime: tomorrow.toFormat("yyyy-MM-dd'T'HH:mm") },
    });
    expect(booked.json().outcome, booked.body).toBe('CREATED');
    const scheduledId: string = booked.json().callbackId;
    await withRunner(async () => {
      await waitUntil(allDelivered([id!, scheduledId]), 15_000);
      const [cancelled, scheduled] = await Promise.all([statuses([id!]), statuses([scheduledId])]);
      const cancelledConversation = cancelled[0]!.genesys_conversation_id!;
      const scheduledConversation = scheduled[0]!.genesys_conversation_id!;

      const cancel = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: id } });
      expect(cancel.json().outcome).toBe('CANCELLED');
      await waitUntil(async () => fake.requestsTo('cancelCallback').some((r) => r.path.includes(cancelledConversation)), 15_000);

      const later = tomorrow.plus({ hours: 2 });
      const moved = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/reschedule', headers: actions, payload: { callbackId: scheduledId, desiredTime: later.toFormat("yyyy-MM-dd'T'HH:mm") } });
      expect(moved.json(), moved.body).toMatchObject({ outcome: 'RESCHEDULED', scheduledTime: later.toUTC().toISO({ suppressMilliseconds: true }) });
      const reschedules = () => fake.requestsTo('rescheduleCallback').filter((r) => (r.body as { conversationId?: string }).conversationId === scheduledConversation);
      await waitUntil(() => reschedules().length > 0, 15_000);
      expect(reschedules().map((r) => [r.method, r.body])).toEqual([['PATCH', { conversationId: scheduledConversation, callbackScheduledTime: later.toUTC().toISO() }]]);
      // The cancelled one was not moved, and the moved one was not cancelled.
      expect(fake.requestsTo('cancelCallback').filter((r) => r.path.includes(scheduledConversation))).toEqual([]);
    });
  });

  it('survives a worker killed with SIGKILL mid-run: every callback delivered, none twice', async () => {
    const queue = await deliveryQueue();
    // Genesys does the work but holds its answers: a worker killed meanwhile never learns it succeeded.
    fake.holdAnswers('createCallback');
    const ids = await createCallbacks(queue.name, 30);
    const startWorker = () => startWorkerProcess(t.url, fake, 5);
    let worker: ChildProcess = startWorker();
    try {
      const createdInGenesys = () => ids.filter((id) => conversationsPerCallback().has(id));
      await waitUntil(() => createdInGenesys().length >= 3, 30_000);
      await stopProcess(worker, 'SIGKILL');
      // Every callback Genesys created is still SENDING here: those deliveries really were cut off mid-call.
      const created = createdInGenesys();
      expect(created.length).toBeGreaterThanOrEqual(3);
      const rows = await statuses(created);
      expect(Object.fromEntries(rows.map((r) => [r.id, r.delivery_status]))).toEqual(Object.fromEntries(created.map((id) => [id, 'SENDING'])));
      fake.releaseAnswers('createCallback');

      worker = startWorker();
      await waitUntil(allDelivered(ids), 60_000);
    } finally {
      fake.releaseAnswers('createCallback');
      await stopProcess(worker);
    }
    const counts = conversationsPerCallback();
    for (const id of ids) expect(counts.get(id), id).toBe(1);
    const rows = await statuses(ids);
    for (const row of rows) expect(fake.conversations.has(row.genesys_conversation_id!)).toBe(true);
  }, 120_000);
});
