import { assertMaySetGenesysQueueId, assertQueueAccess, mayUseQueue } from '../auth/access.js';
import { auditedChange } from '../audit/service.js';
import type { Context } from '../context.js';
import type { NewQueue, QueueRow } from '../db/types.js';
import { errors } from '../errors.js';
import { supportedCountry } from '../numbers/screening.js';
import type { OpenWindow, QueueSlotSpec } from '../slots/engine.js';
import { isoUtc, isZone } from '../time.js';
import { toSpec } from '../hours/service.js';
import { SMS_PLACEHOLDERS, unknownPlaceholders } from '../notifications/sms.js';
import { deleteQueueRow, findQueue, insertQueue, listQueueRows, lockQueue, updateQueueRow, type QueueWithConfig } from './queries.js';
import type { CreateQueueBody, Queue, UpdateQueueBody } from './schemas.js';

const ENTITY = 'queue';

export function toApi(row: QueueRow): Queue {
  return {
    id: row.id,
    name: row.name,
    genesysQueueId: row.genesys_queue_id,
    timezone: row.timezone,
    businessHoursId: row.business_hours_id,
    immediateEnabled: row.immediate_enabled,
    scheduledEnabled: row.scheduled_enabled,
    slotDurationMinutes: row.slot_duration_minutes,
    slotCapacity: row.slot_capacity,
    capacityRuleId: row.capacity_rule_id,
    numberRuleId: row.number_rule_id,
    prioritizationPolicyId: row.prioritization_policy_id,
    callbackRetryPolicyId: row.callback_retry_policy_id,
    maxDaysAhead: row.max_days_ahead,
    immediateBlackoutMinutes: row.immediate_blackout_minutes,
    purgeAfterMinutes: row.purge_after_minutes,
    purgeAtClose: row.purge_at_close,
    maxPendingPerNumber: row.max_pending_per_number,
    defaultPriority: row.default_priority,
    scriptId: row.script_id,
    defaultCountry: row.default_country,
    immediateOfferHoursId: row.immediate_offer_hours_id,
    maxEwtSeconds: row.max_ewt_seconds,
    maxWaitingCallbacks: row.max_waiting_callbacks,
    throttles: row.throttles.map((t) => ({ limit: t.limit, windowMinutes: t.windowMinutes })),
    maxPerNumberPerDay: row.max_per_number_per_day,
    emergencyClosed: row.emergency_closed,
    closedReason: row.closed_reason,
    ownedCallbacksEnabled: row.owned_callbacks_enabled,
    defaultOwnershipHours: row.default_ownership_hours,
    ownershipExpiry: row.ownership_expiry,
    upcomingMinutes: row.upcoming_minutes,
    callInGroupId: row.call_in_group_id,
    callInExpiryMinutes: row.call_in_expiry_minutes,
    smsSender: row.sms_sender,
    smsTemplates: row.sms_templates,
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}

/** API fields → columns, for the fields present; checks what the schema cannot (zones, countries). */
function toColumns(body: UpdateQueueBody): Partial<NewQueue> {
  if (body.timezone !== undefined && !isZone(body.timezone)) {
    throw errors.validation('timezone', `timezone: unknown IANA time zone "${body.timezone}"`);
  }
  let defaultCountry = body.defaultCountry;
  if (typeof defaultCountry === 'string') {
    defaultCountry = supportedCountry(defaultCountry);
    if (defaultCountry === undefined) throw errors.validation('defaultCountry', `defaultCountry: unknown country "${body.defaultCountry}"`);
  }
  for (const [type, text] of Object.entries(body.smsTemplates ?? {})) {
    const unknown = text === undefined ? [] : unknownPlaceholders(text);
    if (unknown.length) throw errors.validation(`smsTemplates.${type}`, `smsTemplates.${type}: unknown placeholder {${unknown[0]}} (known: ${SMS_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`);
  }
  const map: [keyof UpdateQueueBody, keyof NewQueue, unknown][] = [
    ['name', 'name', body.name?.trim()],
    ['genesysQueueId', 'genesys_queue_id', body.genesysQueueId],
    ['timezone', 'timezone', body.timezone],
    ['businessHoursId', 'business_hours_id', body.businessHoursId],
    ['immediateEnabled', 'immediate_enabled', body.immediateEnabled],
    ['scheduledEnabled', 'scheduled_enabled', body.scheduledEnabled],
    ['slotDurationMinutes', 'slot_duration_minutes', body.slotDurationMinutes],
    ['slotCapacity', 'slot_capacity', body.slotCapacity],
    ['capacityRuleId', 'capacity_rule_id', body.capacityRuleId],
    ['numberRuleId', 'number_rule_id', body.numberRuleId],
    ['prioritizationPolicyId', 'prioritization_policy_id', body.prioritizationPolicyId],
    ['callbackRetryPolicyId', 'callback_retry_policy_id', body.callbackRetryPolicyId],
    ['maxDaysAhead', 'max_days_ahead', body.maxDaysAhead],
    ['immediateBlackoutMinutes', 'immediate_blackout_minutes', body.immediateBlackoutMinutes],
    ['purgeAfterMinutes', 'purge_after_minutes', body.purgeAfterMinutes],
    ['purgeAtClose', 'purge_at_close', body.purgeAtClose],
    ['maxPendingPerNumber', 'max_pending_per_number', body.maxPendingPerNumber],
    ['defaultPriority', 'default_priority', body.defaultPriority],
    ['scriptId', 'script_id', body.scriptId],
    ['defaultCountry', 'default_country', defaultCountry],
    ['immediateOfferHoursId', 'immediate_offer_hours_id', body.immediateOfferHoursId],
    ['maxEwtSeconds', 'max_ewt_seconds', body.maxEwtSeconds],
    ['maxWaitingCallbacks', 'max_waiting_callbacks', body.maxWaitingCallbacks],
    ['throttles', 'throttles', body.throttles && JSON.stringify(body.throttles)],
    ['maxPerNumberPerDay', 'max_per_number_per_day', body.maxPerNumberPerDay],
    ['emergencyClosed', 'emergency_closed', body.emergencyClosed],
    ['closedReason', 'closed_reason', body.closedReason?.trim() ?? body.closedReason],
    ['ownedCallbacksEnabled', 'owned_callbacks_enabled', body.ownedCallbacksEnabled],
    ['defaultOwnershipHours', 'default_ownership_hours', body.defaultOwnershipHours],
    ['ownershipExpiry', 'ownership_expiry', body.ownershipExpiry],
    ['upcomingMinutes', 'upcoming_minutes', body.upcomingMinutes],
    ['callInGroupId', 'call_in_group_id', body.callInGroupId],
    ['callInExpiryMinutes', 'call_in_expiry_minutes', body.callInExpiryMinutes],
    ['smsSender', 'sms_sender', body.smsSender],
    ['smsTemplates', 'sms_templates', body.smsTemplates && JSON.stringify(body.smsTemplates)],
  ];
  return Object.fromEntries(map.filter(([field]) => body[field] !== undefined).map(([, column, value]) => [column, value]));
}

/**
 * An emergency close names its reason: the change that closes the queue sends closedReason, and a
 * closed queue's reason is not cleared.
 */
function checkClosing(patch: UpdateQueueBody, wasClosed: boolean): void {
  const closed = patch.emergencyClosed ?? wasClosed;
  if (!closed) return;
  if (patch.closedReason === null) throw errors.validation('closedReason', 'closedReason: a queue closed in an emergency keeps its reason (reopen it with emergencyClosed false)');
  if (!wasClosed && patch.closedReason === undefined) throw errors.validation('closedReason', 'closedReason is required when emergencyClosed is set');
}

/**
 * A restricted client creates queues on its allow-list only, and without a Genesys queue id: that id
 * decides which queue flows naming a Genesys queue land in, so only an unrestricted one sets it.
 */
export async function createQueue(ctx: Context, body: CreateQueueBody) {
  assertQueueAccess(ctx.caller, { id: '', name: body.name.trim(), genesys_queue_id: body.genesysQueueId ?? null });
  if (body.genesysQueueId !== undefined && body.genesysQueueId !== null) assertMaySetGenesysQueueId(ctx.caller);
  checkClosing(body, false);
  const values = toColumns(body) as NewQueue;
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'create', name: body.name }, async (trx) => {
    const row = await insertQueue(trx, values);
    const result = toApi(row);
    return { entityId: row.id, after: result, result };
  });
}

