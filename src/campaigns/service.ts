import type { Kysely, Updateable } from 'kysely';
import { assertCampaignAccess, mayUseQueueData, type QueueIdentity } from '../auth/access.js';
import { auditedChange } from '../audit/service.js';
import type { Actor } from '../auth/caller.js';
import type { Context } from '../context.js';
import { lockKey } from '../db/locks.js';
import type { CampaignRow, CampaignsTable, DB } from '../db/types.js';
import { toSpec } from '../hours/service.js';
import { errors } from '../errors.js';
import { isoUtc } from '../time.js';
import { answerOnce } from '../callbacks/idempotency.js';
import { enqueue, jobs } from '../jobs/catalog.js';
import { campaignCallbackView } from './desk.js';
import { recordCampaignHistory } from './lifecycle.js';
import { findHours } from '../hours/queries.js';
import { findNumberRule } from '../numbers/queries.js';
import { screenWith, supportedCountryOrNull } from '../numbers/service.js';
import { isOpenAt, openWindow } from '../slots/engine.js';
import { findQueue, listQueueRows } from '../queues/queries.js';
import {
  campaignHasCallbacks,
  countPendingForNumber,
  deleteCampaignRow,
  findCampaign,
  findCampaignByName,
  insertCampaign,
  insertCampaignCallback,
  listCampaignCallbackRows,
  listCampaignRows,
  lockCampaign,
  updateCampaignRow,
} from './queries.js';
import type { CampaignCallbackInput, CreateCampaignBody, UpdateCampaignBody } from './schemas.js';

/**
 * Always-running campaign callbacks: a flow asks for a callback, and after the delay the number
 * is added to the contact list of an agentless campaign that dials it. Unlike a raw insert
 * into the list, numbers are screened, duplicates and replays refused, and values written JSON-safe.
 */

const ENTITY = 'campaign';
const LABEL = 'Campaign';

function toApi(r: CampaignRow) {
  return {
    id: r.id,
    name: r.name,
    queueId: r.queue_id,
    contactListId: r.contact_list_id,
    phoneColumn: r.phone_column,
    nameColumn: r.name_column,
    extraColumns: r.extra_columns,
    numberRuleId: r.number_rule_id,
    businessHoursId: r.business_hours_id,
    maxDelaySeconds: r.max_delay_seconds,
    maxPendingPerNumber: r.max_pending_per_number,
    maxQueuedHours: r.max_queued_hours,
    defaultCountry: r.default_country,
    createdAt: isoUtc(r.created_at),
    updatedAt: isoUtc(r.updated_at),
  };
}

function columns(b: UpdateCampaignBody): Updateable<CampaignsTable> {
  let defaultCountry = b.defaultCountry;
  if (typeof defaultCountry === 'string') {
    defaultCountry = supportedCountryOrNull(defaultCountry);
    if (!defaultCountry) throw errors.validation('defaultCountry', `defaultCountry: unknown country "${b.defaultCountry}"`);
  }
  return {
    ...(b.name !== undefined && { name: b.name.trim() }),
    ...(b.queueId !== undefined && { queue_id: b.queueId }),
    ...(b.contactListId !== undefined && { contact_list_id: b.contactListId }),
    ...(b.phoneColumn !== undefined && { phone_column: b.phoneColumn }),
    ...(b.nameColumn !== undefined && { name_column: b.nameColumn }),
    ...(b.extraColumns !== undefined && { extra_columns: JSON.stringify(b.extraColumns) }),
    ...(b.numberRuleId !== undefined && { number_rule_id: b.numberRuleId }),
    ...(b.businessHoursId !== undefined && { business_hours_id: b.businessHoursId }),
    ...(b.maxDelaySeconds !== undefined && { max_delay_seconds: b.maxDelaySeconds }),
    ...(b.maxPendingPerNumber !== undefined && { max_pending_per_number: b.maxPendingPerNumber }),
    ...(b.maxQueuedHours !== undefined && { max_queued_hours: b.maxQueuedHours }),
    ...(defaultCountry !== undefined && { default_country: defaultCountry }),
  };
}

/** The queue a campaign belongs to (null: none); a queueId naming no queue is a 400. */
async function campaignQueue(db: Kysely<DB>, queueId: string | null): Promise<QueueIdentity | null> {
  if (queueId === null) return null;
  const queue = await findQueue(db, queueId);
  if (!queue) throw errors.validation('queueId', 'queueId does not name an existing record');
  return queue;
}

/** 403 unless the caller may use the campaign's queue (see mayUseQueueData). */
async function assertMayUse(ctx: Context, row: CampaignRow): Promise<void> {
  assertCampaignAccess(ctx.caller, row, await campaignQueue(ctx.db, row.queue_id));
}

/** `/admin/v1/campaigns`: the campaigns of the caller's queues. */
export async function listCampaigns(ctx: Context) {
  const queues = new Map((await listQueueRows(ctx.db)).map((q) => [q.id, q]));
  const rows = await listCampaignRows(ctx.db);
  return rows.filter((r) => mayUseQueueData(ctx.caller, r.queue_id === null ? null : (queues.get(r.queue_id) ?? null))).map(toApi);
}

export async function getCampaign(ctx: Context, id: string) {
  const row = await findCampaign(ctx.db, id);
  if (!row) throw errors.notFound(LABEL, id);
  await assertMayUse(ctx, row);
  return toApi(row);
}

