import type { Transaction } from 'kysely';
import type { Actor } from '../auth/caller.js';
import type { CallbackRow, DB } from '../db/types.js';
import { errors } from '../errors.js';
import { afterCommit } from '../db/after-commit.js';
import type { BusinessMetrics } from '../ops/business-metrics.js';
import type { CallbackState, CompletionReason, DeliveryStatus, HistoryEvent } from '../vocabulary.js';
import { notificationTypeOf, recordNotification } from '../notifications/outbox.js';
import { insertHistory, setState } from './queries.js';
import { jobKeys, removeJob } from '../jobs/catalog.js';

export type { CompletionReason };

/**
 * The callback state machine: SCHEDULED → QUEUED → ROUTING → PROCESSING → COMPLETED (+ reason), and
 * back to SCHEDULED only for a retry (callbacks/attempts.ts). Every change goes through
 * `transition`, which refuses illegal moves and writes the history.
 */

const NEXT: Record<CallbackState, readonly CallbackState[]> = {
  SCHEDULED: ['QUEUED', 'ROUTING', 'PROCESSING', 'COMPLETED'],
  QUEUED: ['ROUTING', 'PROCESSING', 'COMPLETED'],
  ROUTING: ['QUEUED', 'PROCESSING', 'COMPLETED'],
  PROCESSING: ['COMPLETED'],
  COMPLETED: [],
};

/**
 * A retry: the attempt's conversation ended with a no-answer wrap-up, so the callback waits for its
 * next attempt. Mostly from PROCESSING (an agent had it); from an earlier state when the wrap-up is
 * forwarded before the events that would have moved it on (events arrive in any order, or not at
 * all): the wrap-up alone proves the attempt's conversation ended.
 */
const RETRY_NEXT: Partial<Record<CallbackState, readonly CallbackState[]>> = {
  SCHEDULED: ['SCHEDULED'],
  QUEUED: ['SCHEDULED'],
  ROUTING: ['SCHEDULED'],
  PROCESSING: ['SCHEDULED'],
};

/** The history event of a retry, the only one that may take the moves of RETRY_NEXT. */
export const RETRY_EVENT = 'retry-scheduled' satisfies HistoryEvent;

export function canTransition(from: CallbackState, to: CallbackState, event?: HistoryEvent): boolean {
  return NEXT[from].includes(to) || (event === RETRY_EVENT && (RETRY_NEXT[from] ?? []).includes(to));
}

/**
 * Delivery to Genesys: PENDING → SENDING (the attempt, committed before the call) → DELIVERED, back to
 * PENDING (a retryable failure), SENDING again (an answer that never came, or a retry of one), or
 * FAILED. A callback completed before its first attempt needs none (NOT_REQUIRED). The last three
 * are final.
 */
const DELIVERY_NEXT: Record<DeliveryStatus, readonly DeliveryStatus[]> = {
  PENDING: ['SENDING', 'NOT_REQUIRED'],
  SENDING: ['SENDING', 'DELIVERED', 'PENDING', 'FAILED'],
  DELIVERED: [],
  FAILED: [],
  NOT_REQUIRED: [],
};

export function canChangeDelivery(from: DeliveryStatus, to: DeliveryStatus): boolean {
  return DELIVERY_NEXT[from].includes(to);
}

/**
 * A retry delivers the callback again: its delivery goes back from DELIVERED to PENDING (the next
 * attempt is a new callback in Genesys). Only a retry does this; otherwise DELIVERED is final.
 */
export const RETRY_DELIVERY_FROM: readonly DeliveryStatus[] = ['DELIVERED'];

/** The statuses a delivery may move to `to` from: the guard of every statement that changes it. */
export function deliveryFrom(to: DeliveryStatus): DeliveryStatus[] {
  return (Object.keys(DELIVERY_NEXT) as DeliveryStatus[]).filter((from) => canChangeDelivery(from, to));
}

export class IllegalTransition extends Error {
  constructor(readonly from: CallbackState, readonly to: CallbackState) {
    super(`A ${from} callback cannot become ${to}`);
  }
}

export interface HistoryEntry {
  event: HistoryEvent;
  reason?: string | undefined;
  detail?: unknown;
  /** What the notification carries beyond the callback's public fields (not kept in the history), under `callIn`. */
  notice?: Record<string, unknown> | undefined;
}

/**
 * The columns every history row has, a callback's or a campaign callback's: who, what, from → to,
 * why, and the detail as JSON. One shape, so both histories read the same on the desk.
 */
export function historyColumns<E extends string, S extends string>(actor: Actor, entry: { event: E; from?: S | null; to?: S | null; reason?: string | null | undefined; detail?: unknown }) {
  return {
    actor: actor.id,
    actor_name: actor.name,
    actor_kind: actor.kind,
    event: entry.event,
    from_state: entry.from ?? null,
    to_state: entry.to ?? null,
    reason: entry.reason ?? null,
    detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
  };
}

/** Writes a history entry, and the notification it makes (notifications/outbox.ts) in the same transaction. */
export async function recordHistory(trx: Transaction<DB>, callbackId: string, actor: Actor, entry: HistoryEntry & { from?: CallbackState | null; to?: CallbackState | null }): Promise<void> {
  const { notice, ...kept } = entry;
  await insertHistory(trx, { callback_id: callbackId, ...historyColumns(actor, kept) });
  const type = notificationTypeOf(entry);
  if (type) await recordNotification(trx, callbackId, type, notice);
}

/** Who moves a callback: the actor its history names, and the metrics a completion is counted in (a Context is one). */
export interface Mover {
  caller: Actor;
  caches: { metrics: BusinessMetrics };
}

/**
 * Moves a locked callback to `to` at `now` (with a reason when completing); throws IllegalTransition
 * otherwise. Every completion passes here, so here it is counted — once its transaction commits.
 */
export async function transition(
  trx: Transaction<DB>,
  callback: Pick<CallbackRow, 'id' | 'state'>,
  to: CallbackState,
  by: Mover,
  now: Date,
  entry: HistoryEntry & { reason?: CompletionReason },
): Promise<void> {
  if (!canTransition(callback.state, to, entry.event)) throw new IllegalTransition(callback.state, to);
  if (to === 'COMPLETED' && !entry.reason) throw errors.badRequest('Completing a callback needs a reason');
  const { queue } = await setState(trx, callback.id, { state: to, updated_at: now, ...(to === 'COMPLETED' && { completion_reason: entry.reason ?? null, completed_at: now }) });
  await recordHistory(trx, callback.id, by.caller, { ...entry, from: callback.state, to });
  // A completed callback gets no CALLBACK_UPCOMING: a pending one is suppressed, its notice job goes.
  if (to === 'COMPLETED') {
    await trx.updateTable('callbacks').set({ upcoming_status: 'SUPPRESSED' }).where('id', '=', callback.id).where('upcoming_status', '=', 'PENDING').execute();
    await removeJob(trx, jobKeys.upcoming(callback.id));
  }
  const reason = entry.reason;
  if (to === 'COMPLETED' && reason) await afterCommit(trx, () => by.caches.metrics.callbackCompleted(queue, reason));
}
