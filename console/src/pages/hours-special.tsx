import { useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import type { BusinessHours as Hours } from '../api/types';
import { dayLabel, ErrorNote, Field, Loading, useLoad, WEEKDAYS } from '../ui';
import type { Interval } from './hours-calendar';

export type RecurringRule = Hours['recurring'][number];
export type HolidayCalendar = Hours['holidayCalendars'][number];

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const NTHS: [number, string][] = [
  [1, 'first'],
  [2, 'second'],
  [3, 'third'],
  [4, 'fourth'],
  [5, 'fifth'],
  [-1, 'last'],
];
const TYPES = ['public', 'bank', 'school', 'optional', 'observance'] as const;

const value = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement).value;

function IntervalList({ label, intervals, disabled, onChange }: { label: string; intervals: Interval[]; disabled: boolean; onChange: (v: Interval[]) => void }) {
  return (
    <span class="intervals-inline">
      {intervals.map((i, n) => (
        <span class="interval" key={n}>
          <input type="text" class="narrow" aria-label={`${label} from ${n + 1}`} value={i.start} disabled={disabled} onInput={(e) => onChange(intervals.map((x, m) => (m === n ? { ...x, start: value(e) } : x)))} />–
          <input type="text" class="narrow" aria-label={`${label} until ${n + 1}`} value={i.end} disabled={disabled} onInput={(e) => onChange(intervals.map((x, m) => (m === n ? { ...x, end: value(e) } : x)))} />
          {!disabled && (
            <button type="button" class="link" onClick={() => onChange(intervals.filter((_, m) => m !== n))}>
              remove hours
            </button>
          )}
        </span>
      ))}
      {!disabled && (
        <button type="button" class="link" onClick={() => onChange([...intervals, { start: '09:00', end: '13:00' }])}>
          add hours
        </button>
      )}
    </span>
  );
}

