import { assertQueueAccess } from '../auth/access.js';
import type { Context } from '../context.js';
import type { CallbackRow } from '../db/types.js';
import { errors } from '../errors.js';
import { checkTimeRange, isoUtc, isoUtcOrNull, parseTimeFilter } from '../time.js';
import { allowedQueueIds, resolveQueue } from '../queues/resolve.js';
import { createCallback } from './create.js';
import type { BulkCancelBody, DeskFilter } from './desk-schemas.js';
import { attemptsOf } from './attempt-queries.js';
import { ownedCutOff } from './routing.js';
import { recordHistory } from './lifecycle.js';
import { cancelLocked, cancelOutcomeOf, type CancelOutcome } from './cancel.js';
import {
  type ExactKey,
  findCallback,
  findCallbackWithQueue,
  historyOf,
  lockCallback,
  searchCallbackIds,
  searchCallbacksPage,
  type CallbackSearch,
  type CallbackWithQueue,
} from './queries.js';
import { UUID_RE } from '../ids.js';

/** The operator's callback desk: search, inspect, cancel (one or many), recreate. */

const MAX_BULK = 10_000;
type Row = CallbackWithQueue;

export function toView(r: Row) {
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
    attempt: r.attempt,
    deliveryStatus: r.delivery_status,
    deliveryAttempts: r.delivery_attempts,
    deliveryError: r.delivery_error,
    userData: r.user_data,
    idempotencyKey: r.idempotency_key,
    createdBy: r.created_by,
    createdAt: isoUtc(r.created_at),
    updatedAt: isoUtc(r.updated_at),
    completedAt: isoUtcOrNull(r.completed_at),
    hasDevice: r.device_token !== null,
    routing: {
      skills: r.routing_skills,
      language: r.routing_language,
      preferredAgentIds: r.preferred_agent_ids,
      label: r.routing_label,
      ownerAgentId: r.owner_agent_id,
      ownershipEndsAt: isoUtcOrNull(r.ownership_ends_at),
      callerId: r.caller_id,
      callerIdName: r.caller_id_name,
      scriptId: r.script_id,
    },
  };
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

/** A `phone` filter: the E.164 number its digits spell. */
export function phoneFilter(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits === '') throw errors.validation('phone', 'phone must be a number in E.164 (digits are enough)');
  return `+${digits}`;
}

/**
 * The search a filter asks for. `allowed`: the caller's queues (allowedQueueIds), which callers that
 * check each row again already hold.
 */
async function searchOf(ctx: Context, f: DeskFilter, allowed: string[] | null): Promise<CallbackSearch> {
  return {
    allowedQueueIds: allowed,
    queueIds: await filterQueueIds(ctx, f),
    state: f.state,
    deliveryStatus: f.deliveryStatus,
    ...(f.phone && { phoneE164: phoneFilter(f.phone) }),
    ...(f.from && { from: parseTimeFilter(f.from, 'from') }),
    ...(f.to && { to: parseTimeFilter(f.to, 'to') }),
  };
}

/** A creation time as PostgreSQL prints it (to the microsecond), or as an ISO time (cursors given out before). */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:\d{2})?)$/;

/**
 * Only what `nextCursor` gives out: anything else would reach PostgreSQL as a bad uuid or timestamp.
 * It carries the last row's creation time exactly: a millisecond would skip the rows created in the
 * same millisecond at a page boundary.
 */
export function decodeCursor(cursor: string): ExactKey {
  try {
    const { at, id } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { at: unknown; id: unknown };
    if (typeof at !== 'string' || typeof id !== 'string' || !UUID_RE.test(id) || !CURSOR_TIME.test(at)) throw new Error('not ours');
    checkTimeRange(new Date(at.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00')), 'cursor');
    return { createdKey: at, id };
  } catch {
    throw errors.validation('cursor', 'cursor is not valid');
  }
}

/** The cursor of the page after `last`, or null when there is none. */
export function nextCursor(last: { created_key: string; id: string } | undefined, more: boolean): string | null {
  return more && last ? Buffer.from(JSON.stringify({ at: last.created_key, id: last.id })).toString('base64url') : null;
}

export async function listCallbacks(ctx: Context, query: DeskFilter & { limit: number; cursor?: string | undefined }) {
  const search = await searchOf(ctx, query, await allowedQueueIds(ctx));
  const rows = await searchCallbacksPage(ctx.db, search, query.limit + 1, query.cursor ? decodeCursor(query.cursor) : undefined);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toView),
    nextCursor: nextCursor(last, rows.length > query.limit),
  };
}

