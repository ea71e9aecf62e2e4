/** Shapes shared by the slot engine. Everything here is plain data: no I/O, no classes. */

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Slot durations the product allows: they divide 60 (or are 120), so the grid lines up with rule cells. */
export const SLOT_DURATIONS = [5, 10, 15, 20, 30, 60, 120] as const;
export type SlotDuration = (typeof SLOT_DURATIONS)[number];

/** Local wall-clock interval 'HH:mm'–'HH:mm'; `end` may be '24:00'. Contains t when start ≤ t < end. */
export interface TimeInterval {
  start: string;
  end: string;
}

/** 'YYYY-MM-DD'. `closed` closes the whole day; otherwise `intervals` replace that weekday's intervals. */
export interface DateException {
  date: string;
  closed: boolean;
  intervals: TimeInterval[];
}

/**
 * A special day every year: a fixed date (`month` and `day`) or the `nth` `weekday` of `month`
 * (nth 1..5, or -1 for the last). A date a year lacks (29 February, a fifth Monday) is skipped that year.
 */
export interface RecurringRule {
  name: string;
  month: number;
  day?: number;
  weekday?: Weekday;
  nth?: number;
  closed: boolean;
  intervals: TimeInterval[];
}

/** The holiday types date-holidays knows; a calendar closes on its `types` (default: public). */
export const HOLIDAY_TYPES = ['public', 'bank', 'school', 'optional', 'observance'] as const;
export type HolidayType = (typeof HOLIDAY_TYPES)[number];

/** Public holidays of a country (ISO 3166-1 alpha-2), optionally a state and a region of it. */
export interface HolidayCalendar {
  country: string;
  state?: string;
  region?: string;
  types?: HolidayType[];
}

export interface BusinessHoursSpec {
  timezone: string;
  weekly: Partial<Record<Weekday, TimeInterval[]>>;
  /** Per-date overrides: they win over recurring rules and holiday calendars. */
  exceptions: DateException[];
  /** Yearly rules: they win over holiday calendars. */
  recurring?: RecurringRule[];
  /** A holiday of any of these closes the day unless an exception or a recurring rule says otherwise. */
  holidayCalendars?: HolidayCalendar[];
  /**
   * Identifies this configuration (id and version): special dates are cached per key and year. Without
   * one they are worked out per lookup (calendar expansions are still cached by calendar and year).
   */
  cacheKey?: string;
}

/** Where a special date comes from, strongest first. */
export type SpecialSource = 'exception' | 'recurring' | 'calendar';

/** A local date whose hours are not the weekday's. */
export interface SpecialDay {
  date: string;
  source: SpecialSource;
  /** The rule's or holiday's name (null for an exception). */
  name: string | null;
  /** For a calendar holiday: the calendar, e.g. `US-CA`. */
  calendar: string | null;
  closed: boolean;
  intervals: TimeInterval[];
  /** Weaker special days on the same date that this one overrides. */
  overrides: { source: SpecialSource; name: string | null; calendar: string | null }[];
}

export type TimeslotLength = 'hour' | 'halfHour';

/** weekday → 'HH:mm' cell start → capacity per slot (not per cell). A missing cell means 0. */
export type CapacityCells = Partial<Record<Weekday, Record<string, number>>>;

export interface CapacityRuleSpec {
  timeslotLength: TimeslotLength;
  cells: CapacityCells;
}

export interface QueueSlotSpec {
  /** IANA zone of the queue; governs the grid and the rule only when `hours` is null. */
  timezone: string;
  slotDurationMinutes: number;
  /** Flat capacity, used when `rule` is null. */
  slotCapacity: number;
  /** null = open around the clock. */
  hours: BusinessHoursSpec | null;
  rule: CapacityRuleSpec | null;
}

export interface Slot {
  start: Date;
  end: Date;
  /** ISO 8601 with the offset in force in the grid zone, e.g. 2030-03-05T09:15:00-05:00. */
  localStart: string;
  capacity: number;
}

export interface FieldProblem {
  field: string;
  message: string;
}
