import type { JobHelpers } from 'graphile-worker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverCallback } from '../src/callbacks/tasks.js';
import { createCaches } from '../src/context.js';
import { createDatabase } from '../src/db/database.js';
import { jobContext, type JobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { MISSING } from '../src/reconcile/callbacks-pass.js';
import { runReconcile } from '../src/reconcile/passes.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys, type FakeStep } from './helpers/fake-genesys.js';
import { gatewayFor } from './helpers/worker.js';
import { createBusinessMetrics } from '../src/ops/business-metrics.js';

/**
 * Callback states reconciled with Genesys: each transition arriving by the reconciler with events
 * withheld, by the events that carry it, and by both in either order — against the fake Genesys,
 * through the real SDK gateway (GET /api/v2/analytics/conversations/details).
 */

// Monday 2030-03-04, 10:00 in New York; the factories' hours are 09:00–17:00 on weekdays.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let fake: FakeGenesys;
let actions: { authorization: string };
let events: { authorization: string };
let deps: JobContext;
beforeAll(async () => {
  fake = await startFakeGenesys();
  const gateway = gatewayFor(fake, { maxRetryWaitMs: 5_000, baseBackoffMs: 1 });
  t = await buildTestApp({ clock, gateway });
  actions = (await authHeader(t, ['actions'])).headers;
  events = (await authHeader(t, ['events'])).headers;
  deps = jobContext({ db: t.database.db, gateway, clock, caches: createCaches(), logger: createLogger('silent') });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const attempt = (n: number) => ({ job: { attempts: n, max_attempts: 25 } }) as unknown as Pick<JobHelpers, 'job'>;

let phone = 4561000;
async function queue(extra: object = {}) {
  const hours = await factories(t.database.db).hours();
  return factories(t.database.db).queue({ businessHoursId: hours.id, genesysQueueId: `gq-${Math.random().toString(36).slice(2)}`, ...extra });
}
async function create(queueName: string, extra: object = {}): Promise<{ id: string; phoneNumber: string }> {
  const phoneNumber = `+1202${++phone}`;
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queueName, phoneNumber, ...extra } });
  expect(res.json().outcome, res.body).toBe('CREATED');
  return { id: res.json().callbackId, phoneNumber };
}
/** A callback delivered to the fake Genesys: scheduled (later today) or immediate. */
async function delivered(kind: 'scheduled' | 'immediate' = 'scheduled'): Promise<{ id: string; conversationId: string }> {
  const { name } = await queue();
  const { id } = await create(name, kind === 'scheduled' ? { desiredTime: '2030-03-04T15:00' } : {});
  await deliverCallback(deps, { callbackId: id }, attempt(1));
  const r = await row(id);
  expect(r.delivery_status).toBe('DELIVERED');
  return { id, conversationId: r.genesys_conversation_id! };
}
const row = (id: string) => t.database.db.selectFrom('callbacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const state = async (id: string) => {
  const r = await row(id);
  return r.completion_reason ? `${r.state}/${r.completion_reason}` : r.state;
};
const history = async (id: string) =>
  (await t.database.db.selectFrom('callback_history').select(['event', 'to_state', 'reason', 'detail', 'actor']).where('callback_id', '=', id).orderBy('id').execute()).filter(
    (h) => h.event !== 'created' && h.event !== 'delivered',
  );
const moves = async (id: string) => (await history(id)).map((h) => `${h.event}:${h.to_state}${h.reason ? `/${h.reason}` : ''}`);

/** One reconciler run, a second later than the last (a run compares each callback once). */
async function reconcile(maxRequests = 50) {
  clock.advance(1_000);
  const report = await runReconcile(deps, { maxRequests });
  for (const p of report.passes) expect(p.error, p.name).toBeUndefined();
  return report;
}
const drive = (conversationId: string, ...steps: FakeStep[]) => steps.forEach((s) => fake.drive(conversationId, s));
let tick = 0;
const send = (path: string, conversationId: string, payload: object) =>
  t.app.inject({ method: 'POST', url: `/events/v1/${path}`, headers: events, payload: { conversationId, eventTime: Date.now() + ++tick, ...payload } });

