import { isRestricted, mayUseQueue, type QueueIdentity } from '../auth/access.js';
import type { Context } from '../context.js';

/** The queues the caller may use, to filter a listing by; null = every queue (an unrestricted caller). */
export async function allowedQueues(ctx: Context): Promise<QueueIdentity[] | null> {
  if (!isRestricted(ctx.caller)) return null;
  const queues = await ctx.db.selectFrom('queues').select(['id', 'name', 'genesys_queue_id']).execute();
  return queues.filter((q) => mayUseQueue(ctx.caller, q));
}
