import { sql } from 'kysely';
import { sendUpcoming, UPCOMING_WAITING } from '../callbacks/upcoming.js';
import type { JobContext } from '../jobs/context.js';
import type { Budget } from './budget.js';

/** Callbacks claimed from the database at a time (each then costs one request). */
const BATCH = 50;

export interface UpcomingPassResult {
  checked: number;
  moved: number;
  requests: number;
}

interface Due {
  id: string;
  conversationId: string;
  genesysQueueId: string;
  threshold: number;
}

/**
 * The UPCOMING pass: for each waiting immediate callback whose CALLBACK_UPCOMING is still PENDING
 * and which Genesys has (delivered), one request for its own estimated wait; below its queue's
 * threshold, UPCOMING is sent. Oldest waiting first — they are the nearest to an agent — each at most
 * once per run (claimed, so two overlapping runs do not both ask), while the budget lasts. A wait
 * Genesys cannot tell (no estimate, conversation gone) sends nothing. A completed callback is not
 * asked: completing suppresses its UPCOMING.
 */
export async function pollUpcoming(ctx: JobContext, budget: Budget): Promise<UpcomingPassResult> {
  const result: UpcomingPassResult = { checked: 0, moved: 0, requests: 0 };
  while (budget.remaining > 0) {
    const due = await claim(ctx, budget.startedAt, Math.min(BATCH, budget.remaining));
    for (const cb of due) {
      if (!budget.take()) return result;
      result.requests++;
      const seconds = await ctx.gateway.conversationWaitTime(cb.genesysQueueId, cb.conversationId);
      result.checked++;
      if (seconds === null || seconds >= cb.threshold * 60) continue;
      if (await sendUpcoming(ctx.db, ctx.caller, cb.id, { type: 'immediate', estimatedWaitSeconds: seconds, thresholdMinutes: cb.threshold })) result.moved++;
    }
    if (due.length < BATCH) break;
  }
  return result;
}

/** Marks up to `limit` callbacks not yet asked since `runStart` as asked now, and returns them. */
async function claim(ctx: JobContext, runStart: Date, limit: number): Promise<Due[]> {
  const { rows } = await sql<Due>`
    with due as (
      select c.id
        from callbacks c
        join queues q on q.id = c.queue_id
       where c.upcoming_status = 'PENDING'
         and c.type = 'immediate'
         and c.state in (${sql.join(UPCOMING_WAITING)})
         and c.genesys_conversation_id is not null
         and q.upcoming_minutes is not null
         and q.genesys_queue_id is not null
         and (c.upcoming_checked_at is null or c.upcoming_checked_at < ${runStart})
       order by c.delivered_at, c.id
       limit ${limit}
         for update of c skip locked
    )
    update callbacks c
       set upcoming_checked_at = ${ctx.clock.now()}
      from due, queues q
     where c.id = due.id and q.id = c.queue_id
    returning c.id, c.genesys_conversation_id as "conversationId", q.genesys_queue_id as "genesysQueueId", q.upcoming_minutes as threshold`.execute(ctx.db);
  return rows; // every one is asked this run (the claim is within the budget), in whatever order
}
