import { afterConversation } from '../callbacks/attempts.js';
import { transition } from '../callbacks/lifecycle.js';
import { leaseForReconcile, lockCallback, releaseReconcileLeases, setReconciled } from '../callbacks/queries.js';
import { CONVERSATION_DETAILS_BATCH, type ConversationDetails } from '../genesys/gateway.js';
import type { JobContext } from '../jobs/context.js';
import { releaseSlot } from '../slots/bookings.js';
import type { Budget } from './budget.js';
import { genesysView, reconcilerMayApply } from './genesys-state.js';

/** How long a run holds the callbacks it asks Genesys about (longer than a request with its retries). */
const LEASE_MS = 5 * 60_000;

/**
 * A conversation Genesys does not know (absent from the details, or 404) completes as EXPIRED only
 * after this many runs in a row over at least this long, counted from its delivery too: analytics
 * may lag a new conversation, and a transient error never counts as a miss.
 */
export const MISSING = { runs: 5, forMs: 60 * 60_000 } as const;

export interface CallbacksPassResult {
  checked: number;
  moved: number;
  requests: number;
}

/**
 * The callbacks pass: every delivered callback not completed is compared with its Genesys
 * conversation, CONVERSATION_DETAILS_BATCH per request, least recently compared first, while the
 * budget lasts (what does not fit waits for the next run). A failed request ends the pass and
 * gives its callbacks back untouched.
 */
export async function reconcileCallbacks(ctx: JobContext, budget: Budget): Promise<CallbacksPassResult> {
  const runStart = budget.startedAt;
  const result: CallbacksPassResult = { checked: 0, moved: 0, requests: 0 };
  while (budget.take()) {
    const now = ctx.clock.now();
    const leased = await leaseForReconcile(ctx.db, { now, leaseUntil: new Date(now.getTime() + LEASE_MS), before: runStart, limit: CONVERSATION_DETAILS_BATCH });
    if (leased.length === 0) {
      budget.refund();
      break;
    }
    let details: ConversationDetails[];
    try {
      result.requests++;
      details = await ctx.gateway.conversationDetails(leased.map((l) => l.conversationId));
    } catch (err) {
      await releaseReconcileLeases(ctx.db, leased.map((l) => l.id));
      throw err;
    }
    const byId = new Map(details.map((d) => [d.conversationId, d]));
    for (const { id } of leased) {
      if (await applyOne(ctx, id, byId)) result.moved++;
      result.checked++;
    }
  }
  return result;
}

/** Compares one leased callback with what Genesys showed, under its row lock; true when it moved. */
async function applyOne(ctx: JobContext, id: string, byId: Map<string, ConversationDetails>): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const cb = await lockCallback(trx, id);
    if (!cb) return false;
    const details = cb.genesys_conversation_id ? byId.get(cb.genesys_conversation_id) : undefined;
    if (cb.state === 'COMPLETED') {
      await setReconciled(trx, cb.id, { reconciled_at: now, reconcile_misses: 0, reconcile_missing_since: null });
      return false;
    }
    if (!details) {
      const misses = cb.reconcile_misses + 1;
      const since = cb.reconcile_missing_since ?? now;
      const from = Math.max(since.getTime(), cb.delivered_at?.getTime() ?? 0);
      if (misses >= MISSING.runs && now.getTime() - from >= MISSING.forMs) {
        await transition(trx, cb, 'COMPLETED', ctx, now, {
          event: 'reconciled',
          reason: 'EXPIRED',
          detail: { genesys: 'conversation not found', missingSince: since.toISOString(), misses },
        });
        await setReconciled(trx, cb.id, { reconciled_at: now, reconcile_misses: misses, reconcile_missing_since: since });
        return true;
      }
      await setReconciled(trx, cb.id, { reconciled_at: now, reconcile_misses: misses, reconcile_missing_since: since });
      return false;
    }
    await setReconciled(trx, cb.id, { reconciled_at: now, reconcile_misses: 0, reconcile_missing_since: null });
    const view = genesysView(details);
    if (!view || !reconcilerMayApply(cb.state, view.state, view.alertEnded)) return false;
    const detail = { genesys: view.shown };
    if (view.state === 'COMPLETED' && view.reason === 'HANDLED') {
      // The wrap-up decides, as for the wrap-up event: handled, or (a queue with a callback retry
      // policy) the next attempt or NO_ANSWER.
      const outcome = await afterConversation(ctx, trx, cb, { wrapUpCode: view.wrapUpCode, source: 'reconciled', detail, conversationId: cb.genesys_conversation_id ?? undefined });
      return outcome !== 'UNCHANGED';
    }
    // A customer who cancelled before being called gives the slot back, as any cancel does.
    if (view.reason === 'CANCELLED_BY_CUSTOMER' && cb.slot_start) await releaseSlot(trx, cb.queue_id, cb.slot_start);
    await transition(trx, cb, view.state, ctx, now, { event: 'reconciled', ...(view.reason && { reason: view.reason }), detail });
    return true;
  });
}