/** Yearly rules: a fixed day of a month, or the nth/last weekday of a month; closed or special hours. */
export function RecurringRules({ rules, admin, error, onChange }: { rules: RecurringRule[]; admin: boolean; error: unknown; onChange: (rules: RecurringRule[]) => void }) {
  const set = (n: number, rule: RecurringRule) => onChange(rules.map((r, m) => (m === n ? rule : r)));
  return (
    <div class="recurring">
      {rules.length === 0 && <p class="muted">No yearly rules.</p>}
      {rules.map((rule, n) => {
        const byWeekday = rule.day === undefined;
        const f = `recurring[${n}]`;
        return (
          <fieldset key={n} class="rule">
            <legend>Yearly rule {n + 1}</legend>
            <div class="filters inline">
              <Field label="Rule name" name={`${f}.name`} error={error}>
                {(p) => <input {...p} value={rule.name} disabled={!admin} onInput={(e) => set(n, { ...rule, name: value(e) })} />}
              </Field>
              <Field label="Repeats" name={`${f}.kind`} error={undefined}>
                {(p) => (
                  <select
                    {...p}
                    value={byWeekday ? 'weekday' : 'fixed'}
                    disabled={!admin}
                    onChange={(e) => {
                      const { day: _d, weekday: _w, nth: _n, ...rest } = rule;
                      set(n, value(e) === 'fixed' ? { ...rest, day: 1 } : { ...rest, weekday: 'monday', nth: 1 });
                    }}
                  >
                    <option value="fixed">on a fixed day</option>
                    <option value="weekday">on a weekday of the month</option>
                  </select>
                )}
              </Field>
              {byWeekday ? (
                <>
                  <Field label="Which" name={`${f}.nth`} error={error}>
                    {(p) => (
                      <select {...p} value={String(rule.nth ?? 1)} disabled={!admin} onChange={(e) => set(n, { ...rule, nth: Number(value(e)) })}>
                        {NTHS.map(([k, label]) => (
                          <option key={k} value={String(k)}>
                            {label}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                  <Field label="Weekday" name={`${f}.weekday`} error={error}>
                    {(p) => (
                      <select {...p} value={rule.weekday ?? 'monday'} disabled={!admin} onChange={(e) => set(n, { ...rule, weekday: value(e) as RecurringRule['weekday'] })}>
                        {WEEKDAYS.map((d) => (
                          <option key={d} value={d}>
                            {dayLabel(d)}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                </>
              ) : (
                <Field label="Day of the month" name={`${f}.day`} error={error}>
                  {(p) => <input {...p} type="number" min={1} max={31} class="narrow" value={String(rule.day ?? 1)} disabled={!admin} onInput={(e) => set(n, { ...rule, day: Number(value(e)) })} />}
                </Field>
              )}
              <Field label="Month" name={`${f}.month`} error={error}>
                {(p) => (
                  <select {...p} value={String(rule.month)} disabled={!admin} onChange={(e) => set(n, { ...rule, month: Number(value(e)) })}>
                    {MONTHS.map((m, i) => (
                      <option key={m} value={String(i + 1)}>
                        {m}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            <label class="check">
              <input type="checkbox" checked={rule.closed} disabled={!admin} onChange={(e) => set(n, { ...rule, closed: (e.target as HTMLInputElement).checked, intervals: [] })} /> closed all day
            </label>
            {!rule.closed && <IntervalList label={`Rule ${n + 1} hours`} intervals={rule.intervals} disabled={!admin} onChange={(v) => set(n, { ...rule, intervals: v })} />}
            <ErrorNote error={errorIn(error, f)} />
            {admin && (
              <button type="button" class="link" onClick={() => onChange(rules.filter((_, m) => m !== n))}>
                Remove the rule
              </button>
            )}
          </fieldset>
        );
      })}
      {admin && (
        <button type="button" class="secondary" onClick={() => onChange([...rules, { name: 'Yearly closure', month: 1, day: 1, closed: true, intervals: [] }])}>
          Add a yearly rule
        </button>
      )}
    </div>
  );
}

/** The error if it concerns this rule or calendar but no field of the row shows it (the row itself, its intervals). */
function errorIn(error: unknown, prefix: string): unknown {
  const field = (error as { field?: string } | undefined)?.field;
  if (!field || !(field === prefix || field.startsWith(`${prefix}.intervals`) || field.startsWith(`${prefix}.closed`) || field.startsWith(`${prefix}.types`))) return undefined;
  return error;
}

/** Public-holiday calendars: a country, optionally one of its states and a region of that; the types that close. */
export function HolidayCalendars({ calendars, admin, error, onChange }: { calendars: HolidayCalendar[]; admin: boolean; error: unknown; onChange: (c: HolidayCalendar[]) => void }) {
  const choices = useLoad(() => ok(api.GET('/admin/v1/holiday-calendars')), []);
  return (
    <div class="calendars">
      <Loading what={choices} />
      {calendars.length === 0 && <p class="muted">No public-holiday calendar.</p>}
      {calendars.map((c, n) => (
        <CalendarRow key={`${n}-${c.country}`} n={n} calendar={c} countries={choices.data?.countries ?? []} admin={admin} error={error} onChange={(x) => onChange(x ? calendars.map((y, m) => (m === n ? x : y)) : calendars.filter((_, m) => m !== n))} />
      ))}
      {admin && (
        <button type="button" class="secondary" onClick={() => onChange([...calendars, { country: 'US' }])}>
          Add a holiday calendar
        </button>
      )}
    </div>
  );
}

function CalendarRow({ n, calendar, countries, admin, error, onChange }: { n: number; calendar: HolidayCalendar; countries: { code: string; name: string }[]; admin: boolean; error: unknown; onChange: (c: HolidayCalendar | undefined) => void }) {
  const states = useLoad(() => ok(api.GET('/admin/v1/holiday-calendars', { params: { query: { country: calendar.country } } })), [calendar.country]);
  const f = `holidayCalendars[${n}]`;
  const regions = states.data?.states?.find((s) => s.code === calendar.state)?.regions ?? [];
  const types = calendar.types ?? ['public'];
  return (
    <fieldset class="calendar">
      <legend>Holiday calendar {n + 1}</legend>
      <div class="filters inline">
        <Field label="Country" name={`${f}.country`} error={error}>
          {(p) => (
            <select {...p} value={calendar.country} disabled={!admin} onChange={(e) => onChange({ country: value(e), ...(calendar.types && { types: calendar.types }) })}>
              {!countries.some((c) => c.code === calendar.country) && <option value={calendar.country}>{calendar.country}</option>}
              {countries.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name} ({c.code})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="State or province" name={`${f}.state`} error={error}>
          {(p) => (
            <select
              {...p}
              value={calendar.state ?? ''}
              disabled={!admin || (states.data?.states ?? []).length === 0}
              onChange={(e) => {
                const { state: _s, region: _r, ...rest } = calendar;
                onChange(value(e) === '' ? rest : { ...rest, state: value(e) });
              }}
            >
              <option value="">whole country</option>
              {(states.data?.states ?? []).map((s) => (
                <option key={s.code} value={s.code}>
                  {s.name} ({s.code})
                </option>
              ))}
            </select>
          )}
        </Field>
        {regions.length > 0 && (
          <Field label="Region" name={`${f}.region`} error={error}>
            {(p) => (
              <select
                {...p}
                value={calendar.region ?? ''}
                disabled={!admin}
                onChange={(e) => {
                  const { region: _r, ...rest } = calendar;
                  onChange(value(e) === '' ? rest : { ...rest, region: value(e) });
                }}
              >
                <option value="">whole state</option>
                {regions.map((r) => (
                  <option key={r.code} value={r.code}>
                    {r.name} ({r.code})
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
      </div>
      <div class="types" role="group" aria-label={`Holiday types of calendar ${n + 1}`}>
        {TYPES.map((t) => (
          <label class="check" key={t}>
            <input
              type="checkbox"
              checked={types.includes(t)}
              disabled={!admin}
              onChange={(e) => {
                const next = (e.target as HTMLInputElement).checked ? [...types, t] : types.filter((x) => x !== t);
                onChange({ ...calendar, types: TYPES.filter((x) => next.includes(x)) });
              }}
            />{' '}
            {t}
          </label>
        ))}
      </div>
      <ErrorNote error={errorIn(error, f)} />
      {admin && (
        <button type="button" class="link" onClick={() => onChange(undefined)}>
          Remove the calendar
        </button>
      )}
    </fieldset>
  );
}

const SOURCE_LABEL: Record<string, string> = { exception: 'date exception', recurring: 'yearly rule', calendar: 'public holiday' };

/** What the special days do in a year, as the API resolves them (read again after each save: `version`). */
export function SpecialDatesPreview({ hoursId, version }: { hoursId: string; version: string }) {
  const [year, setYear] = useState(new Date().getFullYear());
  const dates = useLoad(() => ok(api.GET('/admin/v1/business-hours/{id}/holidays', { params: { path: { id: hoursId }, query: { year } } })), [hoursId, version, year]);
  return (
    <section class="card" aria-labelledby="special-title">
      <h2 id="special-title">Special days of a year</h2>
      <div class="filters inline">
        <Field label="Year" name="year" error={dates.error}>
          {(p) => <input {...p} type="number" class="narrow" min={1970} max={2200} value={String(year)} onInput={(e) => Number(value(e)) >= 1970 && setYear(Number(value(e)))} />}
        </Field>
      </div>
      <ErrorNote error={dates.error} fields={['year']} />
      {dates.data && dates.data.dates.length === 0 && <p class="muted">No special days in {year}: the weekly hours apply every day.</p>}
      {dates.data && dates.data.dates.length > 0 && (
        <div class="table-wrap">
          <table class="grid">
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Source</th>
                <th scope="col">Name</th>
                <th scope="col">Hours</th>
                <th scope="col">Replaces</th>
              </tr>
            </thead>
            <tbody>
              {dates.data.dates.map((d) => (
                <tr key={d.date}>
                  <td>
                    {d.date} <span class="muted small">{d.weekday}</span>
                  </td>
                  <td>{SOURCE_LABEL[d.source]}</td>
                  <td>
                    {d.name ?? ''}
                    {d.calendar && <span class="muted small"> {d.calendar}</span>}
                  </td>
                  <td>{d.closed || d.intervals.length === 0 ? 'closed' : d.intervals.map((i) => `${i.start}–${i.end}`).join(', ')}</td>
                  <td class="small">{d.overrides.map((o) => `${SOURCE_LABEL[o.source]}${o.name ? `: ${o.name}` : ''}`).join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
