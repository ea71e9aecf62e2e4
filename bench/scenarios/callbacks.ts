/**
 * The IVR's callback conversation, on a queue open around the clock (15-minute slots, 50 places
 * each, 30 days ahead):
 *
 * - `callbacks-create`: `POST /actions/v1/callbacks/create`, scheduled callbacks, every request a
 *   distinct valid US number, a distinct idempotency key and a `desiredTime` on a slot boundary,
 *   spread over the next 29 days. Each one is a full booking: queue and hours lookup, the
 *   idempotency lock and read, screening, the per-number lock and count, the slot upsert, the
 *   callback insert, its history row, the `deliver-callback` job and the stored answer, committed
 *   with PostgreSQL's default durability.
 * - `callbacks-lookup`: `POST /actions/v1/callbacks/lookup` over 20,000 callbacks (200 created
 *   through the endpoint, the rest inserted in bulk with the same columns), looking up numbers that
 *   have one or two pending callbacks, only completed ones, or none, in E.164, national and `tel:`
 *   forms.
 *
 * No job worker runs in bench apps: the `deliver-callback` jobs each created callback enqueues stay
 * in graphile_worker (the run logs how many); nothing is sent to Genesys.
 *
 * This module also holds what the scenarios of this file, events.ts and aging.ts share:
 * `MachineMonitor` (CPU of the machine, of this process with its main thread apart, and of the
 * PostgreSQL server during a row, so that a row that overlapped other load says so) and the CPU
 * profile of the main thread (`BENCH_PROFILE=1`: over each measured row, warm-up included).
 */
import { BENCH_CALLER, benchContext } from '../context.js';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import type autocannon from 'autocannon';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/db/types.js';
import { createHours } from '../../src/hours/service.js';
import { normalizeNumber } from '../../src/numbers/screening.js';
import { createQueue } from '../../src/queues/service.js';
import { WEEKDAYS } from '../../src/slots/engine.js';
import type { Row, Scenario, ScenarioContext, ScenarioMeasureOptions } from '../harness.js';

// ---------------------------------------------------------------------------------------------
// Machine load during a row (Linux /proc; on other systems the figures are simply absent).

const TICK_MS = 10; // USER_HZ = 100 on Linux

function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** utime + stime (+ cutime + cstime) of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat, in ms; and the parent pid. */
function procCpu(path: string): { ms: number; childrenMs: number; ppid: number } | null {
  const text = readProc(path);
  if (!text) return null;
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(rest[i] ?? 0);
  return { ms: (n(11) + n(12)) * TICK_MS, childrenMs: (n(13) + n(14)) * TICK_MS, ppid: n(1) };
}

interface CpuSample {
  at: number;
  /** Machine: busy and total jiffies over all cores, as ms. */
  machineBusyMs: number;
  machineTotalMs: number;
  selfMs: number;
  mainThreadMs: number;
  postgresMs: number | null;
}

export interface MachineLoad {
  seconds: number;
  cores: number;
  /** Cores busy on average (0 … cores). */
  machine: number;
  /** This process: app(s), bare Fastify, load generator thread, fake Genesys thread, GC helpers. */
  process: number;
  /** Of which the main thread (the servers' event loop, the job worker in `aging`). */
  mainThread: number;
  postgres: number | null;
  /** Machine − this process − PostgreSQL: other sessions, tests, kernel. */
  other: number | null;
  loadavg1: number;
}

/**
 * Samples CPU time of the machine, this process and the PostgreSQL server (the postmaster and its
 * children, found from a backend's pid) so a row can report who used the cores while it ran.
 */
export class MachineMonitor {
  private constructor(private readonly postmaster: number | null) {}

  /** `db`: any connection to the bench server (its backend's parent is the postmaster). Null when not local. */
  static async start(db: Kysely<DB> | null): Promise<MachineMonitor> {
    let postmaster: number | null = null;
    if (db) {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
      const backend = rows[0] ? procCpu(`/proc/${rows[0].pid}/stat`) : null;
      postmaster = backend ? backend.ppid : null;
    }
    return new MachineMonitor(postmaster);
  }

