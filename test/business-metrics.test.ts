import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverCallback, RetryLater } from '../src/callbacks/tasks.js';
import { createCaches } from '../src/context.js';
import { createSimulatedGateway } from '../src/genesys/simulated-gateway.js';
import { jobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { createBusinessMetrics } from '../src/ops/business-metrics.js';
import { serveMetrics } from '../src/ops/metrics-server.js';
import { reconcileJob } from '../src/reconcile/passes.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

// Monday 2030-03-04, 10:00 in New York; the factories' hours are 09:00–17:00 on weekdays.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let actions: { authorization: string };
let make: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await buildTestApp({ clock, env: { METRICS_CACHE_SECONDS: '0', DATABASE_POOL_MAX: '30' } });
  actions = (await authHeader(t, ['actions'])).headers;
  make = factories(t.database.db);
  // Fails the commit (not the statement) of a transaction that inserts a callback for "fail-at-commit"
  // or completes one of "fail-on-complete": what it did is rolled back after every statement ran.
  await sql`
    create function test_fail_at_commit() returns trigger language plpgsql as $$
    begin
      if (tg_op = 'INSERT' and new.customer_name = 'fail-at-commit') or (new.state = 'COMPLETED' and new.customer_name = 'fail-on-complete') then
        raise exception 'refused at commit';
      end if;
      return null;
    end $$`.execute(t.database.db);
  await sql`
    create constraint trigger test_fail_at_commit after insert or update on callbacks
    deferrable initially deferred for each row execute function test_fail_at_commit()`.execute(t.database.db);
});
afterAll(async () => t.close());

let phoneSeq = 0;
const nextPhone = () => `+1202456${String(3000 + phoneSeq++).padStart(4, '0')}`;

async function hoursQueue(o: Parameters<typeof make.queue>[0] = {}) {
  const hours = await make.hours();
  return make.queue({ businessHoursId: hours.id, ...o });
}

const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url: `/actions/v1/callbacks/${url}`, headers: actions, payload });
async function create(payload: object) {
  const res = await post('create', payload);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { outcome: string; created: boolean; replayed: boolean; callbackId: string; phoneE164: string };
}

async function scrape(): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  return res.body;
}

