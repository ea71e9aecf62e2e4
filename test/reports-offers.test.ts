import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

/** Offer tracking, create decisions recorded once, and the summary's scope, with requests that really race. */

const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let actions: { authorization: string };
let admin: { authorization: string };
let queue: { id: string; name: string };
let other: { id: string; name: string };
beforeAll(async () => {
  // Room for the races below: each racing request holds a connection while it waits for the lock.
  t = await buildTestApp({ clock, env: { DATABASE_POOL_MAX: '30' } });
  actions = (await authHeader(t, ['actions'])).headers;
  admin = (await authHeader(t, ['administrator'])).headers;
  queue = await factories(t.database.db).queue({ maxPendingPerNumber: 100 });
  other = await factories(t.database.db).queue();
});
afterAll(async () => t.close());

const offer = (payload: Record<string, unknown>, headers = actions) => t.app.inject({ method: 'POST', url: '/actions/v1/offers', headers, payload: { queue: queue.name, ...payload } });
const create = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queue.name, ...payload } });
const recorded = (conversationId: string) => t.database.db.selectFrom('callback_offers').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst();
const decisions = async (q = queue.id) => (await t.database.db.selectFrom('create_decisions').select(sql<number>`count(*)::int`.as('n')).where('queue_id', '=', q).executeTakeFirstOrThrow()).n;
let n = 4567500;
const phone = () => `+1202${++n}`;

describe('POST /actions/v1/offers', () => {
  it('records an offer and answers it; a repeat answers the recorded offer', async () => {
    const first = await offer({ conversationId: 'o-1', offered: 'BOTH', result: 'DECLINED' });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ outcome: 'RECORDED', message: 'Offer recorded', conversationId: 'o-1', queueName: queue.name, offered: 'BOTH', result: 'DECLINED', reportedAt: '2030-03-04T15:00:00Z' });
    clock.advance(60_000);
    const again = await offer({ conversationId: 'o-1', offered: 'BOTH', result: 'DECLINED' });
    expect(again.json()).toMatchObject({ outcome: 'ALREADY_RECORDED', result: 'DECLINED', reportedAt: '2030-03-04T15:00:00Z' });
  });

  it('lets a stronger result replace a weaker one, never the other way', async () => {
    expect((await offer({ conversationId: 'o-2', offered: 'IMMEDIATE', result: 'NO_INPUT' })).json().outcome).toBe('RECORDED');
    expect((await offer({ conversationId: 'o-2', offered: 'BOTH', result: 'ACCEPTED' })).json()).toMatchObject({ outcome: 'UPDATED', offered: 'BOTH', result: 'ACCEPTED' });
    expect((await offer({ conversationId: 'o-2', offered: 'IMMEDIATE', result: 'DECLINED' })).json()).toMatchObject({ outcome: 'KEPT', offered: 'BOTH', result: 'ACCEPTED' });
    expect(await recorded('o-2')).toMatchObject({ offered: 'BOTH', result: 'ACCEPTED' });
  });

  it('keeps the first queue of a conversation, and hides it from a caller that may not use it', async () => {
    await offer({ conversationId: 'o-3', offered: 'SCHEDULED', result: 'NO_INPUT' });
    const restricted = (await authHeader(t, ['actions'], { queues: [other.name] })).headers;
    const res = await offer({ queue: other.name, conversationId: 'o-3', offered: 'SCHEDULED', result: 'ACCEPTED' }, restricted);
    expect(res.json()).toMatchObject({ outcome: 'KEPT', queueName: '', offered: '', result: '', reportedAt: '' });
    expect(await recorded('o-3')).toMatchObject({ queue_id: queue.id, result: 'NO_INPUT' });
    expect((await offer({ queue: other.name, conversationId: 'o-3', offered: 'SCHEDULED', result: 'ACCEPTED' })).json()).toMatchObject({ outcome: 'KEPT', queueName: queue.name, result: 'NO_INPUT' });
  });

  it.each([
    [{ offered: 'LATER' }, 'offered'],
    [{ result: 'MAYBE' }, 'result'],
    [{ conversationId: '' }, 'conversationId'],
    [{ conversationId: undefined }, 'conversationId'],
    [{ queue: undefined }, 'queue'],
  ])('refuses %j with a 400 naming %s', async (change, field) => {
    const res = await offer({ conversationId: 'o-bad', offered: 'BOTH', result: 'ACCEPTED', ...change });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().field ?? res.json().message).toContain(field);
  });

  it('answers 404 for an unknown queue and 403 outside the allow-list', async () => {
    expect((await offer({ queue: 'no-such-queue', conversationId: 'o-4', offered: 'BOTH', result: 'ACCEPTED' })).statusCode).toBe(404);
    const restricted = (await authHeader(t, ['actions'], { queues: [other.name] })).headers;
    expect((await offer({ conversationId: 'o-4', offered: 'BOTH', result: 'ACCEPTED' }, restricted)).statusCode).toBe(403);
    expect(await recorded('o-4')).toBeUndefined();
  });

  it('records one offer when the same report races itself', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => offer({ conversationId: 'o-race', offered: 'BOTH', result: 'NO_INPUT' })));
    const outcomes = answers.map((a) => a.json().outcome).sort();
    expect(outcomes.filter((o) => o === 'RECORDED')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'ALREADY_RECORDED')).toHaveLength(19);
  });

  it('ends ACCEPTED whatever order racing NO_INPUT, DECLINED and ACCEPTED reports take', async () => {
    for (let round = 0; round < 5; round++) {
      const id = `o-order-${round}`;
      const results = ['NO_INPUT', 'DECLINED', 'ACCEPTED', 'NO_INPUT', 'DECLINED', 'ACCEPTED'];
      const answers = await Promise.all(results.map((result) => offer({ conversationId: id, offered: 'IMMEDIATE', result })));
      expect(answers.filter((a) => a.json().outcome === 'RECORDED')).toHaveLength(1);
      expect(await recorded(id)).toMatchObject({ result: 'ACCEPTED' });
    }
  });
});

