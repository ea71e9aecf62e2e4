import type { JobHelpers } from 'graphile-worker';
import { classifyFailure, describeFailure } from '../genesys/errors.js';
import { enqueue, jobs } from '../jobs/catalog.js';
import type { JobContext } from '../jobs/context.js';
import { moveCampaignCallback, recordCampaignHistory } from './lifecycle.js';
import { findCampaignCallbackForJob, lockCampaignCallback, updateCampaignCallback } from './queries.js';

/**
 * The `dial-campaign-callback` job: add the contact to the campaign's list (values written as data,
 * never pasted into JSON). Adding a contact by its id is safe to repeat, so only a refusal (or the
 * last attempt) ends it: the callback completes as FAILED and no longer holds its number.
 */
export async function dialCampaignCallback(ctx: JobContext, payload: { id: string }, helpers?: Pick<JobHelpers, 'job'>): Promise<void> {
  const cb = await findCampaignCallbackForJob(ctx.db, payload.id);
  if (!cb || cb.state !== 'SCHEDULED') return;
  const data: Record<string, string> = { ...cb.extra_columns, [cb.phone_column]: cb.phone_e164 };
  if (cb.name_column && cb.full_name) data[cb.name_column] = cb.full_name;
  try {
    await ctx.gateway.addContacts(cb.contact_list_id, [{ id: cb.contact_id, data, callable: true }], { priority: cb.priority });
  } catch (err) {
    if (classifyFailure(err, helpers?.job) !== 'give-up') throw err;
    const error = describeFailure(err);
    await ctx.db.transaction().execute(async (trx) => {
      await moveCampaignCallback(trx, cb, 'COMPLETED', ctx.caller, ctx.clock.now(), {
        event: 'dial-failed',
        reason: 'FAILED',
        detail: { error },
        set: { delivery_status: 'FAILED', delivery_error: error },
      });
    });
    return;
  }
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const row = await lockCampaignCallback(trx, cb.id);
    if (!row) return;
    if (row.state === 'SCHEDULED') {
      await moveCampaignCallback(trx, row, 'QUEUED', ctx.caller, now, {
        event: 'inserted',
        detail: { contactListId: cb.contact_list_id, contactId: cb.contact_id },
        set: { delivery_status: 'DELIVERED', delivered_at: now, delivery_error: null, contact_list_id: cb.contact_list_id },
      });
    } else if (row.state === 'COMPLETED' && row.contact_removal === null) {
      // Cancelled while this insertion was under way: the contact it just added must come out again.
      await updateCampaignCallback(trx, row.id, { contact_removal: 'PENDING', contact_list_id: cb.contact_list_id, updated_at: now });
      await enqueue(trx, jobs.removeCampaignContact(row.id));
    }
  });
}

/**
 * The `remove-campaign-contact` job: delete an expired or cancelled callback's contact from its
 * list, so the dialer never calls it. Deleting is safe to repeat (a contact already gone is fine);
 * a refusal (or the last attempt) is recorded as FAILED with the error.
 */
export async function removeCampaignContact(ctx: JobContext, payload: { id: string }, helpers?: Pick<JobHelpers, 'job'>): Promise<void> {
  const cb = await findCampaignCallbackForJob(ctx.db, payload.id);
  if (!cb || cb.contact_removal !== 'PENDING') return;
  let error: string | null = null;
  try {
    await ctx.gateway.deleteContact(cb.contact_list_id, cb.contact_id);
  } catch (err) {
    if (classifyFailure(err, helpers?.job) !== 'give-up') throw err;
    error = describeFailure(err);
  }
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await updateCampaignCallback(trx, cb.id, { contact_removal: error === null ? 'REMOVED' : 'FAILED', contact_removal_error: error, updated_at: now });
    await recordCampaignHistory(trx, cb.id, ctx.caller, {
      event: error === null ? 'contact-removed' : 'contact-removal-failed',
      detail: { contactListId: cb.contact_list_id, contactId: cb.contact_id, ...(error !== null && { error }) },
    });
  });
}
