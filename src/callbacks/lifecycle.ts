import type { Transaction } from 'kysely';
import type { Actor } from '../auth/caller.js';
import type { CallbackRow, CallbackState, DB } from '../db/types.js';
import { errors } from '../errors.js';
import { insertHistory, setState } from './queries.js';

/**
 * The callback state machine [003]: SCHEDULED → QUEUED → ROUTING → PROCESSING → COMPLETED (+ reason).
 * Every change goes through `transition`, which refuses illegal moves and writes the history.
 */

export const COMPLETION_REASONS = [
  'HANDLED',
  'CANCELLED_BY_CUSTOMER',
  'CANCELLED_BY_ADMIN',
  'PURGED',
  'EXPIRED',
  'ABANDONED',
  'FAILED',
] as const;
export type CompletionReason = (typeof COMPLETION_REASONS)[number];

const NEXT: Record<CallbackState, readonly CallbackState[]> = {
  SCHEDULED: ['QUEUED', 'ROUTING', 'PROCESSING', 'COMPLETED'],
  QUEUED: ['ROUTING', 'PROCESSING', 'COMPLETED'],
  ROUTING: ['QUEUED', 'PROCESSING', 'COMPLETED'],
  PROCESSING: ['COMPLETED'],
  COMPLETED: [],
};

export { CANCELLABLE, PENDING_STATES } from './states.js';

export function canTransition(from: CallbackState, to: CallbackState): boolean {
  return NEXT[from].includes(to);
}

export class IllegalTransition extends Error {
  constructor(readonly from: CallbackState, readonly to: CallbackState) {
    super(`A ${from} callback cannot become ${to}`);
  }
}

export interface HistoryEntry {
  event: string;
  reason?: string | undefined;
  detail?: unknown;
}

export async function recordHistory(trx: Transaction<DB>, callbackId: string, actor: Actor, entry: HistoryEntry & { from?: CallbackState | null; to?: CallbackState | null }): Promise<void> {
  await insertHistory(trx, {
    callback_id: callbackId,
    actor: actor.id,
    event: entry.event,
    from_state: entry.from ?? null,
    to_state: entry.to ?? null,
    reason: entry.reason ?? null,
    detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
  });
}

/** Moves a locked callback to `to` at `now` (with a reason when completing); throws IllegalTransition otherwise. */
export async function transition(
  trx: Transaction<DB>,
  callback: Pick<CallbackRow, 'id' | 'state'>,
  to: CallbackState,
  actor: Actor,
  now: Date,
  entry: HistoryEntry & { reason?: CompletionReason | string },
): Promise<void> {
  if (!canTransition(callback.state, to)) throw new IllegalTransition(callback.state, to);
  if (to === 'COMPLETED' && !entry.reason) throw errors.badRequest('Completing a callback needs a reason');
  await setState(trx, callback.id, { state: to, updated_at: now, ...(to === 'COMPLETED' && { completion_reason: entry.reason ?? null, completed_at: now }) });
  await recordHistory(trx, callback.id, actor, { ...entry, from: callback.state, to });
}
