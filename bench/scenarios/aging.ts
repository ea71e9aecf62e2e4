/**
 * Priority aging at scale: 10,000 active tracks checked every 30 seconds by the real job runner
 * (graphile-worker through `startJobRunner`, the `aging-check` task from `buildTaskList`, the SDK
 * gateway) against the fake Genesys Cloud of the tests. Does the worker keep up — 10,000 / 30 s ≈
 * 333 checks a second — and how late is each check?
 *
 * Set-up: the fake Genesys runs in a worker thread (standing in for a remote service: its HTTP
 * handling does not share the worker's event loop, though it shares the machine's cores), seeded
 * with 10,000 conversations waiting in queue (ACD participant connected, no agent). A queue with a
 * step policy (interval 30 s, no initial delay, maxSteps 10,000, maxPriority 25,000,000), created
 * through the admin API. 10,000 tracks started with `startTrack` in batches; their first checks are
 * then set (graphile_worker.add_job, job key replace — what startTrack itself does) evenly over the
 * 30 s after a common start B, so the load is even from the first second.
 *
 * Measured: from B the runner works for `BENCH_AGING_SECONDS` (default 120 s); then it stops
 * (running checks finish). Every check writes an `aging_steps` row: `scheduled_for` is its job's
 * run_at, `at` the time of the statement that records the step (after both Genesys calls). The lag is
 * at − scheduled_for, over every check scheduled in [B, end − 30 s) — checks that should all be
 * done by the end; those still queued at the end are counted as unfinished (and void the row).
 * Checks per second are counted after the first interval. The task and the gateway are wrapped to
 * split each check into pickup delay (run_at → task start), Genesys calls and the rest (database).
 *
 * Knobs (environment): BENCH_AGING_TRACKS (10000), BENCH_AGING_SECONDS (120, ≥ 60),
 * BENCH_AGING_CONCURRENCY (a list: one row each, fresh tracks each time; default "10"),
 * BENCH_AGING_POOL (database pool of the runner; default max(10, concurrency + 4)),
 * BENCH_AGING_POLL_MS (graphile-worker pollInterval; default the runner's, 1000),
 * BENCH_AGING_PROFILE=1 (CPU profile of the main thread over the measured window, written next to
 * the results and summarized in the log).
 *
 * The table row: `rate` = checks per second required (tracks / interval), `rps` = achieved,
 * p50…max = lag in ms; the bare reference is measured before the runner starts, at the run's rate
 * (default 333), so the rps ratio reads achieved / required.
 */
import { benchContext } from '../context.js';
import { createCaches } from '../../src/context.js';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { JobHelpers, Task, TaskList } from 'graphile-worker';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/db/types.js';
import type { GenesysGateway } from '../../src/genesys/gateway.js';
import type { JobRunner } from '../../src/jobs/runner.js';
import { createQueue } from '../../src/queues/service.js';
import type { Row, Scenario, ScenarioContext } from '../harness.js';
import { bareWithLoad, describeLoad, saveProfile, startProfile, startStack, MachineMonitor, type CpuProfile, type MachineLoad } from './callbacks.js';

export const AGING_QUEUE = 'bench-aging';
const GENESYS_QUEUE = 'bench-aging-genesys-queue';
const INTERVAL_S = 30;
const DEFAULT_TRACKS = 10_000;
const DEFAULT_SECONDS = 120;
const MAX_TRACKS = 50_000;
const MAX_SECONDS = 600;
/** Checks later than this at p99 do not count as keeping up (a sixth of the interval; the bench's reading, not the issue's). */
export const MAX_LAG_P99_MS = 5_000;

export const agingRowName = (tracks: number, concurrency: number) => `aging-check lag, ${tracks} tracks / ${INTERVAL_S} s, concurrency ${concurrency}`;

function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  return n;
}

function envList(name: string, fallback: number[], min: number, max: number): number[] {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.length > 6 || list.some((n) => !Number.isInteger(n) || n < min || n > max)) throw new Error(`${name} must be 1–6 integers in [${min}, ${max}], got "${raw}"`);
  return list;
}

// ---------------------------------------------------------------------------------------------
// The fake Genesys in a worker thread

interface FakeThread {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  seed(count: number, queueId: string): Promise<string[]>;
  /** Requests per route and the thread's event-loop utilization since the previous call. */
  stats(): Promise<{ counts: Record<string, number>; utilization: number }>;
  close(): Promise<void>;
}

