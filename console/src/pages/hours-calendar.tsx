import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from '../api/client';
import { WEEKDAYS, dayLabel } from '../ui';

export type Interval = { start: string; end: string };
export type Exception = { date: string; closed: boolean; intervals: Interval[] };

/** Calendar dates as `YYYY-MM-DD`, computed in UTC so no browser time zone shifts a day. */
const toDate = (iso: string) => new Date(`${iso}T00:00:00Z`);
const toIso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (iso: string, n: number) => toIso(new Date(toDate(iso).getTime() + n * 86_400_000));
function addMonths(iso: string, n: number): string {
  const d = toDate(iso);
  const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return toIso(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d.getUTCDate(), last))));
}
const monthTitle = (iso: string) => toDate(iso).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const dayName = (iso: string) => toDate(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The weeks (Sunday first, as the weekly intervals) that show the month of `iso`, padded with neighbouring days. */
function monthWeeks(iso: string): string[][] {
  const first = `${iso.slice(0, 8)}01`;
  let day = addDays(first, -toDate(first).getUTCDay());
  const weeks: string[][] = [];
  do {
    weeks.push(Array.from({ length: 7 }, (_, n) => addDays(day, n)));
    day = addDays(day, 7);
  } while (day.slice(0, 7) === iso.slice(0, 7));
  return weeks;
}

const KEYS: Record<string, (iso: string) => string> = {
  ArrowLeft: (d) => addDays(d, -1),
  ArrowRight: (d) => addDays(d, 1),
  ArrowUp: (d) => addDays(d, -7),
  ArrowDown: (d) => addDays(d, 7),
  PageUp: (d) => addMonths(d, -1),
  PageDown: (d) => addMonths(d, 1),
  Home: (d) => addDays(d, -toDate(d).getUTCDay()),
  End: (d) => addDays(d, 6 - toDate(d).getUTCDay()),
};

/**
 * A month of dates with the exceptions marked (closed / special hours). One date is chosen at a
 * time (it is also the date the slot-grid preview shows); the arrow keys move between dates,
 * Page Up / Page Down between months. Marks only: the API checks the exceptions when they are saved.
 */
export function ExceptionsCalendar({ exceptions, selected, onSelect }: { exceptions: Exception[]; selected: string; onSelect: (date: string) => void }) {
  const grid = useRef<HTMLTableElement>(null);
  // The date the keys last moved to: focus follows the keyboard only (not the month buttons, not a
  // first render), and keys pressed faster than a render count from there, not from the old button.
  const byKey = useRef<string | null>(null);
  useEffect(() => {
    if (byKey.current !== selected) return;
    byKey.current = null;
    grid.current?.querySelector<HTMLButtonElement>(`button[data-date="${selected}"]`)?.focus();
  }, [selected]);
  const byDate = new Map(exceptions.map((x) => [x.date, x]));
  const month = selected.slice(0, 7);
  return (
    <div class="calendar">
      <div class="calendar-head">
        <button type="button" class="secondary" aria-label="Previous month" onClick={() => onSelect(addMonths(selected, -1))}>
          ‹
        </button>
        <h4 id="calendar-month" aria-live="polite">
          {monthTitle(selected)}
        </h4>
        <button type="button" class="secondary" aria-label="Next month" onClick={() => onSelect(addMonths(selected, 1))}>
          ›
        </button>
      </div>
      <table class="month" ref={grid} aria-labelledby="calendar-month">
        <thead>
          <tr>
            {WEEKDAYS.map((d) => (
              <th key={d} scope="col">
                {dayLabel(d)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {monthWeeks(selected).map((week) => (
            <tr key={week[0]}>
              {week.map((date) => {
                const x = byDate.get(date);
                // Days of the neighbouring months stay blank; the keys and the buttons reach them.
                if (date.slice(0, 7) !== month) return <td key={date} />;
                const mark = x ? (x.closed ? 'closed' : `special hours ${x.intervals.map((i) => `${i.start}–${i.end}`).join(', ')}`) : undefined;
                return (
                  <td key={date}>
                    <button
                      type="button"
                      data-date={date}
                      class={`day${x ? (x.closed ? ' closed' : ' special') : ''}`}
                      tabIndex={date === selected ? 0 : -1}
                      aria-pressed={date === selected}
                      aria-label={`${dayName(date)}${mark ? `, ${mark}` : ''}`}
                      onClick={() => onSelect(date)}
                      onKeyDown={(e) => {
                        const move = KEYS[e.key];
                        if (!move) return;
                        e.preventDefault();
                        byKey.current = move(byKey.current ?? date);
                        onSelect(byKey.current);
                      }}
                    >
                      {Number(date.slice(8))}
                      {x && <span class="mark" aria-hidden="true">{x.closed ? 'closed' : 'hours'}</span>}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="legend muted small">
        <span class="day closed">closed</span> <span class="day special">special hours</span> Arrow keys move between dates, Page Up / Page Down between months.
      </p>
    </div>
  );
}

/** The index of the exception the API's field error names (`exceptions[3].intervals[0].end` → 3). */
export function exceptionAtFault(error: unknown): number | undefined {
  const m = error instanceof ApiError ? /^exceptions\[(\d+)\]/.exec(error.field ?? '') : null;
  return m ? Number(m[1]) : undefined;
}