export async function listQueues(ctx: Context) {
  return (await listQueueRows(ctx.db)).filter((q) => mayUseQueue(ctx.caller, q)).map(toApi);
}

export async function getQueue(ctx: Context, id: string) {
  const row = await findQueue(ctx.db, id);
  if (!row) throw errors.notFound('Queue', id);
  assertQueueAccess(ctx.caller, row);
  return toApi(row);
}

export async function updateQueue(ctx: Context, id: string, patch: UpdateQueueBody) {
  const values = toColumns(patch);
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'update', name: patch.name }, async (trx) => {
    const before = await lockQueue(trx, id);
    if (!before) throw errors.notFound('Queue', id);
    assertQueueAccess(ctx.caller, before);
    if (patch.genesysQueueId !== undefined && patch.genesysQueueId !== before.genesys_queue_id) assertMaySetGenesysQueueId(ctx.caller);
    checkClosing(patch, before.emergency_closed);
    const row = await updateQueueRow(trx, id, { ...values, updated_at: ctx.clock.now() });
    return { entityId: id, before: toApi(before), after: toApi(row), result: toApi(row) };
  });
}

export async function deleteQueue(ctx: Context, id: string): Promise<void> {
  await auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'delete' }, async (trx) => {
    const before = await lockQueue(trx, id);
    if (!before) throw errors.notFound('Queue', id);
    assertQueueAccess(ctx.caller, before);
    await deleteQueueRow(trx, id);
    return { entityId: id, before: toApi(before), result: undefined };
  });
}

/** What the slot engine needs to know about a queue. */
export function slotSpecOf(config: QueueWithConfig): QueueSlotSpec {
  return {
    timezone: config.queue.timezone,
    slotDurationMinutes: config.queue.slot_duration_minutes,
    slotCapacity: config.queue.slot_capacity,
    hours: config.hours && toSpec(config.hours),
    rule: config.rule && { timeslotLength: config.rule.timeslot_length, cells: config.rule.cells },
  };
}

/**
 * Whether it is still time for an immediate callback: open, and more than the queue's blackout
 * before closing. Create, open-for and queue-status all ask this one question.
 */
export function beforeBlackout(queue: Pick<QueueRow, 'immediate_blackout_minutes'>, window: OpenWindow, at: Date): boolean {
  if (!window.open) return false;
  const left = window.closesAt ? window.closesAt.getTime() - at.getTime() : Infinity;
  return left > queue.immediate_blackout_minutes * 60_000;
}