/** The value of one sample (0 when absent), its labels matched exactly. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = (m[2] ?? '')
      .split(/,(?=\w+=")/)
      .filter(Boolean)
      .sort()
      .join(',');
    if (got === want) return Number(m[3]);
  }
  return 0;
}

describe('callback counters', () => {
  it('a create counts once in created (queue, type); a refusal in refusals with its outcome', async () => {
    const queue = await hoursQueue();
    const before = await scrape();
    expect((await create({ queue: queue.name, phoneNumber: nextPhone() })).outcome).toBe('CREATED');
    expect((await create({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-05T10:00' })).outcome).toBe('CREATED');
    const phone = nextPhone();
    await create({ queue: queue.name, phoneNumber: phone });
    expect((await create({ queue: queue.name, phoneNumber: phone })).outcome).toBe('DUPLICATE');
    expect((await create({ queue: queue.name, phoneNumber: '+15555551234' })).outcome).toBe('INVALID_NUMBER');
    const after = await scrape();
    const q = queue.name;
    expect(sample(after, 'callback_engine_callbacks_created_total', { queue: q, type: 'immediate' }) - sample(before, 'callback_engine_callbacks_created_total', { queue: q, type: 'immediate' })).toBe(2);
    expect(sample(after, 'callback_engine_callbacks_created_total', { queue: q, type: 'scheduled' })).toBe(1);
    expect(sample(after, 'callback_engine_create_refusals_total', { queue: q, outcome: 'DUPLICATE' })).toBe(1);
    expect(sample(after, 'callback_engine_create_refusals_total', { queue: q, outcome: 'INVALID_NUMBER' })).toBe(1);

    const closed = await hoursQueue({ immediateEnabled: false });
    expect((await create({ queue: closed.name, phoneNumber: nextPhone() })).outcome).toBe('IMMEDIATE_DISABLED');
    const later = await scrape();
    expect(sample(later, 'callback_engine_create_refusals_total', { queue: closed.name, outcome: 'IMMEDIATE_DISABLED' })).toBe(1);
    expect(sample(later, 'callback_engine_callbacks_created_total', { queue: closed.name, type: 'immediate' })).toBe(0);
  });

  it('racing requests with one idempotency key count one create; replays count nothing', async () => {
    const queue = await hoursQueue();
    const payload = { queue: queue.name, phoneNumber: nextPhone(), idempotencyKey: 'metrics-race' };
    const answers = await Promise.all(Array.from({ length: 12 }, () => create(payload)));
    expect(answers.filter((a) => a.created && !a.replayed)).toHaveLength(1);
    expect(answers.filter((a) => a.replayed)).toHaveLength(11);
    await create(payload);
    const text = await scrape();
    expect(sample(text, 'callback_engine_callbacks_created_total', { queue: queue.name, type: 'immediate' })).toBe(1);
    expect(sample(text, 'callback_engine_create_refusals_total', { queue: queue.name, outcome: 'DUPLICATE' })).toBe(0);
  });

  it('a create whose transaction fails at commit counts nothing', async () => {
    const queue = await hoursQueue();
    const res = await post('create', { queue: queue.name, phoneNumber: nextPhone(), customerName: 'fail-at-commit' });
    expect(res.statusCode).toBeGreaterThanOrEqual(500);
    expect(await t.database.db.selectFrom('callbacks').select('id').where('queue_id', '=', queue.id).execute()).toEqual([]);
    const text = await scrape();
    expect(sample(text, 'callback_engine_callbacks_created_total', { queue: queue.name, type: 'immediate' })).toBe(0);
    expect(text).not.toMatch(new RegExp(`^callback_engine_(callbacks_created|create_refusals)_total\\{queue="${queue.name}"`, 'm'));
  });

  it('a completion counts with its reason once committed; one rolled back at commit counts nothing', async () => {
    const queue = await hoursQueue();
    const kept = await create({ queue: queue.name, phoneNumber: nextPhone() });
    const doomed = await create({ queue: queue.name, phoneNumber: nextPhone(), customerName: 'fail-on-complete' });
    // Racing cancels of one callback: one completes it, the others find it completed.
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => post('cancel', { callbackId: kept.callbackId }).then((r) => r.json().outcome as string)));
    expect(outcomes.filter((o) => o === 'CANCELLED')).toHaveLength(1);
    expect((await post('cancel', { callbackId: doomed.callbackId })).statusCode).toBeGreaterThanOrEqual(500);
    const row = await t.database.db.selectFrom('callbacks').select('state').where('id', '=', doomed.callbackId).executeTakeFirstOrThrow();
    expect(row.state).toBe('QUEUED');
    const text = await scrape();
    expect(sample(text, 'callback_engine_callbacks_completed_total', { queue: queue.name, reason: 'CANCELLED_BY_CUSTOMER' })).toBe(1);
  });
});

describe('scrape-time gauges', () => {
  it('pending callbacks by queue name and state, 0 included, follow creates and completions', async () => {
    const queue = await hoursQueue();
    const q = queue.name;
    expect(sample(await scrape(), 'callback_engine_callbacks_pending', { queue: q, state: 'QUEUED' })).toBe(0);
    expect(await scrape()).toContain(`callback_engine_callbacks_pending{queue="${q}",state="PROCESSING"} 0`);
    const a = await create({ queue: q, phoneNumber: nextPhone() });
    await create({ queue: q, phoneNumber: nextPhone() });
    await create({ queue: q, phoneNumber: nextPhone(), desiredTime: '2030-03-05T10:00' });
    let text = await scrape();
    expect(sample(text, 'callback_engine_callbacks_pending', { queue: q, state: 'QUEUED' })).toBe(2);
    expect(sample(text, 'callback_engine_callbacks_pending', { queue: q, state: 'SCHEDULED' })).toBe(1);
    await t.database.db.updateTable('callbacks').set({ state: 'ROUTING' }).where('id', '=', a.callbackId).execute();
    text = await scrape();
    expect(sample(text, 'callback_engine_callbacks_pending', { queue: q, state: 'QUEUED' })).toBe(1);
    expect(sample(text, 'callback_engine_callbacks_pending', { queue: q, state: 'ROUTING' })).toBe(1);
    expect((await post('cancel', { callbackId: a.callbackId })).json().outcome).toBe('CANCELLED');
    text = await scrape();
    expect(sample(text, 'callback_engine_callbacks_pending', { queue: q, state: 'ROUTING' })).toBe(0);
    expect(text).not.toMatch(new RegExp(`callback_engine_callbacks_pending\\{queue="${q}",state="COMPLETED"`));
  });

  it('job queue depth rises with queued jobs; the oldest runnable job has an age', async () => {
    const queue = await hoursQueue();
    const before = sample(await scrape(), 'callback_engine_jobs', { task: 'deliver-callback', state: 'runnable' });
    for (let i = 0; i < 3; i++) await create({ queue: queue.name, phoneNumber: nextPhone() });
    await sql`update graphile_worker._private_jobs set run_at = now() - interval '90 seconds' where key like 'deliver:%'`.execute(t.database.db);
    const text = await scrape();
    expect(sample(text, 'callback_engine_jobs', { task: 'deliver-callback', state: 'runnable' }) - before).toBe(3);
    expect(sample(text, 'callback_engine_job_oldest_runnable_age_seconds')).toBeGreaterThanOrEqual(90);
  });

  it('reuses a database figure for the cache period, then reads it again', async () => {
    const metrics = createBusinessMetrics();
    const own = new TestClock(new Date('2030-03-04T15:00:00Z'));
    metrics.collectFromDatabase(t.database.db, own, 5_000);
    const queue = await hoursQueue();
    const read = async () => sample(await metrics.registry.metrics(), 'callback_engine_callbacks_pending', { queue: queue.name, state: 'QUEUED' });
    expect(await read()).toBe(0);
    await create({ queue: queue.name, phoneNumber: nextPhone() });
    expect(await read()).toBe(0);
    own.advance(5_000);
    expect(await read()).toBe(1);
  });

  it('reconcile lag: NaN before a first run, then the time since the last finished run', async () => {
    const metrics = createBusinessMetrics();
    const own = new TestClock(new Date('2030-03-04T15:00:00Z'));
    metrics.collectFromDatabase(t.database.db, own, 0);
    expect(await metrics.registry.metrics()).toMatch(/^callback_engine_reconcile_lag_seconds NaN$/im);
    const ctx = jobContext({ db: t.database.db, gateway: createSimulatedGateway(t.database.db), clock: own, caches: createCaches(metrics), logger: createLogger('silent') });
    await reconcileJob(ctx, { intervalSeconds: 60, maxRequests: 10 });
    own.advance(42_000);
    expect(sample(await metrics.registry.metrics(), 'callback_engine_reconcile_lag_seconds')).toBe(42);
  });
});

describe('delivery counters (where the job runs)', () => {
  it('count attempts per queue and failures by kind; a delivery that gives up completes the callback as FAILED', async () => {
    const metrics = createBusinessMetrics();
    const gateway = createSimulatedGateway(t.database.db);
    const ctxWith = (g = gateway) => jobContext({ db: t.database.db, gateway: g, clock, caches: createCaches(metrics), logger: createLogger('silent') });
    const job = { job: { attempts: 1, max_attempts: 25 } } as never;

    const good = await hoursQueue({ genesysQueueId: `gq-${Date.now()}` });
    const ok = await create({ queue: good.name, phoneNumber: nextPhone() });
    await deliverCallback(ctxWith(), { callbackId: ok.callbackId }, job);

    const flaky = await create({ queue: good.name, phoneNumber: nextPhone() });
    const failing = { ...gateway, createCallback: () => Promise.reject(new Error('connection reset')) };
    await expect(deliverCallback(ctxWith(failing), { callbackId: flaky.callbackId }, job)).rejects.toBeInstanceOf(RetryLater);

    const unconfigured = await hoursQueue();
    const lost = await create({ queue: unconfigured.name, phoneNumber: nextPhone() });
    await deliverCallback(ctxWith(), { callbackId: lost.callbackId }, job);

    const text = await metrics.registry.metrics();
    expect(sample(text, 'callback_engine_delivery_attempts_total', { queue: good.name })).toBe(2);
    expect(sample(text, 'callback_engine_delivery_failures_total', { queue: good.name, kind: 'retry' })).toBe(1);
    expect(sample(text, 'callback_engine_delivery_attempts_total', { queue: unconfigured.name })).toBe(1);
    expect(sample(text, 'callback_engine_delivery_failures_total', { queue: unconfigured.name, kind: 'give-up' })).toBe(1);
    expect(sample(text, 'callback_engine_callbacks_completed_total', { queue: unconfigured.name, reason: 'FAILED' })).toBe(1);
  });

  it('a standalone worker serves its registry on GET /metrics, and nothing else', async () => {
    const metrics = createBusinessMetrics();
    metrics.deliveryAttempted('Sales');
    const served = await serveMetrics(metrics.registry, '127.0.0.1', 0);
    try {
      const res = await fetch(`http://127.0.0.1:${served.port}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(sample(text, 'callback_engine_delivery_attempts_total', { queue: 'Sales' })).toBe(1);
      expect(text).toContain('process_cpu_seconds_total');
      expect((await fetch(`http://127.0.0.1:${served.port}/other`)).status).toBe(404);
    } finally {
      await served.close();
    }
  });
});

describe('cardinality', () => {
  it('no phone number, callback id or conversation id appears anywhere in /metrics', async () => {
    const queue = await hoursQueue();
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await create({ queue: queue.name, phoneNumber: nextPhone(), conversationId: `conv-metrics-${i}`, customerName: 'Grace Hopper' }));
    await post('cancel', { callbackId: made[0]!.callbackId });
    const text = await scrape();
    expect(text).toContain(`queue="${queue.name}"`);
    for (const m of made) {
      expect(text).not.toContain(m.callbackId);
      expect(text).not.toContain(m.phoneE164);
    }
    expect(text).not.toContain('conv-metrics');
    expect(text).not.toContain('Grace');
    // Every label value is a queue name or a word of a fixed vocabulary.
    const queues = (await t.database.db.selectFrom('queues').select('name').execute()).map((r) => r.name);
    for (const line of text.split('\n').filter((l) => l.startsWith('callback_engine_'))) {
      for (const [, key, value] of line.matchAll(/(\w+)="([^"]*)"/g)) {
        if (key === 'queue') expect(queues).toContain(value);
        else if (key === 'le') expect(value, line).toMatch(/^(\d+(\.\d+)?|\+Inf)$/);
        else expect(value, line).toMatch(/^[A-Za-z_-]+$/);
      }
    }
  });
});
