import type { Kysely, SelectQueryBuilder } from 'kysely';
import { mayUseQueue } from '../auth/access.js';
import type { Context } from '../context.js';
import type { CallbackRow, DB } from '../db/types.js';
import { errors } from '../errors.js';
import { checkTimeRange, isoUtc, isoUtcOrNull, parseTimeFilter } from '../time.js';
import { resolveQueue } from '../queues/resolve.js';
import { createCallback } from './create.js';
import type { BulkCancelBody, DeskFilter } from './desk-schemas.js';
import { recordHistory } from './lifecycle.js';
import { CALLBACK_COLUMNS, findCallback, lockCallback } from './queries.js';
import { cancelLocked, cancelOutcomeOf, type CancelOutcome } from './service.js';

/** The operator's callback desk: search, inspect, cancel (one or many), recreate. */

const MAX_BULK = 10_000;
type Row = CallbackRow & { queue_name: string; genesys_queue_id: string | null };

function toView(r: Row) {
  return {
    id: r.id,
    queueId: r.queue_id,
    queueName: r.queue_name,
    type: r.type,
    state: r.state,
    completionReason: r.completion_reason,
    phoneE164: r.phone_e164,
    customerName: r.customer_name,
    desiredTime: isoUtcOrNull(r.desired_time),
    scheduledTime: isoUtcOrNull(r.scheduled_time),
    priority: r.priority,
    ivrConversationId: r.ivr_conversation_id,
    genesysConversationId: r.genesys_conversation_id,
    deliveryStatus: r.delivery_status,
    deliveryAttempts: r.delivery_attempts,
    deliveryError: r.delivery_error,
    userData: r.user_data,
    idempotencyKey: r.idempotency_key,
    createdBy: r.created_by,
    createdAt: isoUtc(r.created_at),
    updatedAt: isoUtc(r.updated_at),
    completedAt: isoUtcOrNull(r.completed_at),
  };
}

function base(db: Kysely<DB>) {
  return db
    .selectFrom('callbacks')
    .innerJoin('queues', 'queues.id', 'callbacks.queue_id')
    .select(CALLBACK_COLUMNS.map((c) => `callbacks.${c}` as const))
    .select(['queues.name as queue_name', 'queues.genesys_queue_id']);
}

type Query = ReturnType<typeof base> extends SelectQueryBuilder<infer D, infer T, infer O> ? SelectQueryBuilder<D, T, O> : never;

/** The queues a client may see, as a where-clause; null = all. */
async function allowedQueueIds(ctx: Context): Promise<string[] | null> {
  if (ctx.caller.queues === null) return null;
  const queues = await ctx.db.selectFrom('queues').select(['id', 'name', 'genesys_queue_id']).execute();
  return queues.filter((q) => mayUseQueue(ctx.caller, q)).map((q) => q.id);
}

/**
 * The filter's queue, named as a data action names it (by name, or by id): an unknown queue is a 404
 * rather than an empty page a supervisor would read as "no callbacks", and one outside the client's
 * allow-list a 403.
 */
async function filterQueueIds(ctx: Context, f: DeskFilter): Promise<string[]> {
  const refs = [...(f.queue !== undefined ? [{ queue: f.queue }] : []), ...(f.queueId !== undefined ? [{ queueId: f.queueId }] : [])];
  return Promise.all(refs.map(async (ref) => (await resolveQueue(ctx, ref)).queue.id));
}

/** `allowed`: the caller's queues (allowedQueueIds), which callers that check each row again already hold. */
async function filtered(ctx: Context, f: DeskFilter, allowed: string[] | null): Promise<Query> {
  let q = base(ctx.db) as Query;
  if (allowed) q = allowed.length === 0 ? q.where('callbacks.id', 'is', null) : q.where('callbacks.queue_id', 'in', allowed);
  if (f.state) q = q.where('callbacks.state', '=', f.state);
  for (const id of await filterQueueIds(ctx, f)) q = q.where('callbacks.queue_id', '=', id);
  if (f.deliveryStatus) q = q.where('callbacks.delivery_status', '=', f.deliveryStatus);
  if (f.phone) q = q.where('callbacks.phone_e164', '=', `+${f.phone.replace(/\D/g, '')}`);
  if (f.from) {
    const from = parseTimeFilter(f.from, 'from');
    q = q.where((eb) => eb(eb.fn.coalesce('callbacks.scheduled_time', 'callbacks.created_at'), '>=', from));
  }
  if (f.to) {
    const to = parseTimeFilter(f.to, 'to');
    q = q.where((eb) => eb(eb.fn.coalesce('callbacks.scheduled_time', 'callbacks.created_at'), '<', to));
  }
  return q;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Only what `nextCursor` gives out: anything else would reach PostgreSQL as a bad uuid or timestamp. */
function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const { at, id } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { at: unknown; id: unknown };
    if (typeof at !== 'string' || typeof id !== 'string' || !UUID.test(id)) throw new Error('not ours');
    return { at: checkTimeRange(new Date(at), 'cursor'), id };
  } catch {
    throw errors.validation('cursor', 'cursor is not valid');
  }
}

