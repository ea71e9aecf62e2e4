import { Type } from 'typebox';
import { assertQueueAccess, isRestricted, mayUseQueue, type QueueIdentity } from '../auth/access.js';
import type { Context } from '../context.js';
import { errors } from '../errors.js';
import { findQueueWithConfig, listQueueIdentities, type QueueWithConfig } from './queries.js';

/** How a data action names its queue: by name or by id (ours or the Genesys queue id). */
export const QueueInput = {
  queue: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Queue name (or use queueId)' })),
  queueId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Queue id, or its Genesys queue id' })),
};

/** The queue a data action names, with its configuration; 400 if unnamed, 404 if unknown, 403 if not allowed. */
export async function resolveQueue(ctx: Pick<Context, 'db' | 'caller'>, input: { queue?: string | undefined; queueId?: string | undefined }): Promise<QueueWithConfig> {
  if (input.queue === undefined && input.queueId === undefined) throw errors.validation('queue', 'queue (name) or queueId is required');
  const config = await findQueueWithConfig(ctx.db, input);
  if (!config) throw errors.notFound('Queue', input.queueId ?? input.queue);
  assertQueueAccess(ctx.caller, config.queue);
  return config;
}

/**
 * The queues the caller may use, for filtering lists and searches; null = every queue (an
 * unrestricted caller). Every "which queues may this caller see" question is answered here.
 */
export async function allowedQueues(ctx: Pick<Context, 'db' | 'caller'>): Promise<QueueIdentity[] | null> {
  if (!isRestricted(ctx.caller)) return null;
  return (await listQueueIdentities(ctx.db)).filter((q) => mayUseQueue(ctx.caller, q));
}

/** The ids of `allowedQueues`. */
export async function allowedQueueIds(ctx: Pick<Context, 'db' | 'caller'>): Promise<string[] | null> {
  return (await allowedQueues(ctx))?.map((q) => q.id) ?? null;
}
