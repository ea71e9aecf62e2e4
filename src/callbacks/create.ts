import type { Transaction } from 'kysely';
import { assertCustomerMaySet } from '../auth/access.js';
import type { Context } from '../context.js';
import { lockKey } from '../db/locks.js';
import type { CallbackRow, DB } from '../db/types.js';
import type { DevicePlatform } from '../vocabulary.js';
import { checkZone, parseTimeInput } from '../time.js';
import { enqueue, jobs } from '../jobs/catalog.js';
import { screenForQueue } from '../numbers/service.js';
import { armCallIn } from '../callin/delayed.js';
import type { QueueWithConfig } from '../queues/queries.js';
import { resolveQueue } from '../queues/resolve.js';
import { slotSpecOf } from '../queues/service.js';
import { gridZone, openWindow } from '../slots/engine.js';
import { answerFor, emptyAnswer, slotTimes, type CreateAnswer } from './answers.js';
import { recordHistory } from './lifecycle.js';
import { armUpcoming } from './upcoming.js';
import { answerOnce } from './idempotency.js';
import { countPendingForNumber, insertCallback, pendingForNumber, queueCounts } from './queries.js';
import { closedReasonOf, emergencyRefusal, estimatedWaitIfLimited, fullRefusal, immediateTimeRefusal, lockQueueLimits, numberLimitRefusal, throttleRefusal } from './offer-controls.js';
import { bookOrNearest, checkDesiredTime, nearestSlots, type ChosenSlot } from './slot-choice.js';
import { parseUserData } from './user-data.js';
import { recordedDecision } from '../reports/offers.js';
import type { CreateInput } from './schemas.js';
import { errors } from '../errors.js';
import { GenesysError } from '../genesys/gateway.js';
import { MAX_PREFERRED_AGENTS, MAX_SKILLS, parseList, resolveAtCreate } from './routing.js';

/**
 * `POST /actions/v1/callbacks/create`. Checks run in this order, and each refusal is an outcome:
 * 1. the queue not closed in an emergency (QUEUE_CLOSED with closedReason);
 * 2. the queue takes the type (IMMEDIATE_DISABLED, SCHEDULED_DISABLED);
 * 3. time — immediate: open, not within the blackout, inside the immediate offer hours (QUEUE_CLOSED),
 *    the known estimated wait not above maxEwtSeconds (WAIT_TOO_LONG); scheduled: not in the past,
 *    not too far ahead, open at the slot;
 * 4. screening of the number;
 * 5. the queue-wide limits, serialized per queue so racing creates count each other: fewer waiting
 *    than maxWaitingCallbacks for an immediate callback (QUEUE_FULL), then the throttles (THROTTLED);
 * 6. the per-number limits, serialized per queue and number: pending callbacks (DUPLICATE), then the
 *    callbacks of the local day (NUMBER_LIMIT);
 * 7. booking (SLOT_FULL).
 * Refusals about time and QUEUE_FULL carry scheduled alternatives. An idempotency key replays the
 * first answer, also to requests racing with it. A created callback's CALLBACK_UPCOMING is armed
 * (callbacks/upcoming.ts) with the wait asked here.
 */
export async function createCallback(ctx: Context, input: CreateInput): Promise<CreateAnswer & { closedReason: string }> {
  const now = ctx.clock.now();
  assertCustomerMaySet(ctx.caller, input);
  checkZone(input.timezone, 'timezone');
  const userData = parseUserData(input.userData);
  const config = await resolveQueue(ctx, input);
  const zone = input.timezone ?? config.queue.timezone;
  const desired = input.desiredTime === undefined ? undefined : parseTimeInput(input.desiredTime, input.timezone ?? gridZone(slotSpecOf(config)), 'desiredTime');
  const routing = await routingOf(ctx, config, input);
  deviceOf(input); // a bad device is a 400 before any decision is taken (and recorded)

  const scope = `callbacks.create:${config.queue.id}`;
  // Asked of Genesys before the transaction: no lock is held while it answers.
  const ewtSeconds = desired === undefined ? await estimatedWaitIfLimited(ctx, config.queue, now) : -1;
  const stored = await ctx.db.transaction().execute((trx) =>
    answerOnce(trx, scope, input.idempotencyKey, async () =>
      recordedDecision(trx, now, { queueId: config.queue.id, type: desired === undefined ? 'immediate' : 'scheduled', conversationId: input.conversationId }, await decide(trx, ctx, now, config, input, desired, userData, zone, ewtSeconds, routing)),
    ),
  );
  // Answers stored before closedReason existed replay without it.
  const answer = { ...stored, closedReason: stored.closedReason ?? '' };
  // Counted once committed: a rolled-back create counts nothing, a replay is not a new decision.
  ctx.caches.metrics.createDecided(config.queue.name, desired === undefined ? 'immediate' : 'scheduled', answer);
  return answer;
}

