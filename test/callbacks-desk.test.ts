import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaches } from '../src/context.js';
import { applyRetention, purgeCallbacks } from '../src/callbacks/maintenance.js';
import { buildTaskList } from '../src/jobs/tasks.js';
import { createSimulatedGateway } from '../src/genesys/simulated-gateway.js';
import { createLogger } from '../src/logger.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { createBusinessMetrics } from '../src/ops/business-metrics.js';

// Monday 2030-03-04 10:00 in New York.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let actions: { authorization: string };
let supervisor: { authorization: string };
let monitor: { authorization: string };
let make: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await buildTestApp({ clock });
  actions = (await authHeader(t, ['actions'])).headers;
  supervisor = (await authHeader(t, ['supervisor'])).headers;
  monitor = (await authHeader(t, ['monitor'])).headers;
  make = factories(t.database.db);
});
afterAll(async () => t.close());

const weekdays = (start: string, end: string) => Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, [{ start, end }]]));
let phone = 4561100;
const nextPhone = () => `+1202${++phone}`;

async function create(queue: string, extra: object = {}) {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue, phoneNumber: nextPhone(), ...extra } });
  expect(res.json().outcome, res.body).toBe('CREATED');
  return res.json() as { callbackId: string; scheduledTime: string };
}

const desk = (method: 'GET' | 'POST', url: string, headers = supervisor, payload?: object) =>
  t.app.inject({ method, url: `/admin/v1${url}`, headers, ...(payload && { payload }) });

