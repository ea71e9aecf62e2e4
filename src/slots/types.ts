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

export interface BusinessHoursSpec {
  timezone: string;
  weekly: Partial<Record<Weekday, TimeInterval[]>>;
  exceptions: DateException[];
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
