import { assertCampaignAccess, mayUseQueueData, type QueueIdentity } from '../auth/access.js';
import type { Context } from '../context.js';
import type { CampaignCallbackRow, CampaignRow } from '../db/types.js';
import { errors } from '../errors.js';
import { removeJob, jobKeys } from '../jobs/catalog.js';
import { normalizeNumber } from '../numbers/normalize.js';
import { findQueue, listQueueRows } from '../queues/queries.js';
import { isoUtc, isoUtcOrNull, parseTimeFilter } from '../time.js';
import type { CampaignCompletionReason } from '../vocabulary.js';
import type { CampaignCancelInput, CampaignCancelOutcome, CampaignDeskQuery } from './desk-schemas.js';
import { moveCampaignCallback } from './lifecycle.js';
import {
  findCampaign,
  findCampaignByName,
  findCampaignCallback,
  listCampaignCallbackPage,
  listCampaignHistory,
  listCampaignRows,
  lockCampaignCallback,
  soonestPendingForNumber,
} from './queries.js';

/**
 * The operator desk for campaign callbacks (`/admin/v1/campaign-callbacks`) and cancelling them, from
 * the desk or from a flow. A campaign callback belongs to its campaign's queue for allow-lists.
 */

const HOUR = 3_600_000;

export function campaignCallbackView(r: CampaignCallbackRow, campaign: Pick<CampaignRow, 'id' | 'name' | 'queue_id' | 'max_queued_hours' | 'contact_list_id'>) {
  const insertedAt = r.delivered_at === null ? null : new Date(r.delivered_at);
  return {
    id: r.id,
    campaignId: campaign.id,
    campaignName: campaign.name,
    queueId: campaign.queue_id,
    state: r.state,
    completionReason: r.completion_reason,
    phoneE164: r.phone_e164,
    fullName: r.full_name,
    dialAt: isoUtc(new Date(r.dial_at)),
    priority: r.priority,
    contactId: r.contact_id,
    contactListId: r.contact_list_id ?? campaign.contact_list_id,
    deliveryStatus: r.delivery_status,
    deliveryError: r.delivery_error,
    insertedAt: isoUtcOrNull(insertedAt),
    expiresAt: r.state === 'QUEUED' && insertedAt ? isoUtc(new Date(insertedAt.getTime() + campaign.max_queued_hours * HOUR)) : null,
    checkedAt: isoUtcOrNull(r.checked_at),
    lastAttemptAt: isoUtcOrNull(r.last_attempt_at),
    lastResult: r.last_result,
    contactRemoval: r.contact_removal,
    contactRemovalError: r.contact_removal_error,
    createdAt: isoUtc(r.created_at),
    completedAt: isoUtcOrNull(r.completed_at),
  };
}

async function queueOf(ctx: Context, campaign: Pick<CampaignRow, 'queue_id'>): Promise<QueueIdentity | null> {
  return campaign.queue_id === null ? null : ((await findQueue(ctx.db, campaign.queue_id)) ?? null);
}

/** The campaign callback and its campaign, if the caller may use that campaign's queue (404, 403 otherwise). */
async function visible(ctx: Context, id: string): Promise<{ row: CampaignCallbackRow; campaign: CampaignRow }> {
  const row = await findCampaignCallback(ctx.db, id);
  if (!row) throw errors.notFound('Campaign callback', id);
  const campaign = (await findCampaign(ctx.db, row.campaign_id))!;
  assertCampaignAccess(ctx.caller, campaign, await queueOf(ctx, campaign));
  return { row, campaign };
}

/** `GET /admin/v1/campaign-callbacks`: the campaign callbacks of the caller's queues, newest first. */
export async function listDesk(ctx: Context, q: CampaignDeskQuery) {
  const queues = new Map((await listQueueRows(ctx.db)).map((x) => [x.id, x]));
  if (q.queueId !== undefined && !queues.has(q.queueId)) throw errors.notFound('Queue', q.queueId);
  let campaigns = (await listCampaignRows(ctx.db)).filter((c) => mayUseQueueData(ctx.caller, c.queue_id === null ? null : (queues.get(c.queue_id) ?? null)));
  if (q.campaignId !== undefined) {
    const named = await findCampaign(ctx.db, q.campaignId);
    if (!named) throw errors.notFound('Campaign', q.campaignId);
    assertCampaignAccess(ctx.caller, named, await queueOf(ctx, named));
    campaigns = campaigns.filter((c) => c.id === named.id);
  }
  if (q.queueId !== undefined) {
    assertCampaignAccess(ctx.caller, { name: `of queue ${queues.get(q.queueId)!.name}` }, queues.get(q.queueId)!);
    campaigns = campaigns.filter((c) => c.queue_id === q.queueId);
  }
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  const { rows, total } = await listCampaignCallbackPage(ctx.db, {
    campaignIds: [...byId.keys()],
    states: q.state ? [q.state] : undefined,
    phoneE164: q.phone,
    from: q.from ? parseTimeFilter(q.from, 'from') : undefined,
    to: q.to ? parseTimeFilter(q.to, 'to') : undefined,
    limit: q.limit,
    offset: q.offset,
  });
  return { items: rows.map((r) => campaignCallbackView(r, byId.get(r.campaign_id)!)), total, offset: q.offset };
}