async function decide(
  trx: Transaction<DB>,
  ctx: Context,
  now: Date,
  config: QueueWithConfig,
  input: CreateInput,
  desired: Date | undefined,
  userData: Record<string, string>,
  zone: string,
  ewtSeconds: number,
  routing: CreateRouting,
): Promise<CreateAnswer> {
  const q = config.queue;
  const refuse = async (outcome: CreateAnswer['outcome'], message: string, around?: Date): Promise<CreateAnswer> => ({
    ...emptyAnswer(outcome, message),
    ...slotTimes('alternativeSlots', around ? await nearestSlots(trx, ctx.caches, config, around, now) : [], zone),
  });

  // 1. Emergency close: nothing is taken, and no alternative offered.
  const emergency = emergencyRefusal(q);
  if (emergency) return { ...(await refuse(emergency.outcome, emergency.message)), closedReason: closedReasonOf(q) };

  // 2. The queue takes this type of callback.
  if (desired === undefined && !q.immediate_enabled) return refuse('IMMEDIATE_DISABLED', `Queue ${q.name} does not take immediate callbacks`);
  if (desired !== undefined && !q.scheduled_enabled) return refuse('SCHEDULED_DISABLED', `Queue ${q.name} does not take scheduled callbacks`);

  // 3. Time (and, for an immediate callback, the estimated wait).
  const spec = slotSpecOf(config);
  let slot: ChosenSlot | null = null;
  if (desired === undefined) {
    const refused = immediateTimeRefusal(config, openWindow(spec.hours, now), now, ewtSeconds);
    if (refused) return refuse(refused.outcome, refused.message, now);
  } else {
    const check = checkDesiredTime(config, desired, now);
    if (!check.ok) return refuse(check.outcome, check.message, check.around);
    slot = check.slot;
  }

  // 4. Screening.
  const screened = await screenForQueue(trx, ctx.caches.numberRules, config, input.phoneNumber, input.defaultCountry);
  if (!screened.allowed) {
    return { ...emptyAnswer(screened.outcome as CreateAnswer['outcome'], screened.message), phoneE164: screened.phoneE164 };
  }
  const phone = screened.phoneE164;

  // 5. The queue-wide limits, serialized per queue so racing requests count each other.
  await lockQueueLimits(trx, q);
  if (desired === undefined) {
    const full = fullRefusal(q, (await queueCounts(trx, q.id, now, now)).waiting);
    if (full) return { ...(await refuse(full.outcome, full.message, now)), phoneE164: phone };
  }
  const throttled = await throttleRefusal(trx, q, now);
  if (throttled) return { ...emptyAnswer(throttled.outcome, throttled.message), phoneE164: phone };

  // 6. The per-number limits, serialized per queue and number so racing requests count each other.
  await lockKey(trx, `callbacks.number:${q.id}:${phone}`);
  if ((await countPendingForNumber(trx, q.id, phone)) >= q.max_pending_per_number) {
    const [existing] = await pendingForNumber(trx, phone, q.id);
    return {
      ...emptyAnswer('DUPLICATE', `${phone} already has a pending callback in ${q.name}`),
      ...(existing && answerFor(existing, zone)),
      created: false,
      phoneE164: phone,
    };
  }
  const limited = await numberLimitRefusal(trx, q, phone, now);
  if (limited) return { ...emptyAnswer(limited.outcome, limited.message), phoneE164: phone };

  // 7. Booking: a full slot refuses, or with acceptNearest the nearest later free slot is taken.
  let scheduledTime = desired ?? null;
  if (slot) {
    const booked = await bookOrNearest(trx, ctx.caches, config, slot, input.acceptNearest ?? false, now);
    if (!booked) return refuse('SLOT_FULL', 'That slot is full', desired);
    if (booked !== slot) scheduledTime = booked.start;
    slot = booked;
  }

  const callback = await insertCallback(trx, {
    queue_id: q.id,
    type: desired === undefined ? 'immediate' : 'scheduled',
    state: desired === undefined ? 'QUEUED' : 'SCHEDULED',
    phone_e164: phone,
    customer_name: input.customerName ?? null,
    desired_time: desired ?? null,
    scheduled_time: scheduledTime,
    slot_start: slot?.start ?? null,
    priority: input.priority ?? routing.priority ?? q.default_priority,
    ivr_conversation_id: input.conversationId ?? null,
    waited_seconds: input.waitedSeconds ?? 0,
    user_data: JSON.stringify(userData),
    idempotency_key: input.idempotencyKey ?? null,
    created_by: ctx.caller.id,
    requested_at: now,
    routing_skills: routing.skills,
    routing_language: routing.language,
    preferred_agent_ids: routing.preferredAgentIds,
    routing_label: input.routingLabel ?? null,
    owner_agent_id: routing.owner?.agentId ?? null,
    ownership_ends_at: routing.owner ? new Date((scheduledTime ?? now).getTime() + routing.owner.hours * 3_600_000) : null,
    caller_id: input.callerId ?? null,
    caller_id_name: input.callerIdName ?? null,
    script_id: input.scriptId ?? null,
    ...deviceOf(input),
    // Delayed call-in: the customer calls in; nothing is sent to Genesys.
    ...(q.call_in_group_id !== null && { delivery_status: 'NOT_REQUIRED' as const }),
  });
  await recordHistory(trx, callback.id, ctx.caller, { event: 'created', to: callback.state, detail: { type: callback.type, correlationId: ctx.caller.correlationId, ...(routing.preserved !== undefined && { preservedFrom: input.conversationId, preserved: routing.preserved }) } });
  await armUpcoming(trx, ctx.caller, callback, q, ewtSeconds, now);
  if (q.call_in_group_id !== null) await armCallIn(trx, callback);
  else await enqueueDelivery(trx, callback);
  if (callback.ownership_ends_at) await enqueue(trx, jobs.ownershipExpiry(callback.id, callback.ownership_ends_at));
  return { ...emptyAnswer('CREATED', 'Callback created'), ...answerFor(callback, zone), created: true };
}