describe('the reconciler, with every event withheld', () => {
  it('leaves a callback Genesys shows scheduled as SCHEDULED, recording nothing', async () => {
    const { id } = await delivered('scheduled');
    await reconcile();
    expect(await state(id)).toBe('SCHEDULED');
    expect(await moves(id)).toEqual([]);
    expect((await row(id)).reconciled_at).not.toBeNull();
  });

  it('follows a callback through QUEUED, ROUTING, back to QUEUED (no answer), ROUTING, PROCESSING and COMPLETED/HANDLED with the wrap-up', async () => {
    const { id, conversationId } = await delivered('scheduled');
    const steps: [FakeStep, string][] = [
      [{ to: 'queued' }, 'QUEUED'],
      [{ to: 'alerting', userId: 'agent-1' }, 'ROUTING'],
      [{ to: 'noAnswer', userId: 'agent-1' }, 'QUEUED'],
      [{ to: 'alerting', userId: 'agent-2' }, 'ROUTING'],
      [{ to: 'connected', userId: 'agent-2' }, 'PROCESSING'],
      [{ to: 'ended', by: 'agent', wrapUpCode: 'wu-resolved' }, 'COMPLETED/HANDLED'],
    ];
    for (const [step, expected] of steps) {
      drive(conversationId, step);
      await reconcile();
      expect(await state(id), JSON.stringify(step)).toBe(expected);
    }
    expect(await moves(id)).toEqual(['reconciled:QUEUED', 'reconciled:ROUTING', 'reconciled:QUEUED', 'reconciled:ROUTING', 'reconciled:PROCESSING', 'reconciled:COMPLETED/HANDLED']);
    const h = await history(id);
    expect(h[1]!.detail).toEqual({ genesys: 'agent agent-1 alerting' });
    expect(h.at(-1)!.detail).toEqual({ genesys: 'ended; agent agent-2 was connected', wrapUpCode: 'wu-resolved' });
    expect(h.every((e) => e.actor === 'worker')).toBe(true);
  });

  it('jumps straight to what Genesys shows: a scheduled callback handled entirely unseen ends COMPLETED/HANDLED in one run', async () => {
    const { id, conversationId } = await delivered('scheduled');
    drive(conversationId, { to: 'queued' }, { to: 'alerting', userId: 'a' }, { to: 'connected', userId: 'a' }, { to: 'ended', by: 'agent' });
    await reconcile();
    expect(await moves(id)).toEqual(['reconciled:COMPLETED/HANDLED']);
  });

  it.each([
    ['the customer hangs up while queued', 'immediate', [{ to: 'ended', by: 'customer' }], 'COMPLETED/ABANDONED'],
    ['the customer hangs up while an agent is alerted', 'immediate', [{ to: 'alerting', userId: 'a' }, { to: 'ended', by: 'customer' }], 'COMPLETED/ABANDONED'],
    ['Genesys ends a queued callback nobody took (auto-end)', 'immediate', [{ to: 'ended', by: 'system' }], 'COMPLETED/EXPIRED'],
    ['Genesys ends a scheduled callback before it was routed', 'scheduled', [{ to: 'ended', by: 'system' }], 'COMPLETED/EXPIRED'],
    ['the customer cancels a scheduled callback before it is routed', 'scheduled', [{ to: 'ended', by: 'customer' }], 'COMPLETED/CANCELLED_BY_CUSTOMER'],
  ] as const)('%s → %s', async (_what, kind, steps, expected) => {
    const { id, conversationId } = await delivered(kind);
    drive(conversationId, ...(steps as readonly FakeStep[]));
    await reconcile();
    expect(await state(id)).toBe(expected);
    expect(await moves(id)).toEqual([`reconciled:${expected}`]);
  });

  it('a customer cancel gives the slot back', async () => {
    const { id, conversationId } = await delivered('scheduled');
    const { slot_start, queue_id } = await row(id);
    const booked = () => t.database.db.selectFrom('slot_bookings').select('booked').where('queue_id', '=', queue_id).where('slot_start', '=', slot_start!).executeTakeFirstOrThrow();
    expect((await booked()).booked).toBe(1);
    drive(conversationId, { to: 'ended', by: 'customer' });
    await reconcile();
    expect((await booked()).booked).toBe(0);
  });
});

