/**
 * Load-benchmark harness: a real PostgreSQL, the real app on a real socket, a bare Fastify as the
 * "framework cost" reference, and autocannon at a fixed request rate. Scenarios in `scenarios/`
 * combine these; `run.ts` is the command line. Not part of the test run.
 */
import { benchContext } from './context.js';
import { randomBytes } from 'node:crypto';
import { freePort } from '../test/helpers/ports.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { arch, cpus, platform, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type autocannon from 'autocannon';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { createClient } from '../src/clients/service.js';
import { loadConfig } from '../src/config.js';
import { createDatabase, ensureDatabaseExists } from '../src/db/database.js';
import { startEmbeddedPostgres, withDatabase } from '../src/db/embedded.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { DB } from '../src/db/types.js';
import type { Role } from '../src/auth/caller.js';
import type { LoadJob, LoadMessage, LoadOutcome, Pacing } from './load-worker.js';

export type { Pacing } from './load-worker.js';

// ---------------------------------------------------------------------------------------------
// Limits: a benchmark is bounded in time and volume, and only ever targets this machine.

export const DEFAULT_SECONDS = 10;
export const DEFAULT_WARMUP_SECONDS = 2;
export const DEFAULT_CONNECTIONS = 20;
const MAX_SECONDS = 300;
const MAX_RATE = 20_000;
const MAX_CONNECTIONS = 500;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `BENCH_SECONDS` when set, else 10. */
export function defaultSeconds(): number {
  const raw = process.env.BENCH_SECONDS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_SECONDS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > MAX_SECONDS) throw new Error(`BENCH_SECONDS must be a number in (0, ${MAX_SECONDS}], got "${raw}"`);
  return n;
}

export { freePort };

function baseUrlOf(server: { address(): AddressInfo | string | null }): string {
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('server is not listening on TCP');
  return `http://127.0.0.1:${addr.port}`;
}

// ---------------------------------------------------------------------------------------------
// Database

