import type { Transaction } from 'kysely';
import type { CallbackRow, DB } from '../db/types.js';
import { enqueue, jobs } from '../jobs/catalog.js';
import { releaseSlot } from '../slots/bookings.js';
import { transition, type CompletionReason, type Mover } from './lifecycle.js';
import { CANCELLABLE, type HistoryEvent } from '../vocabulary.js';

export type CancelOutcome = 'CANCELLED' | 'NOT_FOUND' | 'NOT_CANCELLABLE' | 'ALREADY_COMPLETED';

/** What cancelling a callback in this state comes to; a bulk cancel's dry run asks the same question. */
export function cancelOutcomeOf(callback: Pick<CallbackRow, 'state'>): CancelOutcome {
  if (callback.state === 'COMPLETED') return 'ALREADY_COMPLETED';
  if (!CANCELLABLE.includes(callback.state)) return 'NOT_CANCELLABLE';
  return 'CANCELLED';
}

export interface Cancellation {
  reason: CompletionReason;
  /** The history event: `cancelled` unless said otherwise (a purge says `purged`). */
  event?: HistoryEvent;
  detail?: unknown;
}

/**
 * Cancels a locked callback: frees its slot, completes it with the reason and, if Genesys has it or
 * may get it, enqueues its cancellation there — all in the caller's transaction. Every cancel (a
 * flow's, the desk's, a purge) goes through here.
 */
export async function cancelLocked(trx: Transaction<DB>, callback: CallbackRow, by: Mover, now: Date, how: Cancellation): Promise<CancelOutcome> {
  const outcome = cancelOutcomeOf(callback);
  if (outcome !== 'CANCELLED') return outcome;
  if (callback.slot_start) await releaseSlot(trx, callback.queue_id, callback.slot_start);
  await transition(trx, callback, 'COMPLETED', by, now, { event: how.event ?? 'cancelled', reason: how.reason, ...(how.detail !== undefined && { detail: how.detail }) });
  if (callback.delivery_status !== 'NOT_REQUIRED') await enqueue(trx, jobs.cancelCallback(callback.id));
  return 'CANCELLED';
}
