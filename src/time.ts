import { DateTime, IANAZone, Info } from 'luxon';
import { errors } from './errors.js';

/**
 * Every time the service reads from a caller or writes into an answer goes through here. One format
 * for every API time: UTC as `2030-03-05T14:15:00Z` (no milliseconds, what the data actions always
 * answered), local as `2030-03-05T09:15:00-05:00`.
 */

/**
 * Every time a caller sends must fall in this window. Outside it a time is a typo or a probe, and
 * the slot and hours searches, the spoken times and PostgreSQL all have edges of their own out there.
 */
export const TIME_INPUT_RANGE = { from: new Date('2000-01-01T00:00:00Z'), to: new Date('2100-01-01T00:00:00Z') } as const;

const knownZones = new Set<string>();

/**
 * Whether `zone` is an IANA zone. luxon's isValidZone builds an Intl formatter on every call (tens of
 * microseconds, on every availability request); a zone once found valid stays valid.
 */
export function isZone(zone: string): boolean {
  if (knownZones.has(zone)) return true;
  if (!IANAZone.isValidZone(zone)) return false;
  if (knownZones.size < 1_000) knownZones.add(zone);
  return true;
}

export function checkTimeRange(d: Date, field: string): Date {
  if (Number.isNaN(d.getTime()) || d < TIME_INPUT_RANGE.from || d >= TIME_INPUT_RANGE.to) {
    throw errors.validation(field, `${field} must be from ${isoUtc(TIME_INPUT_RANGE.from)} and before ${isoUtc(TIME_INPUT_RANGE.to)}`);
  }
  return d;
}

/** ISO-8601 time from a flow: with an offset or `Z` it is absolute; without, it is local to `zone`. */
export function parseTimeInput(value: string, zone: string, field: string): Date {
  // Luxon refuses what PostgreSQL could not store either (a leap second, February 30).
  const dt = DateTime.fromISO(value.trim(), { zone, setZone: true });
  if (!dt.isValid) throw errors.validation(field, `${field} must be an ISO-8601 time such as 2030-03-05T09:15:00Z or 2030-03-05T09:15 (got "${value.slice(0, 64)}")`);
  return checkTimeRange(dt.toJSDate(), field);
}

/** An absolute time filter (`TimeFilter` in the schema: the format already demands an offset). */
export function parseTimeFilter(value: string, field: string): Date {
  // RFC 3339 also allows `2030-03-05 09:15:00z`, which Luxon's ISO parser does not.
  return parseTimeInput(value.trim().toUpperCase().replace(' ', 'T'), 'UTC', field);
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

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * `isoLocal` without milliseconds (as `isoUtc`), for writing many times in one zone (an export):
 * `2030-03-05T09:15:00-05:00`, `...Z` in UTC. A zone's offset is looked up once a minute of time
 * (offsets change on whole minutes), not once a value as luxon would.
 */
export function isoLocalFormatter(zone: string): (d: Date) => string {
  const z = Info.normalizeZone(zone);
  if (z.isUniversal && z.offset(0) === 0) return isoUtc;
  const offsets = new Map<number, number>();
  return (d) => {
    const minute = Math.floor(d.getTime() / 60_000);
    let offset = offsets.get(minute);
    if (offset === undefined) {
      if (offsets.size >= 10_000) offsets.clear();
      offset = z.offset(minute * 60_000);
      offsets.set(minute, offset);
    }
    const wall = new Date(d.getTime() + offset * 60_000).toISOString().slice(0, 19);
    const abs = Math.abs(offset);
    return `${wall}${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  };
}

/** A slot's local start, `2030-03-05T09:15:00-05:00` (`+00:00` in UTC, never `Z`). */
export function slotLocal(dt: DateTime): string {
  return dt.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}
