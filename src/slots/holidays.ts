/**
 * Special days of business hours: per-date exceptions, yearly recurring rules and public-holiday
 * calendars (the date-holidays data). `specialDay` is the one place their precedence lives:
 * exception > recurring rule > holiday calendar > the weekday's hours. All dates are local dates in the
 * hours' zone; a holiday is a whole local date (date-holidays' own dates, whatever time it says it starts).
 */
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { Lru } from '../lru.js';
import { HOLIDAY_TYPES, WEEKDAYS } from './types.js';
import type { BusinessHoursSpec, FieldProblem, HolidayCalendar, RecurringRule, SpecialDay } from './types.js';

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const NTHS = [1, 2, 3, 4, 5, -1];
/** Bounds of the caches: calendar expansions (calendar × year) and special-date sets (configuration × year). */
const MAX_CALENDAR_YEARS = 1000;
const MAX_SPECIAL_YEARS = 2000;

const calendarYears = new Lru<Map<string, string>>(MAX_CALENDAR_YEARS);
const specialYears = new Lru<Map<string, SpecialDay>>(MAX_SPECIAL_YEARS);
const lists = new Holidays();

/** `US`, `US-CA`, `DE-BY-A`: how a calendar is named in answers. */
export function calendarLabel(c: HolidayCalendar): string {
  return [c.country, c.state, c.region].filter((p) => p !== undefined && p !== '').join('-');
}

/** Countries date-holidays knows: code → English name. */
export function holidayCountries(): Record<string, string> {
  return lists.getCountries('en') ?? {};
}

/** A country's states (code → name), or undefined for an unknown country. */
export function holidayStates(country: string): Record<string, string> | undefined {
  if (!Object.hasOwn(holidayCountries(), country)) return undefined;
  return lists.getStates(country, 'en') ?? {};
}

export function holidayRegions(country: string, state: string): Record<string, string> {
  return lists.getRegions(country, state, 'en') ?? {};
}

/** The holidays of a calendar in a year: local date → name (several on one date are joined). Cached. */
export function calendarHolidays(c: HolidayCalendar, year: number): Map<string, string> {
  const types = c.types && c.types.length > 0 ? c.types : ['public'];
  return calendarYears.get(`${calendarLabel(c)}|${[...types].sort().join(',')}|${year}`, () => {
    const hd = c.region ? new Holidays(c.country, c.state ?? '', c.region) : c.state ? new Holidays(c.country, c.state) : new Holidays(c.country);
    const days = new Map<string, string>();
    for (const h of hd.getHolidays(year, 'en') || []) {
      if (!(types as string[]).includes(h.type)) continue;
      const first = DateTime.fromISO(h.date.slice(0, 10), { zone: 'utc' });
      // A holiday lasting several days (its end some days after its start) closes each of them.
      const span = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
      for (let n = 0; n < span; n++) {
        const date = first.plus({ days: n }).toISODate()!;
        if (!date.startsWith(String(year))) continue;
        const before = days.get(date);
        days.set(date, before && before !== h.name ? `${before}; ${h.name}` : h.name);
      }
    }
    return days;
  });
}

/** The local date a recurring rule falls on in a year, or null when that year has no such date. */
export function recurringDate(rule: RecurringRule, year: number): string | null {
  if (rule.day !== undefined) {
    const dt = DateTime.utc(year, rule.month, rule.day);
    return dt.isValid && dt.month === rule.month ? dt.toISODate()! : null;
  }
  const target = WEEKDAYS.indexOf(rule.weekday!);
  const nth = rule.nth ?? 1;
  const first = DateTime.utc(year, rule.month, 1);
  if (nth > 0) {
    const firstMatch = 1 + ((target - (first.weekday % 7) + 7) % 7);
    const day = firstMatch + (nth - 1) * 7;
    return day <= first.daysInMonth! ? first.set({ day }).toISODate()! : null;
  }
  const last = first.endOf('month');
  const day = last.day - (((last.weekday % 7) - target + 7) % 7);
  return last.set({ day }).toISODate()!;
}

type Candidate = Omit<SpecialDay, 'overrides'>;

/** Every special day of a local date, strongest first (exceptions, recurring rules, calendars). */
function candidatesOn(hours: BusinessHoursSpec, date: string): Candidate[] {
  const found: Candidate[] = [];
  const exception = hours.exceptions.find((e) => e.date === date);
  if (exception) found.push({ date, source: 'exception', name: null, calendar: null, closed: exception.closed, intervals: exception.closed ? [] : exception.intervals });
  const year = Number(date.slice(0, 4));
  for (const rule of hours.recurring ?? []) {
    if (recurringDate(rule, year) === date) {
      found.push({ date, source: 'recurring', name: rule.name, calendar: null, closed: rule.closed, intervals: rule.closed ? [] : rule.intervals });
    }
  }
  for (const c of hours.holidayCalendars ?? []) {
    const name = calendarHolidays(c, year).get(date);
    if (name !== undefined) found.push({ date, source: 'calendar', name, calendar: calendarLabel(c), closed: true, intervals: [] });
  }
  return found;
}

function resolve(found: Candidate[]): SpecialDay | null {
  const [winner, ...rest] = found;
  if (!winner) return null;
  return { ...winner, overrides: rest.map((c) => ({ source: c.source, name: c.name, calendar: c.calendar })) };
}