export async function listCallbacks(ctx: Context, query: DeskFilter & { limit: number; cursor?: string | undefined }) {
  let q = await filtered(ctx, query, await allowedQueueIds(ctx));
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    q = q.where((eb) => eb.or([eb('callbacks.created_at', '<', c.at), eb.and([eb('callbacks.created_at', '=', c.at), eb('callbacks.id', '<', c.id)])]));
  }
  const rows = (await q.orderBy('callbacks.created_at', 'desc').orderBy('callbacks.id', 'desc').limit(query.limit + 1).execute()) as Row[];
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toView),
    nextCursor: rows.length > query.limit && last ? Buffer.from(JSON.stringify({ at: last.created_at.toISOString(), id: last.id })).toString('base64url') : null,
  };
}

async function visible(ctx: Context, id: string): Promise<Row> {
  const row = (await base(ctx.db).where('callbacks.id', '=', id).executeTakeFirst()) as Row | undefined;
  if (!row) throw errors.notFound('Callback', id);
  if (!mayUseQueue(ctx.caller, { id: row.queue_id, name: row.queue_name, genesys_queue_id: row.genesys_queue_id })) {
    throw errors.forbidden(`This client may not use queue "${row.queue_name}"`);
  }
  return row;
}

export async function getCallback(ctx: Context, id: string) {
  const row = await visible(ctx, id);
  const history = await ctx.db.selectFrom('callback_history').selectAll().where('callback_id', '=', id).orderBy('id').execute();
  return {
    ...toView(row),
    history: history.map((h) => ({ at: isoUtc(h.at), actor: h.actor, actorName: h.actor_name, event: h.event, fromState: h.from_state, toState: h.to_state, reason: h.reason, detail: h.detail ?? null })),
  };
}

/**
 * The filter of a bulk cancel must show intent: a queue or a time range, or `all: true` for
 * everything the rest of the filter matches. An empty filter would otherwise cancel every pending
 * callback in every queue.
 */
function bulkFilter(body: BulkCancelBody): DeskFilter | undefined {
  if (body.ids !== undefined) {
    if (body.filter !== undefined) throw errors.validation('ids', 'send either ids or filter, not both');
    if (body.all !== undefined) throw errors.validation('all', 'all applies to a filter, not to ids');
    return undefined;
  }
  const filter = body.filter ?? (body.all === true ? {} : undefined);
  if (filter === undefined) throw errors.validation('filter', 'send ids, or a filter naming a queue or a time range (or "all": true)');
  const scoped = filter.queue !== undefined || filter.queueId !== undefined || filter.from !== undefined || filter.to !== undefined;
  if (!scoped && body.all !== true) {
    throw errors.validation('filter', 'the filter must name a queue (queue or queueId) or a time range (from, to); to cancel in every queue at any time, send "all": true');
  }
  return filter;
}

/**
 * Cancels each callback in its own transaction, skipping PROCESSING ones, and reports what happened.
 * A dry run reads the same callbacks and answers the report a real run would give, changing nothing.
 */
export async function bulkCancel(ctx: Context, body: BulkCancelBody) {
  const { db } = ctx;
  const filter = bulkFilter(body);
  const dryRun = body.dryRun === true;
  const allowed = await allowedQueueIds(ctx);
  const ids = body.ids ?? (await (await filtered(ctx, filter!, allowed)).where('callbacks.state', '<>', 'COMPLETED').orderBy('callbacks.created_at').limit(MAX_BULK).execute()).map((r) => r.id);
  const report = { dryRun, matched: ids.length, cancelled: 0, cancelledIds: [] as string[], skipped: [] as { callbackId: string; reason: CancelOutcome | 'FORBIDDEN' }[] };
  const decide = (cb: CallbackRow | undefined, act: (cb: CallbackRow) => CancelOutcome | Promise<CancelOutcome>) => {
    if (!cb) return 'NOT_FOUND' as const;
    if (allowed && !allowed.includes(cb.queue_id)) return 'FORBIDDEN' as const;
    return act(cb);
  };
  for (const id of [...new Set(ids)]) {
    const outcome = dryRun
      ? await decide(await findCallback(db, id), cancelOutcomeOf)
      : await db.transaction().execute(async (trx) => decide(await lockCallback(trx, id), (cb) => cancelLocked(trx, cb, ctx.caller, 'CANCELLED_BY_ADMIN')));
    if (outcome === 'CANCELLED') {
      report.cancelled++;
      report.cancelledIds.push(id);
    } else report.skipped.push({ callbackId: id, reason: outcome });
  }
  return report;
}

/** A completed callback again, as a new callback through the same checks as a flow's create. */
export async function recreate(ctx: Context, id: string, body: { desiredTime?: string | undefined; timezone?: string | undefined }) {
  const old = await visible(ctx, id);
  if (old.state !== 'COMPLETED') throw errors.conflict(`Only a completed callback can be recreated; this one is ${old.state}`);
  const answer = await createCallback(ctx, {
    queueId: old.queue_id,
    phoneNumber: old.phone_e164,
    ...(old.customer_name !== null && { customerName: old.customer_name }),
    ...(body.desiredTime !== undefined && { desiredTime: body.desiredTime }),
    ...(body.timezone !== undefined && { timezone: body.timezone }),
    priority: old.priority,
    userData: JSON.stringify(old.user_data),
  });
  if (answer.created) {
    await ctx.db.transaction().execute((trx) => recordHistory(trx, id, ctx.caller, { event: 'recreated', detail: { newCallbackId: answer.callbackId } }));
  }
  return answer;
}