describe('callbacks/create: offers and decisions', () => {
  it('marks the conversation’s offer accepted, or records one the flow never reported', async () => {
    await offer({ conversationId: 'o-create', offered: 'BOTH', result: 'NO_INPUT' });
    expect((await create({ phoneNumber: phone(), conversationId: 'o-create' })).json().outcome).toBe('CREATED');
    expect(await recorded('o-create')).toMatchObject({ offered: 'BOTH', result: 'ACCEPTED' });
    expect((await create({ phoneNumber: phone(), conversationId: 'o-unreported' })).json().outcome).toBe('CREATED');
    expect(await recorded('o-unreported')).toMatchObject({ offered: 'IMMEDIATE', result: 'ACCEPTED', queue_id: queue.id });
  });

  it('does not accept an offer for a refused create', async () => {
    await offer({ conversationId: 'o-refused', offered: 'SCHEDULED', result: 'NO_INPUT' });
    expect((await create({ phoneNumber: phone(), conversationId: 'o-refused', desiredTime: '2030-02-01T10:00:00Z' })).json().outcome).toBe('IN_THE_PAST');
    expect(await recorded('o-refused')).toMatchObject({ result: 'NO_INPUT' });
  });

  it('records each decision once: racing requests with one idempotency key are one decision, without a key each is one', async () => {
    const before = await decisions();
    const p = phone();
    const keyed = await Promise.all(Array.from({ length: 12 }, () => create({ phoneNumber: p, idempotencyKey: 'decision-race' })));
    expect(new Set(keyed.map((r) => r.json().callbackId)).size).toBe(1);
    expect(keyed.filter((r) => r.json().replayed === false)).toHaveLength(1);
    expect(await decisions()).toBe(before + 1);
    const unkeyed = await Promise.all(Array.from({ length: 6 }, () => create({ phoneNumber: phone() })));
    expect(unkeyed.every((r) => r.json().outcome === 'CREATED')).toBe(true);
    expect(await decisions()).toBe(before + 7);
  });

  it('and the summary counts them: created, refused by outcome, offers accepted', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/admin/v1/reports/summary?queue=${queue.name}&from=2030-03-04T00:00:00Z&to=2030-03-05T00:00:00Z&groupBy=hour&timezone=UTC`, headers: admin });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.timezone).toBe('UTC');
    // Open around the clock: every hour has four slots of 5; only 15:00 UTC has records.
    expect(body.rows.map((r: { group: string }) => r.group)).toEqual(Array.from({ length: 24 }, (_, h) => `2030-03-04T${String(h).padStart(2, '0')}:00`));
    expect(body.rows[14]).toMatchObject({ created: 0, offers: 0, slotsCapacity: 20 });
    expect(body.rows[15]).toMatchObject({ created: 9, offers: 12, slotsCapacity: 20 });
    // Offers: o-1 declined; o-2, five o-order, o-create and o-unreported accepted; o-3, o-race and o-refused unanswered.
    expect(body.totals).toMatchObject({ created: 9, createdImmediate: 9, refused: 1, offers: 12, offersAccepted: 8, offersDeclined: 1, offersNoInput: 3, slotsCapacity: 480 });
    expect(body.totals.refusals.IN_THE_PAST).toBe(1);
  });
});

describe('the summary’s scope', () => {
  it('covers only a restricted caller’s queues, and refuses one it names outside them', async () => {
    const restricted = (await authHeader(t, ['supervisor'], { queues: [other.name] })).headers;
    const mine = await t.app.inject({ method: 'GET', url: '/admin/v1/reports/summary?from=2030-03-04T00:00:00Z&to=2030-03-05T00:00:00Z', headers: restricted });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().queues.map((q: { id: string }) => q.id)).toEqual([other.id]);
    expect(mine.json().totals.created).toBe(0);
    const named = await t.app.inject({ method: 'GET', url: `/admin/v1/reports/summary?queue=${queue.name}&from=2030-03-04T00:00:00Z&to=2030-03-05T00:00:00Z`, headers: restricted });
    expect(named.statusCode).toBe(403);
    const byId = await t.app.inject({ method: 'GET', url: `/admin/v1/reports/summary?queue=${queue.id}&queue=${other.name}`, headers: restricted });
    expect(byId.statusCode).toBe(403);
    const unknown = await t.app.inject({ method: 'GET', url: '/admin/v1/reports/summary?queue=no-such-queue', headers: admin });
    expect(unknown.statusCode).toBe(404);
  });

  it('names several queues by name and id, one row each', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/admin/v1/reports/summary?queue=${queue.id}&queue=${other.name}&from=2030-03-04T00:00:00Z&to=2030-03-05T00:00:00Z`, headers: admin });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().rows.map((r: { queueId: string }) => r.queueId).sort()).toEqual([queue.id, other.id].sort());
  });
});

