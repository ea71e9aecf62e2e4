/**
 * Wall-clock ↔ instant helpers on top of luxon. All zone arithmetic goes through luxon's tz data:
 * the engine reasons in local wall-clock minutes and asks luxon which instants they map to.
 */
import { DateTime, IANAZone } from 'luxon';
import { WEEKDAYS } from './types.js';
import type { QueueSlotSpec, Weekday } from './types.js';

export const MINUTES_PER_DAY = 24 * 60;
const MS_PER_MINUTE = 60_000;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The zone the grid and the capacity rule are read in. Product (after GES): the business-hours zone
 * governs, because a rule has no zone of its own; the queue zone is the fallback for 24/7 queues.
 */
export function gridZone(spec: QueueSlotSpec): string {
  return spec.hours?.timezone ?? spec.timezone;
}

export function assertZone(zone: string): void {
  if (!IANAZone.isValidZone(zone)) throw new RangeError(`unknown IANA time zone: ${zone}`);
}

export function isRealDate(date: string): boolean {
  return LOCAL_DATE.test(date) && DateTime.fromISO(date, { zone: 'utc' }).isValid;
}

function assertDate(date: string): void {
  if (!isRealDate(date)) throw new RangeError(`not a local date (YYYY-MM-DD): ${date}`);
}

/** 'HH:mm' (or '24:00') → minutes after local midnight. Assumes a validated string. */
export function toMinutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate() as string;
}

export function weekdayOf(dt: DateTime): Weekday {
  // luxon numbers Monday 1 … Sunday 7; WEEKDAYS starts on Sunday.
  return WEEKDAYS[dt.weekday % 7] as Weekday;
}

export interface LocalParts {
  dt: DateTime;
  date: string;
  weekday: Weekday;
  /** Minutes after local midnight, fractional so that 08:59:30 is still before 09:00. */
  minuteOfDay: number;
}

export function localParts(instant: Date, zone: string): LocalParts {
  assertZone(zone);
  const dt = DateTime.fromJSDate(instant, { zone });
  if (!dt.isValid) throw new RangeError(`invalid instant: ${String(instant)}`);
  const minuteOfDay = dt.hour * 60 + dt.minute + dt.second / 60 + dt.millisecond / MS_PER_MINUTE;
  return { dt, date: dt.toISODate() as string, weekday: weekdayOf(dt), minuteOfDay };
}

/**
 * The instants at which the wall clock on `date` reads `minute`: none in a skipped hour, two in a
 * repeated hour (earlier offset first), one otherwise. luxon silently shifts a skipped time forward,
 * so a result whose wall clock differs from the request is discarded.
 */
export function wallInstants(zone: string, date: string, minute: number): Date[] {
  assertDate(date);
  const [year, month, day] = date.split('-').map(Number);
  const hour = Math.floor(minute / 60);
  const min = minute % 60;
  const dt = DateTime.fromObject({ year, month, day, hour, minute: min }, { zone });
  if (!dt.isValid || dt.toISODate() !== date || dt.hour !== hour || dt.minute !== min) return [];
  return dt
    .getPossibleOffsets()
    .map((d) => d.toJSDate())
    .sort((a, b) => a.getTime() - b.getTime());
}

/** First instant of a local date (luxon moves a skipped midnight to the first real time). */
export function dayStart(zone: string, date: string): Date {
  assertDate(date);
  return DateTime.fromISO(date, { zone }).startOf('day').toJSDate();
}

/**
 * Instants within the local date at which the UTC offset changes (DST and the like). Found by
 * sampling hourly and bisecting, so no offset rule is hard-coded here.
 */
export function offsetTransitions(zone: string, date: string): Date[] {
  const tz = IANAZone.create(zone);
  const from = dayStart(zone, date).getTime();
  const to = dayStart(zone, addDays(date, 1)).getTime();
  const found: Date[] = [];
  for (let lo = from; lo < to; lo += 60 * MS_PER_MINUTE) {
    let hi = Math.min(lo + 60 * MS_PER_MINUTE, to);
    if (tz.offset(lo) === tz.offset(hi)) continue;
    let a = lo;
    while (hi - a > 1) {
      const mid = a + Math.floor((hi - a) / 2);
      if (tz.offset(mid) === tz.offset(lo)) a = mid;
      else hi = mid;
    }
    if (hi < to) found.push(new Date(hi));
  }
  return found;
}

/** ISO 8601 with a numeric offset (luxon's toISO would print 'Z' for UTC; callers want one shape). */
export function isoWithOffset(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}
