import type { Transaction } from 'kysely';
import { recordHistory, transition, type Mover } from '../callbacks/lifecycle.js';
import { lockCallback } from '../callbacks/queries.js';
import type { CallbackRow, DB } from '../db/types.js';
import { enqueue, jobKeys, jobs, removeJob } from '../jobs/catalog.js';
import type { JobContext } from '../jobs/context.js';
import type { NotifyContext } from '../notifications/channels.js';
import type { Budget } from '../reconcile/budget.js';
import { isoUtc } from '../time.js';
import { findCallInGroup } from './group-queries.js';
import { allocate } from './allocate.js';

/**
 * Delayed call-in. A queue with a `callInGroupId` never dials its callbacks: they wait here, and when
 * one's turn comes the customer is handed a number and code of the group (CALLBACK_READY, by push or
 * SMS) and has the queue's `callInExpiryMinutes` to call. The call's match completes the callback
 * (HANDLED: the call goes to the queue with the callback's priority and data); a READY callback not
 * called in time completes EXPIRED (CALLBACK_PURGED).
 *
 * A callback's turn: a scheduled one's at its scheduled time (the `call-in` job); an immediate one's
 * when it is the oldest waiting of its queue, no other customer of the queue is between READY and
 * their call, and Genesys' estimated wait for calls in the queue is below the queue's upcomingMinutes
 * (no threshold: at once) — one customer at a time, so a queue is never sent more callers than it
 * expects to answer. The reconciler's `call-in` pass checks immediate callbacks every run.
 */

/** What the outbox adds to the READY notification: where to call, until when, and the code (sealed). */
export interface ReadyNotice extends Record<string, unknown> {
  toPhoneNumber: string;
  expiresAt: string;
  /** The access code encrypted with the deployment's secrets key ("" when the group uses none). */
  accessCodeSealed: string;
}

/** Waiting callbacks (nothing handed out yet) of call-in queues, not yet called in. */
const WAITING: CallbackRow['state'][] = ['SCHEDULED', 'QUEUED'];

/** A call-in queue's callbacks are never sent to Genesys: their delivery is NOT_REQUIRED from the start. */
export function armCallIn(trx: Transaction<DB>, callback: Pick<CallbackRow, 'id' | 'scheduled_time'>): Promise<void> {
  return callback.scheduled_time ? enqueue(trx, jobs.callIn(callback.id, callback.scheduled_time)) : Promise.resolve();
}

/**
 * Hands the callback its number and code, once, under its row lock: only a waiting callback of a
 * call-in queue without one. False when it is not its turn after all, or the group has no number free
 * (unique DNIS, all held): it is asked again later.
 */
export async function makeReady(ctx: NotifyContext, callbackId: string): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const cb = await lockCallback(trx, callbackId);
    if (!cb || !WAITING.includes(cb.state) || cb.call_in_request_id !== null) return false;
    const queue = await trx.selectFrom('queues').select(['call_in_group_id', 'call_in_expiry_minutes']).where('id', '=', cb.queue_id).executeTakeFirstOrThrow();
    if (!queue.call_in_group_id) return false;
    const group = await findCallInGroup(trx, queue.call_in_group_id);
    if (!group) return false;
    const now = ctx.clock.now();
    const handed = await allocate(trx, ctx.notifications.codes, group, {
      phone: cb.phone_e164,
      callback: cb,
      userData: {},
      expirySeconds: queue.call_in_expiry_minutes * 60,
      createdBy: ctx.caller.id,
      now,
    });
    if (!handed.ok) {
      ctx.logger.info({ callbackId, reason: handed.message }, 'delayed call-in: no number free, asked again later');
      return false;
    }
    await trx.updateTable('callbacks').set({ call_in_request_id: handed.requestId, updated_at: now }).where('id', '=', cb.id).execute();
    const entry = { event: 'call-in-ready' as const, detail: { requestId: handed.requestId, toPhoneNumber: handed.dnis, expiresAt: isoUtc(handed.expiresAt) }, notice: readyNotice(ctx, handed) };
    // A scheduled callback whose time has come is now waiting like an immediate one.
    if (cb.state === 'SCHEDULED') await transition(trx, cb, 'QUEUED', ctx, now, entry);
    else await recordHistory(trx, cb.id, ctx.caller, entry);
    await enqueue(trx, jobs.callIn(cb.id, handed.expiresAt));
    return true;
  });
}

function readyNotice(ctx: NotifyContext, handed: { dnis: string; code: string; expiresAt: Date }): ReadyNotice {
  return { toPhoneNumber: handed.dnis, expiresAt: isoUtc(handed.expiresAt), accessCodeSealed: handed.code ? ctx.notifications.secrets.encrypt(handed.code) : '' };
}

/**
 * The `call-in` job: a scheduled callback's turn (READY; a group with no number free is tried again a
 * minute later), or the end of a READY callback's time to call (EXPIRED when the customer has not).
 */