describe('events, the fast path', () => {
  it('acd.start → QUEUED, acd.end ANSWERED → PROCESSING, the connected agent’s user.end → COMPLETED/HANDLED', async () => {
    const { id, conversationId } = await delivered('scheduled');
    await send('conversation-acd-start', conversationId, { participantId: 'acd', mediaType: 'CALLBACK' });
    expect(await state(id)).toBe('QUEUED');
    await send('conversation-acd-end', conversationId, { participantId: 'acd', acdOutcome: 'ANSWERED' });
    expect(await state(id)).toBe('PROCESSING');
    await send('conversation-user-end', conversationId, { participantId: 'agent', userId: 'agent-1', disconnectType: 'CLIENT', interactingDurationMs: 120_000 });
    expect(await moves(id)).toEqual(['acd.start:QUEUED', 'acd.end:PROCESSING', 'user.end:COMPLETED/HANDLED']);
    expect((await history(id)).at(-1)!.detail).toEqual({ userId: 'agent-1', interactingDurationMs: 120_000 });
  });

  it('acd.end ABANDON → COMPLETED/ABANDONED; with disconnectType SYSTEM (Genesys ended it) → COMPLETED/EXPIRED', async () => {
    const a = await delivered('immediate');
    await send('conversation-acd-end', a.conversationId, { participantId: 'acd', acdOutcome: 'ABANDON', disconnectType: 'CLIENT' });
    expect(await state(a.id)).toBe('COMPLETED/ABANDONED');
    const e = await delivered('immediate');
    await send('conversation-acd-end', e.conversationId, { participantId: 'acd', acdOutcome: 'ABANDON', disconnectType: 'SYSTEM' });
    expect(await state(e.id)).toBe('COMPLETED/EXPIRED');
  });

  it('a user.end for an agent who was only alerted (never interacting) does not complete the callback; a ROUTING one is back in queue', async () => {
    const { id, conversationId } = await delivered('immediate');
    await send('conversation-user-end', conversationId, { participantId: 'agent-p1', userId: 'agent-1', disconnectType: 'TRANSFER', alertingDurationMs: 8_000, interactingDurationMs: 0 });
    expect(await state(id)).toBe('QUEUED');
    // The reconciler sees the next agent alerting (ROUTING); that one does not answer either.
    drive(conversationId, { to: 'alerting', userId: 'agent-2' });
    await reconcile();
    expect(await state(id)).toBe('ROUTING');
    drive(conversationId, { to: 'noAnswer', userId: 'agent-2' });
    await send('conversation-user-end', conversationId, { participantId: 'agent-p2', userId: 'agent-2', disconnectType: 'TRANSFER', alertingDurationMs: 8_000 });
    expect(await state(id)).toBe('QUEUED');
    expect(await moves(id)).toEqual(['reconciled:ROUTING', 'user.end:QUEUED']);
    expect((await history(id)).at(-1)!.detail).toEqual({ userId: 'agent-2', answered: false });
  });
});

describe('events and the reconciler together never fight', () => {
  it('event first: the reconciler records nothing for a state an event already reached, and completes what the events missed', async () => {
    const { id, conversationId } = await delivered('scheduled');
    drive(conversationId, { to: 'queued' }, { to: 'alerting', userId: 'a' }, { to: 'connected', userId: 'a' });
    await send('conversation-acd-end', conversationId, { participantId: 'acd', acdOutcome: 'ANSWERED' });
    await reconcile();
    expect(await state(id)).toBe('PROCESSING');
    drive(conversationId, { to: 'ended', by: 'agent', wrapUpCode: 'wu-1' });
    await reconcile();
    // The agent's user.end arrives after the reconciler completed it: nothing changes.
    const late = await send('conversation-user-end', conversationId, { participantId: 'agent', userId: 'a', interactingDurationMs: 60_000 });
    expect(late.statusCode).toBe(200);
    expect(await moves(id)).toEqual(['acd.end:PROCESSING', 'reconciled:COMPLETED/HANDLED']);
  });

  it('reconciler first: the events that follow move nothing backwards or twice', async () => {
    const { id, conversationId } = await delivered('scheduled');
    drive(conversationId, { to: 'queued' }, { to: 'alerting', userId: 'a' }, { to: 'connected', userId: 'a' });
    await reconcile();
    await send('conversation-acd-start', conversationId, { participantId: 'acd', mediaType: 'CALLBACK' });
    await send('conversation-acd-end', conversationId, { participantId: 'acd', acdOutcome: 'ANSWERED' });
    expect(await state(id)).toBe('PROCESSING');
    await send('conversation-user-end', conversationId, { participantId: 'agent', userId: 'a', interactingDurationMs: 60_000 });
    drive(conversationId, { to: 'ended', by: 'agent' });
    await reconcile();
    expect(await moves(id)).toEqual(['reconciled:PROCESSING', 'user.end:COMPLETED/HANDLED']);
  });

  it('a reconciler reading an older picture than an event already applied changes nothing (never behind the stored state)', async () => {
    const { id, conversationId } = await delivered('immediate');
    // Genesys (as analytics shows it) still has it waiting; the event says an agent answered.
    await send('conversation-acd-end', conversationId, { participantId: 'acd', acdOutcome: 'ANSWERED' });
    await reconcile();
    expect(await state(id)).toBe('PROCESSING');
    expect(await moves(id)).toEqual(['acd.end:PROCESSING']);
  });
});

