/**
 * The load generator, run in a worker thread by `measure()` in harness.ts.
 *
 * autocannon runs here rather than on the main thread so that building requests and parsing
 * responses does not compete with the servers under test (in-process, on the main thread) for one
 * event loop. Not meant to be started by hand.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

export type Pacing = 'spread' | 'burst';

/** What `measure()` sends: only structured-cloneable values (no functions). */
export interface LoadJob {
  /** autocannon options for the whole load: `overallRate`, `connections`, `duration`… */
  options: autocannon.Options;
  warmupSeconds: number;
  pacing: Pacing;
  /** A request hook living in a module: imported here, as functions cannot cross threads. */
  setupRequest?: { module: string; export: string } | undefined;
}

export interface LoadOutcome {
  /** autocannon's aggregated result over every group. */
  result: autocannon.Result;
  /** Σ over groups of completed / measured seconds. */
  rps: number;
  /** Longest group's measured seconds. */
  seconds: number;
  /** Every response's time in ms as autocannon measured it (full resolution, unlike its 1 ms histogram). */
  latencies: Float64Array;
  groups: number;
}

export type LoadMessage = { ok: true; outcome: LoadOutcome } | { ok: false; error: string };

type SetupRequest = (request: autocannon.Request, context: object) => autocannon.Request;

/** Raw per-run result autocannon returns off the main thread (histograms still encoded). */
interface RawResult {
  latencies: unknown;
  requests: unknown;
  throughput: unknown;
  totalCompletedRequests: number;
  duration: number;
}

// Off the main thread autocannon leaves aggregation to its own worker manager; we do what it does.
const require = createRequire(import.meta.url);
const aggregateResult = require('autocannon/lib/aggregateResult.js') as (
  raw: RawResult[],
  opts: autocannon.Options,
  histograms: { requests: unknown; throughput: unknown },
) => autocannon.Result;
const { decodeHist } = require('autocannon/lib/histUtil.js') as { decodeHist: (encoded: unknown) => unknown };

/** How many staggered groups share the load with `spread` pacing. */
const MAX_GROUPS = 50;

const share = (total: number, parts: number, i: number) => Math.floor(total / parts) + (i < total % parts ? 1 : 0);

/**
 * autocannon paces with a per-second quota per connection, reset by a timer started with the
 * connection: every connection sends its quota back to back at the start of each second, all
 * together. `burst` keeps that. `spread` splits the connections and the rate into groups (one
 * autocannon instance each) started at even offsets within the second, so the same offered load
 * arrives in many small bursts — closer to independent callers.
 */
function plan(options: autocannon.Options, pacing: Pacing): { options: autocannon.Options; delayMs: number }[] {
  const rate = options.overallRate ?? 0;
  const connections = options.connections ?? 10;
  const groups = pacing === 'burst' ? 1 : Math.max(1, Math.min(connections, rate, MAX_GROUPS));
  const seconds = Number(options.duration ?? 10);
  return Array.from({ length: groups }, (_, i) => {
    const c = share(connections, groups, i);
    const r = share(rate, groups, i);
    return {
      delayMs: (i * 1000) / groups,
      options: { ...options, connections: c, overallRate: r, maxOverallRequests: Math.max(c, Math.ceil(r * (seconds + 1))) },
    };
  });
}

async function runOnce(job: LoadJob, base: autocannon.Options, samples?: number[]): Promise<{ raws: RawResult[]; rps: number; seconds: number }> {
  const groups = plan(base, job.pacing);
  const raws = await Promise.all(
    groups.map(
      ({ options, delayMs }) =>
        new Promise<RawResult>((resolve, reject) => {
          setTimeout(() => {
            const instance = autocannon(options, (err: unknown, result) => (err ? reject(err) : resolve(result as unknown as RawResult)));
            if (samples) instance.on('response', (_client, _status, _bytes, responseTime) => samples.push(responseTime));
          }, delayMs);
        }),
    ),
  );
  const rps = raws.reduce((sum, r) => sum + (r.duration > 0 ? r.totalCompletedRequests / r.duration : 0), 0);
  return { raws, rps, seconds: Math.max(...raws.map((r) => r.duration)) };
}

async function withHook(job: LoadJob): Promise<autocannon.Options> {
  if (!job.setupRequest) return job.options;
  const mod = (await import(job.setupRequest.module)) as Record<string, unknown>;
  const hook = mod[job.setupRequest.export];
  if (typeof hook !== 'function') {
    throw new Error(`${job.setupRequest.module} does not export a function "${job.setupRequest.export}"`);
  }
  const base = job.options.requests ?? [{}];
  return { ...job.options, requests: base.map((r) => ({ ...r, setupRequest: hook as SetupRequest })) };
}

async function main(job: LoadJob): Promise<LoadOutcome> {
  const options = await withHook(job);
  if (job.warmupSeconds > 0) {
    // Same rate and shape, results thrown away: JIT, connection pools, caches.
    await runOnce(job, { ...options, duration: job.warmupSeconds });
  }
  const samples: number[] = [];
  const { raws, rps, seconds } = await runOnce(job, options, samples);
  const first = raws[0]!;
  const result = aggregateResult(raws, options, { requests: decodeHist(first.requests), throughput: decodeHist(first.throughput) });
  return { result, rps, seconds, latencies: new Float64Array(samples), groups: raws.length };
}

const port = parentPort;
if (port) {
  main(workerData as LoadJob).then(
    (outcome) => port.postMessage({ ok: true, outcome } satisfies LoadMessage, [outcome.latencies.buffer as ArrayBuffer]),
    (err: unknown) =>
      port.postMessage({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies LoadMessage),
  );
}