  sample(): CpuSample {
    const stat = readProc('/proc/stat')?.split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const total = stat.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (stat[3] ?? 0) + (stat[4] ?? 0);
    const self = procCpu('/proc/self/stat');
    const main = procCpu(`/proc/self/task/${process.pid}/stat`);
    return {
      at: Date.now(),
      machineBusyMs: (total - idle) * TICK_MS,
      machineTotalMs: total * TICK_MS,
      selfMs: self?.ms ?? 0,
      mainThreadMs: main?.ms ?? 0,
      postgresMs: this.postgresMs(),
    };
  }

  /** Live children's own time plus the postmaster's own and reaped children's time. */
  private postgresMs(): number | null {
    if (this.postmaster === null) return null;
    const pm = procCpu(`/proc/${this.postmaster}/stat`);
    if (!pm) return null;
    let ms = pm.ms + pm.childrenMs;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const p = procCpu(`/proc/${entry}/stat`);
      if (p && p.ppid === this.postmaster) ms += p.ms;
    }
    return ms;
  }

  static between(a: CpuSample, b: CpuSample): MachineLoad {
    const wall = Math.max(1, b.at - a.at);
    const cores = cpus().length;
    const r = (ms: number) => Math.round((ms / wall) * 100) / 100;
    const machine = b.machineTotalMs > a.machineTotalMs ? ((b.machineBusyMs - a.machineBusyMs) / (b.machineTotalMs - a.machineTotalMs)) * cores : 0;
    const proc = (b.selfMs - a.selfMs) / wall;
    const pg = a.postgresMs === null || b.postgresMs === null ? null : (b.postgresMs - a.postgresMs) / wall;
    return {
      seconds: Math.round(wall / 100) / 10,
      cores,
      machine: Math.round(machine * 100) / 100,
      process: r(b.selfMs - a.selfMs),
      mainThread: r(b.mainThreadMs - a.mainThreadMs),
      postgres: pg === null ? null : Math.round(pg * 100) / 100,
      other: pg === null ? null : Math.round(Math.max(0, machine - proc - pg) * 100) / 100,
      loadavg1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    };
  }

  /** Machine load over the next `ms`: to check the machine is idle before measuring. */
  async idleCheck(ms = 1500): Promise<MachineLoad> {
    const a = this.sample();
    await new Promise((resolve) => setTimeout(resolve, ms));
    return MachineMonitor.between(a, this.sample());
  }
}

// ---------------------------------------------------------------------------------------------
// CPU profile of the main thread (the servers under test; the job runner in `aging`)

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const own = /\/(src|bench|test)\/([^/]+)/.exec(url);
  if (own) return own[1] === 'src' ? `src/${own[2]!.replace(/\.ts$/, '')}` : own[1]!;
  return url.split('/').slice(-2).join('/');
}

/** Self time by package / source directory, and the top functions. */
export function summarizeProfile(profile: CpuProfile): { areas: [string, number][]; functions: [string, number][]; totalMs: number } {
  const hits = new Map<number, number>();
  for (const s of profile.samples ?? []) hits.set(s, (hits.get(s) ?? 0) + 1);
  const totalSamples = [...hits.values()].reduce((a, b) => a + b, 0) || 1;
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const msPer = totalMs / totalSamples;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const node of profile.nodes) {
    const n = hits.get(node.id) ?? node.hitCount ?? 0;
    if (n === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + n * msPer);
    const short = url ? url.replace(/^.*\/(node_modules|src|bench|test)\//, '$1/') : '';
    const key = `${functionName || '(anonymous)'}${short ? ` ${short}:${lineNumber + 1}` : ''}`;
    functions.set(key, (functions.get(key) ?? 0) + n * msPer);
  }
  const top = (m: Map<string, number>, k: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k);
  return { areas: top(areas, 18), functions: top(functions, 25), totalMs };
}

/** Starts the V8 sampling profiler on this (main) thread; the function returned stops it. */
export async function startProfile(): Promise<() => Promise<CpuProfile>> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    session.disconnect();
    return profile;
  };
}

export interface ProfileSummary {
  file: string;
  wallMs: number;
  /** [area, % of wall time] by self time: package, source directory, or V8 pseudo-node ((idle), (garbage collector), …). */
  areas: [string, number][];
  functions: [string, number][];
}

