import type { JobHelpers } from 'graphile-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverCallback } from '../src/callbacks/tasks.js';
import { createCaches } from '../src/context.js';
import { createDatabase } from '../src/db/database.js';
import { jobContext, type JobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { RECONCILE_PASSES, runReconcile } from '../src/reconcile/passes.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { gatewayFor } from './helpers/worker.js';

/**
 * CALLBACK_UPCOMING of immediate callbacks: the reconciler's upcoming pass asks Genesys for each
 * waiting callback's own estimated wait (GET /api/v2/routing/queues/{id}/estimatedwaittime?conversationId=,
 * through the real SDK gateway against the fake Genesys) within the run's request budget, and sends
 * UPCOMING once the wait is below the queue's threshold.
 */

// Monday 2030-03-04, 10:00 in New York; the factories' hours are 09:00–17:00 on weekdays.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let fake: FakeGenesys;
let actions: { authorization: string };
let deps: JobContext;
beforeAll(async () => {
  fake = await startFakeGenesys();
  const gateway = gatewayFor(fake, { maxRetryWaitMs: 5_000, baseBackoffMs: 1 });
  t = await buildTestApp({ clock, gateway });
  actions = (await authHeader(t, ['actions'])).headers;
  deps = jobContext({ db: t.database.db, gateway, clock, caches: createCaches(), logger: createLogger('silent') });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const attempt = { job: { attempts: 1, max_attempts: 25 } } as unknown as Pick<JobHelpers, 'job'>;
const upcomingOnly = RECONCILE_PASSES.filter((p) => p.name === 'upcoming');

let phone = 4573000;
/** A queue with a 5-minute UPCOMING threshold whose queue-level wait (what create sees) is `queueWait`. */
async function queue(queueWait: number | null): Promise<{ name: string; genesysQueueId: string }> {
  const hours = await factories(t.database.db).hours();
  const genesysQueueId = `gq-up-${Math.random().toString(36).slice(2)}`;
  fake.setEstimatedWait(genesysQueueId, 'callback', queueWait);
  const q = await factories(t.database.db).queue({ businessHoursId: hours.id, genesysQueueId, upcomingMinutes: 5 });
  return { name: q.name, genesysQueueId };
}
/** An immediate callback, delivered to the fake Genesys. */
async function waiting(queueName: string): Promise<{ id: string; conversationId: string }> {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queueName, phoneNumber: `+1202${++phone}` } });
  expect(res.json().outcome, res.body).toBe('CREATED');
  const id: string = res.json().callbackId;
  await deliverCallback(deps, { callbackId: id }, attempt);
  const r = await row(id);
  expect(r.delivery_status).toBe('DELIVERED');
  return { id, conversationId: r.genesys_conversation_id! };
}
const row = (id: string) => t.database.db.selectFrom('callbacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const sent = async (id: string) => t.database.db.selectFrom('callback_history').select('detail').where('callback_id', '=', id).where('event', '=', 'upcoming').execute();
const upcomingEvents = async (id: string) => t.database.db.selectFrom('notification_events').select('type').where('callback_id', '=', id).where('type', '=', 'CALLBACK_UPCOMING').execute();
const askedFor = (conversationId: string) => fake.requestsTo('conversationWaitTime').filter((r) => r.query.conversationId === conversationId);
const run = async (maxRequests = 20) => {
  clock.advance(60_000);
  return runReconcile(deps, { maxRequests, passes: upcomingOnly });
};

describe('CALLBACK_UPCOMING of an immediate callback', () => {
  it('is sent once, when the callback’s own wait drops below the threshold', async () => {
    const q = await queue(900);
    const cb = await waiting(q.name);
    expect((await row(cb.id)).upcoming_status).toBe('PENDING');

    fake.setConversationWait(q.genesysQueueId, cb.conversationId, 301);
    expect((await run()).passes[0]).toMatchObject({ name: 'upcoming', checked: 1, moved: 0, requests: 1 });
    expect(askedFor(cb.conversationId).map((r) => r.path)).toEqual([`/api/v2/routing/queues/${q.genesysQueueId}/estimatedwaittime`]);
    expect(await sent(cb.id)).toEqual([]);

    // Exactly the threshold is not below it.
    fake.setConversationWait(q.genesysQueueId, cb.conversationId, 300);
    expect((await run()).passes[0]).toMatchObject({ checked: 1, moved: 0 });

    fake.setConversationWait(q.genesysQueueId, cb.conversationId, 299);
    expect((await run()).passes[0]).toMatchObject({ checked: 1, moved: 1 });
    expect((await row(cb.id)).upcoming_status).toBe('SENT');
    expect((await sent(cb.id)).map((h) => h.detail)).toEqual([{ type: 'immediate', estimatedWaitSeconds: 299, thresholdMinutes: 5 }]);
    expect(await upcomingEvents(cb.id)).toHaveLength(1);

    // Sent: never asked again, never sent again.
    const asked = askedFor(cb.conversationId).length;
    fake.setConversationWait(q.genesysQueueId, cb.conversationId, 10);
    expect((await run()).passes[0]).toMatchObject({ checked: 0, requests: 0 });
    expect(askedFor(cb.conversationId)).toHaveLength(asked);
    expect(await upcomingEvents(cb.id)).toHaveLength(1);
  });

  it('is suppressed when the queue’s wait is already below the threshold at creation, and never asked about', async () => {
    const q = await queue(120);
    const cb = await waiting(q.name);
    const r = await row(cb.id);
    expect(r.upcoming_status).toBe('SUPPRESSED');
    const [suppressed] = await t.database.db.selectFrom('callback_history').select('detail').where('callback_id', '=', cb.id).where('event', '=', 'upcoming-suppressed').execute();
    expect(suppressed?.detail).toMatchObject({ reason: 'wait-below-threshold', estimatedWaitSeconds: 120, thresholdMinutes: 5 });
    fake.setConversationWait(q.genesysQueueId, cb.conversationId, 60);
    await run();
    expect(askedFor(cb.conversationId)).toHaveLength(0);
    expect(await upcomingEvents(cb.id)).toHaveLength(0);
  });

  it('is suppressed when the callback completes first (cancelled), and never asked about', async () => {
    const q = await queue(900);
    const cb = await waiting(q.name);
    const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: cb.id } });
    expect(res.json().outcome, res.body).toBe('CANCELLED');
    expect((await row(cb.id)).upcoming_status).toBe('SUPPRESSED');
    fake.setConversationWait(q.genesysQueueId, cb.conversationId, 60);
    await run();
    expect(askedFor(cb.conversationId)).toHaveLength(0);
    expect(await upcomingEvents(cb.id)).toHaveLength(0);
  });

  it('sends nothing while Genesys cannot tell the wait (no estimate, or the conversation is gone), and asks again next run', async () => {
    const q = await queue(null);
    const cb = await waiting(q.name);
    expect((await row(cb.id)).upcoming_status).toBe('PENDING');
    expect((await run()).passes[0]).toMatchObject({ checked: 1, moved: 0, requests: 1 });
    fake.failNext('conversationWaitTime', [{ status: 404 }]);
    fake.setConversationWait(q.genesysQueueId, cb.conversationId, 30);
    expect((await run()).passes[0]).toMatchObject({ checked: 1, moved: 0, requests: 1 });
    expect((await row(cb.id)).upcoming_status).toBe('PENDING');
    expect((await run()).passes[0]).toMatchObject({ checked: 1, moved: 1 });
    expect(await upcomingEvents(cb.id)).toHaveLength(1);
  });

  it('stays within the run’s budget, oldest waiting first, each callback asked once per run', async () => {
    const q = await queue(900);
    const cbs: { id: string; conversationId: string }[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1_000); // delivered one after the other
      cbs.push(await waiting(q.name));
    }
    for (const cb of cbs) fake.setConversationWait(q.genesysQueueId, cb.conversationId, 600);
    const before = fake.requestsTo('conversationWaitTime').length;
    const first = await run(3);
    expect(first).toMatchObject({ requests: 3, passes: [{ name: 'upcoming', checked: 3, requests: 3 }] });
    const asked = fake.requestsTo('conversationWaitTime').slice(before).map((r) => r.query.conversationId);
    expect(new Set(asked)).toEqual(new Set(cbs.slice(0, 3).map((c) => c.conversationId)));
    // The same run time again: only the two not asked in this run, the budget left unspent.
    const again = await runReconcile(deps, { maxRequests: 3, passes: upcomingOnly });
    expect(again).toMatchObject({ requests: 2, passes: [{ checked: 2 }] });
    expect(new Set(fake.requestsTo('conversationWaitTime').slice(before + 3).map((r) => r.query.conversationId))).toEqual(new Set(cbs.slice(3).map((c) => c.conversationId)));
    expect((await runReconcile(deps, { maxRequests: 3, passes: upcomingOnly })).requests).toBe(0);
    for (const cb of cbs) await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: cb.id } });
  });

  it('two overlapping runs on two pools ask each callback once between them and send each UPCOMING once', async () => {
    const q = await queue(900);
    const cbs: { id: string; conversationId: string }[] = [];
    for (let i = 0; i < 30; i++) cbs.push(await waiting(q.name));
    for (const cb of cbs) fake.setConversationWait(q.genesysQueueId, cb.conversationId, 100);
    const pool2 = createDatabase(t.url, { max: 5 });
    try {
      const other = jobContext({ db: pool2.db, gateway: deps.gateway, clock, caches: createCaches(), logger: createLogger('silent') });
      const before = fake.requestsTo('conversationWaitTime').length;
      clock.advance(60_000);
      fake.slowAnswer('conversationWaitTime', 20); // the runs overlap
      const [r1, r2] = await Promise.all([runReconcile(deps, { maxRequests: 100, passes: upcomingOnly }), runReconcile(other, { maxRequests: 100, passes: upcomingOnly })]);
      fake.slowAnswer('conversationWaitTime', 0);
      expect(r1.passes[0]!.checked + r2.passes[0]!.checked).toBe(30);
      expect(r1.passes[0]!.moved + r2.passes[0]!.moved).toBe(30);
      const asked = fake.requestsTo('conversationWaitTime').slice(before).map((r) => r.query.conversationId);
      expect(asked).toHaveLength(30);
      expect(new Set(asked).size).toBe(30);
      for (const cb of cbs) expect(await upcomingEvents(cb.id)).toHaveLength(1);
    } finally {
      await pool2.close();
    }
  });
});
