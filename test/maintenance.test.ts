import { parseCrontab } from 'graphile-worker';
import { createCaches } from '../src/context.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention } from '../src/callbacks/maintenance.js';
import { loadConfig } from '../src/config.js';
import { createSimulatedGateway } from '../src/genesys/simulated-gateway.js';
import { buildTaskList, CRONTAB } from '../src/jobs/tasks.js';
import { createLogger } from '../src/logger.js';
import { startRuntime } from '../src/runtime.js';
import { authHeader, buildTestApp, TEST_JWT_SECRET, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { waitUntil } from './helpers/worker.js';

const DAY = 86_400_000;
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let actions: { authorization: string };
beforeAll(async () => {
  t = await buildTestApp({ clock });
  actions = (await authHeader(t, ['actions'])).headers;
});
afterAll(async () => t.close());

const daysAgo = (days: number) => new Date(clock.now().getTime() - days * DAY);
let phone = 4567100;

async function immediate(queueName: string, createdAt: Date): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queueName, phoneNumber: `+1202${++phone}` } });
  expect(res.json().outcome, res.body).toBe('CREATED');
  const id = res.json().callbackId as string;
  await t.database.db.updateTable('callbacks').set({ created_at: createdAt }).where('id', '=', id).execute();
  return id;
}

describe('retention (14 days)', () => {
  it('deletes an immediate callback 14 days after its creation (it has no desired time), keeps a younger one', async () => {
    const queue = await factories(t.database.db).queue({ maxPendingPerNumber: 5 });
    const old = await immediate(queue.name, daysAgo(14.5));
    const young = await immediate(queue.name, daysAgo(13.5));
    expect((await t.database.db.selectFrom('callbacks').select('desired_time').where('id', '=', old).executeTakeFirstOrThrow()).desired_time).toBeNull();
    const { deleted } = await applyRetention(t.database.db, clock.now(), 14);
    expect(deleted).toBeGreaterThanOrEqual(1);
    const left = (await t.database.db.selectFrom('callbacks').select('id').where('id', 'in', [old, young]).execute()).map((r) => r.id);
    expect(left).toEqual([young]);
  });

  it('keeps a callback created before the retention but completed within it, and deletes it once its completion is 14 days old too', async () => {
    const queue = await factories(t.database.db).queue({ maxPendingPerNumber: 5 });
    const now = clock.now();
    const id = await immediate(queue.name, daysAgo(20));
    // Cancelled 13.5 days ago: a report still counts it on a day inside the retention.
    clock.set(daysAgo(13.5));
    try {
      const cancel = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: id } });
      expect(cancel.json().outcome, cancel.body).toBe('CANCELLED');
    } finally {
      clock.set(now);
    }
    const exists = async () => (await t.database.db.selectFrom('callbacks').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    expect(await t.database.db.selectFrom('callbacks').select(['state', 'completed_at']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ state: 'COMPLETED', completed_at: daysAgo(13.5) });
    await applyRetention(t.database.db, now, 14);
    expect(await exists()).toBe(true);
    await applyRetention(t.database.db, new Date(now.getTime() + DAY), 14);
    expect(await exists()).toBe(false);
  });

  it('keeps idempotent answers 30 days longer than callbacks (a booking can be 30 days ahead), then deletes them', async () => {
    const answers = [
      { scope: 'retention', key: 'older-than-44-days', created_at: daysAgo(44.5) },
      { scope: 'retention', key: 'younger-than-44-days', created_at: daysAgo(43.5) },
      { scope: 'retention', key: 'past-callback-retention', created_at: daysAgo(20) },
    ];
    await t.database.db.insertInto('idempotent_answers').values(answers.map((a) => ({ ...a, answer: JSON.stringify({ outcome: 'CREATED' }) }))).execute();
    await applyRetention(t.database.db, clock.now(), 14);
    const left = await t.database.db.selectFrom('idempotent_answers').select('key').where('scope', '=', 'retention').orderBy('key').execute();
    expect(left.map((r) => r.key)).toEqual(['past-callback-retention', 'younger-than-44-days']);
  });

  it('deletes simulated Genesys calls older than the retention, keeps younger ones', async () => {
    const calls = [
      { operation: 'retention-old', at: daysAgo(14.5) },
      { operation: 'retention-young', at: daysAgo(13.5) },
    ];
    await t.database.db.insertInto('simulated_genesys_calls').values(calls.map((c) => ({ ...c, request: JSON.stringify({}) }))).execute();
    await applyRetention(t.database.db, clock.now(), 14);
    const left = await t.database.db.selectFrom('simulated_genesys_calls').select('operation').where('operation', 'like', 'retention-%').execute();
    expect(left.map((r) => r.operation)).toEqual(['retention-young']);
  });
});

describe('maintenance schedule (graphile-worker crontab)', () => {
  const items = parseCrontab(CRONTAB);
  const digest = (hour: number, min: number) => ({ min, hour, date: 4, month: 3, dow: 1 });

  it('names tasks the job list has: purge-callbacks every minute, apply-retention once an hour at :17, roll-up-reports at :07, purge-sessions at :41, each tried once per tick', () => {
    const tasks = buildTaskList({ db: t.database.db, gateway: createSimulatedGateway(t.database.db), clock, caches: createCaches(), logger: createLogger('silent'), retentionDays: 14 });
    expect(items.map((i) => i.task).sort()).toEqual(['apply-retention', 'notify-sweep', 'purge-callbacks', 'purge-sessions', 'roll-up-reports']);
    for (const item of items) {
      expect(tasks[item.task], item.task).toBeTypeOf('function');
      expect(item.options.maxAttempts, item.task).toBe(1);
    }
    const minutes = Array.from({ length: 24 * 60 }, (_, m) => digest(Math.floor(m / 60), m % 60));
    const purge = items.find((i) => i.task === 'purge-callbacks')!;
    expect(minutes.filter((d) => purge.match(d))).toHaveLength(24 * 60);
    const retention = items.find((i) => i.task === 'apply-retention')!;
    expect(minutes.filter((d) => retention.match(d))).toEqual(Array.from({ length: 24 }, (_, h) => digest(h, 17)));
    const rollup = items.find((i) => i.task === 'roll-up-reports')!;
    expect(minutes.filter((d) => rollup.match(d))).toEqual(Array.from({ length: 24 }, (_, h) => digest(h, 7)));
    const sessions = items.find((i) => i.task === 'purge-sessions')!;
    expect(minutes.filter((d) => sessions.match(d))).toEqual(Array.from({ length: 24 }, (_, h) => digest(h, 41)));
  });

  it('is registered by the runtime’s job worker on start (graphile-worker knows every schedule)', async () => {
    const config = loadConfig({ DATABASE_URL: t.url, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', WORKER_ENABLED: 'true' });
    const runtime = await startRuntime(config, createLogger('silent'), { worker: true });
    try {
      const known = async () =>
        (await sql<{ identifier: string }>`select identifier from graphile_worker._private_known_crontabs order by identifier`.execute(t.database.db)).rows.map((r) => r.identifier);
      await waitUntil(async () => (await known()).length >= 4, 30_000);
      expect(await known()).toEqual(['apply-retention', 'notify-sweep', 'purge-callbacks', 'purge-sessions', 'roll-up-reports']);
    } finally {
      await runtime.close();
    }
  });
});