export async function createCampaign(ctx: Context, body: CreateCampaignBody) {
  assertCampaignAccess(ctx.caller, body, await campaignQueue(ctx.db, body.queueId ?? null));
  const values = { ...columns(body), name: body.name.trim(), contact_list_id: body.contactListId, phone_column: body.phoneColumn };
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'create', name: body.name }, async (trx) => {
    const result = toApi(await insertCampaign(trx, values));
    return { entityId: result.id, after: result, result };
  });
}

export async function updateCampaign(ctx: Context, id: string, patch: UpdateCampaignBody) {
  const values = columns(patch);
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'update', name: patch.name }, async (trx) => {
    const before = await lockCampaign(trx, id);
    if (!before) throw errors.notFound(LABEL, id);
    await assertMayUse(ctx, before);
    // Moving it to another queue: the caller must be allowed there too.
    if (patch.queueId !== undefined) assertCampaignAccess(ctx.caller, before, await campaignQueue(ctx.db, patch.queueId));
    const row = await updateCampaignRow(trx, id, { ...values, updated_at: ctx.clock.now() });
    return { entityId: id, before: toApi(before), after: toApi(row), result: toApi(row) };
  });
}

/** A campaign with callbacks is kept: they stay for their retention period. */
export async function deleteCampaign(ctx: Context, id: string): Promise<void> {
  await auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'delete' }, async (trx) => {
    const before = await lockCampaign(trx, id);
    if (!before) throw errors.notFound(LABEL, id);
    await assertMayUse(ctx, before);
    if (await campaignHasCallbacks(trx, id)) throw errors.conflict('The campaign has callbacks; they are kept for their retention period');
    await deleteCampaignRow(trx, id);
    return { entityId: id, before: toApi(before), result: undefined };
  });
}

/** `/admin/v1/campaigns/:id/callbacks`: a campaign's callbacks, newest first, if the caller may use the campaign. */
export async function listCampaignCallbacks(ctx: Context, id: string, limit: number) {
  const campaign = await findCampaign(ctx.db, id);
  if (!campaign) throw errors.notFound('Campaign', id);
  await assertMayUse(ctx, campaign);
  const rows = await listCampaignCallbackRows(ctx.db, id, limit);
  return rows.map((r) => campaignCallbackView(r, campaign));
}

type Answer = { outcome: string; replayed: boolean; callbackId: string; dialAt: string; phoneE164: string; message: string };

/** `POST /actions/v1/campaign-callbacks`. */
export async function requestCampaignCallback(ctx: Context, input: CampaignCallbackInput): Promise<Answer> {
  const { db } = ctx;
  const now = ctx.clock.now();
  const campaign = await findCampaignByName(db, input.campaign);
  if (!campaign) throw errors.notFound('Campaign', input.campaign);
  assertCampaignAccess(ctx.caller, campaign, await campaignQueue(db, campaign.queue_id));
  const rule = campaign.number_rule_id ? await findNumberRule(db, campaign.number_rule_id) : null;
  const hours = campaign.business_hours_id ? await findHours(db, campaign.business_hours_id) : null;
  const refusal = (outcome: string, message: string, phoneE164 = ''): Answer => ({ outcome, replayed: false, callbackId: '', dialAt: '', phoneE164, message });

  return db.transaction().execute((trx) =>
    answerOnce(trx, `campaign-callbacks:${campaign.id}`, input.idempotencyKey, async (): Promise<Answer> => {
      const screened = await screenWith(ctx.caches.numberRules, rule ?? null, input.phoneNumber, input.defaultCountry, campaign.default_country);
      if (!screened.allowed) return refusal(screened.outcome, screened.message, screened.phoneE164);
      const phone = screened.phoneE164;
      await lockKey(trx, `campaign.number:${campaign.id}:${phone}`);
      // Completed callbacks (dialed, expired, cancelled, failed) no longer hold the number.
      if ((await countPendingForNumber(trx, campaign.id, phone)) >= campaign.max_pending_per_number) return refusal('DUPLICATE', `${phone} is already waiting to be dialed in ${campaign.name}`, phone);

      let dialAt = new Date(now.getTime() + Math.min(input.delaySeconds, campaign.max_delay_seconds) * 1000);
      // Outside the campaign's hours the dial moves to the next opening.
      if (hours && !isOpenAt(toSpec(hours), dialAt)) dialAt = openWindow(toSpec(hours), dialAt).nextOpenAt ?? dialAt;
      const row = await insertCampaignCallback(trx, {
        campaign_id: campaign.id,
        state: 'SCHEDULED',
        phone_e164: phone,
        full_name: input.fullName ?? null,
        dial_at: dialAt,
        priority: input.priority,
        idempotency_key: input.idempotencyKey ?? null,
          created_by: ctx.caller.id,
      });
      await recordCampaignHistory(trx, row.id, ctx.caller, { event: 'created', to: 'SCHEDULED', detail: { dialAt: isoUtc(dialAt) } });
      await enqueue(trx, jobs.dialCampaignCallback(row.id, dialAt));
      return { outcome: 'SCHEDULED', replayed: false, callbackId: row.id, dialAt: isoUtc(dialAt), phoneE164: phone, message: `Dialed from ${isoUtc(dialAt)}` };
    }),
  );
}
