import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger as WorkerLogger, makeWorkerUtils, run, type Runner, type TaskList, type WorkerUtils } from 'graphile-worker';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { DB } from '../db/types.js';

export interface JobRunnerOptions {
  pool: pg.Pool;
  db: Kysely<DB>;
  tasks: TaskList;
  concurrency: number;
  logger: Logger;
  /** Poll for future jobs this often (ms); new jobs arrive at once through LISTEN/NOTIFY. */
  pollInterval?: number;
  /** A worker whose heartbeat is older than this is dead: its locked jobs are released. */
  deadAfterSeconds?: number;
  heartbeatMs?: number;
  crontab?: string;
}

export interface JobRunner {
  /** Ids of this process's workers (graphile-worker's). */
  workerIds(): string[];
  healthy(): boolean;
  stop(): Promise<void>;
}

/** Waits between attempts to start the workers again while the database is still away. */
const RESTART_BACKOFF_MS = { first: 500, max: 5_000 };

/**
 * graphile-worker inside this process, plus crash recovery: a job whose worker process died stays
 * locked for hours in graphile-worker. Every worker here writes a heartbeat; every runner unlocks the
 * jobs of workers whose heartbeat stopped (a process killed with SIGKILL), so they run again soon.
 *
 * A graphile-worker worker that cannot record a job's result (the database went away mid-job) exits
 * for good and is not replaced. Then the runner starts a fresh set of workers, once the database
 * answers again, after releasing the jobs the exited ones held; their heartbeats are left to go
 * stale, so a job locked for them by a statement still in flight is released later too.
 */
export async function startJobRunner(opts: JobRunnerOptions): Promise<JobRunner> {
  const log = opts.logger.child({ component: 'jobs' });
  const deadAfter = opts.deadAfterSeconds ?? 30;
  const heartbeatMs = opts.heartbeatMs ?? 5_000;
  /** Live workers (they beat); every worker this process ever ran; stopped ones whose jobs and heartbeats go before new workers start. */
  const ids = new Set<string>();
  const created = new Set<string>();
  const retired = new Set<string>();
  let stopping = false;
  const events = new EventEmitter() as NonNullable<Parameters<typeof run>[0]['events']>;
  events.on('worker:create', ({ worker }) => {
    ids.add(worker.workerId);
    created.add(worker.workerId);
  });
  events.on('worker:stop', ({ worker, error }) => {
    if (stopping) return;
    ids.delete(worker.workerId);
    retired.add(worker.workerId);
    if (error !== undefined) restart();
  });
  // A job request whose answer was lost (connection dropped, client timeout) may still have locked a job
  // for this worker, which would then never run it: new workers take over, and the old ids stop beating,
  // so the reclaim below releases whatever they hold once the database has settled.
  events.on('worker:getJob:error', () => {
    if (!stopping) restart();
  });
  events.on('job:error', ({ job, error }) =>
    log.warn({ task: job.task_identifier, jobId: job.id, attempt: job.attempts, err: (error as Error)?.message }, 'job failed; will retry'),
  );
  events.on('job:failed', ({ job, error }) => log.error({ task: job.task_identifier, jobId: job.id, err: (error as Error)?.message }, 'job failed permanently'));

  const utils: WorkerUtils = await makeWorkerUtils({ pgPool: opts.pool, logger: new WorkerLogger(() => () => undefined) });
  const beat = async () => {
    if (ids.size === 0) return;
    // Wall time, not an app clock: other processes compare these heartbeats with their own wall time.
    const now = new Date();
    await opts.db
      .insertInto('worker_heartbeats')
      .values([...ids].map((worker_id) => ({ worker_id, last_seen: now })))
      .onConflict((oc) => oc.column('worker_id').doUpdateSet({ last_seen: now }))
      .execute();
  };
  const reclaim = async () => {
    const cutoff = new Date(Date.now() - deadAfter * 1000);
    const dead = await opts.db.selectFrom('worker_heartbeats').select('worker_id').where('last_seen', '<', cutoff).execute();
    const deadIds = dead.map((d) => d.worker_id).filter((id) => !ids.has(id));
    if (deadIds.length === 0) return;
    await utils.forceUnlockWorkers(deadIds);
    await opts.db.deleteFrom('worker_heartbeats').where('worker_id', 'in', deadIds).execute();
    log.warn({ workers: deadIds }, 'released the jobs of workers that stopped without shutting down');
  };

  const start = () => run({
    pgPool: opts.pool,
    taskList: opts.tasks,
    concurrency: opts.concurrency,
    pollInterval: opts.pollInterval ?? 1_000,
    noHandleSignals: true,
    events,
    ...(opts.crontab !== undefined && { crontab: opts.crontab }),
    // graphile-worker's own messages go to our log, at debug below warnings.
    logger: new WorkerLogger(() => (level, message, meta) => {
      const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug';
      log[method]({ ...meta }, message);
    }),
  });
  let alive = false;
  let restarting: Promise<void> | undefined;
  let runner: Runner | undefined;
  const watch = (r: Runner) => {
    alive = true;
    void r.promise.catch((err: unknown) => {
      if (r !== runner) return;
      alive = false;
      log.error({ err: (err as Error)?.message }, 'job runner stopped');
      // Its cron or worker pool gave up on a database error: run again once the database answers.
      if (!stopping) restart();
    });
  };
  function restart(): void {
    alive = false;
    restarting ??= (async () => {
      await runner?.stop().catch(() => undefined); // the remaining workers finish their jobs
      for (let attempt = 0; !stopping; attempt++) {
        try {
          if (retired.size > 0) {
            const gone = [...retired];
            await utils.forceUnlockWorkers(gone);
            for (const id of gone) retired.delete(id);
          }
          // A runner started against a database that does not answer fails at once in its cron.
          await opts.db.selectNoFrom((eb) => eb.val(1).as('ok')).execute();
          runner = await start();
          watch(runner);
          log.warn('job workers started again after database errors');
          return;
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'job workers cannot start yet; retrying');
          await sleep(Math.min(RESTART_BACKOFF_MS.max, RESTART_BACKOFF_MS.first * 2 ** attempt));
        }
      }
    })().finally(() => {
      restarting = undefined;
    });
  }
  runner = await start();
  watch(runner);

  let ticking = Promise.resolve();
  const timer = setInterval(() => {
    ticking = ticking.then(beat).then(reclaim).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'heartbeat failed'));
  }, heartbeatMs);
  timer.unref();
  await beat();
  await reclaim();

  return {
    workerIds: () => [...ids],
    healthy: () => alive,
    async stop() {
      stopping = true;
      clearInterval(timer);
      await ticking;
      await restarting;
      await runner?.stop();
      alive = false;
      await opts.db.deleteFrom('worker_heartbeats').where('worker_id', 'in', [...created, '']).execute().catch(() => undefined);
      await utils.release();
    },
  };
}
