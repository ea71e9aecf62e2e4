/**
 * The slot engine: pure functions from a queue's hours, grid and capacity rule to bookable slots.
 * No I/O. This module is the entry point; it re-exports the pieces in `hours`, `capacity`, `spoken`.
 *
 * The grid is wall-clock: slots start at local 00:00, 00:00+d, … in the grid zone (the business-hours
 * zone if the queue has hours, else the queue zone). A wall time in a skipped hour has no slot; one in
 * a repeated hour has two (one per offset). A slot is open when the hours are open at its start.
 */
import { SLOT_DURATIONS } from './types.js';
import type { QueueSlotSpec, Slot } from './types.js';
import { intervalsOn } from './hours.js';
import { capacityAtWallTime } from './capacity.js';
import { addDays, assertZone, dayGrid, gridZone, localParts, toMinutes, weekdayOfDate } from './time.js';

export * from './types.js';
export { validateInterval, validateBusinessHours, isOpenAt, openWindow, intervalsOn } from './hours.js';
export type { OpenWindow } from './hours.js';
export {
  slotCapacityAt,
  capacityAtWallTime,
  convertTimeslotLength,
  validateCapacityCells,
  cellKey,
} from './capacity.js';
export { spokenTime } from './spoken.js';
export { specialDay, specialDaysOf, calendarHolidays, recurringDate, calendarLabel, holidayCountries, holidayStates, holidayRegions } from './holidays.js';
export { gridZone } from './time.js';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
/** slotsInRange walks day by day; a bound keeps a bad request from walking for years. */
export const MAX_RANGE_DAYS = 400;

function checkedDuration(spec: QueueSlotSpec): number {
  const d = spec.slotDurationMinutes;
  if (!(SLOT_DURATIONS as readonly number[]).includes(d)) {
    throw new RangeError(`slot duration must be one of ${SLOT_DURATIONS.join(', ')} minutes, got ${d}`);
  }
  return d;
}

/**
 * Every open slot of a local date, ordered by instant, with its capacity (possibly 0: callers filter).
 * A slot lasts its duration in real time but never runs past the next grid instant, so a long slot
 * that straddles a spring-forward gap is shortened rather than overlapping the next one.
 */
export function slotsForDay(spec: QueueSlotSpec, localDate: string): Slot[] {
  const duration = checkedDuration(spec);
  const zone = gridZone(spec);
  assertZone(zone);
  const { points, nextDayStart } = dayGrid(zone, localDate, duration);
  const weekday = weekdayOfDate(localDate);
  // The grid zone is the hours zone, so a grid point's wall time is what isOpenAt would compute.
  const intervals = spec.hours ? intervalsOn(spec.hours, localDate, weekday) : null;
  const isOpen = (minute: number) =>
    !intervals || intervals.some((i) => toMinutes(i.start) <= minute && minute < toMinutes(i.end));
  const slots: Slot[] = [];
  points.forEach(({ minute, start, localStart }, n) => {
    if (!isOpen(minute)) return;
    const next = points[n + 1]?.start.getTime() ?? nextDayStart.getTime();
    const end = new Date(Math.min(start.getTime() + duration * MS_PER_MINUTE, next));
    slots.push({ start, end, localStart, capacity: capacityAtWallTime(spec, weekday, minute) });
  });
  return slots;
}

/** All open slots with from ≤ start < to, ordered by instant. An empty or inverted range has none. */
export function slotsInRange(spec: QueueSlotSpec, from: Date, to: Date): Slot[] {
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * MS_PER_DAY) throw new RangeError(`range longer than ${MAX_RANGE_DAYS} days`);
  const zone = gridZone(spec);
  // Start a day early: an instant's local date can begin before `from` ends its UTC day, and vice versa.
  const last = localParts(to, zone).date;
  const slots: Slot[] = [];
  for (let date = addDays(localParts(from, zone).date, -1); date <= last; date = addDays(date, 1)) {
    for (const slot of slotsForDay(spec, date)) {
      if (slot.start.getTime() >= from.getTime() && slot.start.getTime() < to.getTime()) slots.push(slot);
    }
  }
  return slots;
}

/**
 * The open slot whose [start, end) contains the instant, or null (closed, or the uncovered remainder
 * of a DST gap). Only the instant's own local date is searched: a date's slots end by the next date.
 */
export function slotContaining(spec: QueueSlotSpec, instant: Date): Slot | null {
  const date = localParts(instant, gridZone(spec)).date;
  const t = instant.getTime();
  return slotsForDay(spec, date).find((s) => s.start.getTime() <= t && t < s.end.getTime()) ?? null;
}
