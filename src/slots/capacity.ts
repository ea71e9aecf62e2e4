/**
 * Capacity rules (as in Genesys Engagement Services): a weekly calendar of hourly or half-hourly cells whose
 * value is the capacity of every slot starting inside the cell — per slot, not per cell.
 */
import { WEEKDAYS } from './types.js';
import type { CapacityCells, FieldProblem, QueueSlotSpec, TimeslotLength, Weekday } from './types.js';
import { gridZone, localParts } from './time.js';

export const MAX_CELL_CAPACITY = 100_000;
const HOUR_CELL = /^([01]\d|2[0-3]):00$/;
const HALF_HOUR_CELL = /^([01]\d|2[0-3]):(00|30)$/;

/** The cell key ('HH:00' or 'HH:30') containing a local hour and minute. */
export function cellKey(hour: number, minute: number, length: TimeslotLength): string {
  const hh = String(hour).padStart(2, '0');
  return length === 'halfHour' && minute >= 30 ? `${hh}:30` : `${hh}:00`;
}

/**
 * Rule cell containing the slot's local start (missing cell → 0), else the flat capacity.
 * Read in the grid zone (business-hours zone if any): a rule has no zone of its own.
 */
export function slotCapacityAt(spec: QueueSlotSpec, slotStart: Date): number {
  if (!spec.rule) return spec.slotCapacity;
  const { dt, weekday } = localParts(slotStart, gridZone(spec));
  return capacityAtWallTime(spec, weekday, dt.hour * 60 + dt.minute);
}

/** The same lookup by local weekday and wall-clock minute, for callers that already know them. */
export function capacityAtWallTime(spec: QueueSlotSpec, weekday: Weekday, minute: number): number {
  if (!spec.rule) return spec.slotCapacity;
  const key = cellKey(Math.floor(minute / 60), minute % 60, spec.rule.timeslotLength);
  return spec.rule.cells[weekday]?.[key] ?? 0;
}

/**
 * Changing a rule's timeslot length: hour → halfHour copies each HH:00 value to HH:30;
 * halfHour → hour keeps the HH:00 values and drops the HH:30 ones. Returns new cells.
 */
export function convertTimeslotLength(
  cells: CapacityCells,
  from: TimeslotLength,
  to: TimeslotLength,
): CapacityCells {
  const out: CapacityCells = {};
  for (const day of WEEKDAYS) {
    const source = cells[day];
    if (!source) continue;
    const target: Record<string, number> = {};
    for (const [key, value] of Object.entries(source)) {
      if (from === to) target[key] = value;
      else if (key.endsWith(':00')) {
        target[key] = value;
        if (to === 'halfHour') target[`${key.slice(0, 2)}:30`] = value;
      }
    }
    out[day] = target;
  }
  return out;
}

export function validateCapacityCells(cells: CapacityCells, timeslotLength: TimeslotLength): FieldProblem | null {
  if (timeslotLength !== 'hour' && timeslotLength !== 'halfHour') {
    return { field: 'timeslotLength', message: "must be 'hour' or 'halfHour'" };
  }
  if (typeof cells !== 'object' || cells === null || Array.isArray(cells)) {
    return { field: 'cells', message: 'must be an object keyed by weekday' };
  }
  const pattern = timeslotLength === 'hour' ? HOUR_CELL : HALF_HOUR_CELL;
  const expected = timeslotLength === 'hour' ? 'HH:00' : 'HH:00 or HH:30';
  for (const [day, dayCells] of Object.entries(cells as Record<string, unknown>)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      return { field: `cells.${day}`, message: `not a weekday (expected one of ${WEEKDAYS.join(', ')})` };
    }
    if (typeof dayCells !== 'object' || dayCells === null || Array.isArray(dayCells)) {
      return { field: `cells.${day}`, message: 'must be an object keyed by cell start' };
    }
    for (const [key, value] of Object.entries(dayCells as Record<string, unknown>)) {
      const field = `cells.${day}.${key}`;
      if (!pattern.test(key)) return { field, message: `cell must start at ${expected} for ${timeslotLength} cells` };
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_CELL_CAPACITY) {
        return { field, message: `capacity must be an integer from 0 to ${MAX_CELL_CAPACITY}` };
      }
    }
  }
  return null;
}
