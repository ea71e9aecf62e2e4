/**
 * Wall-clock ↔ instant helpers on top of luxon. All zone arithmetic goes through luxon's tz data:
 * the engine reasons in local wall-clock minutes and asks luxon which instants they map to. Parsing
 * and formatting for callers live in src/time.ts.
 */
import { DateTime, IANAZone } from 'luxon';
import { isZone, slotLocal } from '../time.js';
import { WEEKDAYS } from './types.js';
import type { QueueSlotSpec, Weekday } from './types.js';

export const MINUTES_PER_DAY = 24 * 60;
const MS_PER_MINUTE = 60_000;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The zone the grid and the capacity rule are read in. As in Genesys Engagement Services, the
 * business-hours zone governs, because a rule has no zone of its own; the queue zone is the fallback
 * for 24/7 queues.
 */
export function gridZone(spec: QueueSlotSpec): string {
  return spec.hours?.timezone ?? spec.timezone;
}

export function assertZone(zone: string): void {
  if (!isZone(zone)) throw new RangeError(`unknown IANA time zone: ${zone}`);
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
function wallDateTimes(zone: string, date: string, minute: number): DateTime[] {
  const [year, month, day] = date.split('-').map(Number);
  const hour = Math.floor(minute / 60);
  const min = minute % 60;
  const dt = DateTime.fromObject({ year, month, day, hour, minute: min }, { zone });
  if (!dt.isValid || dt.toISODate() !== date || dt.hour !== hour || dt.minute !== min) return [];
  return dt.getPossibleOffsets().sort((a, b) => a.toMillis() - b.toMillis());
}

export function wallInstants(zone: string, date: string, minute: number): Date[] {
  assertDate(date);
  return wallDateTimes(zone, date, minute).map((d) => d.toJSDate());
}

function startOfDate(zone: string, date: string): DateTime {
  assertDate(date);
  // luxon moves a skipped midnight to the first real time of the day, but picks the later of a
  // repeated midnight; the day begins at the earlier one.
  const candidates = DateTime.fromISO(date, { zone }).startOf('day').getPossibleOffsets();
  return candidates.sort((a, b) => a.toMillis() - b.toMillis())[0] as DateTime;
}

/** First instant of a local date. */
export function dayStart(zone: string, date: string): Date {
  return startOfDate(zone, date).toJSDate();
}

/**
 * True when the wall clock runs 00:00 → 24:00 with one offset all day, i.e. wall minute m is
 * exactly m real minutes after midnight. tzdb never changes the offset twice within one day, so
 * equal offsets at both ends mean no change in between.
 */
function isPlainDay(start: DateTime, next: DateTime): boolean {
  return start.hour === 0 && start.minute === 0 && start.offset === next.offset;
}

/**
 * Instants within the local date at which the UTC offset changes (DST and the like), found by
 * sampling hourly and bisecting on luxon's offsets, so no offset rule is hard-coded here.
 */
export function offsetTransitions(zone: string, date: string): Date[] {
  const startDt = startOfDate(zone, date);
  const nextDt = startOfDate(zone, addDays(date, 1));
  if (isPlainDay(startDt, nextDt)) return [];
  const tz = IANAZone.create(zone);
  const from = startDt.toMillis();
  const to = nextDt.toMillis();
  const found: Date[] = [];
  // A change exactly at the day's first instant (a skipped midnight) counts as within the day.
  if (tz.offset(from - 1) !== tz.offset(from)) found.push(new Date(from));
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

export interface GridPoint {
  /** Wall-clock minutes after local midnight. */
  minute: number;
  start: Date;
  localStart: string;
}

/**
 * Every wall-clock grid time of a local date (00:00, 00:00+step, …) as instants, ordered by instant,
 * plus the first instant of the next date. Plain days take a fast path (one offset for the whole
 * day); days with an offset change map each wall time through luxon.
 */
export function dayGrid(zone: string, date: string, step: number): { points: GridPoint[]; nextDayStart: Date } {
  const startDt = startOfDate(zone, date);
  const nextDt = startOfDate(zone, addDays(date, 1));
  const points: GridPoint[] = [];
  if (isPlainDay(startDt, nextDt)) {
    const base = startDt.toMillis();
    const offset = startDt.toFormat('ZZ'); // slotLocal's format, built by hand: this loop is hot
    for (let minute = 0; minute < MINUTES_PER_DAY; minute += step) {
      const hhmm = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
      const start = new Date(base + minute * MS_PER_MINUTE);
      points.push({ minute, start, localStart: `${date}T${hhmm}:00${offset}` });
    }
  } else {
    for (let minute = 0; minute < MINUTES_PER_DAY; minute += step) {
      for (const dt of wallDateTimes(zone, date, minute)) {
        points.push({ minute, start: dt.toJSDate(), localStart: slotLocal(dt) });
      }
    }
    points.sort((a, b) => a.start.getTime() - b.start.getTime());
  }
  return { points, nextDayStart: nextDt.toJSDate() };
}

export function weekdayOfDate(date: string): Weekday {
  return weekdayOf(DateTime.fromISO(date, { zone: 'utc' }));
}
