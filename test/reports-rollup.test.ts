import type { JobHelpers } from 'graphile-worker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaches } from '../src/context.js';
import { createSimulatedGateway } from '../src/genesys/simulated-gateway.js';
import { buildTaskList } from '../src/jobs/tasks.js';
import { createLogger } from '../src/logger.js';
import { rollUpReports } from '../src/reports/rollup.js';
import { summary } from '../src/reports/service.js';
import type { SummaryQuery } from '../src/reports/schemas.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { testContext } from './helpers/context.js';
import { factories, WEEKDAYS_9_TO_5 } from './helpers/factories.js';

/**
 * A queue's known month: offers, created and refused callbacks, handled, abandoned, purged, expired
 * and unanswered ones, a retried one, booked slots — over four days, two of them past retention. The
 * summary gives the same figures from the live records, from the rollups with the records still
 * there, and from the rollups once retention has deleted the records.
 */

const clock = new TestClock(new Date('2030-03-01T15:00:00Z'));
let t: TestApp;
let actions: { authorization: string };
let admin: { authorization: string };
let queue: { id: string; name: string };
let other: { id: string; name: string };
const RETENTION = 14;

beforeAll(async () => {
  t = await buildTestApp({ clock });
  actions = (await authHeader(t, ['actions'])).headers;
  admin = (await authHeader(t, ['administrator'])).headers;
  const make = factories(t.database.db);
  const hours = await make.hours({ timezone: 'America/New_York', weekly: WEEKDAYS_9_TO_5 });
  queue = await make.queue({ timezone: 'America/New_York', businessHoursId: hours.id, slotDurationMinutes: 60, slotCapacity: 2 });
  other = await make.queue({ timezone: 'UTC' });
});
afterAll(async () => t.close());

const tasks = () => buildTaskList({ db: t.database.db, gateway: createSimulatedGateway(t.database.db), clock, caches: createCaches(), logger: createLogger('silent'), retentionDays: RETENTION, reportRetentionDays: 400 });
const runTask = (name: string) => tasks()[name]!({}, { job: { id: '1' } } as unknown as JobHelpers);

async function create(payload: Record<string, unknown>, expected: string): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queue.name, ...payload } });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().outcome, res.body).toBe(expected);
  return res.json().callbackId as string;
}
async function offer(conversationId: string, offered: string, result: string, expected: string) {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/offers', headers: actions, payload: { queue: queue.name, conversationId, offered, result } });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().outcome, res.body).toBe(expected);
}

/** Gives a callback the life the scenario needs: its times, its attempts, its end, its connects. */
async function shape(
  id: string,
  s: { createdAt: string; scheduledTime?: string; attempt?: number; completedAt?: string; reason?: string; history?: { event: 'user.start' | 'retry-scheduled'; at: string }[] },
) {
  await t.database.db
    .updateTable('callbacks')
    .set({
      created_at: new Date(s.createdAt),
      ...(s.scheduledTime !== undefined && { scheduled_time: new Date(s.scheduledTime), desired_time: new Date(s.scheduledTime) }),
      ...(s.attempt !== undefined && { attempt: s.attempt }),
      ...(s.completedAt !== undefined && { state: 'COMPLETED' as const, completion_reason: s.reason as 'HANDLED', completed_at: new Date(s.completedAt) }),
      updated_at: new Date(s.completedAt ?? s.createdAt),
    })
    .where('id', '=', id)
    .execute();
  for (const h of s.history ?? []) {
    await t.database.db
      .insertInto('callback_history')
      .values({ callback_id: id, at: new Date(h.at), actor: 'test', actor_name: 'test', actor_kind: 'system', event: h.event, from_state: null, to_state: null, reason: null, detail: null })
      .execute();
  }
}

let n = 4567300;
const phone = () => `+1202${++n}`;

