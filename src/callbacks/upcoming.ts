import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../auth/caller.js';
import type { CallbackRow, DB, QueueRow } from '../db/types.js';
import { enqueue, jobKeys, jobs, removeJob } from '../jobs/catalog.js';
import type { JobContext } from '../jobs/context.js';
import { findQueue } from '../queues/queries.js';
import { isoUtc } from '../time.js';
import type { CallbackState, UpcomingStatus } from '../vocabulary.js';
import { recordHistory } from './lifecycle.js';
import { lockCallback } from './queries.js';

/**
 * CALLBACK_UPCOMING, once per callback, on queues with `upcomingMinutes`:
 * - scheduled: at the scheduled time minus the threshold (the `upcoming-notice` job); a callback
 *   created or rescheduled already inside the threshold is SUPPRESSED; a reschedule re-arms it;
 * - immediate: a callback whose estimated wait is already below the threshold at creation is
 *   SUPPRESSED; otherwise it is PENDING, for `sendUpcoming` once its wait drops to the threshold.
 * A completed callback never gets it. Sending is the 'upcoming' history entry, written once under
 * the callback's row lock.
 */

const MINUTE_MS = 60_000;

/** States in which the customer is still waiting to be called: an agent on it (or done) is too late. */
export const UPCOMING_WAITING: readonly CallbackState[] = ['SCHEDULED', 'QUEUED', 'ROUTING'];

export type Suppression = { reason: 'within-threshold'; minutesBefore: number; thresholdMinutes: number } | { reason: 'wait-below-threshold'; estimatedWaitSeconds: number; thresholdMinutes: number };

/** A callback's UPCOMING status at creation: null without a threshold, SUPPRESSED with why, else PENDING. */
export function upcomingAtCreate(
  queue: Pick<QueueRow, 'upcoming_minutes'>,
  callback: { scheduledTime: Date | null },
  ewtSeconds: number,
  now: Date,
): { status: UpcomingStatus | null; suppressed?: Suppression } {
  const threshold = queue.upcoming_minutes;
  if (threshold === null) return { status: null };
  if (callback.scheduledTime) {
    const left = callback.scheduledTime.getTime() - now.getTime();
    if (left <= threshold * MINUTE_MS) return { status: 'SUPPRESSED', suppressed: { reason: 'within-threshold', minutesBefore: Math.max(0, Math.floor(left / MINUTE_MS)), thresholdMinutes: threshold } };
    return { status: 'PENDING' };
  }
  // An unknown wait (-1) is not short: the poll decides later.
  if (ewtSeconds >= 0 && ewtSeconds < threshold * 60) return { status: 'SUPPRESSED', suppressed: { reason: 'wait-below-threshold', estimatedWaitSeconds: ewtSeconds, thresholdMinutes: threshold } };
  return { status: 'PENDING' };
}

/** When a scheduled callback's notice is due. */
export function noticeTime(scheduledTime: Date, thresholdMinutes: number): Date {
  return new Date(scheduledTime.getTime() - thresholdMinutes * MINUTE_MS);
}

async function setUpcomingStatus(trx: Transaction<DB>, id: string, status: UpcomingStatus | null): Promise<void> {
  await trx.updateTable('callbacks').set({ upcoming_status: status }).where('id', '=', id).execute();
}

/**
 * Arms a callback's UPCOMING in its creating or rescheduling transaction: stores the status, records
 * a suppression, and (scheduled, PENDING) enqueues the notice at scheduled time − threshold, or
 * removes a notice no longer wanted.
 */
export async function armUpcoming(
  trx: Transaction<DB>,
  actor: Actor,
  callback: Pick<CallbackRow, 'id' | 'upcoming_status'> & { scheduled_time: Date | null },
  queue: Pick<QueueRow, 'upcoming_minutes'>,
  ewtSeconds: number,
  now: Date,
): Promise<UpcomingStatus | null> {
  const decided = upcomingAtCreate(queue, { scheduledTime: callback.scheduled_time }, ewtSeconds, now);
  if (decided.status !== callback.upcoming_status) await setUpcomingStatus(trx, callback.id, decided.status);
  if (decided.suppressed) await recordHistory(trx, callback.id, actor, { event: 'upcoming-suppressed', detail: decided.suppressed });
  if (decided.status === 'PENDING' && callback.scheduled_time) await enqueue(trx, jobs.upcomingNotice(callback.id, noticeTime(callback.scheduled_time, queue.upcoming_minutes!)));
  else await removeJob(trx, jobKeys.upcoming(callback.id));
  return decided.status;
}

/**
 * Sends a callback's UPCOMING, once: under its row lock, only while it is waiting and PENDING; the
 * 'upcoming' history entry is what notifies. True when this call sent it.
 */
export async function sendUpcoming(db: Kysely<DB>, actor: Actor, callbackId: string, detail: Record<string, unknown>, check?: (cb: CallbackRow) => boolean): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const cb = await lockCallback(trx, callbackId);
    if (!cb || cb.upcoming_status !== 'PENDING' || !UPCOMING_WAITING.includes(cb.state)) return false;
    if (check && !check(cb)) return false;
    await setUpcomingStatus(trx, cb.id, 'SENT');
    await recordHistory(trx, cb.id, actor, { event: 'upcoming', detail });
    return true;
  });
}

/**
 * The `upcoming-notice` job of a scheduled callback. The queue's threshold is read now: a queue that
 * turned UPCOMING off sends none; one whose threshold was lowered waits for the later notice time.
 * A callback completed (cancelled, purged) or no longer waiting gets none.
 */
export async function upcomingNotice(ctx: JobContext, payload: { callbackId: string }): Promise<void> {
  const cb = await ctx.db.selectFrom('callbacks').select(['id', 'queue_id', 'scheduled_time', 'upcoming_status', 'state']).where('id', '=', payload.callbackId).executeTakeFirst();
  if (!cb || cb.upcoming_status !== 'PENDING' || cb.state === 'COMPLETED' || !cb.scheduled_time) return;
  const queue = await findQueue(ctx.db, cb.queue_id);
  const threshold = queue?.upcoming_minutes ?? null;
  if (threshold === null) return;
  const now = ctx.clock.now();
  const due = noticeTime(cb.scheduled_time, threshold);
  if (due.getTime() > now.getTime()) {
    await enqueue(ctx.db, jobs.upcomingNotice(cb.id, due));
    return;
  }
  const scheduled = cb.scheduled_time;
  await sendUpcoming(ctx.db, ctx.caller, cb.id, { type: 'scheduled', scheduledTime: isoUtc(scheduled), minutesBefore: Math.max(0, Math.round((scheduled.getTime() - now.getTime()) / MINUTE_MS)), thresholdMinutes: threshold }, (locked) => locked.scheduled_time?.getTime() === scheduled.getTime());
}