describe('a conversation Genesys does not know', () => {
  it(`expires only after ${MISSING.runs} runs in a row over more than an hour, and never on a transient error`, async () => {
    const { id, conversationId } = await delivered('immediate');
    fake.conversations.delete(conversationId);
    fake.timelines.delete(conversationId);
    for (let i = 0; i < MISSING.runs + 2; i++) await reconcile();
    expect(await state(id)).toBe('QUEUED');
    expect((await row(id)).reconcile_misses).toBe(MISSING.runs + 2);

    // An hour later, a failing Genesys counts no miss and completes nothing.
    clock.advance(MISSING.forMs);
    fake.failNext('conversationDetails', [{ status: 500 }]);
    const failed = await runReconcile(deps, { maxRequests: 5 });
    expect(failed.passes.find((p) => p.name === 'callbacks')!.error).toMatch(/500/);
    expect(await state(id)).toBe('QUEUED');
    expect((await row(id)).reconcile_lease).toBeNull();

    await reconcile();
    expect(await state(id)).toBe('COMPLETED/EXPIRED');
    const last = (await history(id)).at(-1)!;
    expect(last).toMatchObject({ event: 'reconciled', reason: 'EXPIRED', detail: { genesys: 'conversation not found', misses: MISSING.runs + 3 } });
  });

  it('a conversation found again resets the count', async () => {
    const { id, conversationId } = await delivered('immediate');
    const conv = fake.conversations.get(conversationId)!;
    fake.conversations.delete(conversationId);
    await reconcile();
    await reconcile();
    expect((await row(id)).reconcile_misses).toBe(2);
    fake.conversations.set(conversationId, conv);
    await reconcile();
    expect(await row(id)).toMatchObject({ reconcile_misses: 0, reconcile_missing_since: null, state: 'QUEUED' });
  });
});

