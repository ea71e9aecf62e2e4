import { EventEmitter } from 'node:events';
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

/**
 * graphile-worker inside this process, plus crash recovery: a job whose worker process died stays
 * locked for hours in graphile-worker. Every worker here writes a heartbeat; every runner unlocks the
 * jobs of workers whose heartbeat stopped (a process killed with SIGKILL), so they run again soon.
 */
export async function startJobRunner(opts: JobRunnerOptions): Promise<JobRunner> {
  const log = opts.logger.child({ component: 'jobs' });
  const deadAfter = opts.deadAfterSeconds ?? 30;
  const heartbeatMs = opts.heartbeatMs ?? 5_000;
  const ids = new Set<string>();
  const events = new EventEmitter() as NonNullable<Parameters<typeof run>[0]['events']>;
  events.on('worker:create', ({ worker }) => ids.add(worker.workerId));
  events.on('job:error', ({ job, error }) =>
    log.warn({ task: job.task_identifier, jobId: job.id, attempt: job.attempts, err: (error as Error)?.message }, 'job failed; will retry'),
  );
  events.on('job:failed', ({ job, error }) => log.error({ task: job.task_identifier, jobId: job.id, err: (error as Error)?.message }, 'job failed permanently'));

  const utils: WorkerUtils = await makeWorkerUtils({ pgPool: opts.pool, logger: new WorkerLogger(() => () => undefined) });
  const beat = async () => {
    if (ids.size === 0) return;
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

  const runner: Runner = await run({
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
  let alive = true;
  void runner.promise.catch((err: unknown) => {
    alive = false;
    log.error({ err }, 'job runner stopped');
  });

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
      clearInterval(timer);
      await ticking;
      await runner.stop();
      alive = false;
      await opts.db.deleteFrom('worker_heartbeats').where('worker_id', 'in', [...ids, '']).execute().catch(() => undefined);
      await utils.release();
    },
  };
}
