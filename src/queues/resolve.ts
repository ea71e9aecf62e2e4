import { Type } from 'typebox';
import { assertQueueAccess } from '../auth/access.js';
import type { Context } from '../context.js';
import { errors } from '../errors.js';
import { findQueueWithConfig, type QueueWithConfig } from './queries.js';

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
