import { DateTime } from 'luxon';
import { openFor } from '../availability/service.js';
import { queueStatus } from '../callbacks/service.js';
import { findCallbacksPage } from '../callbacks/queries.js';
import type { Context } from '../context.js';
import { errors } from '../errors.js';
import { getHours } from '../hours/service.js';
import { getRule } from '../capacity/service.js';
import { convertTimeslotLength } from '../slots/capacity.js';
import { allowedQueueIds, resolveQueue } from '../queues/resolve.js';
import { slotSpecOf } from '../queues/service.js';
import { listQueueRows } from '../queues/queries.js';
import { bookedCounts } from '../slots/bookings.js';
import { gridZone, intervalsOn, slotsForDay, specialDay, type Weekday } from '../slots/engine.js';
import { addDays, isRealDate, offsetTransitions, weekdayOfDate } from '../slots/time.js';
import { isoUtc } from '../time.js';
import type { PreviewQuery } from './schemas.js';

/** Reads a person needs at a glance: the queues' state, slot utilization, an hours preview, Genesys. */

const orNull = (s: string) => (s === '' ? null : s);

/** Every queue the caller may use, with what queue-status and open-for answer for it now. */
export async function queueOverview(ctx: Context) {
  const allowed = await allowedQueueIds(ctx);
  const queues = (await listQueueRows(ctx.db)).filter((q) => allowed === null || allowed.includes(q.id));
  const items = [];
  for (const q of queues) {
    const [status, open] = await Promise.all([queueStatus(ctx, { queueId: q.id }), openFor(ctx, { queueId: q.id })]);
    items.push({
      id: q.id,
      name: q.name,
      genesysQueueId: q.genesys_queue_id,
      timezone: q.timezone,
      open: open.open,
      closesAt: orNull(open.closesAt),
      nextOpen: orNull(open.nextOpenTime),
      waitingCallbacks: status.waitingCallbacks,
      scheduledToday: status.scheduledToday,
      ewtSeconds: status.ewtSeconds < 0 ? null : status.ewtSeconds,
      immediateEnabled: status.immediateEnabled,
      scheduledEnabled: status.scheduledEnabled,
      offerImmediate: status.offerImmediate,
      offerScheduled: status.offerScheduled,
      throttled: status.throttled,
      closedReason: orNull(status.closedReason),
      slotDurationMinutes: q.slot_duration_minutes,
      slotCapacity: q.slot_capacity,
      businessHoursId: q.business_hours_id,
      capacityRuleId: q.capacity_rule_id,
      numberRuleId: q.number_rule_id,
      prioritizationPolicyId: q.prioritization_policy_id,
    });
  }
  return { items, at: isoUtc(ctx.clock.now()) };
}

/** Booked against capacity for every open slot of the coming local days (today first). */
export async function utilization(ctx: Context, queueId: string, days: number) {
  const config = await resolveQueue(ctx, { queueId });
  const spec = slotSpecOf(config);
  const zone = gridZone(spec);
  const today = DateTime.fromJSDate(ctx.clock.now(), { zone }).toISODate()!;
  const grid = Array.from({ length: days }, (_, i) => {
    const date = addDays(today, i);
    return { date, slots: slotsForDay(spec, date) };
  });
  const all = grid.flatMap((d) => d.slots);
  const booked = all.length === 0 ? new Map<number, number>() : await bookedCounts(ctx.db, config.queue.id, all[0]!.start, new Date(all[all.length - 1]!.end.getTime() + 1));
  return {
    queueId: config.queue.id,
    queueName: config.queue.name,
    timezone: zone,
    slotDurationMinutes: spec.slotDurationMinutes,
    days: grid.map((d) => ({
      date: d.date,
      slots: d.slots.map((s) => ({ start: isoUtc(s.start), localStart: s.localStart, capacity: s.capacity, booked: booked.get(s.start.getTime()) ?? 0 })),
    })),
  };
}

/** The slot grid a date of these business hours produces, with the date's offset changes (DST). */
export async function hoursPreview(ctx: Context, id: string, query: PreviewQuery) {
  if (!isRealDate(query.date)) throw errors.validation('date', 'date is not a real calendar date');
  const hours = await getHours(ctx, id);
  const spec = {
    timezone: hours.timezone,
    weekly: hours.weekly as Partial<Record<Weekday, { start: string; end: string }[]>>,
    exceptions: hours.exceptions,
    recurring: hours.recurring,
    holidayCalendars: hours.holidayCalendars,
  };
  const special = specialDay(spec, query.date);
  const weekday = weekdayOfDate(query.date);
  const slots = slotsForDay({ timezone: hours.timezone, slotDurationMinutes: query.slotDurationMinutes, slotCapacity: 1, hours: spec, rule: null }, query.date);
  return {
    date: query.date,
    timezone: hours.timezone,
    weekday,
    intervals: intervalsOn(spec, query.date, weekday),
    exception: hours.exceptions.some((e) => e.date === query.date),
    special: special && { source: special.source, name: special.name, calendar: special.calendar },
    offsetTransitions: offsetTransitions(hours.timezone, query.date).map(isoUtc),
    slots: slots.map((s) => ({ start: isoUtc(s.start), end: isoUtc(s.end), localStart: s.localStart })),
  };
}

/** Which gateway this service runs, and the latest errors Genesys answered to deliveries the caller may see. */
export async function genesysStatus(ctx: Context) {
  const rows = await findCallbacksPage(
    ctx.db,
    { allowedQueueIds: await allowedQueueIds(ctx), queueIds: [], states: [], deliveryStatuses: [], phoneDigits: [], withDeliveryError: true, order: 'updated' },
    50,
  );
  return {
    gateway: ctx.gateway.kind,
    lastErrors: rows.map((r) => ({
      callbackId: r.id,
      queueName: r.queue_name,
      deliveryStatus: r.delivery_status,
      deliveryAttempts: r.delivery_attempts,
      error: r.delivery_error ?? '',
      at: isoUtc(r.updated_at),
    })),
  };
}

/** What changing a rule's timeslot length would keep, add and drop: the same conversion PATCH applies, nothing saved. */
export async function conversionPreview(ctx: Context, id: string, to: 'hour' | 'halfHour') {
  const rule = await getRule(ctx, id);
  const before = rule.cells as Partial<Record<Weekday, Record<string, number>>>;
  const after = convertTimeslotLength(before, rule.timeslotLength, to);
  const list = (cells: typeof before, keep: (day: Weekday, cell: string) => boolean) =>
    Object.entries(cells).flatMap(([day, row]) =>
      Object.entries(row ?? {})
        .filter(([cell]) => keep(day as Weekday, cell))
        .map(([cell, capacity]) => ({ day, cell, capacity })),
    );
  return {
    from: rule.timeslotLength,
    to,
    cells: after as Record<string, Record<string, number>>,
    kept: list(before, (day, cell) => after[day]?.[cell] !== undefined),
    added: list(after, (day, cell) => before[day]?.[cell] === undefined),
    dropped: list(before, (day, cell) => after[day]?.[cell] === undefined),
  };
}
