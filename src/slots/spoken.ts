/** Text an IVR prompt can speak, e.g. "Tuesday, March 3 at 9:15 AM". */
import { DateTime } from 'luxon';
import { assertZone } from './time.js';

/**
 * English, 12-hour clock without a leading zero ("12:00 PM" is noon). The year is spoken only when it
 * differs from the year of `now` in the same zone, since callers booking ahead rarely need it.
 */
export function spokenTime(instant: Date, zone: string, now: Date): string {
  assertZone(zone);
  const dt = DateTime.fromJSDate(instant, { zone }).setLocale('en-US');
  const thisYear = DateTime.fromJSDate(now, { zone }).year;
  const day = dt.year === thisYear ? dt.toFormat('cccc, LLLL d') : dt.toFormat('cccc, LLLL d, yyyy');
  return `${day} at ${dt.toFormat('h:mm a')}`;
}
