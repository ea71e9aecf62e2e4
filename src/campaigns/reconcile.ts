import type { ContactSnapshot } from '../genesys/gateway.js';
import { CONTACTS_PER_READ } from '../genesys/gateway.js';
import { classifyFailure, describeFailure } from '../genesys/errors.js';
import type { JobContext } from '../jobs/context.js';
import { isoUtc } from '../time.js';
import { moveCampaignCallback } from './lifecycle.js';
import { claimQueuedForRead, lockCampaignCallback, type ClaimedCampaignCallback } from './queries.js';

/**
 * The reconciler's pass over campaign callbacks: Genesys sends no event when the dialer calls a
 * contact, so QUEUED callbacks are read back from their contact lists, one bulk read of up to
 * CONTACTS_PER_READ contacts per request (10,000 queued callbacks: 200 requests for a full pass,
 * spread over runs by the budget). A contact whose call record on the phone column shows an
 * attempt after its insertion is COMPLETED/HANDLED (its last result kept); one not dialed within
 * its campaign's maxQueuedHours is COMPLETED/EXPIRED and its contact removed (a job). Callbacks due
 * to expire are read first (a last-minute attempt still counts as HANDLED), then the least recently
 * checked; a callback checked in the last RECHECK_AFTER_SECONDS waits for a later run.
 */

export const RECHECK_AFTER_SECONDS = 30;

export interface RequestBudget {
  /** Spends n requests (default 1); false when the run's Genesys request budget is spent. */
  take(n?: number): boolean;
}

function lastAttemptOf(contact: ContactSnapshot | undefined, phoneColumn: string): { at: Date; result: string | null } | null {
  const record = contact?.callRecords[phoneColumn];
  if (!record?.lastAttempt) return null;
  const at = new Date(record.lastAttempt);
  return Number.isNaN(at.getTime()) ? null : { at, result: record.lastResult };
}

/** What one read of a batch comes to; `contacts` null: the read was refused (only expiry is decided). */
async function apply(ctx: JobContext, batch: ClaimedCampaignCallback[], contacts: Map<string, ContactSnapshot> | null): Promise<number> {
  const now = ctx.clock.now();
  let moved = 0;
  for (const claimed of batch) {
    const attempt = contacts === null ? null : lastAttemptOf(contacts.get(claimed.contact_id), claimed.phone_column);
    const dialed = attempt !== null && attempt.at.getTime() > claimed.delivered_at.getTime();
    const expired = now.getTime() >= claimed.expires_at.getTime();
    if (!dialed && !expired) continue;
    const did = await ctx.db.transaction().execute(async (trx) => {
      const row = await lockCampaignCallback(trx, claimed.id);
      if (!row || row.state !== 'QUEUED') return false;
      if (dialed) {
        return moveCampaignCallback(trx, row, 'COMPLETED', ctx.caller, now, {
          event: 'dialed',
          reason: 'HANDLED',
          detail: { lastAttempt: isoUtc(attempt.at), lastResult: attempt.result },
          set: { last_attempt_at: attempt.at, last_result: attempt.result },
        });
      }
      return moveCampaignCallback(trx, row, 'COMPLETED', ctx.caller, now, {
        event: 'expired',
        reason: 'EXPIRED',
        detail: { queuedSince: isoUtc(claimed.delivered_at), expiredAt: isoUtc(claimed.expires_at) },
        removeContact: true,
      });
    });
    if (did) moved++;
  }
  return moved;
}

/**
 * One run of the pass: batches of one contact list each, while the budget lasts. A read Genesys
 * refuses (the list is gone, 403, ...) still lets callbacks past their expiry expire; a read that may
 * succeed later (429, 5xx, timeouts) ends the pass, its callbacks to be read on a later run.
 */
export async function reconcileCampaignCallbacks(ctx: JobContext, budget: RequestBudget): Promise<{ checked: number; moved: number }> {
  const started = ctx.clock.now();
  const checkedBefore = new Date(started.getTime() - RECHECK_AFTER_SECONDS * 1000);
  let checked = 0;
  let moved = 0;
  for (;;) {
    const batch = await claimQueuedForRead(ctx.db, ctx.clock.now(), checkedBefore, CONTACTS_PER_READ, () => budget.take(1));
    if (batch.length === 0) break;
    const listId = batch[0]!.contact_list_id;
    let contacts: Map<string, ContactSnapshot> | null;
    try {
      const read = await ctx.gateway.getContacts(listId, batch.map((b) => b.contact_id));
      contacts = new Map(read.map((c) => [c.id, c]));
    } catch (err) {
      if (classifyFailure(err) !== 'give-up') {
        ctx.logger.warn({ contactListId: listId, error: describeFailure(err) }, 'campaign callbacks: contact read failed; next run retries');
        break;
      }
      ctx.logger.warn({ contactListId: listId, error: describeFailure(err) }, 'campaign callbacks: contact read refused; only expiry decided');
      contacts = null;
    }
    checked += batch.length;
    moved += await apply(ctx, batch, contacts);
  }
  return { checked, moved };
}
