import type { JobHelpers } from 'graphile-worker';
import type { Kysely } from 'kysely';
import type { CallbackRow, DB } from '../db/types.js';
import { classifyFailure, describeFailure as describe, isNotFound } from '../genesys/errors.js';
import type { JobContext } from '../jobs/context.js';
import { findQueue } from '../queues/queries.js';
import { isoUtc } from '../time.js';
import type { HistoryEvent } from '../vocabulary.js';
import { releaseSlot } from '../slots/bookings.js';
import { canChangeDelivery, canTransition, deliveryFrom, recordHistory, transition } from './lifecycle.js';
import { ENGINE_ATTEMPT_KEY, ENGINE_ID_KEY } from '../genesys/sdk-mapping.js';
import { previousAttemptEnd } from './attempt-queries.js';
import { findCallback, lockCallback, setDelivery } from './queries.js';
import { routingRequestOf } from './routing.js';
import { cancelLocked } from './cancel.js';

/** Thrown to have graphile-worker try again later (with its backoff). */
export class RetryLater extends Error {}

async function queueOf(db: Kysely<DB>, callback: CallbackRow) {
  const queue = await findQueue(db, callback.queue_id);
  if (!queue) throw new Error(`queue ${callback.queue_id} of callback ${callback.id} is gone`);
  return queue;
}

/**
 * Delivers a new callback to Genesys. The attempt is marked SENDING (committed) before the call, so
 * an attempt whose process died mid-call is recognised on retry and reconciled with Genesys (which
 * has no idempotency key: our id travels in the participant data) instead of creating it twice.
 */
export async function deliverCallback(ctx: JobContext, payload: { callbackId: string; attempt?: string | undefined }, helpers: Pick<JobHelpers, 'job'>): Promise<void> {
  const claim = await ctx.db.transaction().execute(async (trx) => {
    const cb = await lockCallback(trx, payload.callbackId);
    if (!cb || !canChangeDelivery(cb.delivery_status, 'SENDING')) return null;
    // A job of an earlier attempt (run again after its worker died) must not send the next one
    // before its wait: that one has its own job, due at the retry time.
    if (cb.attempt !== Number(payload.attempt ?? 1)) return null;
    if (cb.state === 'COMPLETED' && cb.delivery_status === 'PENDING') {
      await setDelivery(trx, cb.id, { delivery_status: 'NOT_REQUIRED', updated_at: ctx.clock.now() }, deliveryFrom('NOT_REQUIRED'));
      return null;
    }
    const previous = cb.delivery_status;
    await setDelivery(trx, cb.id, { delivery_status: 'SENDING', delivery_attempts: cb.delivery_attempts + 1, updated_at: ctx.clock.now() }, deliveryFrom('SENDING'));
    return { cb, uncertain: previous === 'SENDING' };
  });
  if (!claim) return;
  const { cb } = claim;
  const queue = await queueOf(ctx.db, cb);
  const metrics = ctx.caches.metrics;
  metrics.deliveryAttempted(queue.name);
  if (!queue.genesys_queue_id) {
    await fail(ctx, cb, 'The queue has no genesysQueueId: set it to deliver callbacks');
    return metrics.deliveryFailed(queue.name, 'give-up');
  }

  try {
    const routing = await routingRequestOf(ctx, cb, queue);
    // A retried callback's earlier attempts carry the same id: only a conversation of this attempt,
    // begun after the one before it ended, is this delivery's.
    const since = (cb.attempt > 1 ? await previousAttemptEnd(ctx.db, cb.id, cb.attempt) : undefined) ?? cb.created_at;
    const existing = claim.uncertain ? await ctx.gateway.findCallback(queue.genesys_queue_id, cb.id, since, cb.attempt) : null;
    const created =
      existing ??
      (await ctx.gateway.createCallback({
        queueId: queue.genesys_queue_id,
        callbackNumbers: [cb.phone_e164],
        callbackUserName: cb.customer_name ?? undefined,
        callbackScheduledTime: scheduledTimeOf(cb),
        priority: cb.priority,
        ...routing,
        data: { ...cb.user_data, [ENGINE_ID_KEY]: cb.id, [ENGINE_ATTEMPT_KEY]: String(cb.attempt) },
        countryCode: queue.default_country ?? undefined,
      }));
    await ctx.db.transaction().execute(async (trx) => {
      const now = ctx.clock.now();
      await setDelivery(
        trx,
        cb.id,
        { delivery_status: 'DELIVERED', delivery_error: null, delivered_at: now, genesys_conversation_id: created.conversationId, genesys_callback_id: created.callbackId, updated_at: now },
        deliveryFrom('DELIVERED'),
      );
      await recordHistory(trx, cb.id, ctx.caller, { event: existing ? 'delivery-reconciled' : 'delivered', detail: { conversationId: created.conversationId, attempt: cb.attempt } });
    });
  } catch (err) {
    const failure = classifyFailure(err, helpers.job);
    if (failure === 'give-up') {
      await fail(ctx, cb, describe(err));
      return metrics.deliveryFailed(queue.name, failure);
    }
    // A create whose answer never came (timeout, reset, 502/504) may exist in Genesys: stay SENDING,
    // so the next attempt asks Genesys before sending again.
    const unknown = failure === 'outcome-unknown';
    await setDelivery(ctx.db, cb.id, { delivery_status: unknown ? 'SENDING' : 'PENDING', delivery_error: describe(err), updated_at: ctx.clock.now() }, ['SENDING']);
    metrics.deliveryFailed(queue.name, failure);
    throw new RetryLater(`delivery of ${cb.id} failed, will retry: ${describe(err)}`);
  }
}