export interface BenchDatabase {
  /** Connection string of a migrated, otherwise empty database. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A migrated database for one benchmark run.
 *
 * Default: an embedded PostgreSQL in a throwaway temp directory on a free 127.0.0.1 port, with
 * PostgreSQL's default durability settings (fsync and synchronous commit stay on: numbers must
 * mean something for a real deployment). `stop()` stops it and removes the directory.
 *
 * `BENCH_DATABASE_URL` (any database on an existing server, used as the maintenance connection):
 * a throwaway database `bench_<random>` is created there and dropped by `stop()`.
 */
export async function startBenchDatabase(opts: { log?: (line: string) => void } = {}): Promise<BenchDatabase> {
  const name = `bench_${randomBytes(5).toString('hex')}`;
  const external = process.env.BENCH_DATABASE_URL?.trim();
  if (external) {
    await ensureDatabaseExists(external, name);
    const url = withDatabase(external, name);
    try {
      await migrateToLatest(url);
    } catch (err) {
      await dropDatabase(external, name).catch(() => undefined);
      throw err;
    }
    let stopped: Promise<void> | undefined;
    return { url, stop: () => (stopped ??= dropDatabase(external, name)) };
  }

  const dir = await mkdtemp(path.join(tmpdir(), 'callbacks-bench-'));
  let server: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  const stopAll = async () => {
    try {
      await server?.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    server = await startEmbeddedPostgres({
      dataDir: dir,
      port: await freePort(),
      ...(opts.log && { log: opts.log }),
    });
    await ensureDatabaseExists(server.url, name);
    const url = withDatabase(server.url, name);
    await migrateToLatest(url);
    let stopped: Promise<void> | undefined;
    return { url, stop: () => (stopped ??= stopAll()) };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}

async function dropDatabase(maintenanceUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Servers under test

export interface BenchApp {
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  db: Kysely<DB>;
  /** Closes the app (and its connections), then the pool. */
  close(): Promise<void>;
}

/**
 * The real service (`buildApp`), listening on 127.0.0.1 on a free port, logging nothing, with a
 * rate limit high enough never to trip (10 000 000 per window, the most the config accepts) and a
 * pool of 20. `env` overrides or adds configuration variables.
 */
export async function startBenchApp(url: string, env: Record<string, string> = {}): Promise<BenchApp> {
  const config = loadConfig({
    DATABASE_URL: url,
    JWT_SECRET: randomBytes(36).toString('base64url'), // 48 characters
    LOG_LEVEL: 'silent',
    RATE_LIMIT_MAX: '10000000',
    ...env,
  });
  const database = createDatabase(url, { max: 20 });
  let app: FastifyInstance | undefined;
  try {
    app = await buildApp({ config, database, jwtSecret: config.jwtSecret! });
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (err) {
    await app?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
  const built = app;
  let closed: Promise<void> | undefined;
  return {
    app: built,
    baseUrl: baseUrlOf(built.server),
    db: database.db,
    close: () =>
      (closed ??= (async () => {
        try {
          await built.close();
        } finally {
          await database.close();
        }
      })()),
  };
}

export interface BareServer {
  baseUrl: string;
  close(): Promise<void>;
}

/** Body of the bare reference route; scenarios may reuse it as the request body. */
export const BARE_BODY = { phoneNumber: '+3531234567', queue: 'Sales' };

/**
 * A bare Fastify 5 with one route, `POST /bare`, that parses a small JSON body and answers a small
 * JSON object: the cost of the framework and the socket, without plugins, auth or a database.
 */
export async function startBareFastify(): Promise<BareServer> {
  const app = Fastify({ logger: false, keepAliveTimeout: 72_000 });
  app.post('/bare', async (request) => {
    const body = request.body as { phoneNumber?: unknown } | null;
    return { outcome: 'ok', phoneNumber: typeof body?.phoneNumber === 'string' ? body.phoneNumber : null };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  let closed: Promise<void> | undefined;
  return { baseUrl: baseUrlOf(app.server), close: () => (closed ??= app.close().then(() => undefined)) };
}

/**
 * Creates an API client with `roles` and gets it a token through `POST /oauth/token` (inject).
 * Returns the `Authorization` header value: `Bearer <jwt>`.
 */
export async function makeToken(app: FastifyInstance, db: Kysely<DB>, roles: Role[]): Promise<string> {
  const { client, clientSecret } = await createClient(benchContext(db), { name: `bench-${randomBytes(4).toString('hex')}`, roles });
  const res = await app.inject({
    method: 'POST',
    url: '/oauth/token',
    payload: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: clientSecret },
  });
  if (res.statusCode !== 200) throw new Error(`token request failed: ${res.statusCode} ${res.body}`);
  return `Bearer ${(res.json() as { access_token: string }).access_token}`;
}

/**
 * One real HTTP request before a run: a benchmark of 401s or 404s measures nothing. Throws unless
 * the answer has `status`; returns the body text.
 */
export async function probe(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | object } = {},
  status = 200,
): Promise<string> {
  assertLoopback(url);
  const { body, headers } = encodeBody(init.body, init.headers ?? {});
  const res = await fetch(url, { method: init.method ?? 'GET', headers, ...(body !== undefined && { body }) });
  const text = await res.text();
  if (res.status !== status) throw new Error(`probe ${init.method ?? 'GET'} ${url}: expected ${status}, got ${res.status} ${text.slice(0, 300)}`);
  return text;
}

// ---------------------------------------------------------------------------------------------
// Measuring

export type HttpMethod = NonNullable<autocannon.Request['method']>;

/** A static request for the `requests` sequence (no functions: it crosses into a worker thread). */
export interface BenchRequest {
  method?: HttpMethod;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A request hook, referenced by module and export name because the load generator runs in a worker
 * thread. The function has autocannon's `setupRequest` signature, `(request, context) => request`
 * (context persists per connection); it is applied to each entry of `requests` (or to the base
 * request). Example: `{ module: import.meta.url, export: 'nextRequest' }`.
 */
export interface SetupRequestRef {
  module: string;
  export: string;
}

export interface MeasureOptions {
  /** Row label. */
  name: string;
  /** Loopback URL (path included) of the base request. */
  url: string;
  /** Fixed offered load, requests per second over all connections. */
  rate: number;
  /** Measured duration; default `BENCH_SECONDS` or 10. */
  seconds?: number;
  /** Unmeasured run at the same rate first; default 2. */
  warmupSeconds?: number;
  /** Default 20 (autocannon lowers it to `rate` when the rate is smaller). */
  connections?: number;
  method?: HttpMethod;
  headers?: Record<string, string>;
  /** Fixed body; an object is sent as JSON (with `content-type: application/json`). */
  body?: string | object;
  /** Sequence of requests cycled through per connection (overrides the base request's fields). */
  requests?: BenchRequest[];
  setupRequest?: SetupRequestRef;
  /** Per-request timeout; default 10 s. */
  timeoutSeconds?: number;
  /** How the per-second quota is sent; default `spread` (see `measure`). */
  pacing?: Pacing;
}

export interface Row {
  name: string;
  /** Offered rate, req/s. */
  rate: number;
  /** Measured seconds (as autocannon timed them; it stops on a whole-second tick). */
  seconds: number;
  pacing: Pacing;
  /** Completed responses. */
  requests: number;
  /** Completed responses per second. */
  rps: number;
  /**
   * Latency percentiles, maximum and mean in ms, every response included: autocannon's own
   * per-response timings at full resolution (its histogram rounds to whole ms, see `histogramMs`).
   */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** Connection errors, timeouts included. */
  errors: number;
  non2xx: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** The same percentiles from autocannon's result (1 ms resolution), for reference. */
  histogramMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

function assertLoopback(url: string): void {
  const u = new URL(url);
  if (u.protocol !== 'http:' || !LOOPBACK_HOSTS.has(u.hostname)) {
    throw new Error(`benchmarks only target http on this machine (127.0.0.1, localhost, [::1]); got ${url}`);
  }
}

function bounded(label: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`${label} must be in [${min}, ${max}], got ${value}`);
  return value;
}

function encodeBody(
  body: string | object | undefined,
  headers: Record<string, string>,
): { body: string | undefined; headers: Record<string, string> } {
  if (body === undefined || typeof body === 'string') return { body, headers };
  const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
  return { body: JSON.stringify(body), headers: hasType ? headers : { ...headers, 'content-type': 'application/json' } };
}

const WORKER_URL = new URL('./load-worker.ts', import.meta.url).href;

/** Starts load-worker.ts in a worker thread, with tsx's loader (not inherited by workers on Node 20). */
function runWorker(job: LoadJob, deadlineMs: number): Promise<LoadOutcome> {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL)}); })`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(bootstrap, { eval: true, workerData: job });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`load generator still running after ${Math.round(deadlineMs / 1000)} s; stopped`))),
      deadlineMs,
    );
    worker.on('message', (msg: LoadMessage) => finish(() => (msg.ok ? resolve(msg.outcome) : reject(new Error(msg.error)))));
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`load generator exited (code ${code}) without a result`))));
  });
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile of sorted values (0 when empty). */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Offers `rate` req/s for `seconds` (after a warm-up at the same rate) and summarizes autocannon's
 * result. The load generator runs in a worker thread.
 *
 * autocannon's rate is a per-second quota per connection: each second every connection sends its
 * share back to back, then waits for the next second. `pacing: 'burst'` is plain autocannon with
 * `overallRate`: every second starts with `connections` requests in flight at once and the quota
 * goes out closed-loop, so latency mostly shows queueing behind that burst. `pacing: 'spread'`
 * (default) splits the connections and the rate into up to 50 autocannon instances started at even
 * offsets within the second: the same offered load in many small bursts, closer to independent
 * callers such as Genesys data actions.
 *
 * autocannon's coordinated-omission correction is off: with a rate it "corrects" with an expected
 * interval of ceil(1 / per-connection rate) = 1 ms, which adds phantom samples (a 10 ms response
 * becomes ten samples 10, 9, …, 1 ms) and skews every percentile.
 */
export async function measure(opts: MeasureOptions): Promise<Row> {
  assertLoopback(opts.url);
  const rate = bounded('rate', opts.rate, 1, MAX_RATE);
  const seconds = bounded('seconds', opts.seconds ?? defaultSeconds(), 1, MAX_SECONDS);
  const warmupSeconds = bounded('warmupSeconds', opts.warmupSeconds ?? DEFAULT_WARMUP_SECONDS, 0, MAX_SECONDS);
  const connections = bounded('connections', opts.connections ?? DEFAULT_CONNECTIONS, 1, MAX_CONNECTIONS);
  const timeoutSeconds = bounded('timeoutSeconds', opts.timeoutSeconds ?? 10, 1, 60);
  const { body, headers } = encodeBody(opts.body, opts.headers ?? {});
  if (opts.requests) for (const r of opts.requests) if (r.path !== undefined && !r.path.startsWith('/')) throw new Error(`request path must start with "/": ${r.path}`);

  const options: autocannon.Options = {
    url: opts.url,
    title: opts.name,
    method: opts.method ?? 'GET',
    headers,
    ...(body !== undefined && { body }),
    ...(opts.requests && { requests: opts.requests }),
    connections,
    overallRate: rate,
    duration: seconds,
    // Bounded in count as well as in time: the worker caps each group at its offered load plus a second.
    maxOverallRequests: Math.max(connections, Math.ceil(rate * (seconds + 1))),
    timeout: timeoutSeconds,
    ignoreCoordinatedOmission: true,
  };
  const deadlineMs = (seconds + warmupSeconds + timeoutSeconds + 30) * 1000;
  const pacing = opts.pacing ?? 'spread';
  const outcome = await runWorker({ options, warmupSeconds, pacing, setupRequest: opts.setupRequest }, deadlineMs);
  const { result } = outcome;

  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  const sorted = outcome.latencies.sort();
  const mean = sorted.length === 0 ? 0 : sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    name: opts.name,
    rate,
    seconds: outcome.seconds,
    pacing,
    requests: result.requests.total,
    rps: round(outcome.rps, 1),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(percentile(sorted, 100)),
    mean: round(mean),
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
    statusCodes,
    histogramMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
  };
}

// ---------------------------------------------------------------------------------------------
// Reporting

/** A target from an issue, checked against a row. */
export interface Goal {
  /** p99 must stay below this, ms. */
  maxP99Ms?: number;
  /** target rps / reference rps must be at least this. */
  minRpsRatio?: number;
}

export interface Comparison {
  name: string;
  target: string;
  reference: string;
  /** target rps / reference rps (≈ 1 when both keep up with the offered rate). */
  rpsRatio: number;
  /** target p99 / reference p99. */
  p99Ratio: number;
  /** target p99 − reference p99, ms. */
  p99DeltaMs: number;
  goal?: Goal;
  /** Unmet goals (empty: met, or no goal); also any errors or non-2xx answers, which void the numbers. */
  failures: string[];
  /** The formatted line printed in the report. */
  text: string;
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? String(round(n, digits)) : '∞');

export function compare(name: string, target: Row, reference: Row, goal?: Goal): Comparison {
  const rpsRatio = reference.rps > 0 ? target.rps / reference.rps : Number.POSITIVE_INFINITY;
  const p99Ratio = reference.p99 > 0 ? target.p99 / reference.p99 : Number.POSITIVE_INFINITY;
  const p99DeltaMs = target.p99 - reference.p99;
  const failures: string[] = [];
  if (goal?.maxP99Ms !== undefined && !(target.p99 < goal.maxP99Ms)) failures.push(`p99 ${target.p99} ms ≥ ${goal.maxP99Ms} ms`);
  if (goal?.minRpsRatio !== undefined && !(rpsRatio >= goal.minRpsRatio)) failures.push(`rps ratio ${fmt(rpsRatio)} < ${goal.minRpsRatio}`);
  for (const row of [target, reference]) {
    if (row.errors + row.non2xx > 0) failures.push(`${row.name}: ${row.errors} errors, ${row.non2xx} non-2xx`);
  }
  const goalText = goal
    ? `  goal: ${[goal.maxP99Ms !== undefined && `p99 < ${goal.maxP99Ms} ms`, goal.minRpsRatio !== undefined && `ratio ≥ ${goal.minRpsRatio}`].filter(Boolean).join(', ')} → ${failures.length === 0 ? 'MET' : `NOT MET (${failures.join('; ')})`}`
    : failures.length > 0
      ? `  ! ${failures.join('; ')}`
      : '';
  const text =
    `${name}: rps ${fmt(target.rps, 1)} / ${fmt(reference.rps, 1)} = ×${fmt(rpsRatio)}; ` +
    `p99 ${fmt(target.p99)} ms vs ${fmt(reference.p99)} ms = ×${fmt(p99Ratio, 1)} (${p99DeltaMs >= 0 ? '+' : ''}${fmt(p99DeltaMs)} ms)${goalText}`;
  return { name, target: target.name, reference: reference.name, rpsRatio, p99Ratio, p99DeltaMs, ...(goal && { goal }), failures, text };
}

const COLUMNS: { title: string; value: (r: Row) => string }[] = [
  { title: 'row', value: (r) => r.name },
  { title: 'rate', value: (r) => String(r.rate) },
  { title: 'secs', value: (r) => fmt(r.seconds) },
  { title: 'reqs', value: (r) => String(r.requests) },
  { title: 'rps', value: (r) => fmt(r.rps, 1) },
  { title: 'p50 ms', value: (r) => fmt(r.p50) },
  { title: 'p90 ms', value: (r) => fmt(r.p90) },
  { title: 'p99 ms', value: (r) => fmt(r.p99) },
  { title: 'max ms', value: (r) => fmt(r.max) },
  { title: 'errors', value: (r) => String(r.errors) },
  { title: 'non2xx', value: (r) => String(r.non2xx) },
  { title: 'timeouts', value: (r) => String(r.timeouts) },
];

export function formatTable(rows: Row[]): string {
  const cells = [COLUMNS.map((c) => c.title), ...rows.map((r) => COLUMNS.map((c) => c.value(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export interface ReportMeta {
  scenario: string;
  /** Anything else worth keeping with the numbers (options, notes). */
  [key: string]: unknown;
}

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/**
 * Prints the table and the comparisons, and writes everything as JSON to
 * `bench/results/<scenario>-<timestamp>.json`. Returns that file's path.
 */
export async function printReport(rows: Row[], ratios: Comparison[], meta: ReportMeta): Promise<string> {
  const environment = {
    node: process.version,
    platform: `${platform()}-${arch()}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
  };
  const out = [
    '',
    `scenario ${meta.scenario} — node ${environment.node}, ${environment.cpus} × ${environment.cpuModel}`,
    ...(rows[0] ? [`pacing ${[...new Set(rows.map((r) => r.pacing))].join('/')}; latencies in ms, every response`] : []),
    '',
    formatTable(rows),
    '',
    ...ratios.map((c) => c.text),
    '',
  ];
  console.log(out.join('\n'));

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${meta.scenario}-${stamp}.json`);
  await writeFile(file, `${JSON.stringify({ ...meta, at: new Date().toISOString(), environment, rows, ratios }, null, 2)}\n`);
  console.log(`results: ${path.relative(process.cwd(), file)}`);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Scenarios

export interface BenchOptions {
  /** Offered rate for every measured row, req/s (the scenario's default unless `--rate`). */
  rate: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  pacing: Pacing;
}

/** Measure options with the run's rate, duration, warm-up and connections filled in. */
export type ScenarioMeasureOptions = Omit<MeasureOptions, 'rate'> & Partial<Pick<MeasureOptions, 'rate'>>;

export interface ScenarioContext {
  harness: typeof import('./harness.js');
  options: BenchOptions;
  /** Registers a cleanup; all run in reverse order when the run ends, fails or is interrupted. */
  defer(cleanup: () => Promise<unknown> | unknown): void;
  /** `measure()` with the run's options as defaults. */
  measure(opts: ScenarioMeasureOptions): Promise<Row>;
  /**
   * Measures the bare Fastify reference (`POST /bare`) at the run's rate, now. Call it once the
   * scenario's servers are up, so both run under the same conditions; if a scenario does not, the
   * runner does after `run` returns.
   */
  bare(): Promise<Row>;
  log(message: string): void;
}

export interface Scenario {
  name: string;
  description: string;
  /** Offered rate when `--rate` is not given, req/s. */
  defaultRate: number;
  /** Targets from issues, by row name. */
  goals?: Record<string, Goal>;
  /** Sets up, measures, returns the rows to compare with the bare reference. */
  run(ctx: ScenarioContext): Promise<Row[]>;
}