export async function visibleCallback(ctx: Context, id: string): Promise<Row> {
  const row = await findCallbackWithQueue(ctx.db, id);
  if (!row) throw errors.notFound('Callback', id);
  assertQueueAccess(ctx.caller, { id: row.queue_id, name: row.queue_name, genesys_queue_id: row.genesys_queue_id });
  return row;
}

export async function getCallback(ctx: Context, id: string) {
  const row = await visibleCallback(ctx, id);
  const [history, attempts] = await Promise.all([historyOf(ctx.db, id), attemptsOf(ctx.db, id)]);
  return {
    ...toView(row),
    history: history.map((h) => ({ at: isoUtc(h.at), actor: h.actor, actorName: h.actor_name, actorKind: h.actor_kind, event: h.event, fromState: h.from_state, toState: h.to_state, reason: h.reason, detail: h.detail ?? null })),
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      conversationId: a.conversation_id,
      startedAt: isoUtc(new Date(a.started_at)),
      endedAt: isoUtc(new Date(a.ended_at)),
      wrapUpCode: a.wrap_up_code,
      outcome: a.outcome,
      source: a.source,
      retryAt: isoUtcOrNull(a.retry_at),
    })),
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
  const ids = body.ids ?? (await searchCallbackIds(db, { ...(await searchOf(ctx, filter!, allowed)), pendingOnly: true }, MAX_BULK));
  const report = { dryRun, matched: ids.length, cancelled: 0, cancelledIds: [] as string[], skipped: [] as { callbackId: string; reason: CancelOutcome | 'FORBIDDEN' }[] };
  const decide = (cb: CallbackRow | undefined, act: (cb: CallbackRow) => CancelOutcome | Promise<CancelOutcome>) => {
    if (!cb) return 'NOT_FOUND' as const;
    if (allowed && !allowed.includes(cb.queue_id)) return 'FORBIDDEN' as const;
    if (cb.state !== 'COMPLETED' && ownedCutOff(cb, ctx.clock.now())) return 'NOT_CANCELLABLE' as const;
    return act(cb);
  };
  for (const id of [...new Set(ids)]) {
    const outcome = dryRun
      ? await decide(await findCallback(db, id), cancelOutcomeOf)
      : await db.transaction().execute(async (trx) => decide(await lockCallback(trx, id), (cb) => cancelLocked(trx, cb, ctx, ctx.clock.now(), { reason: 'CANCELLED_BY_ADMIN' })));
    if (outcome === 'CANCELLED') {
      report.cancelled++;
      report.cancelledIds.push(id);
    } else report.skipped.push({ callbackId: id, reason: outcome });
  }
  return report;
}

/** A completed callback again, as a new callback through the same checks as a flow's create. */
export async function recreate(ctx: Context, id: string, body: { desiredTime?: string | undefined; timezone?: string | undefined }) {
  const old = await visibleCallback(ctx, id);
  if (old.state !== 'COMPLETED') throw errors.conflict(`Only a completed callback can be recreated; this one is ${old.state}`);
  const answer = await createCallback(ctx, {
    queueId: old.queue_id,
    phoneNumber: old.phone_e164,
    ...(old.customer_name !== null && { customerName: old.customer_name }),
    ...(body.desiredTime !== undefined && { desiredTime: body.desiredTime }),
    ...(body.timezone !== undefined && { timezone: body.timezone }),
    priority: old.priority,
    userData: JSON.stringify(old.user_data),
    // The same routing (not an owner: ownership is the creating agent's, for its own period).
    ...(old.routing_skills.length > 0 && { skills: old.routing_skills.join(',') }),
    ...(old.routing_language !== null && { language: old.routing_language }),
    ...(old.preferred_agent_ids.length > 0 && { preferredAgentIds: old.preferred_agent_ids.join(',') }),
    ...(old.routing_label !== null && { routingLabel: old.routing_label }),
    ...(old.caller_id !== null && { callerId: old.caller_id }),
    ...(old.caller_id_name !== null && { callerIdName: old.caller_id_name }),
    ...(old.script_id !== null && { scriptId: old.script_id }),
  });
  if (answer.created) {
    await ctx.db.transaction().execute((trx) => recordHistory(trx, id, ctx.caller, { event: 'recreated', detail: { newCallbackId: answer.callbackId } }));
  }
  return answer;
}