/**
 * The time Genesys should call: a scheduled callback's first attempt's. A retry's delivery job runs
 * at its retry time (moved with it), so a retry is created to be called at once.
 */
function scheduledTimeOf(cb: CallbackRow): Date | undefined {
  return cb.attempt === 1 && cb.type === 'scheduled' ? (cb.scheduled_time ?? undefined) : undefined;
}

/**
 * A delivery that will not succeed: FAILED with the error, and the callback ends COMPLETED/FAILED
 * (freeing its number and its slot) unless it has already ended.
 */
async function fail(ctx: JobContext, cb: CallbackRow, reason: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const locked = await lockCallback(trx, cb.id);
    await setDelivery(trx, cb.id, { delivery_status: 'FAILED', delivery_error: reason, updated_at: now }, deliveryFrom('FAILED'));
    if (locked && canTransition(locked.state, 'COMPLETED')) {
      if (locked.slot_start) await releaseSlot(trx, locked.queue_id, locked.slot_start);
      await transition(trx, locked, 'COMPLETED', ctx, now, { event: 'delivery-failed', reason: 'FAILED', detail: { error: reason } });
    } else {
      await recordHistory(trx, cb.id, ctx.caller, { event: 'delivery-failed', reason });
    }
  });
  ctx.logger.error({ callbackId: cb.id, reason }, 'callback delivery failed');
}

/** A callback that Genesys may be about to get: wait for the delivery to settle. */
function delivered(cb: CallbackRow | undefined): cb is CallbackRow & { genesys_conversation_id: string } {
  if (!cb) return false;
  if (cb.delivery_status === 'PENDING' || cb.delivery_status === 'SENDING') {
    if (cb.delivery_status === 'PENDING' && cb.state === 'COMPLETED') return false; // delivery will be skipped
    // A retry waiting for its attempt: Genesys has nothing of it yet (its delivery job moves with it).
    if (cb.delivery_status === 'PENDING' && cb.attempt > 1) return false;
    throw new RetryLater(`callback ${cb.id} is not delivered yet`);
  }
  return cb.delivery_status === 'DELIVERED' && cb.genesys_conversation_id !== null;
}

export async function rescheduleInGenesys(ctx: JobContext, payload: { callbackId: string }): Promise<void> {
  const cb = await findCallback(ctx.db, payload.callbackId);
  if (!delivered(cb) || cb.state !== 'SCHEDULED' || !cb.scheduled_time) return;
  try {
    await ctx.gateway.rescheduleCallback(cb.genesys_conversation_id, cb.scheduled_time);
  } catch (err) {
    return refused(ctx, cb, err, 'reschedule-in-genesys-failed');
  }
  await ctx.db.transaction().execute((trx) => recordHistory(trx, cb.id, ctx.caller, { event: 'rescheduled-in-genesys', detail: { scheduledTime: isoUtc(cb.scheduled_time!) } }));
}

export async function cancelInGenesys(ctx: JobContext, payload: { callbackId: string }): Promise<void> {
  const cb = await findCallback(ctx.db, payload.callbackId);
  if (!delivered(cb)) return;
  try {
    await ctx.gateway.cancelCallback(cb.genesys_conversation_id);
  } catch (err) {
    // Gone already: nothing to cancel.
    if (!isNotFound(err)) return refused(ctx, cb, err, 'cancel-in-genesys-failed');
  }
  await ctx.db.transaction().execute((trx) => recordHistory(trx, cb.id, ctx.caller, { event: 'cancelled-in-genesys' }));
}

/**
 * A cancel or reschedule Genesys did not take. Both are safe to repeat, so an unknown outcome is
 * tried again like any retryable failure; a refusal is recorded once instead of retried.
 */
async function refused(ctx: JobContext, cb: CallbackRow, err: unknown, event: HistoryEvent): Promise<void> {
  if (classifyFailure(err) !== 'give-up') throw err;
  await ctx.db.transaction().execute((trx) => recordHistory(trx, cb.id, ctx.caller, { event, reason: describe(err) }));
  ctx.logger.error({ callbackId: cb.id, reason: describe(err) }, `${event}`);
}

/**
 * An agent-owned callback's ownership ends (the queue's ownershipExpiry, read now): `queue` — its
 * owner is released in Genesys and it routes to the queue; `disconnect` — it ends COMPLETED/EXPIRED
 * and is cancelled in Genesys (the cancel job). A callback already ended, or handled by an agent
 * meanwhile, is left alone.
 */
export async function expireOwnership(ctx: JobContext, payload: { callbackId: string }): Promise<void> {
  const cb = await findCallback(ctx.db, payload.callbackId);
  if (!cb || cb.state === 'COMPLETED' || cb.state === 'PROCESSING' || !cb.owner_agent_id || !cb.ownership_ends_at) return;
  const queue = await queueOf(ctx.db, cb);
  const detail = { ownerAgentId: cb.owner_agent_id, endedAt: isoUtc(cb.ownership_ends_at) };
  if (queue.ownership_expiry === 'disconnect') {
    await ctx.db.transaction().execute(async (trx) => {
      const locked = await lockCallback(trx, cb.id);
      if (!locked) return;
      await cancelLocked(trx, locked, ctx, ctx.clock.now(), { reason: 'EXPIRED', event: 'ownership-expired', detail });
    });
    return;
  }
  if (delivered(cb)) {
    try {
      await ctx.gateway.releaseCallbackOwner(cb.genesys_conversation_id);
    } catch (err) {
      if (isNotFound(err)) return; // the conversation is gone: nothing to route
      return refused(ctx, cb, err, 'ownership-release-failed');
    }
  }
  await ctx.db.transaction().execute((trx) => recordHistory(trx, cb.id, ctx.caller, { event: 'ownership-released', detail }));
}
