import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import type { JobDepthState } from '../vocabulary.js';
import { PENDING_STATES } from '../vocabulary.js';
import { LAST_RECONCILE_KEY } from '../reconcile/last-run.js';

export interface PendingCount {
  queue: string;
  state: string;
  count: number;
}

/**
 * Pending callbacks per queue name and state, 0 included (every queue × every pending state): one
 * grouped statement over the (state, queue_id) index.
 */
export async function readPendingCounts(db: Kysely<DB>): Promise<PendingCount[]> {
  const { rows } = await sql<PendingCount>`
    with counts as (
      select queue_id, state, count(*)::int as n from callbacks where state <> 'COMPLETED' group by queue_id, state
    )
    select q.name as queue, s.state, coalesce(c.n, 0)::int as count
      from queues q
     cross join unnest(${sql.val([...PENDING_STATES])}::text[]) as s(state)
      left join counts c on c.queue_id = q.id and c.state = s.state`.execute(db);
  return rows;
}

export interface JobFigures {
  depth: { task: string; state: JobDepthState; count: number }[];
  /** Seconds the oldest runnable job has been due, by the database's clock (0: none). */
  oldestRunnableSeconds: number;
}

/**
 * graphile-worker's queue through its public view `graphile_worker.jobs`: jobs per name and state,
 * and the run time of the oldest job that could run now. The database's clock decides what is due,
 * as it does for the workers.
 */
export async function readJobFigures(db: Kysely<DB>): Promise<JobFigures> {
  const { rows } = await sql<{ task: string; state: JobDepthState; count: number; waited: number }>`
    select task_identifier as task, state, count(*)::int as count, greatest(0, extract(epoch from now() - min(run_at)))::float8 as waited
      from (
        select task_identifier, run_at,
               case when attempts >= max_attempts then 'failed'
                    when locked_at is not null then 'running'
                    when run_at <= now() then 'runnable'
                    else 'scheduled' end as state
          from graphile_worker.jobs
      ) j
     group by task_identifier, state`.execute(db);
  return {
    depth: rows.map(({ task, state, count }) => ({ task, state, count })),
    oldestRunnableSeconds: Math.max(0, ...rows.filter((r) => r.state === 'runnable').map((r) => r.waited)),
  };
}

/** When the reconciler last finished a run (null: never). */
export async function readLastReconcile(db: Kysely<DB>): Promise<Date | null> {
  const row = await db.selectFrom('settings').select('updated_at').where('key', '=', LAST_RECONCILE_KEY).executeTakeFirst();
  return row?.updated_at ?? null;
}