/** Writes `bench/results/<label>-<stamp>.cpuprofile` (Chrome DevTools opens it), logs and returns a summary. */
export async function saveProfile(profile: CpuProfile, label: string, log: (line: string) => void): Promise<ProfileSummary> {
  const summary = summarizeProfile(profile);
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${label.replace(/[^A-Za-z0-9.-]+/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
  await writeFile(file, JSON.stringify(profile));
  const share = (ms: number) => Math.round((ms / summary.totalMs) * 1000) / 10;
  log(`CPU profile of the main thread (${Math.round(summary.totalMs)} ms wall), self time: ${summary.areas.map(([a, ms]) => `${a} ${share(ms)} %`).join(', ')}`);
  log(`top functions (self): ${summary.functions.slice(0, 15).map(([f, ms]) => `${f} ${share(ms)} %`).join('; ')}`);
  log(`profile written to ${path.relative(process.cwd(), file)}`);
  return {
    file: path.relative(process.cwd(), file),
    wallMs: Math.round(summary.totalMs),
    areas: summary.areas.map(([a, ms]) => [a, share(ms)]),
    functions: summary.functions.map(([f, ms]) => [f, share(ms)]),
  };
}

/** Cores used by processes other than the bench and its PostgreSQL above which a row is suspect. */
export const OTHER_LOAD_LIMIT = 0.25;

export function describeLoad(load: MachineLoad): string {
  const pg = load.postgres === null ? 'postgres ?' : `postgres ${load.postgres}`;
  const other = load.other === null ? '' : `, other processes ${load.other}`;
  const warn = load.other !== null && load.other > OTHER_LOAD_LIMIT ? `  !! other load on the machine (${load.other} cores): re-run this row when idle` : '';
  return `cores busy ${load.machine}/${load.cores} over ${load.seconds} s: this process ${load.process} (main thread ${load.mainThread}), ${pg}${other}; loadavg ${load.loadavg1}${warn}`;
}

/**
 * `ctx.measure` with the machine's load recorded: logged, and kept on the row as `machine` (so it
 * is in the results JSON). Checks for other load first and logs a warning if there is some.
 */
/** PostgreSQL, the app and a CPU monitor for a scenario, all stopped when it ends. */
export async function startStack(ctx: ScenarioContext, what = 'PostgreSQL and the app') {
  ctx.log(`starting ${what}`);
  const database = await ctx.harness.startBenchDatabase();
  ctx.defer(database.stop);
  const bench = await ctx.harness.startBenchApp(database.url);
  ctx.defer(bench.close);
  return { database, bench, db: bench.db, monitor: await MachineMonitor.start(bench.db) };
}

export async function measureWithLoad(ctx: ScenarioContext, monitor: MachineMonitor, opts: ScenarioMeasureOptions): Promise<Row> {
  const idle = await monitor.idleCheck();
  if (idle.other !== null && idle.other > OTHER_LOAD_LIMIT) ctx.log(`before "${opts.name}": machine not idle — ${describeLoad(idle)}`);
  const before = monitor.sample();
  const stop = process.env.BENCH_PROFILE === '1' ? await startProfile() : undefined;
  const row = await ctx.measure(opts);
  const profile = await stop?.();
  const load = MachineMonitor.between(before, monitor.sample());
  ctx.log(`"${opts.name}" (warm-up included): ${describeLoad(load)}`);
  (row as Row & { machine?: MachineLoad }).machine = load;
  if (profile) (row as Row & { profile?: ProfileSummary }).profile = await saveProfile(profile, opts.name, ctx.log);
  return row;
}

/** The bare reference with the machine's load recorded (the row object itself is annotated: the runner knows it by identity). */
export async function bareWithLoad(ctx: ScenarioContext, monitor: MachineMonitor): Promise<Row> {
  const idle = await monitor.idleCheck();
  if (idle.other !== null && idle.other > OTHER_LOAD_LIMIT) ctx.log(`before the bare row: machine not idle — ${describeLoad(idle)}`);
  const before = monitor.sample();
  const row = await ctx.bare();
  const load = MachineMonitor.between(before, monitor.sample());
  ctx.log(`bare row (warm-up included): ${describeLoad(load)}`);
  (row as Row & { machine?: MachineLoad }).machine = load;
  return row;
}

// ---------------------------------------------------------------------------------------------
// Shared set-up

export const ZONE = 'America/New_York';
const SLOT_MINUTES = 15;
const SLOT_MS = SLOT_MINUTES * 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** desiredTime is spread over this many days from the next slot an hour ahead (maxDaysAhead is 30). */
const SPREAD_DAYS = 29;
const SLOTS = (SPREAD_DAYS * DAY_MS) / SLOT_MS; // 2,784
/** Visits every slot of the spread before repeating one (coprime with 2,784 = 2⁵ × 3 × 29). */
const SLOT_STRIDE = 1009;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Business hours open every day 00:00–24:00 and a queue with 15-minute slots of `capacity` places. */
async function alwaysOpenQueue(db: Kysely<DB>, name: string, extra: { slotCapacity: number; maxPendingPerNumber: number; genesysQueueId: string }) {
  const allDay = [{ start: '00:00', end: '24:00' }];
  const hours = await createHours(benchContext(db), { name: `${name}-always-open`, timezone: ZONE, weekly: Object.fromEntries(WEEKDAYS.map((d) => [d, allDay])), exceptions: [] });
  return createQueue(
    benchContext(db),
    {
      name,
      timezone: ZONE,
      businessHoursId: hours.id,
      slotDurationMinutes: SLOT_MINUTES,
      maxDaysAhead: 30,
      scheduledEnabled: true,
      immediateEnabled: true,
      defaultCountry: 'US',
      ...extra,
    },
  );
}

// ---------------------------------------------------------------------------------------------
// callbacks-create

export const CREATE_QUEUE = 'bench-callbacks';
export const CREATE_ROW = 'POST /actions/v1/callbacks/create scheduled';
/** +1 212 NXX XXXX with NXX 200…999: 8,000,000 distinct numbers, all valid for libphonenumber (checked before measuring). */
const CREATE_NUMBERS = 800 * 10_000;
/** Each thread (main, one load generator per row) draws from its own block of numbers and keys. */
const THREAD_BLOCK = 1_000_003;

export function createPhone(index: number): string {
  const i = index % CREATE_NUMBERS;
  return `+1212${200 + Math.floor(i / 10_000)}${String(i % 10_000).padStart(4, '0')}`;
}

let created = 0;

/** The n-th create body of this thread: a new number, a new idempotency key, the next slot of the stride. */
export function createBody(n: number, now = Date.now()): { queue: string; phoneNumber: string; desiredTime: string; idempotencyKey: string; customerName: string; conversationId: string } {
  const index = threadId * THREAD_BLOCK + n;
  // The first slot boundary at least an hour ahead, then `SLOT_STRIDE` slots further for each request.
  const first = Math.ceil((now + HOUR_MS) / SLOT_MS) * SLOT_MS;
  const slot = (n * SLOT_STRIDE) % SLOTS;
  return {
    queue: CREATE_QUEUE,
    phoneNumber: createPhone(index),
    desiredTime: iso(first + slot * SLOT_MS),
    idempotencyKey: `bench-t${threadId}-${n}`,
    customerName: `Bench Caller ${index}`,
    conversationId: `bench-ivr-${threadId}-${n}`,
  };
}

/** autocannon `setupRequest` hook (load generator thread): the next scheduled create. */
export function nextCreateRequest(request: autocannon.Request): autocannon.Request {
  request.body = JSON.stringify(createBody(created++));
  return request;
}

interface CreateAnswer {
  outcome: string;
  created: boolean;
  replayed: boolean;
  callbackId: string;
  scheduledTime: string;
  phoneE164: string;
}

export const callbacksCreate: Scenario = {
  name: 'callbacks-create',
  description: 'POST /actions/v1/callbacks/create, scheduled, distinct numbers and idempotency keys, desiredTime over 29 days of 15-min slots (50 places) vs bare Fastify',
  defaultRate: 200,
  goals: { [CREATE_ROW]: { maxP99Ms: 50 } },
  async run(ctx) {
    const { harness } = ctx;
    const { bench, db, monitor } = await startStack(ctx);

    const queue = await alwaysOpenQueue(db, CREATE_QUEUE, { slotCapacity: 50, maxPendingPerNumber: 1, genesysQueueId: 'bench-genesys-queue' });

    // Every number a load generator can draw in this run is valid (the bench never measures refusals).
    const perRow = Math.ceil(ctx.options.rate * (ctx.options.seconds + ctx.options.warmupSeconds + 2));
    for (let t = 0; t <= 8; t++) {
      for (let n = 0; n < perRow; n += 97) {
        const phone = createPhone(t * THREAD_BLOCK + n);
        if (!normalizeNumber(phone).ok) throw new Error(`bench number ${phone} is not valid`);
      }
    }

    const authorization = await harness.makeToken(bench.app, db, ['actions']);
    const url = `${bench.baseUrl}/actions/v1/callbacks/create`;
    const headers = { authorization, 'content-type': 'application/json' };

    // Probes from this (main) thread's own block: CREATED in the slot asked for; a replay is replayed.
    for (let i = 0; i < 3; i++) {
      const body = createBody(created++);
      const answer = JSON.parse(await harness.probe(url, { method: 'POST', headers, body: JSON.stringify(body) })) as CreateAnswer;
      if (answer.outcome !== 'CREATED' || answer.scheduledTime !== body.desiredTime) throw new Error(`unexpected create answer for ${JSON.stringify(body)}: ${JSON.stringify(answer)}`);
      if (i === 0) {
        const replay = JSON.parse(await harness.probe(url, { method: 'POST', headers, body: JSON.stringify(body) })) as CreateAnswer;
        if (!replay.replayed || replay.callbackId !== answer.callbackId) throw new Error(`idempotency replay failed: ${JSON.stringify(replay)}`);
      }
    }
    ctx.log(`probe: ${createBody(0).phoneNumber} booked at ${createBody(0).desiredTime}; slots spread over ${SLOTS} 15-min slots (${SPREAD_DAYS} days), stride ${SLOT_STRIDE}`);

    const bare = await bareWithLoad(ctx, monitor);
    const row = await measureWithLoad(ctx, monitor, {
      name: CREATE_ROW,
      url,
      method: 'POST',
      headers,
      body: JSON.stringify(createBody(0)), // replaced per request by the hook
      setupRequest: { module: import.meta.url, export: 'nextCreateRequest' },
    });

    // What the run did: every answer stored with its idempotency key.
    const outcomes = await sql<{ outcome: string; n: number }>`
      select answer->>'outcome' as outcome, count(*)::int as n from idempotent_answers group by 1 order by 2 desc`.execute(db);
    const stats = await sql<{ callbacks: number; slots: number; maxBooked: number; jobs: number }>`
      select (select count(*)::int from callbacks where queue_id = ${queue.id}::uuid) as callbacks,
        (select count(*)::int from slot_bookings where queue_id = ${queue.id}::uuid) as slots,
        (select coalesce(max(booked), 0)::int from slot_bookings where queue_id = ${queue.id}::uuid) as "maxBooked",
        (select count(*)::int from graphile_worker.jobs where task_identifier = 'deliver-callback') as jobs`.execute(db);
    const s = stats.rows[0]!;
    ctx.log(
      `answers: ${outcomes.rows.map((o) => `${o.outcome} ${o.n}`).join(', ')}; ${s.callbacks} callbacks in ${s.slots} slots (max ${s.maxBooked} per slot of 50); ` +
        `${s.jobs} deliver-callback jobs waiting (no worker runs in bench apps)`,
    );
    const refused = outcomes.rows.filter((o) => o.outcome !== 'CREATED');
    if (refused.length > 0) ctx.log(`!! not every create was CREATED: ${JSON.stringify(refused)}`);
    return [bare, row];
  },
};

// ---------------------------------------------------------------------------------------------
// callbacks-lookup

export const LOOKUP_QUEUE = 'bench-lookup';
export const LOOKUP_ROW = 'POST /actions/v1/callbacks/lookup';
/** Numbers with pending callbacks: +1 415 NXX XXXX, index 0…15,999; every 8th has two. */
const PENDING_NUMBERS = 16_000;
const DOUBLE_EVERY = 8;
/** Numbers with completed callbacks only: index 16,000…17,999. */
const COMPLETED_NUMBERS = 2_000;
/** Never booked: index 18,000…29,999. */
const UNKNOWN_NUMBERS = 12_000;
/** Created through the endpoint (createCallback), the rest in bulk. */
const LOOKUP_THROUGH_API = 200;

export function lookupDigits(index: number): string {
  return `415${200 + Math.floor(index / 10_000)}${String(index % 10_000).padStart(4, '0')}`;
}

type LookupKind = 'pending' | 'double' | 'completed' | 'unknown';

/**
 * The n-th lookup: 6 in 10 a number with pending callbacks (one in eight of those has two), 1 in 10
 * a number whose callbacks are all completed, 3 in 10 a number never booked. Formats: E.164 mostly,
 * every 4th national ("(415) 2xx-xxxx", read with the queue's default country US), every 10th tel:.
 */
export function lookupCase(n: number): { body: { queue: string; phoneNumber: string }; kind: LookupKind } {
  const mix = n % 10;
  const h = (n * 7919 + 13) >>> 0;
  let index: number;
  let kind: LookupKind;
  if (mix < 6) {
    index = h % PENDING_NUMBERS;
    kind = index % DOUBLE_EVERY === 0 ? 'double' : 'pending';
  } else if (mix === 6) {
    index = PENDING_NUMBERS + (h % COMPLETED_NUMBERS);
    kind = 'completed';
  } else {
    index = PENDING_NUMBERS + COMPLETED_NUMBERS + (h % UNKNOWN_NUMBERS);
    kind = 'unknown';
  }
  const d = lookupDigits(index);
  const phoneNumber = n % 10 === 3 ? `tel:+1${d}` : n % 4 === 1 ? `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}` : `+1${d}`;
  return { body: { queue: LOOKUP_QUEUE, phoneNumber }, kind };
}

let looked = 0;

/** autocannon `setupRequest` hook (load generator thread). */
export function nextLookupRequest(request: autocannon.Request): autocannon.Request {
  request.body = JSON.stringify(lookupCase(looked++ + threadId * 1_234_567).body);
  return request;
}

interface LookupAnswer {
  found: boolean;
  count: number;
  callbackId: string;
  state: string;
  scheduledTime: string;
}

export const callbacksLookup: Scenario = {
  name: 'callbacks-lookup',
  description: 'POST /actions/v1/callbacks/lookup over 20,000 callbacks (18,000 pending on 16,000 numbers, 2,000 completed), numbers found / completed-only / unknown, E.164, national and tel: vs bare Fastify',
  defaultRate: 500,
  goals: { [LOOKUP_ROW]: { maxP99Ms: 10 } },
  async run(ctx) {
    const { harness } = ctx;
    const { bench, db, monitor } = await startStack(ctx);

    const queue = await alwaysOpenQueue(db, LOOKUP_QUEUE, { slotCapacity: 50, maxPendingPerNumber: 3, genesysQueueId: 'bench-lookup-queue' });
    for (let i = 0; i < PENDING_NUMBERS + COMPLETED_NUMBERS + UNKNOWN_NUMBERS; i++) {
      if (!normalizeNumber(`+1${lookupDigits(i)}`).ok) throw new Error(`bench number +1${lookupDigits(i)} is not valid`);
    }
    const authorization = await harness.makeToken(bench.app, db, ['actions']);
    const headers = { authorization, 'content-type': 'application/json' };

    // 1. The first numbers through the endpoint itself (the real createCallback path).
    const now = Date.now();
    const first = Math.ceil((now + HOUR_MS) / SLOT_MS) * SLOT_MS;
    const slotOf = (i: number) => first + ((i * SLOT_STRIDE) % SLOTS) * SLOT_MS;
    for (let i = 0; i < LOOKUP_THROUGH_API; i++) {
      const res = await bench.app.inject({
        method: 'POST',
        url: '/actions/v1/callbacks/create',
        headers,
        payload: { queue: LOOKUP_QUEUE, phoneNumber: `+1${lookupDigits(i)}`, desiredTime: iso(slotOf(i)), idempotencyKey: `seed-${i}` },
      });
      if (res.json<{ outcome: string }>().outcome !== 'CREATED') throw new Error(`seed create ${i}: ${res.body}`);
    }

    // 2. The rest in bulk, shaped like what createCallback writes: pending ones (two for every 8th
    //    number), then numbers whose callbacks are all completed; then the slot counters to match.
    const phones: string[] = [];
    const times: string[] = [];
    const states: string[] = [];
    const createdAt: string[] = [];
    const add = (index: number, k: number, state: string) => {
      phones.push(`+1${lookupDigits(index)}`);
      times.push(new Date(slotOf(index + k * 977)).toISOString());
      states.push(state);
      createdAt.push(new Date(now - ((index * 37 + k * 11) % (7 * 24 * 60)) * 60_000).toISOString());
    };
    for (let i = LOOKUP_THROUGH_API; i < PENDING_NUMBERS; i++) add(i, 0, 'SCHEDULED');
    for (let i = 0; i < PENDING_NUMBERS; i += DOUBLE_EVERY) add(i, 1, 'SCHEDULED');
    for (let i = PENDING_NUMBERS; i < PENDING_NUMBERS + COMPLETED_NUMBERS; i++) add(i, 0, 'COMPLETED');
    await sql`
      insert into callbacks (queue_id, type, state, completion_reason, phone_e164, customer_name, desired_time, scheduled_time, slot_start,
        priority, user_data, created_by, created_at, updated_at, completed_at, delivery_status)
      select ${queue.id}::uuid, 'scheduled', c.state, case when c.state = 'COMPLETED' then 'CANCELLED_BY_CUSTOMER' end, c.phone, 'Bench Caller',
        c.at, c.at, c.at, 0, '{}'::jsonb, 'bench', c.created, c.created, case when c.state = 'COMPLETED' then c.created end,
        case when c.state = 'COMPLETED' then 'NOT_REQUIRED' else 'PENDING' end
      from unnest(${phones}::text[], ${times}::timestamptz[], ${states}::text[], ${createdAt}::timestamptz[]) as c(phone, at, state, created)`.execute(db);
    await sql`
      insert into slot_bookings (queue_id, slot_start, booked)
      select queue_id, slot_start, count(*) from callbacks where queue_id = ${queue.id}::uuid and state <> 'COMPLETED' group by 1, 2
      on conflict (queue_id, slot_start) do update set booked = excluded.booked`.execute(db);
    await sql`analyze callbacks`.execute(db);
    await sql`analyze slot_bookings`.execute(db);
    const counts = await sql<{ total: number; pending: number; numbers: number; maxBooked: number }>`
      select count(*)::int as total, count(*) filter (where state <> 'COMPLETED')::int as pending, count(distinct phone_e164)::int as numbers,
        (select max(booked)::int from slot_bookings where queue_id = ${queue.id}::uuid) as "maxBooked"
      from callbacks where queue_id = ${queue.id}::uuid`.execute(db);
    const c = counts.rows[0]!;
    if (c.total !== 20_000) throw new Error(`expected 20,000 callbacks, the table holds ${c.total}`);
    ctx.log(`${c.total} callbacks (${LOOKUP_THROUGH_API} through the endpoint), ${c.pending} pending, on ${c.numbers} numbers; max ${c.maxBooked} booked per slot`);

    // Probes: each kind and format answers as expected.
    const url = `${bench.baseUrl}/actions/v1/callbacks/lookup`;
    const seen = new Set<string>();
    for (let n = 0; n < 40; n++) {
      const { body, kind } = lookupCase(n);
      const answer = JSON.parse(await harness.probe(url, { method: 'POST', headers, body: JSON.stringify(body) })) as LookupAnswer;
      const expected = kind === 'double' ? 2 : kind === 'pending' ? 1 : 0;
      if (answer.count !== expected || answer.found !== expected > 0) throw new Error(`lookup ${JSON.stringify(body)} (${kind}): expected count ${expected}, got ${JSON.stringify(answer)}`);
      seen.add(`${kind}:${body.phoneNumber.startsWith('tel:') ? 'tel' : body.phoneNumber.startsWith('(') ? 'national' : 'e164'}`);
    }
    // The same numbers with a double from the mix, for the record.
    const double = JSON.parse(await harness.probe(url, { method: 'POST', headers, body: { queue: LOOKUP_QUEUE, phoneNumber: `+1${lookupDigits(8)}` } })) as LookupAnswer;
    if (double.count !== 2) throw new Error(`expected two pending callbacks for +1${lookupDigits(8)}: ${JSON.stringify(double)}`);
    ctx.log(`probed 40 lookups (${[...seen].sort().join(', ')})`);

    const bare = await bareWithLoad(ctx, monitor);
    const row = await measureWithLoad(ctx, monitor, {
      name: LOOKUP_ROW,
      url,
      method: 'POST',
      headers,
      body: JSON.stringify(lookupCase(0).body), // replaced per request by the hook
      setupRequest: { module: import.meta.url, export: 'nextLookupRequest' },
    });
    return [bare, row];
  },
};
