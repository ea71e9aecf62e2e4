import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/types.js';

export interface JobOptions {
  runAt?: Date | undefined;
  /** One pending job per key; a new add replaces the pending one's payload and run time. */
  jobKey?: string | undefined;
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe' | undefined;
  maxAttempts?: number | undefined;
  priority?: number | undefined;
}

/**
 * Enqueues a job with graphile_worker.add_job, in the caller's transaction: the write that causes a
 * job and the job itself commit (or roll back) together — a transactional outbox.
 */
export async function addJob(trx: Transaction<DB> | Kysely<DB>, task: string, payload: Record<string, unknown>, opts: JobOptions = {}): Promise<void> {
  await sql`select graphile_worker.add_job(
    ${task},
    ${JSON.stringify(payload)}::json,
    run_at => ${opts.runAt ?? null}::timestamptz,
    job_key => ${opts.jobKey ?? null}::text,
    job_key_mode => ${opts.jobKeyMode ?? 'replace'}::text,
    max_attempts => ${opts.maxAttempts ?? 25}::int,
    priority => ${opts.priority ?? 0}::int
  )`.execute(trx);
}

/** Removes pending jobs by key (a timer that is no longer wanted). Running jobs finish. */
export async function removeJob(trx: Transaction<DB> | Kysely<DB>, jobKey: string): Promise<void> {
  await sql`select graphile_worker.remove_job(${jobKey})`.execute(trx);
}
