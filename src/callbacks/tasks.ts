import { systemCaller } from '../auth/caller.js';
import type { JobHelpers } from 'graphile-worker';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Services } from '../context.js';
import type { CallbackRow, DB } from '../db/types.js';
import { GenesysError } from '../genesys/gateway.js';
import { recordHistory } from './lifecycle.js';
import { findQueue } from '../queues/queries.js';
import { findCallback, lockCallback, setDelivery } from './queries.js';

/** What jobs run with: the worker's services (its own caches among them) and its logger. */
export interface TaskDeps extends Services {
  logger: Logger;
}

const WORKER = systemCaller('worker');

/** Thrown to have graphile-worker try again later (with its backoff). */
export class RetryLater extends Error {}

function describe(err: unknown): string {
  return err instanceof GenesysError ? `${err.status} ${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
}

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
export async function deliverCallback(deps: TaskDeps, payload: { callbackId: string }, helpers: Pick<JobHelpers, 'job'>): Promise<void> {
  const claim = await deps.db.transaction().execute(async (trx) => {
    const cb = await lockCallback(trx, payload.callbackId);
    if (!cb || cb.delivery_status === 'DELIVERED' || cb.delivery_status === 'NOT_REQUIRED' || cb.delivery_status === 'FAILED') return null;
    if (cb.state === 'COMPLETED' && cb.delivery_status === 'PENDING') {
      await setDelivery(trx, cb.id, { delivery_status: 'NOT_REQUIRED', updated_at: deps.clock.now() });
      return null;
    }
    const previous = cb.delivery_status;
    await setDelivery(trx, cb.id, { delivery_status: 'SENDING', delivery_attempts: cb.delivery_attempts + 1, updated_at: deps.clock.now() });
    return { cb, uncertain: previous === 'SENDING' };
  });
  if (!claim) return;
  const { cb } = claim;
  const queue = await queueOf(deps.db, cb);
  if (!queue.genesys_queue_id) return fail(deps, cb, 'The queue has no genesysQueueId: set it to deliver callbacks');

  try {
    const existing = claim.uncertain ? await deps.gateway.findCallback(queue.genesys_queue_id, cb.id, cb.created_at) : null;
    const created =
      existing ??
      (await deps.gateway.createCallback({
        queueId: queue.genesys_queue_id,
        callbackNumbers: [cb.phone_e164],
        callbackUserName: cb.customer_name ?? undefined,
        callbackScheduledTime: cb.type === 'scheduled' ? (cb.scheduled_time ?? undefined) : undefined,
        priority: cb.priority,
        scriptId: queue.script_id ?? undefined,
        data: { ...cb.user_data, callbackEngineId: cb.id },
        countryCode: queue.default_country ?? undefined,
      }));
    await deps.db.transaction().execute(async (trx) => {
      const now = deps.clock.now();
      await setDelivery(trx, cb.id, {
        delivery_status: 'DELIVERED',
        delivery_error: null,
        delivered_at: now,
        genesys_conversation_id: created.conversationId,
        genesys_callback_id: created.callbackId,
        updated_at: now,
      });
      await recordHistory(trx, cb.id, WORKER, { event: existing ? 'delivery-reconciled' : 'delivered', detail: { conversationId: created.conversationId } });
    });
  } catch (err) {
    const retryable = !(err instanceof GenesysError) || err.retryable || err.status >= 500 || err.status === 401;
    const lastAttempt = helpers.job.attempts >= helpers.job.max_attempts;
    if (!retryable || lastAttempt) return fail(deps, cb, describe(err));
    // A create whose answer never came (timeout, reset, 502/504) may exist in Genesys: stay SENDING,
    // so the next attempt asks Genesys before sending again.
    const unknown = err instanceof GenesysError && err.code === 'outcome_unknown';
    await setDelivery(deps.db, cb.id, { delivery_status: unknown ? 'SENDING' : 'PENDING', delivery_error: describe(err), updated_at: deps.clock.now() }, 'SENDING');
    throw new RetryLater(`delivery of ${cb.id} failed, will retry: ${describe(err)}`);
  }
}

async function fail(deps: TaskDeps, cb: CallbackRow, reason: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await setDelivery(trx, cb.id, { delivery_status: 'FAILED', delivery_error: reason, updated_at: deps.clock.now() });
    await recordHistory(trx, cb.id, WORKER, { event: 'delivery-failed', reason });
  });
  deps.logger.error({ callbackId: cb.id, reason }, 'callback delivery failed');
}

/** A callback that Genesys may be about to get: wait for the delivery to settle. */
function delivered(cb: CallbackRow | undefined): cb is CallbackRow & { genesys_conversation_id: string } {
  if (!cb) return false;
  if (cb.delivery_status === 'PENDING' || cb.delivery_status === 'SENDING') {
    if (cb.delivery_status === 'PENDING' && cb.state === 'COMPLETED') return false; // delivery will be skipped
    throw new RetryLater(`callback ${cb.id} is not delivered yet`);
  }
  return cb.delivery_status === 'DELIVERED' && cb.genesys_conversation_id !== null;
}

export async function rescheduleInGenesys(deps: TaskDeps, payload: { callbackId: string }): Promise<void> {
  const cb = await findCallback(deps.db, payload.callbackId);
  if (!delivered(cb) || cb.state !== 'SCHEDULED' || !cb.scheduled_time) return;
  await deps.gateway.rescheduleCallback(cb.genesys_conversation_id, cb.scheduled_time);
  await deps.db.transaction().execute((trx) => recordHistory(trx, cb.id, WORKER, { event: 'rescheduled-in-genesys', detail: { scheduledTime: cb.scheduled_time!.toISOString() } }));
}

export async function cancelInGenesys(deps: TaskDeps, payload: { callbackId: string }): Promise<void> {
  const cb = await findCallback(deps.db, payload.callbackId);
  if (!delivered(cb)) return;
  try {
    await deps.gateway.cancelCallback(cb.genesys_conversation_id);
  } catch (err) {
    if (!(err instanceof GenesysError && err.status === 404)) throw err; // gone already: nothing to cancel
  }
  await deps.db.transaction().execute((trx) => recordHistory(trx, cb.id, WORKER, { event: 'cancelled-in-genesys' }));
}