describe('days past the live window that no roll-up has written yet', () => {
  it('are read from the records they still have: the same figures as the records alone', async () => {
    const { summary } = await import('../src/reports/service.js');
    const { testContext } = await import('./helpers/context.js');
    clock.set('2030-03-25T15:00:00Z');
    const query = { from: '2030-03-04T05:00:00Z', to: '2030-03-05T05:00:00Z', queue: [queue.name], groupBy: 'day' };
    const ctx = testContext(t.database.db, undefined, clock);
    const auto = await summary(ctx, query, { retentionDays: 14 });
    expect(auto.rolledUpThrough).toBe('2030-03-04');
    expect(await t.database.db.selectFrom('report_days').select('day').where('queue_id', '=', queue.id).execute()).toEqual([]);
    const live = await summary(ctx, query, { retentionDays: 14 }, 'live');
    expect(auto.totals).toEqual(live.totals);
    expect(auto.totals.created).toBe(9);
  });
});

describe('retention alone', () => {
  it('rolls a day up before deleting its records: the summary keeps its figures', async () => {
    const { summary } = await import('../src/reports/service.js');
    const { applyRetention } = await import('../src/callbacks/maintenance.js');
    const { testContext } = await import('./helpers/context.js');
    clock.set('2030-03-25T15:00:00Z');
    const query = { from: '2030-03-04T05:00:00Z', to: '2030-03-05T05:00:00Z', queue: [queue.name], groupBy: 'day' };
    const ctx = testContext(t.database.db, undefined, clock);
    const before = await summary(ctx, query, { retentionDays: 14 }, 'live');
    const { deleted } = await applyRetention(t.database.db, clock.now(), 14);
    expect(deleted).toBeGreaterThanOrEqual(9);
    expect((await summary(ctx, query, { retentionDays: 14 }, 'live')).totals.created).toBe(0);
    const after = await summary(ctx, query, { retentionDays: 14 });
    expect(after.totals).toEqual(before.totals);
    expect(after.rows).toEqual(before.rows);
  });
});