/** The special days in force in a year, by local date. Cached per configuration key and year. */
export function specialDaysOf(hours: BusinessHoursSpec, year: number): Map<string, SpecialDay> {
  const build = () => {
    const dates = new Set<string>();
    const prefix = `${year}-`;
    for (const e of hours.exceptions) if (e.date.startsWith(prefix)) dates.add(e.date);
    for (const rule of hours.recurring ?? []) {
      const d = recurringDate(rule, year);
      if (d) dates.add(d);
    }
    for (const c of hours.holidayCalendars ?? []) for (const d of calendarHolidays(c, year).keys()) dates.add(d);
    const days = new Map<string, SpecialDay>();
    for (const date of [...dates].sort()) days.set(date, resolve(candidatesOn(hours, date))!);
    return days;
  };
  return hours.cacheKey === undefined ? build() : specialYears.get(`${hours.cacheKey}|${year}`, build);
}

/**
 * The special day a local date is, if any, with precedence applied. Hours with a cache key are looked
 * up in their year's cached set; others are worked out for the date alone.
 */
export function specialDay(hours: BusinessHoursSpec, date: string): SpecialDay | null {
  const plain = (hours.recurring?.length ?? 0) === 0 && (hours.holidayCalendars?.length ?? 0) === 0;
  if (plain && hours.exceptions.length === 0) return null;
  if (hours.cacheKey === undefined) return resolve(candidatesOn(hours, date));
  return specialDaysOf(hours, Number(date.slice(0, 4))).get(date) ?? null;
}

/** How many calendar-year and special-year sets the caches hold (for tests and metrics). */
export function holidayCacheSizes(): { calendars: number; specialYears: number } {
  return { calendars: calendarYears.size, specialYears: specialYears.size };
}

/** Checks recurring rules and holiday calendars, naming the field (`recurring[1].nth`, `holidayCalendars[0].state`). */
export function validateSpecials(
  recurring: unknown,
  calendars: unknown,
  validateDay: (intervals: unknown, field: string) => FieldProblem | null,
): FieldProblem | null {
  if (recurring !== undefined) {
    if (!Array.isArray(recurring)) return { field: 'recurring', message: 'must be a list' };
    const seen = new Set<string>();
    for (const [n, rule] of (recurring as RecurringRule[]).entries()) {
      const field = `recurring[${n}]`;
      if (typeof rule?.name !== 'string' || rule.name.trim() === '') return { field: `${field}.name`, message: 'must be a non-empty name' };
      if (!Number.isInteger(rule.month) || rule.month < 1 || rule.month > 12) return { field: `${field}.month`, message: 'must be a month number 1..12' };
      const fixed = rule.day !== undefined;
      const byWeekday = rule.weekday !== undefined || rule.nth !== undefined;
      if (fixed === byWeekday) return { field, message: 'give either day (a fixed date) or weekday and nth (e.g. the last Monday)' };
      if (fixed) {
        const max = DAYS_IN_MONTH[rule.month - 1]!;
        if (!Number.isInteger(rule.day) || rule.day! < 1 || rule.day! > max) {
          return { field: `${field}.day`, message: `month ${rule.month} has no day ${String(rule.day)} (1..${max})` };
        }
      } else {
        if (!(WEEKDAYS as readonly unknown[]).includes(rule.weekday)) return { field: `${field}.weekday`, message: `must be one of ${WEEKDAYS.join(', ')}` };
        if (!NTHS.includes(rule.nth as number)) return { field: `${field}.nth`, message: 'must be 1..5, or -1 for the last' };
      }
      const key = fixed ? `${rule.month}-${rule.day}` : `${rule.month}-${rule.weekday}-${rule.nth}`;
      if (seen.has(key)) return { field, message: 'duplicate recurring rule for the same day' };
      seen.add(key);
      if (typeof rule.closed !== 'boolean') return { field: `${field}.closed`, message: 'must be true or false' };
      if (rule.closed && Array.isArray(rule.intervals) && rule.intervals.length > 0) {
        return { field: `${field}.intervals`, message: 'a day closed all day cannot have intervals' };
      }
      const problem = validateDay(rule.intervals ?? [], `${field}.intervals`);
      if (problem) return problem;
    }
  }
  if (calendars !== undefined) {
    if (!Array.isArray(calendars)) return { field: 'holidayCalendars', message: 'must be a list' };
    const seen = new Set<string>();
    for (const [n, c] of (calendars as HolidayCalendar[]).entries()) {
      const field = `holidayCalendars[${n}]`;
      const states = typeof c?.country === 'string' ? holidayStates(c.country) : undefined;
      if (states === undefined) return { field: `${field}.country`, message: `unknown country: ${String(c?.country)} (see GET /admin/v1/holiday-calendars)` };
      if (c.state !== undefined && !Object.hasOwn(states, c.state)) {
        return { field: `${field}.state`, message: `${c.country} has no state ${String(c.state)} (see GET /admin/v1/holiday-calendars?country=${c.country})` };
      }
      if (c.region !== undefined) {
        if (c.state === undefined) return { field: `${field}.region`, message: 'a region needs its state' };
        if (!Object.hasOwn(holidayRegions(c.country, c.state), c.region)) return { field: `${field}.region`, message: `${c.country}-${c.state} has no region ${String(c.region)}` };
      }
      if (c.types !== undefined) {
        if (!Array.isArray(c.types) || c.types.length === 0) return { field: `${field}.types`, message: `must be a non-empty list of ${HOLIDAY_TYPES.join(', ')}` };
        for (const [t, type] of c.types.entries()) {
          if (!(HOLIDAY_TYPES as readonly unknown[]).includes(type)) return { field: `${field}.types[${t}]`, message: `must be one of ${HOLIDAY_TYPES.join(', ')}` };
        }
      }
      if (seen.has(calendarLabel(c))) return { field, message: `calendar ${calendarLabel(c)} is listed twice` };
      seen.add(calendarLabel(c));
    }
  }
  return null;
}
