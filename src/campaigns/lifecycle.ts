import type { Transaction, Updateable } from 'kysely';
import type { Actor } from '../auth/caller.js';
import type { CampaignCallbacksTable, DB } from '../db/types.js';
import { historyColumns } from '../callbacks/lifecycle.js';
import { enqueue, jobs } from '../jobs/catalog.js';
import type { CampaignCallbackState, CampaignCompletionReason, CampaignHistoryEvent } from '../vocabulary.js';
import { insertCampaignHistory, updateCampaignCallbackFrom } from './queries.js';

/**
 * A campaign callback's life: SCHEDULED (waiting for its delay) → QUEUED (its contact is in the
 * list) → COMPLETED with a reason (HANDLED, EXPIRED, CANCELLED_*, FAILED); SCHEDULED may complete
 * directly (cancelled before its dial, or the insertion refused). Every change goes through
 * `moveCampaignCallback`: guarded by the state it starts from, written with its history.
 */
const NEXT: Record<CampaignCallbackState, readonly CampaignCallbackState[]> = {
  SCHEDULED: ['QUEUED', 'COMPLETED'],
  QUEUED: ['COMPLETED'],
  COMPLETED: [],
};

export function canMoveCampaignCallback(from: CampaignCallbackState, to: CampaignCallbackState): boolean {
  return NEXT[from].includes(to);
}

export interface CampaignMove {
  event: CampaignHistoryEvent;
  reason?: CampaignCompletionReason;
  detail?: unknown;
  /** Other columns changed with the state. */
  set?: Updateable<CampaignCallbacksTable>;
  /** The contact is (or may be) in the list and must come out of it: a removal job is enqueued. */
  removeContact?: boolean;
}

export async function recordCampaignHistory(
  trx: Transaction<DB>,
  id: string,
  actor: Actor,
  entry: { event: CampaignHistoryEvent; from?: CampaignCallbackState | null; to?: CampaignCallbackState | null; reason?: string | null; detail?: unknown },
): Promise<void> {
  await insertCampaignHistory(trx, { campaign_callback_id: id, ...historyColumns(actor, entry) });
}

/**
 * Moves a campaign callback from `from` to `to` at `now` if it is still in `from`; false (nothing
 * written) when something else moved it first. Completing needs a reason.
 */
export async function moveCampaignCallback(
  trx: Transaction<DB>,
  callback: { id: string; state: CampaignCallbackState },
  to: CampaignCallbackState,
  actor: Actor,
  now: Date,
  move: CampaignMove,
): Promise<boolean> {
  if (!canMoveCampaignCallback(callback.state, to)) return false;
  if ((to === 'COMPLETED') !== (move.reason !== undefined)) throw new Error(`A campaign callback completes with a reason, and only then (${callback.state} → ${to})`);
  const moved = await updateCampaignCallbackFrom(trx, callback.id, callback.state, {
    ...move.set,
    state: to,
    updated_at: now,
    ...(to === 'COMPLETED' && { completion_reason: move.reason ?? null, completed_at: now }),
    ...(move.removeContact && { contact_removal: 'PENDING', contact_removal_error: null }),
  });
  if (!moved) return false;
  await recordCampaignHistory(trx, callback.id, actor, { event: move.event, from: callback.state, to, reason: move.reason ?? null, detail: move.detail });
  if (move.removeContact) await enqueue(trx, jobs.removeCampaignContact(callback.id));
  return true;
}