const RANGE = { from: '2030-03-01T05:00:00Z', to: '2030-03-20T04:00:00Z' };
const byDay: SummaryQuery = { ...RANGE, queue: [], groupBy: 'day' };
const ctx = () => testContext(t.database.db, undefined, clock);
const live = () => summary(ctx(), { ...byDay, queue: [queue.name] }, { retentionDays: RETENTION }, 'live');
const auto = () => summary(ctx(), { ...byDay, queue: [queue.name] }, { retentionDays: RETENTION });
const figures = (s: Awaited<ReturnType<typeof summary>>) => ({ rows: s.rows, totals: s.totals });

describe('a queue’s known days, from live records and from rollups', () => {
  let snapshot: ReturnType<typeof figures>;

  it('records the days through the data actions', async () => {
    // Friday 1 March (EST): three offers, four callbacks, two refusals, an idempotent replay.
    clock.set('2030-03-01T15:00:00Z');
    await offer('c1', 'IMMEDIATE', 'NO_INPUT', 'RECORDED');
    await offer('c2', 'BOTH', 'DECLINED', 'RECORDED');
    await offer('c3', 'SCHEDULED', 'ACCEPTED', 'RECORDED');
    const p1 = phone();
    const a1 = await create({ phoneNumber: p1, conversationId: 'c1' }, 'CREATED');
    await create({ phoneNumber: p1 }, 'DUPLICATE');
    const a2 = await create({ phoneNumber: phone() }, 'CREATED');
    const a3 = await create({ phoneNumber: phone(), desiredTime: '2030-03-01T14:00:00-05:00', conversationId: 'c3' }, 'CREATED');
    await create({ phoneNumber: phone(), desiredTime: '2030-02-01T14:00:00-05:00' }, 'IN_THE_PAST');
    const p5 = phone();
    const a4 = await create({ phoneNumber: p5, idempotencyKey: 'report-k1' }, 'CREATED');
    expect(await create({ phoneNumber: p5, idempotencyKey: 'report-k1' }, 'CREATED')).toBe(a4);
    await shape(a1, { createdAt: '2030-03-01T15:00:00Z', completedAt: '2030-03-01T15:20:00Z', reason: 'HANDLED', history: [{ event: 'user.start', at: '2030-03-01T15:02:00Z' }] });
    await shape(a2, { createdAt: '2030-03-01T15:00:00Z', completedAt: '2030-03-01T15:30:00Z', reason: 'ABANDONED' });
    await shape(a3, { createdAt: '2030-03-01T15:00:00Z', completedAt: '2030-03-01T19:30:00Z', reason: 'HANDLED', history: [{ event: 'user.start', at: '2030-03-01T19:05:00Z' }] });
    // Retried once: the first attempt's connect does not count, the second's is measured from its retry time.
    await shape(a4, {
      createdAt: '2030-03-01T15:00:00Z',
      scheduledTime: '2030-03-01T16:00:00Z',
      attempt: 2,
      completedAt: '2030-03-01T16:30:00Z',
      reason: 'HANDLED',
      history: [
        { event: 'user.start', at: '2030-03-01T15:01:00Z' },
        { event: 'retry-scheduled', at: '2030-03-01T15:10:00Z' },
        { event: 'user.start', at: '2030-03-01T16:10:00Z' },
      ],
    });

    // Monday 4 March: three callbacks (purged, expired, unanswered after three attempts), a screening refusal.
    clock.set('2030-03-04T15:00:00Z');
    const a5 = await create({ phoneNumber: phone() }, 'CREATED');
    const a6 = await create({ phoneNumber: phone() }, 'CREATED');
    await create({ phoneNumber: '+1 000' }, 'INVALID_NUMBER');
    const a7 = await create({ phoneNumber: phone(), desiredTime: '2030-03-04T13:00:00-05:00' }, 'CREATED');
    await shape(a5, { createdAt: '2030-03-04T15:00:00Z', completedAt: '2030-03-04T20:00:00Z', reason: 'PURGED' });
    await shape(a6, { createdAt: '2030-03-04T15:00:00Z', completedAt: '2030-03-04T16:00:00Z', reason: 'EXPIRED' });
    await shape(a7, { createdAt: '2030-03-04T15:00:00Z', attempt: 3, completedAt: '2030-03-04T18:40:00Z', reason: 'NO_ANSWER', history: [{ event: 'user.start', at: '2030-03-04T18:03:00Z' }] });

    // Monday 18 March (EDT now): a NO_INPUT replaced by DECLINED (and not back), a create without a reported offer.
    clock.set('2030-03-18T15:00:00Z');
    await offer('c4', 'IMMEDIATE', 'NO_INPUT', 'RECORDED');
    await offer('c4', 'IMMEDIATE', 'DECLINED', 'UPDATED');
    await offer('c4', 'IMMEDIATE', 'NO_INPUT', 'KEPT');
    await offer('c4', 'IMMEDIATE', 'DECLINED', 'ALREADY_RECORDED');
    const a8 = await create({ phoneNumber: phone(), conversationId: 'c5' }, 'CREATED');
    await shape(a8, { createdAt: '2030-03-18T15:00:00Z', completedAt: '2030-03-18T15:40:00Z', reason: 'HANDLED', history: [{ event: 'user.start', at: '2030-03-18T15:04:30Z' }] });
  });

  it('sums them exactly from the live records', async () => {
    clock.set('2030-03-20T15:00:00Z');
    const s = await live();
    const day = (d: string) => s.rows.find((r) => r.group === d)!;
    // Weekdays 1–19 March: 13 open days of 8 hourly slots of 2.
    expect(s.rows.map((r) => r.group)).toEqual(['01', '04', '05', '06', '07', '08', '11', '12', '13', '14', '15', '18', '19'].map((d) => `2030-03-${d}`));
    expect(day('2030-03-01')).toMatchObject({
      offers: 3, offersAccepted: 2, offersDeclined: 1, offersNoInput: 0, offeredImmediate: 1, offeredScheduled: 1, offeredBoth: 1, acceptanceRate: 0.6667,
      created: 4, createdImmediate: 3, createdScheduled: 1, refused: 2,
      completed: 4, handled: 3, abandoned: 1, handledRate: 0.75, retries: 1, retriesPerHandled: 0.3333,
      connects: 3, connectWaitMedianSeconds: 300, connectWaitP90Seconds: 540,
      slotsBooked: 1, slotsCapacity: 16, slotUtilization: 0.0625,
    });
    expect(day('2030-03-01').refusals).toMatchObject({ DUPLICATE: 1, IN_THE_PAST: 1, SLOT_FULL: 0 });
    expect(day('2030-03-04')).toMatchObject({
      offers: 0, acceptanceRate: null, created: 3, createdImmediate: 2, createdScheduled: 1, refused: 1,
      completed: 3, handled: 0, handledRate: 0, purged: 1, expired: 1, noAnswer: 1, retries: 0, retriesPerHandled: null,
      connects: 1, connectWaitMedianSeconds: 180, connectWaitP90Seconds: 180, slotsBooked: 1, slotsCapacity: 16,
    });
    expect(day('2030-03-04').refusals.INVALID_NUMBER).toBe(1);
    expect(day('2030-03-18')).toMatchObject({ offers: 2, offersAccepted: 1, offersDeclined: 1, offeredImmediate: 2, created: 1, completed: 1, handled: 1, connects: 1, connectWaitMedianSeconds: 270 });
    expect(day('2030-03-05')).toMatchObject({ offers: 0, created: 0, completed: 0, connects: 0, slotsBooked: 0, slotsCapacity: 16 });
    expect(s.totals).toMatchObject({
      group: 'total', offers: 5, offersAccepted: 3, offersDeclined: 2, created: 8, createdImmediate: 6, createdScheduled: 2, refused: 3,
      completed: 8, handled: 4, abandoned: 1, purged: 1, expired: 1, noAnswer: 1, handledRate: 0.5, retries: 1, retriesPerHandled: 0.25,
      connects: 5, connectWaitMedianSeconds: 270, connectWaitP90Seconds: 480, slotsBooked: 2, slotsCapacity: 208, slotUtilization: 0.0096,
    });
    expect(s.totals.completedByReason).toMatchObject({ HANDLED: 4, ABANDONED: 1, PURGED: 1, EXPIRED: 1, NO_ANSWER: 1, CANCELLED_BY_ADMIN: 0 });
    expect(s.rolledUpThrough).toBeNull();
    snapshot = figures(s);
  });

  it('gives the same numbers from the rollups while the records are still there (re-runs change nothing)', async () => {
    await runTask('roll-up-reports');
    const rows = await t.database.db.selectFrom('report_days').select(sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day')).where('queue_id', '=', queue.id).orderBy('day').execute();
    expect(rows[0]!.day).toBe('2030-03-01');
    expect(rows.at(-1)!.day).toBe('2030-03-19');
    await rollUpReports(t.database.db, clock.now(), { retentionDays: RETENTION, reportRetentionDays: 400 });
    expect(await t.database.db.selectFrom('report_days').select(sql<number>`count(*)::int`.as('n')).where('queue_id', '=', queue.id).executeTakeFirstOrThrow()).toEqual({ n: rows.length });
    const s = await auto();
    // 1–6 March are older than the retention's cutoff (6 March 15:00 UTC): read from the rollups.
    expect(s.rolledUpThrough).toBe('2030-03-06');
    expect(figures(s)).toEqual(snapshot);
  });

  it('and once retention has deleted the records of the old days', async () => {
    const count = async () => (await t.database.db.selectFrom('callbacks').select(sql<number>`count(*)::int`.as('n')).where('queue_id', '=', queue.id).executeTakeFirstOrThrow()).n;
    expect(await count()).toBe(8);
    await runTask('apply-retention');
    expect(await count()).toBe(1);
    expect(await t.database.db.selectFrom('create_decisions').select(sql<number>`count(*)::int`.as('n')).where('queue_id', '=', queue.id).executeTakeFirstOrThrow()).toEqual({ n: 1 });
    expect(figures(await auto())).toEqual(snapshot);
    // The live records alone no longer know the first days.
    expect((await live()).totals.created).toBe(1);
  });

  it('and weeks later, when every day of the period is past retention', async () => {
    clock.set('2030-04-10T15:00:00Z');
    await runTask('roll-up-reports');
    await runTask('apply-retention');
    expect(await t.database.db.selectFrom('callbacks').select('id').where('queue_id', '=', queue.id).execute()).toEqual([]);
    const s = await auto();
    expect(s.rolledUpThrough).toBe('2030-03-19');
    expect(figures(s)).toEqual(snapshot);
    const http = await t.app.inject({ method: 'GET', url: `/admin/v1/reports/summary?queue=${queue.name}&from=${RANGE.from}&to=${RANGE.to}&groupBy=queue`, headers: admin });
    expect(http.statusCode, http.body).toBe(200);
    expect(http.json().rows).toHaveLength(1);
    expect(http.json().rows[0]).toEqual({ ...snapshot.totals, group: queue.name, queueId: queue.id, queueName: queue.name });
  });

  it('refuses hours, or another zone, for days kept only as the queue’s days', async () => {
    const hourly = await t.app.inject({ method: 'GET', url: `/admin/v1/reports/summary?queue=${queue.name}&from=2030-03-18T04:00:00Z&to=2030-03-19T04:00:00Z&groupBy=hour`, headers: admin });
    expect(hourly.statusCode).toBe(400);
    expect(hourly.json().field).toBe('groupBy');
    const zoned = await t.app.inject({ method: 'GET', url: `/admin/v1/reports/summary?queue=${queue.name}&from=${RANGE.from}&to=${RANGE.to}&groupBy=day&timezone=UTC`, headers: admin });
    expect(zoned.statusCode).toBe(400);
    expect(zoned.json().field).toBe('timezone');
  });

  it('keeps rollups REPORT_RETENTION_DAYS after the records, then deletes them', async () => {
    const { applyRetention } = await import('../src/callbacks/maintenance.js');
    // Cutoff 27 March; rollups older than 20 days before it (7 March) go.
    await applyRetention(t.database.db, clock.now(), RETENTION, 20);
    const days = (await t.database.db.selectFrom('report_days').select(sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day')).where('queue_id', '=', queue.id).orderBy('day').execute()).map((r) => r.day);
    expect(days[0]).toBe('2030-03-07');
    expect((await auto()).totals.created).toBe(1);
  });
});