describe('purge of scheduled callbacks', () => {
  it('a scheduled callback not handled within purgeAfterMinutes after its time is COMPLETED/PURGED and cancelled in Genesys', async () => {
    clock.set('2030-03-04T15:00:00Z');
    const { name } = await queue({ purgeAfterMinutes: 30 });
    const { id } = await create(name, { desiredTime: '2030-03-04T13:00' });
    const { purgeCallbacks } = await import('../src/callbacks/maintenance.js');
    clock.set('2030-03-04T18:29:00Z');
    expect((await purgeCallbacks(t.database.db, clock.now(), createBusinessMetrics())).purged).not.toContain(id);
    clock.set('2030-03-04T18:30:00Z');
    expect((await purgeCallbacks(t.database.db, clock.now(), createBusinessMetrics())).purged).toContain(id);
    expect(await state(id)).toBe('COMPLETED/PURGED');
    expect((await history(id)).at(-1)).toMatchObject({ event: 'purged', detail: { rule: 'purgeAfterMinutes' } });
    const cancels = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where key = ${`cancel:${id}`}`.execute(t.database.db);
    expect(cancels.rows[0]!.n).toBe(1);
  });

  it('with purgeAtClose, once the business day it was scheduled in has ended (not before its time)', async () => {
    clock.set('2030-03-04T15:00:00Z');
    const { name } = await queue({ purgeAtClose: true });
    const today = await create(name, { desiredTime: '2030-03-04T16:00' });
    const tomorrow = await create(name, { desiredTime: '2030-03-05T10:00' });
    const { purgeCallbacks } = await import('../src/callbacks/maintenance.js');
    clock.set('2030-03-04T21:59:00Z'); // 16:59 in New York
    expect((await purgeCallbacks(t.database.db, clock.now(), createBusinessMetrics())).purged).not.toContain(today.id);
    clock.set('2030-03-04T22:00:00Z'); // 17:00, closed
    const { purged } = await purgeCallbacks(t.database.db, clock.now(), createBusinessMetrics());
    expect(purged).toContain(today.id);
    expect(purged).not.toContain(tomorrow.id);
    expect(await state(today.id)).toBe('COMPLETED/PURGED');
    expect(await state(tomorrow.id)).toBe('SCHEDULED');
    clock.set('2030-03-04T15:00:00Z');
  });
});

describe('a delivery that fails permanently', () => {
  it('ends COMPLETED/FAILED with the error, frees the number (a new create for it is CREATED) and its slot', async () => {
    clock.set('2030-03-04T15:00:00Z');
    const { name } = await queue();
    const { id, phoneNumber } = await create(name, { desiredTime: '2030-03-04T15:00' });
    const again = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: name, phoneNumber, desiredTime: '2030-03-04T15:30' } });
    expect(again.json().outcome).toBe('DUPLICATE');

    fake.failNext('createCallback', [{ status: 400, body: { status: 400, code: 'bad.request', message: 'Invalid callback number' } }]);
    await deliverCallback(deps, { callbackId: id }, attempt(1));
    const r = await row(id);
    expect(r).toMatchObject({ state: 'COMPLETED', completion_reason: 'FAILED', delivery_status: 'FAILED', delivery_error: expect.stringContaining('400') });
    expect((await history(id)).at(-1)).toMatchObject({ event: 'delivery-failed', to_state: 'COMPLETED', reason: 'FAILED', detail: { error: expect.stringContaining('Invalid callback number') } });
    const booked = await t.database.db.selectFrom('slot_bookings').select('booked').where('queue_id', '=', r.queue_id).where('slot_start', '=', r.slot_start!).executeTakeFirstOrThrow();
    expect(booked.booked).toBe(0);

    const retry = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: name, phoneNumber, desiredTime: '2030-03-04T15:30' } });
    expect(retry.json()).toMatchObject({ outcome: 'CREATED', state: 'SCHEDULED' });
  });
});

describe('the request budget', () => {
  let b: TestApp;
  let bDeps: JobContext;
  const bClock = new TestClock(new Date('2030-03-04T15:00:00Z'));
  beforeAll(async () => {
    const gateway = gatewayFor(fake, { maxRetryWaitMs: 5_000, baseBackoffMs: 1 });
    b = await buildTestApp({ clock: bClock, gateway });
    bDeps = jobContext({ db: b.database.db, gateway, clock: bClock, caches: createCaches(), logger: createLogger('silent') });
  });
  afterAll(async () => b.close());

  /** `n` delivered callbacks in a fresh queue, each with its own conversation in the fake (waiting in queue). */
  async function many(db: TestApp, n: number): Promise<string[]> {
    const q = await factories(db.database.db).queue({ genesysQueueId: `gq-many-${Math.random().toString(36).slice(2)}` });
    const rows = Array.from({ length: n }, (_, i) => {
      const conversationId = fake.seedConversation({ participants: [{ purpose: 'customer', callbacks: [{ state: 'connected' }] }, { purpose: 'acd', queueId: q.genesysQueueId!, callbacks: [{ state: 'alerting' }] }] });
      return { queue_id: q.id, type: 'immediate' as const, state: 'QUEUED' as const, phone_e164: `+1303555${String(i).padStart(4, '0')}`, priority: 0, user_data: JSON.stringify({}), created_by: 'test', delivery_status: 'DELIVERED' as const, delivered_at: new Date(), genesys_conversation_id: conversationId };
    });
    const inserted = await db.database.db.insertInto('callbacks').values(rows).returning('id').execute();
    return inserted.map((r) => r.id);
  }
  const detailRequests = () => fake.requestsTo('conversationDetails');
  const callbacksPass = (r: Awaited<ReturnType<typeof runReconcile>>) => r.passes.find((p) => p.name === 'callbacks')!;
  const idsIn = (r: { query: Record<string, string> }) => r.query.id!.split(',');

  it('250 pending callbacks with 2 requests per run: 2 requests of 100 ids, the 50 left first in the next run', async () => {
    const ids = await many(b, 250);
    const before = detailRequests().length;
    bClock.advance(1_000);
    const first = await runReconcile(bDeps, { maxRequests: 2 });
    expect(first).toMatchObject({ requests: 2, passes: [{ name: 'upcoming', checked: 0, requests: 0 }, { name: 'call-in', checked: 0, requests: 0 }, { name: 'callbacks', checked: 200, requests: 2 }, { name: 'campaign-callbacks', checked: 0, requests: 0 }] });
    const sent = detailRequests().slice(before);
    expect(sent.map((r) => idsIn(r).length)).toEqual([100, 100]);
    const waiting = await b.database.db.selectFrom('callbacks').select('id').where('id', 'in', ids).where('reconciled_at', 'is', null).execute();
    expect(waiting).toHaveLength(50);

    bClock.advance(1_000);
    const second = await runReconcile(bDeps, { maxRequests: 2 });
    // The 50 never compared go first, then 100 of the least recently compared: the budget is spent again.
    expect(second.requests).toBe(2);
    const next = detailRequests().slice(before + 2);
    const conversationsOf = async (which: string[]) =>
      (await b.database.db.selectFrom('callbacks').select('genesys_conversation_id').where('id', 'in', which).execute()).map((r) => r.genesys_conversation_id);
    const firstAsked = new Set(idsIn(next[0]!));
    expect((await conversationsOf(waiting.map((w) => w.id))).filter((c) => !firstAsked.has(c!))).toEqual([]);
    expect(await b.database.db.selectFrom('callbacks').select('id').where('id', 'in', ids).where('reconciled_at', 'is', null).execute()).toHaveLength(0);

    // The same run time again: the 50 that did not fit, in one request, and the budget left unspent.
    const third = await runReconcile(bDeps, { maxRequests: 5 });
    expect(third).toMatchObject({ requests: 1, passes: [{ name: 'upcoming', checked: 0 }, { name: 'call-in', checked: 0 }, { name: 'callbacks', checked: 50 }, { name: 'campaign-callbacks', checked: 0 }] });
    // Nothing left to compare at this run time: no request at all.
    const idle = await runReconcile(bDeps, { maxRequests: 5 });
    expect(idle.requests).toBe(0);
  });

  it('two runs at once (two database pools, two gateways, as two workers) never ask about the same callback twice', async () => {
    const c = await buildTestApp({ clock: bClock });
    try {
      const ids = await many(c, 400);
      const pool2 = createDatabase(c.url, { max: 5 });
      try {
        const ctxOf = (db: typeof c.database.db) => jobContext({ db, gateway: gatewayFor(fake, { baseBackoffMs: 1 }), clock: bClock, caches: createCaches(), logger: createLogger('silent') });
        const before = detailRequests().length;
        // Slow answers make the two runs overlap.
        fake.slowAnswer('conversationDetails', 150);
        bClock.advance(1_000);
        const [r1, r2] = await Promise.all([runReconcile(ctxOf(c.database.db), { maxRequests: 10 }), runReconcile(ctxOf(pool2.db), { maxRequests: 10 })]);
        fake.slowAnswer('conversationDetails', 0);
        expect(callbacksPass(r1).checked + callbacksPass(r2).checked).toBe(400);
        expect(callbacksPass(r1).checked).toBeGreaterThan(0);
        expect(callbacksPass(r2).checked).toBeGreaterThan(0);
        const asked = detailRequests().slice(before).flatMap(idsIn);
        expect(asked).toHaveLength(400);
        expect(new Set(asked).size).toBe(400);
        const reconciled = await c.database.db.selectFrom('callbacks').select('id').where('id', 'in', ids).where('reconciled_at', 'is not', null).execute();
        expect(reconciled).toHaveLength(400);
      } finally {
        await pool2.close();
      }
    } finally {
      await c.close();
    }
  });
});
