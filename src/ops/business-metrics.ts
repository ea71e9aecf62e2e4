import type { Kysely } from 'kysely';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import type { CreateOutcome } from '../callbacks/answers.js';
import type { CallbackRow, DB } from '../db/types.js';
import type { FailureClass } from '../genesys/errors.js';
import type { CompletionReason } from '../vocabulary.js';
import { JOB_DEPTH_STATES } from '../vocabulary.js';
import { readJobFigures, readLastReconcile, readPendingCounts } from './metrics-queries.js';

/**
 * The engine's business metrics, in the Prometheus registry that `/metrics` serves (the HTTP and
 * pool figures join it in http/metrics.ts). One instance per app (or worker process), passed in its
 * services: two apps in one process share no counter.
 *
 * Labels stay few: `queue` is a queue's *name* (bounded by configuration), the others come from
 * fixed vocabularies (type, outcome, reason, state, failure kind, job name). No phone number,
 * callback, conversation or job id is ever a label.
 *
 * Event counters (created, refused, completed, delivery, aging lag) count in the process where the
 * event happens; the figures read from the database at scrape time (pending, jobs, reconcile lag)
 * are exposed only by the HTTP service (`collectFromDatabase`), so several workers do not repeat them.
 *
 * Other modules add their own metrics to `registry` (`new Counter({ ..., registers: [metrics.registry] })`),
 * reached through the services like everything else the app owns.
 */
export class BusinessMetrics {
  readonly registry: Registry;
  private readonly created: Counter<'queue' | 'type'>;
  private readonly refused: Counter<'queue' | 'outcome'>;
  private readonly completed: Counter<'queue' | 'reason'>;
  private readonly deliveryAttempts: Counter<'queue'>;
  private readonly deliveryFailures: Counter<'queue' | 'kind'>;
  private readonly agingLag: Histogram;
  private readonly collectErrors: Counter<'source'>;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.created = new Counter({ name: 'callback_engine_callbacks_created_total', help: 'Callbacks created, by queue and type (idempotent replays not counted)', labelNames: ['queue', 'type'], registers });
    this.refused = new Counter({ name: 'callback_engine_create_refusals_total', help: 'Create requests refused with an outcome, by queue and outcome (idempotent replays not counted)', labelNames: ['queue', 'outcome'], registers });
    this.completed = new Counter({ name: 'callback_engine_callbacks_completed_total', help: 'Callbacks completed, by queue and completion reason', labelNames: ['queue', 'reason'], registers });
    this.deliveryAttempts = new Counter({ name: 'callback_engine_delivery_attempts_total', help: 'Attempts to deliver a callback to Genesys, by queue', labelNames: ['queue'], registers });
    this.deliveryFailures = new Counter({
      name: 'callback_engine_delivery_failures_total',
      help: 'Failed delivery attempts, by queue and kind (retry: tried again later; outcome-unknown: checked with Genesys before sending again; give-up: the delivery failed for good)',
      labelNames: ['queue', 'kind'],
      registers,
    });
    this.agingLag = new Histogram({
      name: 'callback_engine_aging_step_lag_seconds',
      help: 'How late a priority-aging check ran after its due time',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.collectErrors = new Counter({ name: 'callback_engine_metrics_collect_errors_total', help: 'Scrapes whose database figures could not be read (the last values read are served)', labelNames: ['source'], registers });
  }

  /** A create request's decision, once its transaction has committed; a replayed answer is not a new decision. */
  createDecided(queue: string, type: CallbackRow['type'], answer: { outcome: CreateOutcome; created: boolean; replayed: boolean }): void {
    if (answer.replayed) return;
    if (answer.created) this.created.inc({ queue, type });
    else this.refused.inc({ queue, outcome: answer.outcome });
  }

  /** A callback completed (counted after its transaction commits: see callbacks/lifecycle.ts). */
  callbackCompleted(queue: string, reason: CompletionReason): void {
    this.completed.inc({ queue, reason });
  }

  deliveryAttempted(queue: string): void {
    this.deliveryAttempts.inc({ queue });
  }

  deliveryFailed(queue: string, kind: FailureClass): void {
    this.deliveryFailures.inc({ queue, kind });
  }

  /** An aging check that was due at `due` ran at `now`. */
  agingCheckRan(due: Date, now: Date): void {
    this.agingLag.observe(Math.max(0, (now.getTime() - due.getTime()) / 1000));
  }

  /**
   * The scrape-time figures read from the database: pending callbacks by queue and state, job queue
   * depth and the oldest runnable job's age, time since the reconciler last finished a run. Each
   * read is cached `cacheMs`, so frequent scrapes (or several Prometheus servers) cost one grouped
   * query per figure per period; a failed read keeps the last values and counts an error.
   */
  collectFromDatabase(db: Kysely<DB>, clock: Clock, cacheMs: number): void {
    const registers = [this.registry];
    const pending = cached(clock, cacheMs, () => readPendingCounts(db));
    const jobFigures = cached(clock, cacheMs, () => readJobFigures(db));
    const lastReconcile = cached(clock, cacheMs, () => readLastReconcile(db));
    const errors = this.collectErrors;
    const read = async <T>(source: string, load: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await load();
      } catch {
        errors.inc({ source });
        return undefined;
      }
    };
    new Gauge({
      name: 'callback_engine_callbacks_pending',
      help: 'Callbacks not yet completed, by queue and state',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        const rows = await read('pending', pending);
        if (!rows) return;
        this.reset();
        for (const r of rows) this.set({ queue: r.queue, state: r.state }, r.count);
      },
    });
    new Gauge({
      name: 'callback_engine_jobs',
      help: `Jobs in the queue by job name and state (${JOB_DEPTH_STATES.join(', ')})`,
      labelNames: ['task', 'state'],
      registers,
      async collect() {
        const figures = await read('jobs', jobFigures);
        if (!figures) return;
        this.reset();
        for (const r of figures.depth) this.set({ task: r.task, state: r.state }, r.count);
      },
    });
    new Gauge({
      name: 'callback_engine_job_oldest_runnable_age_seconds',
      help: 'How long the oldest job that may run now has been due (0: none waiting)',
      registers,
      async collect() {
        const figures = await read('jobs', jobFigures);
        if (!figures) return;
        this.set(figures.oldestRunnableSeconds);
      },
    });
    new Gauge({
      name: 'callback_engine_reconcile_lag_seconds',
      help: 'Seconds since the reconciler last finished a run, by any process (NaN before its first run)',
      registers,
      async collect() {
        const last = await read('reconcile', lastReconcile);
        if (last === undefined) return;
        this.set(last ? Math.max(0, (clock.now().getTime() - last.getTime()) / 1000) : Number.NaN);
      },
    });
  }
}

export function createBusinessMetrics(): BusinessMetrics {
  return new BusinessMetrics();
}

/** `load`, called at most once per `ttlMs` (concurrent callers share one call). */
function cached<T>(clock: Clock, ttlMs: number, load: () => Promise<T>): () => Promise<T> {
  let at = -Infinity;
  let value: Promise<T> | undefined;
  return () => {
    const now = clock.now().getTime();
    if (value === undefined || now - at >= ttlMs || now < at) {
      at = now;
      value = load();
      // A failed read is not kept: the next scrape tries again.
      value.catch(() => {
        value = undefined;
      });
    }
    return value;
  };
}