const FAKE_URL = new URL('../../test/helpers/fake-genesys.ts', import.meta.url).href;

/** test/helpers/fake-genesys.ts in its own thread, driven by messages (its state lives there). */
async function startFakeThread(): Promise<FakeThread> {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `
    const { parentPort } = require('node:worker_threads');
    const { performance } = require('node:perf_hooks');
    import(${JSON.stringify(tsxApi)})
      .then(({ register }) => { register(); return import(${JSON.stringify(FAKE_URL)}); })
      .then(async ({ startFakeGenesys }) => {
        const fake = await startFakeGenesys();
        let elu = performance.eventLoopUtilization();
        parentPort.on('message', async (msg) => {
          try {
            if (msg.type === 'seed') {
              const ids = [];
              const participants = () => [
                { purpose: 'customer', callbacks: [{ state: 'connected' }] },
                { purpose: 'acd', queueId: msg.queueId, callbacks: [{ state: 'connected' }] },
              ];
              for (let i = 0; i < msg.count; i++) ids.push(fake.seedConversation({ participants: participants() }));
              parentPort.postMessage({ id: msg.id, ok: true, ids });
            } else if (msg.type === 'stats') {
              const counts = {};
              for (const r of fake.requests) counts[r.route] = (counts[r.route] || 0) + 1;
              fake.requests.length = 0; // bounded memory over a long run
              const now = performance.eventLoopUtilization();
              const utilization = performance.eventLoopUtilization(now, elu).utilization;
              elu = now;
              parentPort.postMessage({ id: msg.id, ok: true, counts, utilization });
            } else if (msg.type === 'close') {
              await fake.close();
              parentPort.postMessage({ id: msg.id, ok: true });
            }
          } catch (err) {
            parentPort.postMessage({ id: msg.id, ok: false, error: String((err && err.stack) || err) });
          }
        });
        parentPort.postMessage({ type: 'ready', baseUrl: fake.baseUrl, clientId: fake.clientId, clientSecret: fake.clientSecret });
      })
      .catch((err) => parentPort.postMessage({ type: 'failed', error: String((err && err.stack) || err) }));
  `;
  const worker = new Worker(code, { eval: true });
  const pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  let next = 0;
  const ready = new Promise<{ baseUrl: string; clientId: string; clientSecret: string }>((resolve, reject) => {
    worker.on('message', (msg: Record<string, unknown>) => {
      if (msg.type === 'ready') return resolve(msg as never);
      if (msg.type === 'failed') return reject(new Error(`fake Genesys thread: ${String(msg.error)}`));
      const waiter = pending.get(msg.id as number);
      if (!waiter) return;
      pending.delete(msg.id as number);
      if (msg.ok) waiter.resolve(msg);
      else waiter.reject(new Error(`fake Genesys thread: ${String(msg.error)}`));
    });
    worker.on('error', (err) => {
      reject(err);
      for (const w of pending.values()) w.reject(err);
      pending.clear();
    });
  });
  const call = (type: string, extra: Record<string, unknown> = {}, timeoutMs = 60_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`fake Genesys thread: no answer to ${type} in ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      worker.postMessage({ id, type, ...extra });
    });
  let info: { baseUrl: string; clientId: string; clientSecret: string };
  try {
    info = await ready;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  let closed: Promise<void> | undefined;
  return {
    ...info,
    seed: async (count, queueId) => (await call('seed', { count, queueId })).ids as string[],
    stats: async () => {
      const r = await call('stats');
      return { counts: r.counts as Record<string, number>, utilization: r.utilization as number };
    },
    close: () =>
      (closed ??= (async () => {
        await call('close', {}, 10_000).catch(() => undefined);
        await worker.terminate();
      })()),
  };
}

// ---------------------------------------------------------------------------------------------
// Instrumentation: the aging-check task and the gateway, wrapped

interface CheckTiming {
  runAt: number;
  start: number;
  end: number;
  genesysMs: number;
  ok: boolean;
}

interface Probe {
  checks: CheckTiming[];
  errors: number;
  /** Genesys call durations, ms. */
  getConversationMs: number[];
  setPriorityMs: number[];
}

/** Times the gateway's two aging calls, each into its list and into the check's total (`slot`). */
function timedGateway(inner: GenesysGateway, probe: Probe, slot: { genesysMs: number }): GenesysGateway {
  const timed = async <T>(list: number[], fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      const ms = performance.now() - t;
      list.push(ms);
      slot.genesysMs += ms;
    }
  };
  return {
    ...inner,
    kind: inner.kind,
    getConversation: (id) => timed(probe.getConversationMs, () => inner.getConversation(id)),
    setConversationPriority: (id, p) => timed(probe.setPriorityMs, () => inner.setConversationPriority(id, p)),
  };
}

/**
 * The task list with `aging-check` timed. Checks run concurrently, so the gateway cannot know
 * which check a call belongs to from a shared variable; instead the task runs the check with its own
 * gateway wrapper (built per job) — `buildTaskList` is called once per job for that. That costs a
 * few object allocations per check, nothing measurable next to two HTTP calls and five queries.
 */
function timedTasks(build: (gateway: GenesysGateway) => TaskList, gateway: GenesysGateway, probe: Probe): TaskList {
  const base = build(gateway);
  const check: Task = async (payload, helpers: JobHelpers) => {
    const slot = { genesysMs: 0 };
    const task = build(timedGateway(gateway, probe, slot))['aging-check']!;
    const start = Date.now();
    let ok = false;
    try {
      await task(payload, helpers);
      ok = true;
    } catch (err) {
      probe.errors++;
      throw err;
    } finally {
      probe.checks.push({ runAt: new Date(helpers.job.run_at).getTime(), start, end: Date.now(), genesysMs: slot.genesysMs, ok });
    }
  };
  return { ...base, 'aging-check': check };
}

// ---------------------------------------------------------------------------------------------
// Statistics

function sortedOf(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

function pct(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const r1 = (n: number) => Math.round(n * 10) / 10;
const r2 = (n: number) => Math.round(n * 100) / 100;

function dist(values: ArrayLike<number>): { n: number; p50: number; p90: number; p99: number; max: number; mean: number } {
  const s = sortedOf(values);
  const mean = s.length === 0 ? 0 : s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, p50: r1(pct(s, 50)), p90: r1(pct(s, 90)), p99: r1(pct(s, 99)), max: r1(pct(s, 100)), mean: r1(mean) };
}

const fmtDist = (d: ReturnType<typeof dist>) => `p50 ${d.p50} / p90 ${d.p90} / p99 ${d.p99} / max ${d.max} ms`;

// ---------------------------------------------------------------------------------------------

interface AgingResult {
  row: Row;
  details: Record<string, unknown>;
}

export const aging: Scenario = {
  name: 'aging',
  description: `priority aging: ${DEFAULT_TRACKS} active tracks, ${INTERVAL_S}-s interval, real job runner + SDK gateway vs the fake Genesys; lag scheduled → checked (BENCH_AGING_* knobs)`,
  defaultRate: Math.round(DEFAULT_TRACKS / INTERVAL_S),
  goals: {}, // filled per row in run(): p99 lag < MAX_LAG_P99_MS
  async run(ctx) {
    const tracks = envInt('BENCH_AGING_TRACKS', DEFAULT_TRACKS, 100, MAX_TRACKS);
    const seconds = envInt('BENCH_AGING_SECONDS', DEFAULT_SECONDS, 60, MAX_SECONDS);
    const concurrencies = envList('BENCH_AGING_CONCURRENCY', [10], 1, 100);
    const pollInterval = process.env.BENCH_AGING_POLL_MS ? envInt('BENCH_AGING_POLL_MS', 1000, 10, 10_000) : undefined;
    const profiling = process.env.BENCH_AGING_PROFILE === '1';
    for (const c of concurrencies) aging.goals![agingRowName(tracks, c)] = { maxP99Ms: MAX_LAG_P99_MS };

    // Loaded here, not at the top: the SDK is large, and `npm run bench` lists scenarios without it.
    const [{ createSdkGateway }, { startJobRunner }, { buildTaskList, CRONTAB }, { startTrack }, { createDatabase }, { createLogger }, { systemClock }] = await Promise.all([
      import('../../src/genesys/sdk-gateway.js'),
      import('../../src/jobs/runner.js'),
      import('../../src/jobs/tasks.js'),
      import('../../src/aging/tracks.js'),
      import('../../src/db/database.js'),
      import('../../src/logger.js'),
      import('../../src/clock.js'),
    ]);

    const { harness } = ctx;
    const { database, bench, db, monitor } = await startStack(ctx, 'PostgreSQL, the app (for configuration) and the fake Genesys thread');
    const fake = await startFakeThread();
    ctx.defer(fake.close);

    const admin = await harness.makeToken(bench.app, db, ['administrator']);
    const created = await bench.app.inject({
      method: 'POST',
      url: '/admin/v1/prioritization-policies',
      headers: { authorization: admin },
      payload: { name: 'bench-aging-step-30s', mode: 'step', initialDelaySeconds: 0, intervalSeconds: INTERVAL_S, increment: 1, maxSteps: 10_000, maxPriority: 25_000_000 },
    });
    if (created.statusCode !== 201) throw new Error(`policy: ${created.statusCode} ${created.body}`);
    const queue = await createQueue(benchContext(db), { name: AGING_QUEUE, timezone: 'America/New_York', genesysQueueId: GENESYS_QUEUE, prioritizationPolicyId: created.json<{ id: string }>().id });
    const policy = await db.selectFrom('prioritization_policies').selectAll().where('id', '=', created.json<{ id: string }>().id).executeTakeFirstOrThrow();

    let t = Date.now();
    const conversations = await fake.seed(tracks, GENESYS_QUEUE);
    ctx.log(`fake Genesys at ${fake.baseUrl}: ${conversations.length} conversations waiting in queue (${Date.now() - t} ms)`);

    // The bare reference first, on an idle process (nothing else runs yet).
    const bare = await bareWithLoad(ctx, monitor);
    const rows: Row[] = [bare];
    const logger = createLogger('silent');

    for (const [round, concurrency] of concurrencies.entries()) {
      if (round > 0) await resetTracks(db);
      // 1. Tracks through startTrack, first checks an hour away for now (batches of 500, 4 at a time).
      t = Date.now();
      const parked = new Date(Date.now() + 3_600_000);
      const batches: string[][] = [];
      for (let i = 0; i < conversations.length; i += 500) batches.push(conversations.slice(i, i + 500));
      for (let i = 0; i < batches.length; i += 4) {
        await Promise.all(
          batches.slice(i, i + 4).map((batch) =>
            db.transaction().execute(async (trx) => {
              for (const conversationId of batch) {
                if (!(await startTrack(trx, { conversationId, queueId: queue.id, policy, startedAt: parked, routingPriority: 0 }))) throw new Error(`track ${conversationId} not started`);
              }
            }),
          ),
        );
      }
      await sql`vacuum analyze aging_tracks`.execute(db);
      await sql`vacuum analyze graphile_worker._private_jobs`.execute(db);
      ctx.log(`${conversations.length} tracks started with startTrack in ${Date.now() - t} ms`);

      // 2. The runner, as the service starts it (with the crontab), on its own pool.
      const poolMax = envInt('BENCH_AGING_POOL', Math.max(10, concurrency + 4), 2, 200);
      const workerDb = createDatabase(database.url, { max: poolMax });
      const gateway = createSdkGateway({ region: undefined, baseUrl: fake.baseUrl, clientId: fake.clientId, clientSecret: fake.clientSecret });
      const probe: Probe = { checks: [], errors: 0, getConversationMs: [], setPriorityMs: [] };
      const tasks = timedTasks((g) => buildTaskList({ db: workerDb.db, gateway: g, clock: systemClock, caches: createCaches(), logger, retentionDays: 14 }), gateway, probe);
      let runner: JobRunner | undefined;
      let closing: Promise<void> | undefined;
      // Also on Ctrl-C or failure (the run's cleanups stop the database after this).
      const closeRound = () =>
        (closing ??= (async () => {
          await runner?.stop();
          await gateway.close?.();
          await workerDb.close();
        })());
      ctx.defer(closeRound);
      try {
        runner = await startJobRunner({
          pool: workerDb.pool,
          db: workerDb.db,
          tasks,
          concurrency,
          logger,
          crontab: CRONTAB,
          ...(pollInterval !== undefined && { pollInterval }),
        });
        // Log in once before the clock starts (the first check would otherwise pay for it).
        await gateway.getConversation(conversations[0]!);

        // 3. First checks evenly over [B, B + 30 s): one statement, job key replace.
        // B leaves time for the statement itself (≈ 0.4 ms a track on this machine) and the runner to settle.
        const B = Date.now() + 5_000 + tracks;
        await sql`
          with t as (
            select conversation_id, (row_number() over (order by conversation_id) - 1) as i, count(*) over () as n from aging_tracks where status = 'ACTIVE'
          ), timed as (
            select conversation_id, to_timestamp(${B / 1000}::double precision + (i::double precision / n) * ${INTERVAL_S}) as first_check from t
          ), jobs as (
            select graphile_worker.add_job('aging-check', json_build_object('conversationId', conversation_id), run_at => first_check,
              job_key => 'aging:' || conversation_id, job_key_mode => 'replace', max_attempts => 25, priority => 0) from timed
          )
          update aging_tracks a set started_at = timed.first_check, next_check_at = timed.first_check, updated_at = now()
          from timed, (select count(*) from jobs) as done where a.conversation_id = timed.conversation_id`.execute(db);
        if (Date.now() > B - 500) throw new Error(`setting the first checks took too long (${Date.now() - (B - 5_000 - tracks)} ms): the run would start late`);
        ctx.log(`first checks set over [B, B + ${INTERVAL_S} s) in ${Date.now() - (B - 5_000 - tracks)} ms`);
        await fake.stats(); // reset the fake's counters

        const result = await measureRun(ctx, { db, monitor, fake, probe, B, seconds, tracks, concurrency, poolMax, pollInterval, profiling });
        rows.push(result.row);
      } finally {
        await closeRound();
      }
    }
    return rows;
  },
};

/** Stops the previous round's tracks and jobs so the next round starts from the same state. */
async function resetTracks(db: Kysely<DB>): Promise<void> {
  await sql`select graphile_worker.remove_job('aging:' || conversation_id) from aging_tracks`.execute(db);
  await sql`delete from aging_steps`.execute(db);
  await sql`delete from aging_tracks`.execute(db);
  await sql`vacuum analyze aging_steps`.execute(db);
}

interface RunOptions {
  db: Kysely<DB>;
  monitor: MachineMonitor;
  fake: FakeThread;
  probe: Probe;
  B: number;
  seconds: number;
  tracks: number;
  concurrency: number;
  poolMax: number;
  pollInterval: number | undefined;
  profiling: boolean;
}

async function measureRun(ctx: ScenarioContext, o: RunOptions): Promise<AgingResult> {
  const { db, monitor, fake, probe, B, seconds, tracks, concurrency } = o;
  const name = agingRowName(tracks, concurrency);
  const end = B + seconds * 1000;
  const windowEnd = end - INTERVAL_S * 1000; // checks due before this should be done by `end`
  ctx.log(`"${name}": pool ${o.poolMax}, pollInterval ${o.pollInterval ?? 'default (1000)'} ms; first checks from ${new Date(B).toISOString()} for ${seconds} s`);

  const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
  await sleepUntil(B);
  const cpuStart = monitor.sample();
  const elu0 = performance.eventLoopUtilization();
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();

  // Progress every 10 s: checks done, their lag, the backlog of due jobs, the job table's dead rows
  // (get_job scans past them until autovacuum comes) and who used the CPU.
  const progress: Record<string, unknown>[] = [];
  let seen = 0;
  let lastSample = cpuStart;
  const tick = async () => {
    const now = Date.now();
    const recent = probe.checks.slice(seen);
    seen = probe.checks.length;
    const lag = dist(recent.map((c) => c.end - c.runAt));
    const { rows } = await sql<{ due: number; dead: number | null; vacuums: number | null }>`
      select (select count(*)::int from graphile_worker.jobs where task_identifier = 'aging-check' and run_at <= now() and locked_at is null) as due,
        (select n_dead_tup::int from pg_stat_all_tables where relid = 'graphile_worker._private_jobs'::regclass) as dead,
        (select autovacuum_count::int from pg_stat_all_tables where relid = 'graphile_worker._private_jobs'::regclass) as vacuums`.execute(db);
    const sample = monitor.sample();
    const cpu = MachineMonitor.between(lastSample, sample);
    lastSample = sample;
    const entry = {
      t: Math.round((now - B) / 1000),
      checks: recent.length,
      perSecond: r1(recent.length / 10),
      lagP50: lag.p50,
      lagP99: lag.p99,
      dueBacklog: rows[0]?.due ?? 0,
      jobsDeadRows: rows[0]?.dead ?? null,
      jobsAutovacuums: rows[0]?.vacuums ?? null,
      cores: { mainThread: cpu.mainThread, process: cpu.process, postgres: cpu.postgres, other: cpu.other },
    };
    progress.push(entry);
    ctx.log(
      `  t+${entry.t}s: ${entry.checks} checks (${entry.perSecond}/s), end lag p50 ${lag.p50} / p99 ${lag.p99} ms, ${entry.dueBacklog} due jobs waiting; ` +
        `jobs table ${entry.jobsDeadRows ?? '?'} dead rows, ${entry.jobsAutovacuums ?? '?'} autovacuums; cores: main thread ${cpu.mainThread}, postgres ${cpu.postgres ?? '?'}, other ${cpu.other ?? '?'}`,
    );
  };
  let ticking = Promise.resolve();
  const timer = setInterval(() => {
    ticking = ticking.then(tick).catch(() => undefined);
  }, 10_000);

  // Optional CPU profile over the steady part (after the first interval).
  let stopProfile: (() => Promise<CpuProfile>) | undefined;
  if (o.profiling) {
    await sleepUntil(B + INTERVAL_S * 1000);
    stopProfile = await startProfile();
  }

  await sleepUntil(end);
  clearInterval(timer);
  await ticking;
  const profile = await stopProfile?.();
  // What is still queued and due in the window when the clock stops: unfinished checks.
  const { rows: late } = await sql<{ n: number; oldest: Date | null }>`
    select count(*)::int as n, min(run_at) as oldest from graphile_worker.jobs
    where task_identifier = 'aging-check' and run_at < ${new Date(windowEnd)}`.execute(db);
  const cpuEnd = monitor.sample();
  const elu = performance.eventLoopUtilization(elu0);
  eld.disable();
  const fakeStats = await fake.stats();
  const load: MachineLoad = MachineMonitor.between(cpuStart, cpuEnd);

  // Lag from the database: at − scheduled_for, for every check due in [B, windowEnd).
  const { rows: steps } = await sql<{ lag: string; scheduled: string }>`
    select extract(epoch from (at - scheduled_for)) * 1000 as lag, extract(epoch from scheduled_for) * 1000 as scheduled from aging_steps
    where scheduled_for >= ${new Date(B)} and scheduled_for < ${new Date(windowEnd)}`.execute(db);
  const { rows: done } = await sql<{ n: number }>`
    select count(*)::int as n from aging_steps where at >= ${new Date(B + INTERVAL_S * 1000)} and at < ${new Date(end)}`.execute(db);
  const { rows: stops } = await sql<{ status: string; reason: string | null; n: number }>`
    select status, stop_reason as reason, count(*)::int as n from aging_tracks group by 1, 2 order by 3 desc`.execute(db);
  const { rows: failed } = await sql<{ n: number }>`
    select count(*)::int as n from graphile_worker.jobs where task_identifier = 'aging-check' and last_error is not null`.execute(db);

  const lags = steps.map((s) => Number(s.lag));
  const lag = dist(lags);
  const unfinished = late[0]?.n ?? 0;
  const steadySeconds = seconds - INTERVAL_S;
  const achieved = (done[0]?.n ?? 0) / steadySeconds;
  const required = tracks / INTERVAL_S;
  const cycles = Array.from({ length: Math.ceil((windowEnd - B) / (INTERVAL_S * 1000)) }, (_, k) => {
    const from = B + k * INTERVAL_S * 1000;
    const to = Math.min(windowEnd, from + INTERVAL_S * 1000);
    const d = dist(steps.filter((s) => Number(s.scheduled) >= from && Number(s.scheduled) < to).map((s) => Number(s.lag)));
    return { cycle: k + 1, checks: d.n, p50: d.p50, p99: d.p99, max: d.max };
  });

  // Where a check's time goes (task wrapper), over checks due in the window.
  const inWindow = probe.checks.filter((c) => c.runAt >= B && c.runAt < windowEnd);
  const pickup = dist(inWindow.map((c) => c.start - c.runAt));
  const duration = dist(inWindow.map((c) => c.end - c.start));
  const genesys = dist(inWindow.map((c) => c.genesysMs));
  const rest = dist(inWindow.map((c) => c.end - c.start - c.genesysMs));
  const busyMs = probe.checks.filter((c) => c.start >= B && c.end <= end).reduce((a, c) => a + (c.end - c.start), 0);
  const utilization = busyMs / (concurrency * seconds * 1000);
  const getConv = dist(probe.getConversationMs);
  const setPrio = dist(probe.setPriorityMs);
  const loop = { p50: r1(eld.percentile(50) / 1e6), p99: r1(eld.percentile(99) / 1e6), max: r1(eld.max / 1e6) };

  ctx.log(`"${name}" results:`);
  ctx.log(`  lag (aging_steps.at − scheduled_for), ${lag.n} checks due in the first ${seconds - INTERVAL_S} s: ${fmtDist(lag)}; unfinished at the end: ${unfinished}${late[0]?.oldest ? ` (oldest due ${new Date(late[0].oldest).toISOString()})` : ''}`);
  ctx.log(`  per ${INTERVAL_S}-s cycle of due times: ${cycles.map((c) => `#${c.cycle} ${c.checks} checks p50 ${c.p50} p99 ${c.p99} max ${c.max} ms`).join('; ')}`);
  ctx.log(`  throughput after the first interval: ${r1(achieved)} checks/s achieved vs ${r1(required)} required (${tracks} per ${INTERVAL_S} s) = ×${r2(achieved / required)}; job errors ${probe.errors}, jobs queued for a retry ${failed[0]?.n ?? 0}`);
  ctx.log(`  a check: pickup (run_at → task start) ${fmtDist(pickup)}; task ${fmtDist(duration)}, of which Genesys calls ${fmtDist(genesys)} and database/other ${fmtDist(rest)}`);
  ctx.log(`  Genesys calls: getConversation ${fmtDist(getConv)}; setConversationPriority ${fmtDist(setPrio)}; fake Genesys thread ${JSON.stringify(fakeStats.counts)} requests, event loop ${Math.round(fakeStats.utilization * 100)} % busy`);
  ctx.log(`  worker slots busy ${Math.round(utilization * 100)} % (Σ task time / (${concurrency} × ${seconds} s)); main thread event loop ${Math.round(elu.utilization * 100)} % busy, delay p50 ${loop.p50} / p99 ${loop.p99} / max ${loop.max} ms`);
  ctx.log(`  CPU: ${describeLoad(load)}`);
  ctx.log(`  tracks: ${stops.map((s) => `${s.status}${s.reason ? ` ${s.reason}` : ''} ${s.n}`).join(', ')}`);

  const profileSummary = profile ? await saveProfile(profile, `aging-c${concurrency}`, (line) => ctx.log(`  ${line}`)) : undefined;

  const row: Row & { machine: MachineLoad; aging?: Record<string, unknown> } = {
    name,
    rate: r2(required),
    seconds: steadySeconds,
    pacing: 'spread',
    requests: done[0]?.n ?? 0,
    rps: r1(achieved),
    p50: lag.p50,
    p90: lag.p90,
    p99: lag.p99,
    max: lag.max,
    mean: lag.mean,
    errors: probe.errors + unfinished,
    non2xx: 0,
    timeouts: 0,
    statusCodes: {},
    histogramMs: { p50: lag.p50, p90: lag.p90, p99: lag.p99, max: lag.max, mean: lag.mean },
    machine: load,
  };
  const details = {
    name,
    concurrency,
    pool: o.poolMax,
    pollInterval: o.pollInterval ?? 1000,
    tracks,
    seconds,
    lag,
    unfinished,
    cycles,
    achievedPerSecond: r1(achieved),
    requiredPerSecond: r1(required),
    pickup,
    task: duration,
    genesys,
    databaseAndOther: rest,
    getConversation: getConv,
    setConversationPriority: setPrio,
    workerSlotsBusy: r2(utilization),
    mainThreadEventLoopBusy: r2(elu.utilization),
    eventLoopDelayMs: loop,
    fakeGenesys: fakeStats,
    machine: load,
    tracksByStatus: stops,
    jobErrors: probe.errors,
    progress,
    ...(profileSummary && { profile: { areas: profileSummary.areas.map(([a, ms]) => [a, Math.round(ms)]), functions: profileSummary.functions.map(([f, ms]) => [f, Math.round(ms)]) } }),
  };
  row.aging = details; // kept in the results JSON with the row
  return { row, details };
}
