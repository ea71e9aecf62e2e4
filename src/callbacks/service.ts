import type { Kysely, Transaction } from 'kysely';
import { DateTime } from 'luxon';
import { assertQueueAccess } from '../auth/access.js';
import type { Context } from '../context.js';
import type { CallbackRow, DB } from '../db/types.js';
import { errors } from '../errors.js';
import { checkZone, isoUtc, isoUtcOrNull, parseTimeInput } from '../time.js';
import { enqueue, jobs } from '../jobs/catalog.js';
import { normalizeNumber, supportedCountry } from '../numbers/screening.js';
import { ruleOf } from '../numbers/service.js';
import { findQueue, findQueueWithConfig, type QueueWithConfig } from '../queues/queries.js';
import { allowedQueueIds, resolveQueue } from '../queues/resolve.js';
import { slotSpecOf } from '../queues/service.js';
import { closedReasonOf, estimatedWait, fullRefusal, immediateOfferSeconds, immediateTimeRefusal, throttleRefusal } from './offer-controls.js';
import { releaseSlot } from '../slots/bookings.js';
import { gridZone, openWindow } from '../slots/engine.js';
import { freeSlots } from '../slots/search.js';
import { answerFor, emptyAnswer, slotTimes } from './answers.js';
import { cancelLocked, type CancelOutcome } from './cancel.js';
import { recordHistory, type CompletionReason } from './lifecycle.js';
import { lockCallback, pendingForNumber, queueCounts, setSchedule } from './queries.js';
import type { CancelInput, LookupInput, RescheduleInput } from './schemas.js';
import { bookOrNearest, checkDesiredTime, nearestSlots } from './slot-choice.js';
import { ownedCutOff } from './routing.js';
import { armUpcoming } from './upcoming.js';

const DAY_MS = 86_400_000;

/**
 * A number as a flow typed it, in E.164 — without screening: lookups must find what was booked, so
 * national numbers get the same default country as at creation (request, queue, rule).
 */
function e164(phoneNumber: string, ...countries: (string | null | undefined)[]): string | null {
  const country = countries.map((c) => (c ? supportedCountry(c) : undefined)).find((c) => c !== undefined);
  const parsed = normalizeNumber(phoneNumber, country);
  return parsed.ok ? parsed.number.e164 : null;
}

/** The queue's number rule's first permitted country: the last default for national numbers. */
async function ruleCountry(ctx: Context, config: QueueWithConfig | null): Promise<string | undefined> {
  const rule = config?.numberRule ? await ruleOf(ctx.db, ctx.caches.numberRules, config.numberRule) : null;
  return rule?.spec.permittedCountries[0];
}

export async function lookup(ctx: Context, input: LookupInput) {
  const { db } = ctx;
  checkZone(input.timezone, 'timezone');
  const config = input.queue !== undefined || input.queueId !== undefined ? await resolveQueue(ctx, input) : null;
  const phone = e164(input.phoneNumber, input.defaultCountry, config?.queue.default_country, await ruleCountry(ctx, config));
  const none = { found: false, count: 0, callbackId: '', state: '', scheduledTime: '', scheduledTimeLocal: '', phoneE164: phone ?? '' };
  if (!phone) return none;
  let pending = await pendingForNumber(db, phone, config?.queue.id);
  const allowed = config ? null : await allowedQueueIds(ctx);
  if (allowed) pending = pending.filter((c) => allowed.includes(c.queue_id));
  const first = pending[0];
  if (!first) return none;
  const zone = input.timezone ?? config?.queue.timezone ?? (await findQueue(db, first.queue_id))!.timezone;
  return { found: true, count: pending.length, ...answerFor(first, zone) };
}

const CANCEL_MESSAGES: Record<CancelOutcome, string> = {
  CANCELLED: 'The callback was cancelled',
  NOT_FOUND: 'No pending callback found',
  NOT_CANCELLABLE: 'An agent is already handling this callback',
  ALREADY_COMPLETED: 'The callback was already completed',
};

/**
 * How a change to an agent-owned callback inside its cut-off is refused: flows (and customers) get a
 * 200 outcome to branch on; the operator's routes a 409.
 */
export type OwnedRefusal = 'outcome' | 'conflict';
export const OWNED_CUTOFF_MESSAGE = 'An agent-owned callback cannot be changed within 15 minutes of its scheduled time';