describe('the callback desk', () => {
  it('lists with filters and cursor pages of at most 250, newest first', async () => {
    clock.set('2030-03-04T15:00:00Z');
    const hours = await make.hours({ weekly: weekdays('08:00', '18:00') });
    const queue = await make.queue({ businessHoursId: hours.id, maxPendingPerNumber: 5 });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await create(queue.name, { desiredTime: `2030-03-05T09:${String(i * 5).padStart(2, '0')}` })).callbackId);
    const first = (await desk('GET', `/callbacks?queueId=${queue.id}&limit=3`, monitor)).json();
    expect(first.items).toHaveLength(3);
    const second = (await desk('GET', `/callbacks?queueId=${queue.id}&limit=3&cursor=${first.nextCursor}`, monitor)).json();
    const third = (await desk('GET', `/callbacks?queueId=${queue.id}&limit=3&cursor=${second.nextCursor}`, monitor)).json();
    expect(third.nextCursor).toBeNull();
    const seen = [...first.items, ...second.items, ...third.items].map((c: { id: string }) => c.id);
    expect(seen).toEqual([...ids].reverse());

    const windowed = (await desk('GET', `/callbacks?queueId=${queue.id}&from=2030-03-05T14:10:00Z&to=2030-03-05T14:20:00Z`, monitor)).json();
    expect(windowed.items).toHaveLength(2);
    expect((await desk('GET', '/callbacks?limit=251', monitor)).statusCode).toBe(400);
    expect((await desk('GET', '/callbacks?cursor=garbage', monitor)).json().field).toBe('cursor');
  });

  it('shows a callback with its history, and cancels with CANCELLED_BY_ADMIN', async () => {
    const queue = await make.queue();
    const { callbackId } = await create(queue.name);
    const cancelled = await desk('POST', `/callbacks/${callbackId}/cancel`);
    expect(cancelled.json()).toMatchObject({ outcome: 'CANCELLED', callbackId });
    const view = (await desk('GET', `/callbacks/${callbackId}`, monitor)).json();
    expect(view).toMatchObject({ state: 'COMPLETED', completionReason: 'CANCELLED_BY_ADMIN', type: 'immediate' });
    expect(view.history.map((h: { event: string }) => h.event)).toEqual(['created', 'cancelled']);
    expect(view.history[1]).toMatchObject({ fromState: 'QUEUED', toState: 'COMPLETED', reason: 'CANCELLED_BY_ADMIN' });
    expect((await desk('POST', `/callbacks/${callbackId}/cancel`, monitor)).statusCode).toBe(403);
  });

  it('bulk-cancels by ids or by filter, skipping PROCESSING ones, with a report', async () => {
    const queue = await make.queue({ maxPendingPerNumber: 5 });
    const a = await create(queue.name);
    const b = await create(queue.name);
    const c = await create(queue.name);
    await t.database.db.updateTable('callbacks').set({ state: 'PROCESSING' }).where('id', '=', b.callbackId).execute();
    const report = (await desk('POST', '/callbacks/bulk-cancel', supervisor, { ids: [a.callbackId, b.callbackId, '00000000-0000-4000-8000-000000000000'] })).json();
    expect(report).toMatchObject({ matched: 3, cancelled: 1, cancelledIds: [a.callbackId] });
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { callbackId: b.callbackId, reason: 'NOT_CANCELLABLE' },
        { callbackId: '00000000-0000-4000-8000-000000000000', reason: 'NOT_FOUND' },
      ]),
    );
    const byFilter = (await desk('POST', '/callbacks/bulk-cancel', supervisor, { filter: { queueId: queue.id } })).json();
    expect(byFilter).toMatchObject({ matched: 2, cancelled: 1, cancelledIds: [c.callbackId] });
    expect(byFilter.skipped).toEqual([{ callbackId: b.callbackId, reason: 'NOT_CANCELLABLE' }]);
    expect((await desk('POST', '/callbacks/bulk-cancel', supervisor, {})).statusCode).toBe(400);
  });

  it('recreates a completed callback (and only a completed one) as a new one', async () => {
    const queue = await make.queue();
    const { callbackId } = await create(queue.name, { customerName: 'Ada', userData: '{"account":"42"}' });
    expect((await desk('POST', `/callbacks/${callbackId}/recreate`, supervisor, {})).statusCode).toBe(409);
    await desk('POST', `/callbacks/${callbackId}/cancel`);
    const again = (await desk('POST', `/callbacks/${callbackId}/recreate`, supervisor, {})).json();
    expect(again).toMatchObject({ outcome: 'CREATED', created: true });
    const view = (await desk('GET', `/callbacks/${again.callbackId}`, monitor)).json();
    expect(view).toMatchObject({ customerName: 'Ada', userData: { account: '42' }, state: 'QUEUED' });
    const old = (await desk('GET', `/callbacks/${callbackId}`, monitor)).json();
    expect(old.history.at(-1)).toMatchObject({ event: 'recreated', detail: { newCallbackId: again.callbackId } });
  });

  it('respects queue allow-lists everywhere', async () => {
    const mine = await make.queue();
    const theirs = await make.queue();
    const a = await create(mine.name);
    const b = await create(theirs.name);
    const { headers: limited } = await authHeader(t, ['supervisor'], { queues: [mine.name] });
    const items = (await desk('GET', '/callbacks?limit=250', limited)).json().items.map((c: { id: string }) => c.id);
    expect(items).toContain(a.callbackId);
    expect(items).not.toContain(b.callbackId);
    expect((await desk('GET', `/callbacks/${b.callbackId}`, limited)).statusCode).toBe(403);
    expect((await desk('POST', `/callbacks/${b.callbackId}/cancel`, limited)).statusCode).toBe(403);
    const report = (await desk('POST', '/callbacks/bulk-cancel', limited, { ids: [b.callbackId] })).json();
    expect(report.skipped).toEqual([{ callbackId: b.callbackId, reason: 'FORBIDDEN' }]);
  });
});

