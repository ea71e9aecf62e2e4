/** How the console shows times: in the browser's zone or in UTC, as the user chose. */

export type Zone = 'local' | 'utc';

export function zonePreference(): Zone {
  return localStorage.getItem('console.zone') === 'utc' ? 'utc' : 'local';
}

export function setZonePreference(zone: Zone): void {
  localStorage.setItem('console.zone', zone);
}

export function showTime(iso: string | null | undefined, zone: Zone = zonePreference()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (zone === 'utc') return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return d.toLocaleString(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/** A datetime-local input's value as ISO-8601 in the chosen zone. */
export function inputToIso(value: string, zone: Zone = zonePreference()): string | undefined {
  if (value === '') return undefined;
  return zone === 'utc' ? `${value}:00Z` : new Date(value).toISOString();
}
