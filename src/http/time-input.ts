import { DateTime } from 'luxon';
import { isZone } from '../slots/time.js';
import { errors } from './errors.js';

/** ISO-8601 time from a flow: with an offset or `Z` it is absolute; without, it is local to `zone`. */
export function parseTimeInput(value: string, zone: string, field: string): Date {
  const dt = DateTime.fromISO(value.trim(), { zone, setZone: true });
  if (!dt.isValid) throw errors.validation(field, `${field} must be an ISO-8601 time such as 2030-03-05T09:15:00Z or 2030-03-05T09:15 (got "${value.slice(0, 64)}")`);
  return dt.toJSDate();
}

export function checkZone(zone: string | undefined, field: string): void {
  if (zone !== undefined && !isZone(zone)) throw errors.validation(field, `${field}: unknown IANA time zone "${zone.slice(0, 64)}"`);
}

/** `2030-03-05T14:15:00Z`: UTC without milliseconds. */
export function isoUtc(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The same for a column that may be null (and may arrive as text). */
export function isoUtcOrNull(d: Date | string | null): string | null {
  return d === null ? null : isoUtc(new Date(d));
}

/** `2030-03-05T09:15:00-05:00`: local wall time with its offset. */
export function isoLocal(d: Date, zone: string): string {
  return DateTime.fromJSDate(d, { zone }).toISO({ suppressMilliseconds: true }) ?? isoUtc(d);
}