describe('purge and retention (controllable clock)', () => {
  it('purges immediate callbacks older than purgeAfterMinutes, not younger ones and not PROCESSING ones', async () => {
    clock.set('2030-03-04T15:00:00Z');
    const queue = await make.queue({ purgeAfterMinutes: 30, maxPendingPerNumber: 5 });
    const old = await create(queue.name);
    const busy = await create(queue.name);
    await t.database.db.updateTable('callbacks').set({ state: 'PROCESSING' }).where('id', '=', busy.callbackId).execute();
    // Created "now" by the database clock; move our clock 31 minutes past that.
    const createdAt = (await t.database.db.selectFrom('callbacks').select('created_at').where('id', '=', old.callbackId).executeTakeFirstOrThrow()).created_at;
    clock.set(new Date(createdAt.getTime() + 29 * 60_000));
    expect((await purgeCallbacks(t.database.db, clock.now(), createBusinessMetrics())).purged).not.toContain(old.callbackId);
    clock.set(new Date(createdAt.getTime() + 31 * 60_000));
    const young = await create(queue.name);
    await t.database.db.updateTable('callbacks').set({ created_at: clock.now() }).where('id', '=', young.callbackId).execute();
    const { purged } = await purgeCallbacks(t.database.db, clock.now(), createBusinessMetrics());
    expect(purged).toContain(old.callbackId);
    expect(purged).not.toContain(busy.callbackId);
    expect(purged).not.toContain(young.callbackId);
    const row = await t.database.db.selectFrom('callbacks').select(['state', 'completion_reason']).where('id', '=', old.callbackId).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'COMPLETED', completion_reason: 'PURGED' });
    const jobs = await t.database.db.selectFrom('graphile_worker.jobs' as never).select(['task_identifier' as never, 'key' as never]).execute();
    expect(jobs).toEqual(expect.arrayContaining([{ task_identifier: 'cancel-callback', key: `cancel:${old.callbackId}` }]));
  });

  it('with purgeAtClose, purges immediate callbacks once the business day they were made in has ended', async () => {
    const hours = await make.hours({ weekly: weekdays('09:00', '17:00') });
    const queue = await make.queue({ businessHoursId: hours.id, purgeAtClose: true });
    clock.set('2030-03-04T21:00:00Z'); // 16:00 local
    const { callbackId } = await create(queue.name);
    await t.database.db.updateTable('callbacks').set({ created_at: clock.now() }).where('id', '=', callbackId).execute();
    clock.set('2030-03-04T21:30:00Z'); // 16:30: still open
    expect((await purgeCallbacks(t.database.db, clock.now(), createBusinessMetrics())).purged).not.toContain(callbackId);
    clock.set('2030-03-04T22:05:00Z'); // 17:05: the day is over
    expect((await purgeCallbacks(t.database.db, clock.now(), createBusinessMetrics())).purged).toContain(callbackId);
  });

  it('the recurring purge task uses the same rule through the job list', async () => {
    const queue = await make.queue({ purgeAfterMinutes: 1 });
    const { callbackId } = await create(queue.name);
    await t.database.db.updateTable('callbacks').set({ created_at: new Date(clock.now().getTime() - 5 * 60_000) }).where('id', '=', callbackId).execute();
    const tasks = buildTaskList({ db: t.database.db, gateway: createSimulatedGateway(t.database.db), clock, caches: createCaches(), logger: createLogger('silent'), retentionDays: 14 });
    await (tasks['purge-callbacks'] as (p: unknown, h: unknown) => Promise<void>)({}, {});
    const row = await t.database.db.selectFrom('callbacks').select('completion_reason').where('id', '=', callbackId).executeTakeFirstOrThrow();
    expect(row.completion_reason).toBe('PURGED');
  });

  it('deletes records 14 days after their desired time, keeps younger ones', async () => {
    clock.set('2030-03-04T15:00:00Z');
    const hours = await make.hours({ weekly: weekdays('08:00', '18:00') });
    const queue = await make.queue({ businessHoursId: hours.id, maxPendingPerNumber: 5 });
    const oldOne = await create(queue.name, { desiredTime: '2030-03-05T09:00' });
    const newer = await create(queue.name, { desiredTime: '2030-03-05T09:15' });
    await t.database.db.updateTable('callbacks').set({ desired_time: new Date('2030-02-15T14:00:00Z') }).where('id', '=', oldOne.callbackId).execute();
    await t.database.db.updateTable('callbacks').set({ desired_time: new Date('2030-02-20T14:00:00Z') }).where('id', '=', newer.callbackId).execute();
    const { deleted } = await applyRetention(t.database.db, clock.now(), 14);
    expect(deleted).toBeGreaterThanOrEqual(1);
    const left = (await t.database.db.selectFrom('callbacks').select('id').where('id', 'in', [oldOne.callbackId, newer.callbackId]).execute()).map((r) => r.id);
    expect(left).toEqual([newer.callbackId]);
  });
});
