import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { createCaches } from '../src/context.js';
import { buildTaskList } from '../src/jobs/tasks.js';
import { createLogger } from '../src/logger.js';
import { ensureReconcileJob } from '../src/reconcile/passes.js';
import { buildTestApp, TestClock, TEST_JWT_SECRET, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { gatewayFor, startWorkerProcess, stopProcess, waitUntil } from './helpers/worker.js';

/** The reconciler's job: one pending across every worker, rescheduling itself every interval. */

let t: TestApp;
let fake: FakeGenesys;
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
beforeAll(async () => {
  fake = await startFakeGenesys();
  t = await buildTestApp({ clock, gateway: gatewayFor(fake, { baseBackoffMs: 1 }) });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const reconcileJobs = async () =>
  (
    await sql<{ run_at: Date; locked_at: Date | null; key: string | null }>`
      select j.run_at, j.locked_at, j.key from graphile_worker._private_jobs j join graphile_worker._private_tasks k on k.id = j.task_id
      where k.identifier = 'reconcile'`.execute(t.database.db)
  ).rows;

/** `n` delivered callbacks whose conversations show an agent alerting (the reconciler moves them to ROUTING). */
async function alerting(n: number): Promise<string[]> {
  const q = await factories(t.database.db).queue({ genesysQueueId: `gq-${Math.random().toString(36).slice(2)}` });
  const rows = Array.from({ length: n }, (_, i) => ({
    queue_id: q.id,
    type: 'immediate' as const,
    state: 'QUEUED' as const,
    phone_e164: `+1404555${String(i).padStart(4, '0')}`,
    priority: 0,
    user_data: JSON.stringify({}),
    created_by: 'test',
    delivery_status: 'DELIVERED' as const,
    delivered_at: new Date(),
    genesys_conversation_id: fake.seedConversation({
      participants: [
        { purpose: 'customer', callbacks: [{ state: 'connected' }] },
        { purpose: 'acd', queueId: q.genesysQueueId!, callbacks: [{ state: 'connected' }] },
        { purpose: 'agent', userId: `agent-${i}`, callbacks: [{ state: 'alerting' }] },
      ],
    }),
  }));
  return (await t.database.db.insertInto('callbacks').values(rows).returning('id').execute()).map((r) => r.id);
}

/** Beyond the sum of a worker test's waits (each bounded): the test only ends early when they are met. */
const WORKER_TEST_TIMEOUT = 300_000;

describe('RECONCILE_INTERVAL_SECONDS and RECONCILE_MAX_REQUESTS', () => {
  const load = (env: Record<string, string>) => loadConfig({ DATABASE_URL: t.url, JWT_SECRET: TEST_JWT_SECRET, ...env });
  it('default to 60 s and 100 requests; 0 turns the reconciler off; out-of-range values are refused naming the setting', () => {
    expect(load({}).reconcile).toEqual({ intervalSeconds: 60, maxRequests: 100 });
    expect(load({ RECONCILE_INTERVAL_SECONDS: '0', RECONCILE_MAX_REQUESTS: '20' }).reconcile).toEqual({ intervalSeconds: 0, maxRequests: 20 });
    expect(() => load({ RECONCILE_INTERVAL_SECONDS: '-1' })).toThrow(ConfigError);
    expect(() => load({ RECONCILE_INTERVAL_SECONDS: 'soon' })).toThrow(/RECONCILE_INTERVAL_SECONDS/);
    expect(() => load({ RECONCILE_MAX_REQUESTS: '0' })).toThrow(/RECONCILE_MAX_REQUESTS/);
    expect(() => load({ RECONCILE_MAX_REQUESTS: '301' })).toThrow(/RECONCILE_MAX_REQUESTS/);
  });
});

describe('the reconcile job', () => {
  it('a starting worker makes sure one exists and keeps the run time of a pending one; off (0) removes it', async () => {
    const settings = { intervalSeconds: 60, maxRequests: 10 };
    await ensureReconcileJob(t.database.db, settings, new Date('2030-03-04T15:00:00Z'));
    await ensureReconcileJob(t.database.db, settings, new Date('2030-03-04T15:00:30Z'));
    const jobs = await reconcileJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.run_at.toISOString()).toBe('2030-03-04T15:00:00.000Z');
    await ensureReconcileJob(t.database.db, { ...settings, intervalSeconds: 0 }, new Date());
    expect(await reconcileJobs()).toHaveLength(0);
  });

  it('runs the passes and schedules its next run one interval after it started', async () => {
    const ids = await alerting(3);
    const deps = { db: t.database.db, gateway: gatewayFor(fake, { baseBackoffMs: 1 }), clock, caches: createCaches(), logger: createLogger('silent') };
    const tasks = buildTaskList({ ...deps, retentionDays: 14, reconcile: { intervalSeconds: 45, maxRequests: 5 } });
    clock.set('2030-03-04T15:10:00Z');
    await (tasks.reconcile as (payload: unknown, helpers: unknown) => Promise<void>)({}, { job: { id: '1' } });
    const states = await t.database.db.selectFrom('callbacks').select('state').where('id', 'in', ids).execute();
    expect(states.map((s) => s.state)).toEqual(['ROUTING', 'ROUTING', 'ROUTING']);
    const jobs = await reconcileJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.run_at.toISOString()).toBe('2030-03-04T15:10:45.000Z');
  });

  // Two worker processes start (tsx) and poll: on a loaded machine that alone can take minutes. The
  // waits below are bounded by their own deadlines; the test's bound must lie beyond their sum.
  it('two worker processes on one database: one reconcile job between them, every callback moved once', async () => {
    await ensureReconcileJob(t.database.db, { intervalSeconds: 0, maxRequests: 1 }, new Date());
    const ids = await alerting(120);
    const env = { RECONCILE_INTERVAL_SECONDS: '1', RECONCILE_MAX_REQUESTS: '1' };
    // One request of 100 ids per run: the 120 take two runs, whichever worker runs them.
    fake.slowAnswer('conversationDetails', 200);
    const workers: ChildProcess[] = [startWorkerProcess(t.url, fake, 3, env), startWorkerProcess(t.url, fake, 3, env)];
    let mostPending = 0;
    try {
      await waitUntil(async () => {
        const pending = (await reconcileJobs()).filter((j) => j.locked_at === null && j.key === 'reconcile').length;
        mostPending = Math.max(mostPending, pending);
        const moved = await t.database.db.selectFrom('callbacks').select('id').where('id', 'in', ids).where('state', '=', 'ROUTING').execute();
        return moved.length === ids.length;
      }, 120_000);
      // A few more runs, both workers alive.
      const requests = fake.requestsTo('conversationDetails').length;
      await waitUntil(() => fake.requestsTo('conversationDetails').length >= requests + 3, 60_000);
    } finally {
      fake.slowAnswer('conversationDetails', 0);
      await Promise.all(workers.map((w) => stopProcess(w)));
    }
    expect(mostPending).toBeLessThanOrEqual(1);
    const history = await t.database.db.selectFrom('callback_history').select(['callback_id', 'event', 'to_state']).where('callback_id', 'in', ids).execute();
    expect(history).toHaveLength(ids.length);
    expect(history.every((h) => h.event === 'reconciled' && h.to_state === 'ROUTING')).toBe(true);
    // Left behind for the next worker: the one pending run.
    const jobs = await reconcileJobs();
    expect(jobs.filter((j) => j.key === 'reconcile')).toHaveLength(1);
  }, WORKER_TEST_TIMEOUT);

  it('a worker killed (SIGKILL) mid-request loses nothing: its job runs again elsewhere, its leased callbacks wait for the lease and are then reconciled', async () => {
    await ensureReconcileJob(t.database.db, { intervalSeconds: 0, maxRequests: 1 }, new Date());
    const ids = await alerting(30);
    const env = { RECONCILE_INTERVAL_SECONDS: '1', RECONCILE_MAX_REQUESTS: '1' };
    fake.hold('conversationDetails');
    const asked = fake.requestsTo('conversationDetails').length;
    const first = startWorkerProcess(t.url, fake, 2, env);
    let second: ChildProcess | undefined;
    try {
      await waitUntil(() => fake.requestsTo('conversationDetails').length > asked, 60_000);
      const leased = await t.database.db.selectFrom('callbacks').select('id').where('id', 'in', ids).where('reconcile_lease', 'is not', null).execute();
      expect(leased).toHaveLength(30);
      await stopProcess(first, 'SIGKILL');
      fake.release('conversationDetails');

      // A callback nobody leases shows when a run has happened since.
      const [witness] = await alerting(1);
      second = startWorkerProcess(t.url, fake, 2, env);
      const moved = () => t.database.db.selectFrom('callbacks').select('id').where('id', 'in', ids).where('state', '=', 'ROUTING').execute();
      await waitUntil(async () => (await t.database.db.selectFrom('callbacks').select('state').where('id', '=', witness!).executeTakeFirstOrThrow()).state === 'ROUTING', 60_000);
      // That run skipped what the killed one still leases.
      expect(await moved()).toHaveLength(0);
      // The lease runs out (moved back here rather than waiting its five minutes): the next run takes them.
      await t.database.db.updateTable('callbacks').set({ reconcile_lease: new Date(Date.now() - 1_000) }).where('id', 'in', ids).execute();
      await waitUntil(async () => (await moved()).length === ids.length, 60_000);
    } finally {
      fake.release('conversationDetails');
      await stopProcess(first, 'SIGKILL');
      if (second) await stopProcess(second);
    }
    const history = await t.database.db.selectFrom('callback_history').select(['event', 'to_state']).where('callback_id', 'in', ids).execute();
    expect(history).toHaveLength(ids.length);
  }, WORKER_TEST_TIMEOUT);
});