export async function callInTurn(ctx: NotifyContext, payload: { callbackId: string }): Promise<void> {
  const cb = await ctx.db.selectFrom('callbacks').select(['id', 'state', 'scheduled_time', 'call_in_request_id']).where('id', '=', payload.callbackId).executeTakeFirst();
  if (!cb || cb.state === 'COMPLETED') return;
  const now = ctx.clock.now();
  if (cb.call_in_request_id === null) {
    if (cb.scheduled_time && cb.scheduled_time.getTime() > now.getTime()) return void (await enqueue(ctx.db, jobs.callIn(cb.id, cb.scheduled_time)));
    if (!(await makeReady(ctx, cb.id))) await enqueue(ctx.db, jobs.callIn(cb.id, new Date(now.getTime() + 60_000)));
    return;
  }
  await expireCallIn(ctx, cb.id);
}

/** A READY callback whose request is past its expiry and never matched: the request and the callback expire. */
async function expireCallIn(ctx: JobContext, callbackId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const cb = await lockCallback(trx, callbackId);
    if (!cb || cb.state === 'COMPLETED' || !cb.call_in_request_id) return;
    const request = await trx.selectFrom('call_in_requests').select(['id', 'state', 'expires_at']).where('id', '=', cb.call_in_request_id).forUpdate().executeTakeFirst();
    const now = ctx.clock.now();
    if (!request || request.state === 'MATCHED') return;
    if (request.state === 'PENDING' && request.expires_at.getTime() > now.getTime()) return void (await enqueue(trx, jobs.callIn(cb.id, request.expires_at)));
    await trx.updateTable('call_in_requests').set({ state: 'EXPIRED' }).where('id', '=', request.id).where('state', '=', 'PENDING').execute();
    await transition(trx, cb, 'COMPLETED', ctx, now, { event: 'call-in-expired', reason: 'EXPIRED', detail: { requestId: request.id, expiresAt: isoUtc(request.expires_at) } });
  });
}

/**
 * A call matched a READY callback's request (in the match's transaction): the callback is done. Its
 * pending `call-in` job goes.
 */
export async function calledIn(trx: Transaction<DB>, by: Mover, callbackId: string, requestId: string, now: Date): Promise<void> {
  const cb = await lockCallback(trx, callbackId);
  if (!cb || cb.state === 'COMPLETED' || cb.call_in_request_id !== requestId) return;
  await transition(trx, cb, 'COMPLETED', by, now, { event: 'called-in', reason: 'HANDLED', detail: { requestId } });
  await removeJob(trx, jobKeys.callIn(cb.id));
}

/**
 * The reconciler's `call-in` pass: per call-in queue with immediate callbacks waiting and nobody
 * between READY and their call, one request for Genesys' estimated wait for calls (none without a
 * threshold); below the threshold, the oldest waiting callback gets READY.
 */
export async function callInPass(ctx: JobContext & { notifications?: NotifyContext['notifications'] | undefined }, budget: Budget): Promise<{ checked: number; moved: number; requests: number }> {
  const result = { checked: 0, moved: 0, requests: 0 };
  const notifications = ctx.notifications;
  if (!notifications) return result;
  const now = ctx.clock.now();
  const queues = await ctx.db
    .selectFrom('queues as q')
    .select(['q.id', 'q.genesys_queue_id', 'q.upcoming_minutes'])
    .where('q.call_in_group_id', 'is not', null)
    .where((eb) =>
      eb.exists(
        eb.selectFrom('callbacks as c').select('c.id').whereRef('c.queue_id', '=', 'q.id').where('c.type', '=', 'immediate').where('c.state', '=', 'QUEUED').where('c.call_in_request_id', 'is', null),
      ),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('callbacks as c')
            .innerJoin('call_in_requests as r', 'r.id', 'c.call_in_request_id')
            .select('c.id')
            .whereRef('c.queue_id', '=', 'q.id')
            .where('c.state', '<>', 'COMPLETED')
            .where('r.state', '=', 'PENDING')
            .where('r.expires_at', '>', now),
        ),
      ),
    )
    .orderBy('q.id')
    .execute();
  for (const q of queues) {
    result.checked++;
    if (q.upcoming_minutes !== null) {
      if (!q.genesys_queue_id || !budget.take()) continue;
      result.requests++;
      const seconds = await ctx.gateway.estimatedWaitTime(q.genesys_queue_id, 'call');
      if (seconds === null || seconds >= q.upcoming_minutes * 60) continue;
    }
    const next = await ctx.db
      .selectFrom('callbacks')
      .select('id')
      .where('queue_id', '=', q.id)
      .where('type', '=', 'immediate')
      .where('state', '=', 'QUEUED')
      .where('call_in_request_id', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    if (next && (await makeReady({ ...ctx, notifications }, next.id))) result.moved++;
  }
  return result;
}
