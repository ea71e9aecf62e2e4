/**
 * Business hours: validation, "open at this instant?", and the edges of the current open or closed
 * period. Hours are wall-clock intervals in the hours' own zone, so a 09:00–17:00 day stays 09:00–17:00
 * local on both sides of a DST change.
 */
import { WEEKDAYS } from './types.js';
import type { BusinessHoursSpec, FieldProblem, TimeInterval, Weekday } from './types.js';
import {
  MINUTES_PER_DAY,
  addDays,
  dayStart,
  isRealDate,
  localParts,
  offsetTransitions,
  toMinutes,
  wallInstants,
  weekdayOfDate,
} from './time.js';
import { isZone } from '../time.js';
import { specialDay, validateSpecials } from './holidays.js';

const START = /^([01]\d|2[0-3]):[0-5]\d$/;
const MS_PER_DAY = 86_400_000;
/** How far openWindow looks: a closing within a week-plus, an opening within the booking horizon. */
export const CLOSE_SEARCH_DAYS = 8;
export const OPEN_SEARCH_DAYS = 30;

export function validateInterval(i: TimeInterval): string | null {
  if (typeof i?.start !== 'string' || !START.test(i.start)) return `start must be HH:mm between 00:00 and 23:59`;
  if (typeof i.end !== 'string' || !(START.test(i.end) || i.end === '24:00')) {
    return `end must be HH:mm between 00:00 and 24:00`;
  }
  const start = toMinutes(i.start);
  const end = toMinutes(i.end);
  if (start === end) return `interval ${i.start}–${i.end} is empty`;
  if (start > end) return `interval ${i.start}–${i.end} ends before it starts`;
  return null;
}

/** Checks each interval, then that no two overlap (touching, 08:00–12:00 then 12:00–17:00, is fine). */
function validateDay(intervals: unknown, field: string): FieldProblem | null {
  if (!Array.isArray(intervals)) return { field, message: 'must be a list of intervals' };
  for (const [n, interval] of (intervals as TimeInterval[]).entries()) {
    const message = validateInterval(interval);
    if (message) return { field: `${field}[${n}]`, message };
  }
  const sorted = [...(intervals as TimeInterval[])].sort((a, b) => toMinutes(a.start) - toMinutes(b.start));
  for (let n = 1; n < sorted.length; n++) {
    const prev = sorted[n - 1] as TimeInterval;
    const cur = sorted[n] as TimeInterval;
    if (toMinutes(cur.start) < toMinutes(prev.end)) {
      return { field, message: `intervals ${prev.start}–${prev.end} and ${cur.start}–${cur.end} overlap` };
    }
  }
  return null;
}

/** The first problem found, naming its field (e.g. `weekly.monday`, `exceptions[2].date`). */
export function validateBusinessHours(spec: BusinessHoursSpec): FieldProblem | null {
  if (typeof spec?.timezone !== 'string' || !isZone(spec.timezone)) {
    return { field: 'timezone', message: `unknown IANA time zone: ${String(spec?.timezone)}` };
  }
  const weekly: Record<string, unknown> = spec.weekly ?? {};
  for (const key of Object.keys(weekly)) {
    if (!(WEEKDAYS as readonly string[]).includes(key)) {
      return { field: `weekly.${key}`, message: `not a weekday (expected one of ${WEEKDAYS.join(', ')})` };
    }
  }
  for (const day of WEEKDAYS) {
    if (weekly[day] === undefined) continue;
    const problem = validateDay(weekly[day], `weekly.${day}`);
    if (problem) return problem;
  }
  if (!Array.isArray(spec.exceptions)) return { field: 'exceptions', message: 'must be a list' };
  const seen = new Set<string>();
  for (const [n, exception] of spec.exceptions.entries()) {
    const field = `exceptions[${n}]`;
    if (typeof exception?.date !== 'string' || !isRealDate(exception.date)) {
      return { field: `${field}.date`, message: `not a real date (YYYY-MM-DD): ${String(exception?.date)}` };
    }
    if (seen.has(exception.date)) {
      return { field: `${field}.date`, message: `duplicate exception for ${exception.date}` };
    }
    seen.add(exception.date);
    if (typeof exception.closed !== 'boolean') return { field: `${field}.closed`, message: 'must be true or false' };
    // A closed day with hours is contradictory input; refusing it beats guessing which one was meant.
    if (exception.closed && Array.isArray(exception.intervals) && exception.intervals.length > 0) {
      return { field: `${field}.intervals`, message: 'a day closed all day cannot have intervals' };
    }
    const problem = validateDay(exception.intervals ?? [], `${field}.intervals`);
    if (problem) return problem;
  }
  return validateSpecials(spec.recurring, spec.holidayCalendars, validateDay);
}

/**
 * The intervals in force on a local date: its special day's if it is one (an exception, else a
 * recurring rule, else a holiday of a calendar: see `specialDay`), else its weekday's.
 */
export function intervalsOn(hours: BusinessHoursSpec, date: string, weekday?: Weekday): TimeInterval[] {
  const special = specialDay(hours, date);
  if (special) return special.closed ? [] : special.intervals;
  return hours.weekly[weekday ?? weekdayOfDate(date)] ?? [];
}

export function isOpenAt(hours: BusinessHoursSpec | null, instant: Date): boolean {
  if (!hours) return true;
  const { date, weekday, minuteOfDay } = localParts(instant, hours.timezone);
  return intervalsOn(hours, date, weekday).some(
    (i) => toMinutes(i.start) <= minuteOfDay && minuteOfDay < toMinutes(i.end),
  );
}

export interface OpenWindow {
  open: boolean;
  /** When open: the end of the current contiguous open period (null if it outlasts the search). */
  closesAt: Date | null;
  /** When closed: the next instant the queue opens (null if none within the search). */
  nextOpenAt: Date | null;
}

/**
 * Openness only changes where the wall clock reaches an interval boundary, at local midnight, or at an
 * offset change. So the next change is the first such candidate instant whose openness differs from
 * now's. This follows intervals across midnight and through DST gaps and repeats without special cases.
 */
export function openWindow(hours: BusinessHoursSpec | null, instant: Date): OpenWindow {
  if (!hours) return { open: true, closesAt: null, nextOpenAt: null };
  const open = isOpenAt(hours, instant);
  const days = open ? CLOSE_SEARCH_DAYS : OPEN_SEARCH_DAYS;
  const now = instant.getTime();
  const limit = now + days * MS_PER_DAY;
  const today = localParts(instant, hours.timezone).date;
  // A date's candidates all fall within that date, so dates are searched in order and the search
  // stops at the first change. 24:00 is the next date's start, already a candidate of that date.
  for (let d = -1; d <= days + 1; d++) {
    const date = addDays(today, d);
    const candidates = [dayStart(hours.timezone, date), ...offsetTransitions(hours.timezone, date)];
    for (const i of intervalsOn(hours, date)) {
      for (const minute of [toMinutes(i.start), toMinutes(i.end)]) {
        if (minute < MINUTES_PER_DAY) candidates.push(...wallInstants(hours.timezone, date, minute));
      }
    }
    const change = candidates
      .filter((c) => c.getTime() > now && c.getTime() <= limit)
      .sort((a, b) => a.getTime() - b.getTime())
      .find((c) => isOpenAt(hours, c) !== open);
    if (change) return { open, closesAt: open ? change : null, nextOpenAt: open ? null : change };
  }
  return { open, closesAt: null, nextOpenAt: null };
}
