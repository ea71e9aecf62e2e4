import type { Context } from '../context.js';
import { errors } from '../errors.js';
import { checkZone, isoLocal, isoUtc, parseTimeInput } from '../time.js';
import { resolveQueue } from '../queues/resolve.js';
import { slotSpecOf } from '../queues/service.js';
import { closedReasonOf, estimatedWait, fullRefusal, immediateOfferSeconds, immediateTimeRefusal, throttleRefusal } from '../callbacks/offer-controls.js';
import { queueCounts } from '../callbacks/queries.js';
import { gridZone, openWindow, spokenTime } from '../slots/engine.js';
import { CLOSE_SEARCH_DAYS } from '../slots/hours.js';
import { freeSlots } from '../slots/search.js';
import type { AvailabilityInput, AvailabilityOutput, OpenForInput, OpenForOutput } from './schemas.js';

const DAY_MS = 86_400_000;

export async function availability(ctx: Context, input: AvailabilityInput): Promise<AvailabilityOutput> {
  const { db } = ctx;
  const now = ctx.clock.now();
  checkZone(input.timezone, 'timezone');
  if (input.days !== undefined && input.end !== undefined) throw errors.validation('end', 'send either days or end, not both');
  const config = await resolveQueue(ctx, input);
  const spec = slotSpecOf(config);
  const zone = input.timezone ?? config.queue.timezone;
  const parseZone = input.timezone ?? gridZone(spec);

  const start = input.start === undefined ? now : parseTimeInput(input.start, parseZone, 'start');
  const horizon = new Date(now.getTime() + config.queue.max_days_ahead * DAY_MS);
  let end = input.end === undefined ? new Date(start.getTime() + (input.days ?? config.queue.max_days_ahead) * DAY_MS) : parseTimeInput(input.end, parseZone, 'end');
  if (input.end !== undefined && end <= start) throw errors.validation('end', 'end must be after start');
  if (end > horizon) end = horizon;
  // Slots already started are not offered.
  const from = start > now ? start : new Date(now.getTime() + 1);

  const slots = config.queue.scheduled_enabled
    ? await freeSlots(db, ctx.caches.daySlots, { queueId: config.queue.id, version: config.version, spec, from, to: end, max: input.maxSlots })
    : [];
  const first = slots[0];
  return {
    slotCount: slots.length,
    slots: slots.map((s) => isoUtc(s.start)),
    // The engine's local times are in the grid zone; only another zone needs formatting again.
    slotsLocal: zone === gridZone(spec) ? slots.map((s) => s.localStart) : slots.map((s) => isoLocal(s.start, zone)),
    remaining: slots.map((s) => s.remaining),
    firstSlot: first ? isoUtc(first.start) : '',
    firstSlotLocal: first ? isoLocal(first.start, zone) : '',
    firstSlotSpoken: first ? spokenTime(first.start, zone, now) : '',
    timezone: zone,
  };
}

export async function openFor(ctx: Context, input: OpenForInput): Promise<OpenForOutput> {
  const now = ctx.clock.now();
  checkZone(input.timezone, 'timezone');
  const config = await resolveQueue(ctx, input);
  const spec = slotSpecOf(config);
  const zone = input.timezone ?? config.queue.timezone;
  const at = input.at === undefined ? now : parseTimeInput(input.at, input.timezone ?? gridZone(spec), 'at');

  const window = openWindow(spec.hours, at);
  const openForSeconds = window.open
    ? Math.floor(((window.closesAt?.getTime() ?? at.getTime() + CLOSE_SEARCH_DAYS * DAY_MS) - at.getTime()) / 1000)
    : 0;
  // When open now, the next opening is the one after the coming close.
  const nextOpen = window.open ? (window.closesAt ? openWindow(spec.hours, window.closesAt).nextOpenAt : null) : window.nextOpenAt;
  const q = config.queue;
  // The wait, waiting callbacks and throttles are the queue's now, whatever instant is asked about.
  const [ewtSeconds, waiting, throttled] = await Promise.all([
    estimatedWait(ctx, q.genesys_queue_id, now),
    queueCounts(ctx.db, q.id, now, now).then((c) => c.waiting),
    throttleRefusal(ctx.db, q, now),
  ]);
  return {
    open: window.open,
    openForSeconds,
    closesAt: window.open && window.closesAt ? isoUtc(window.closesAt) : '',
    nextOpenTime: nextOpen ? isoUtc(nextOpen) : '',
    nextOpenTimeLocal: nextOpen ? isoLocal(nextOpen, zone) : '',
    nextOpenTimeSpoken: nextOpen ? spokenTime(nextOpen, zone, now) : '',
    immediateEnabled: q.immediate_enabled,
    scheduledEnabled: q.scheduled_enabled,
    offerImmediate:
      q.immediate_enabled && !q.emergency_closed && throttled === null && immediateTimeRefusal(config, window, at, ewtSeconds) === null && fullRefusal(q, waiting) === null,
    immediateOfferOpenForSeconds: immediateOfferSeconds(config, window, at),
    closedReason: closedReasonOf(q),
  };
}