/** The customer's app for push notifications: a token with its platform, or neither. */
function deviceOf(input: CreateInput): { device_token: string | null; device_platform: DevicePlatform | null } {
  if (input.deviceToken === undefined && input.devicePlatform !== undefined) throw errors.validation('devicePlatform', 'devicePlatform needs a deviceToken');
  if (input.deviceToken !== undefined && input.devicePlatform === undefined) throw errors.validation('devicePlatform', 'devicePlatform (android, ios or web) is required with a deviceToken');
  if (input.deviceToken !== undefined && /\s/.test(input.deviceToken)) throw errors.validation('deviceToken', 'deviceToken must be an FCM registration token (no spaces)');
  return { device_token: input.deviceToken ?? null, device_platform: (input.devicePlatform as DevicePlatform | undefined) ?? null };
}

interface CreateRouting {
  skills: string[];
  language: string | null;
  preferredAgentIds: string[];
  owner: { agentId: string; hours: number } | null;
  /** The IVR conversation's priority (preserveOriginal), when the create names none. */
  priority: number | null;
  /** What preserveOriginal found (for the history): the conversation's routing, or why none. */
  preserved?: { skillIds: string[]; languageId: string | null; priority: number | null } | 'NOT_FOUND' | 'UNAVAILABLE';
}

/** The create's routing, checked, with skill and language names resolved (asked of Genesys outside the transaction). */
async function routingOf(ctx: Context, config: QueueWithConfig, input: CreateInput): Promise<CreateRouting> {
  const skills = parseList(input.skills, 'skills', MAX_SKILLS);
  const preferredAgentIds = parseList(input.preferredAgentIds, 'preferredAgentIds', MAX_PREFERRED_AGENTS);
  if (input.ownershipHours !== undefined && input.ownerAgentId === undefined) throw errors.validation('ownershipHours', 'ownershipHours needs an ownerAgentId');
  if (input.ownerAgentId !== undefined && !config.queue.owned_callbacks_enabled) {
    throw errors.validation('ownerAgentId', `Queue ${config.queue.name} does not take agent-owned callbacks (ownedCallbacksEnabled)`);
  }
  if (input.preserveOriginal && input.conversationId === undefined) throw errors.validation('preserveOriginal', 'preserveOriginal needs the conversationId of the IVR conversation');
  const resolved = await resolveAtCreate(ctx, skills, input.language);
  const routing: CreateRouting = {
    ...resolved,
    preferredAgentIds,
    owner: input.ownerAgentId === undefined ? null : { agentId: input.ownerAgentId, hours: input.ownershipHours ?? config.queue.default_ownership_hours },
    priority: null,
  };
  if (!input.preserveOriginal) return routing;
  const original = await originalRouting(ctx, input.conversationId!);
  routing.preserved = original;
  if (typeof original === 'string') return routing;
  return {
    ...routing,
    skills: skills.length > 0 ? routing.skills : original.skillIds,
    language: input.language !== undefined ? routing.language : original.languageId,
    priority: original.priority,
  };
}

/**
 * The routing Genesys holds for the IVR conversation (GET /api/v2/conversations/{id}: its ACD
 * participant's conversationRoutingData — skills, language, priority). A conversation Genesys does
 * not know, or Genesys not answering, leaves the create to its own inputs and the queue's defaults.
 */
async function originalRouting(ctx: Context, conversationId: string): Promise<NonNullable<CreateRouting['preserved']>> {
  try {
    const conv = await ctx.gateway.getConversation(conversationId);
    if (!conv) return 'NOT_FOUND';
    const acd = conv.participants.filter((p) => p.purpose === 'acd' && (p.skillIds?.length || p.priority !== null || p.languageId));
    const last = acd.at(-1);
    return { skillIds: last?.skillIds ?? [], languageId: last?.languageId ?? null, priority: last?.priority ?? null };
  } catch (err) {
    if (err instanceof GenesysError) return 'UNAVAILABLE';
    throw err;
  }
}

/** The callback's delivery to Genesys commits with the callback itself. */
export async function enqueueDelivery(trx: Transaction<DB>, callback: Pick<CallbackRow, 'id'>): Promise<void> {
  await enqueue(trx, jobs.deliverCallback(callback.id));
}