export async function cancelById(ctx: Context, id: string, reason: CompletionReason, detail?: unknown, refusal: OwnedRefusal = 'outcome') {
  let cutOff = false;
  const outcome = await ctx.db.transaction().execute(async (trx): Promise<CancelOutcome> => {
    const callback = await lockCallback(trx, id);
    if (!callback) return 'NOT_FOUND';
    await assertCallbackAccess(trx, ctx, callback);
    if (callback.state !== 'COMPLETED' && ownedCutOff(callback, ctx.clock.now())) {
      if (refusal === 'conflict') throw errors.conflict(OWNED_CUTOFF_MESSAGE);
      cutOff = true;
      return 'NOT_CANCELLABLE';
    }
    return cancelLocked(trx, callback, ctx, ctx.clock.now(), { reason, ...(detail !== undefined && { detail }) });
  });
  return { outcome, callbackId: outcome === 'NOT_FOUND' ? '' : id, message: cutOff ? OWNED_CUTOFF_MESSAGE : CANCEL_MESSAGES[outcome] };
}

async function assertCallbackAccess(db: Kysely<DB>, ctx: Context, callback: Pick<CallbackRow, 'queue_id'>) {
  assertQueueAccess(ctx.caller, (await findQueue(db, callback.queue_id))!);
}

export async function cancelFromFlow(ctx: Context, input: CancelInput) {
  const { db } = ctx;
  if (input.callbackId !== undefined) return cancelById(ctx, input.callbackId, 'CANCELLED_BY_CUSTOMER');
  if (input.phoneNumber === undefined) throw errors.validation('callbackId', 'callbackId, or queue and phoneNumber, are required');
  const config = await resolveQueue(ctx, input);
  const phone = e164(input.phoneNumber, input.defaultCountry, config.queue.default_country, await ruleCountry(ctx, config));
  const [soonest] = phone ? await pendingForNumber(db, phone, config.queue.id) : [];
  if (!soonest) return { outcome: 'NOT_FOUND' as const, callbackId: '', message: CANCEL_MESSAGES.NOT_FOUND };
  return cancelById(ctx, soonest.id, 'CANCELLED_BY_CUSTOMER');
}

/**
 * Moves a scheduled callback atomically: the new slot is booked before the old one is released, in
 * one transaction, so a failed move leaves the callback where it was.
 */