/** `GET /admin/v1/campaign-callbacks/:id`: with its history. */
export async function getDesk(ctx: Context, id: string) {
  const { row, campaign } = await visible(ctx, id);
  const history = await listCampaignHistory(ctx.db, id);
  return {
    ...campaignCallbackView(row, campaign),
    history: history.map((h) => ({
      at: isoUtc(h.at),
      actor: h.actor,
      actorName: h.actor_name,
      event: h.event,
      fromState: h.from_state,
      toState: h.to_state,
      reason: h.reason,
      detail: h.detail,
    })),
  };
}

const CANCEL_MESSAGES: Record<CampaignCancelOutcome, string> = {
  CANCELLED: 'The campaign callback was cancelled; its contact is removed from the list',
  NOT_FOUND: 'No pending campaign callback found',
  ALREADY_COMPLETED: 'The campaign callback was already completed (dialed, expired, cancelled or failed)',
};

/**
 * Cancels a campaign callback: its pending dial is dropped and, if its contact is (or may already
 * be) in the list, a job removes it — all committed with the cancellation.
 */
export async function cancelCampaignCallback(ctx: Context, id: string, reason: Extract<CampaignCompletionReason, 'CANCELLED_BY_ADMIN' | 'CANCELLED_BY_CUSTOMER'>) {
  const found = await findCampaignCallback(ctx.db, id);
  if (!found) return { outcome: 'NOT_FOUND' as const, callbackId: '', message: CANCEL_MESSAGES.NOT_FOUND };
  const campaign = (await findCampaign(ctx.db, found.campaign_id))!;
  assertCampaignAccess(ctx.caller, campaign, await queueOf(ctx, campaign));
  const now = ctx.clock.now();
  const outcome = await ctx.db.transaction().execute(async (trx): Promise<CampaignCancelOutcome> => {
    const row = await lockCampaignCallback(trx, id);
    if (!row) return 'NOT_FOUND';
    if (row.state === 'COMPLETED') return 'ALREADY_COMPLETED';
    // A dial whose time has come may be adding the contact right now: remove it all the same.
    const mayBeInList = row.state === 'QUEUED' || new Date(row.dial_at).getTime() <= now.getTime();
    if (row.state === 'SCHEDULED') await removeJob(trx, jobKeys.campaignDial(id));
    await moveCampaignCallback(trx, row, 'COMPLETED', ctx.caller, now, { event: 'cancelled', reason, removeContact: mayBeInList });
    return 'CANCELLED';
  });
  return { outcome, callbackId: outcome === 'NOT_FOUND' ? '' : id, message: CANCEL_MESSAGES[outcome] };
}

/** `POST /actions/v1/campaign-callbacks/cancel`: by callbackId, or the number's soonest pending one in a campaign. */
export async function cancelFromFlow(ctx: Context, input: CampaignCancelInput) {
  if (input.callbackId !== undefined) return cancelCampaignCallback(ctx, input.callbackId, 'CANCELLED_BY_CUSTOMER');
  if (input.campaign === undefined) throw errors.validation('callbackId', 'callbackId, or campaign and phoneNumber, are required');
  if (input.phoneNumber === undefined) throw errors.validation('phoneNumber', 'phoneNumber is required with campaign');
  const campaign = await findCampaignByName(ctx.db, input.campaign);
  if (!campaign) throw errors.notFound('Campaign', input.campaign);
  assertCampaignAccess(ctx.caller, campaign, await queueOf(ctx, campaign));
  const parsed = normalizeNumber(input.phoneNumber, input.defaultCountry ?? campaign.default_country ?? undefined);
  const soonest = parsed.ok ? await soonestPendingForNumber(ctx.db, campaign.id, parsed.number.e164) : undefined;
  if (!soonest) return { outcome: 'NOT_FOUND' as const, callbackId: '', message: CANCEL_MESSAGES.NOT_FOUND };
  return cancelCampaignCallback(ctx, soonest.id, 'CANCELLED_BY_CUSTOMER');
}