export async function reschedule(ctx: Context, input: RescheduleInput, refusal: OwnedRefusal = 'outcome') {
  const now = ctx.clock.now();
  checkZone(input.timezone, 'timezone');
  // A malformed time is a broken request whatever the callback: 400 before looking it up.
  parseTimeInput(input.desiredTime, input.timezone ?? 'UTC', 'desiredTime');
  return ctx.db.transaction().execute(async (trx) => {
    const callback = await lockCallback(trx, input.callbackId);
    if (!callback) return { ...emptyAnswer('NOT_FOUND', 'No such callback') };
    await assertCallbackAccess(trx, ctx, callback);
    const config = (await findQueueWithConfig(trx, { queueId: callback.queue_id }))!;
    const zone = input.timezone ?? config.queue.timezone;
    if (callback.type !== 'scheduled' || callback.state !== 'SCHEDULED') {
      return { ...emptyAnswer('NOT_RESCHEDULABLE', `A ${callback.state.toLowerCase()} ${callback.type} callback cannot be rescheduled`), ...answerFor(callback, zone) };
    }
    if (ownedCutOff(callback, now)) {
      if (refusal === 'conflict') throw errors.conflict(OWNED_CUTOFF_MESSAGE);
      return { ...emptyAnswer('NOT_RESCHEDULABLE', OWNED_CUTOFF_MESSAGE), ...answerFor(callback, zone) };
    }
    const desired = parseTimeInput(input.desiredTime, input.timezone ?? gridZone(slotSpecOf(config)), 'desiredTime');
    const refuse = async (outcome: 'IN_THE_PAST' | 'TOO_FAR_AHEAD' | 'OUTSIDE_HOURS' | 'SLOT_FULL' | 'SCHEDULED_DISABLED', message: string, around: Date) => ({
      ...emptyAnswer(outcome, message),
      ...answerFor(callback, zone),
      ...slotTimes('alternativeSlots', await nearestSlots(trx, ctx.caches, config, around, now), zone),
    });
    if (!config.queue.scheduled_enabled) return refuse('SCHEDULED_DISABLED', `Queue ${config.queue.name} does not take scheduled callbacks`, desired);
    const check = checkDesiredTime(config, desired, now);
    if (!check.ok) return refuse(check.outcome, check.message, check.around);
    const sameSlot = callback.slot_start?.getTime() === check.slot.start.getTime();
    let slotStart = check.slot.start;
    let scheduled = desired;
    if (!sameSlot) {
      const booked = await bookOrNearest(trx, ctx.caches, config, check.slot, input.acceptNearest ?? false, now);
      if (!booked) return refuse('SLOT_FULL', 'That slot is full', desired);
      if (booked !== check.slot) scheduled = booked.start;
      slotStart = booked.start;
      if (callback.slot_start) await releaseSlot(trx, callback.queue_id, callback.slot_start);
    }
    // An owner keeps the callback as long after the new time as after the old one.
    const ownershipEnd = callback.ownership_ends_at && callback.scheduled_time && callback.ownership_ends_at > now ? new Date(callback.ownership_ends_at.getTime() + scheduled.getTime() - callback.scheduled_time.getTime()) : null;
    const updated = await setSchedule(trx, callback.id, { desired_time: desired, scheduled_time: scheduled, slot_start: slotStart, updated_at: now, ...(ownershipEnd && { ownership_ends_at: ownershipEnd }) });
    if (ownershipEnd) await enqueue(trx, jobs.ownershipExpiry(callback.id, ownershipEnd));
    await recordHistory(trx, callback.id, ctx.caller, { event: 'rescheduled', detail: { from: isoUtcOrNull(callback.scheduled_time), to: isoUtc(scheduled) } });
    // CALLBACK_UPCOMING is re-armed for the new time (suppressed when that is already inside the threshold).
    await armUpcoming(trx, ctx.caller, updated, config.queue, -1, now);
    // A retry waiting for its next attempt is not in Genesys yet: its delivery moves to the new time.
    if (callback.attempt > 1 && callback.delivery_status === 'PENDING') await enqueue(trx, jobs.deliverCallback(callback.id, { attempt: callback.attempt, runAt: scheduled }));
    else await enqueue(trx, jobs.rescheduleCallback(callback.id));
    return { ...emptyAnswer('RESCHEDULED', 'The callback was moved'), ...answerFor(updated, zone) };
  });
}

export { estimatedWait } from './offer-controls.js';

/**
 * What a flow may offer now. offerImmediate asks create's own rules (emergency close, hours, blackout,
 * immediate offer hours, maximum estimated wait, maximum waiting callbacks, throttles); offerScheduled
 * too (emergency close, throttles, a free slot ahead).
 */
export async function queueStatus(ctx: Context, input: { queue?: string | undefined; queueId?: string | undefined }) {
  const { db } = ctx;
  const now = ctx.clock.now();
  const config: QueueWithConfig = await resolveQueue(ctx, input);
  const q = config.queue;
  const spec = slotSpecOf(config);
  const window = openWindow(spec.hours, now);
  const dayEnd = DateTime.fromJSDate(now, { zone: q.timezone }).endOf('day').toJSDate();
  const [free, counts, ewtSeconds, throttled] = await Promise.all([
    q.scheduled_enabled && !q.emergency_closed
      ? freeSlots(db, ctx.caches.daySlots, { queueId: q.id, version: config.version, spec, from: new Date(now.getTime() + 1), to: new Date(now.getTime() + q.max_days_ahead * DAY_MS), max: 1 })
      : [],
    queueCounts(db, q.id, now, dayEnd),
    estimatedWait(ctx, q.genesys_queue_id, now),
    throttleRefusal(db, q, now),
  ]);
  const open = !q.emergency_closed && throttled === null;
  return {
    immediateEnabled: q.immediate_enabled,
    scheduledEnabled: q.scheduled_enabled,
    offerImmediate: open && q.immediate_enabled && immediateTimeRefusal(config, window, now, ewtSeconds) === null && fullRefusal(q, counts.waiting) === null,
    offerScheduled: open && q.scheduled_enabled && free.length > 0,
    ewtSeconds,
    waitingCallbacks: counts.waiting,
    scheduledToday: counts.today,
    immediateOfferOpenForSeconds: immediateOfferSeconds(config, window, now),
    throttled: throttled !== null,
    closedReason: closedReasonOf(q),
  };
}
