import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import type { BusinessHours as Hours } from '../api/types';
import { useSession } from '../session';
import { dayLabel, Dialog, ErrorNote, Field, Loading, Page, useAction, useLoad, WEEKDAYS, type Weekday } from '../ui';

import { ExceptionsCalendar, exceptionAtFault, type Exception, type Interval } from './hours-calendar';
import { HolidayCalendars, RecurringRules, SpecialDatesPreview, type HolidayCalendar, type RecurringRule } from './hours-special';

export function HoursPage() {
  const list = useLoad(() => ok(api.GET('/admin/v1/business-hours')), []);
  const [id, setId] = useState('');
  const [creating, setCreating] = useState(false);
  // The date chosen on the calendar is the date the preview shows.
  const [date, setDate] = useState(new Date().toISOString().slice(0, 10));
  const { session } = useSession();
  const admin = session.roles.includes('administrator');
  useEffect(() => {
    if (id === '' && list.data?.items[0]) setId(list.data.items[0].id);
  }, [list.data]);
  const hours = list.data?.items.find((h) => h.id === id);
  return (
    <Page
      title="Business hours"
      actions={
        admin && (
          <button type="button" onClick={() => setCreating(true)}>
            New business hours
          </button>
        )
      }
    >
      <Loading what={list} />
      <div class="filters inline">
        <Field label="Business hours" name="hours">
          {(p) => (
            <select {...p} value={id} onChange={(e) => setId((e.target as HTMLSelectElement).value)}>
              {(list.data?.items ?? []).map((h) => (
                <option key={h.id} value={h.id}>
                  {h.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {hours && <HoursEditor key={`${hours.id}-${hours.updatedAt}`} hours={hours} admin={admin} onSaved={list.reload} date={date} onDate={setDate} />}
      {hours && <Preview hoursId={hours.id} version={hours.updatedAt} date={date} onDate={setDate} />}
      {hours && <SpecialDatesPreview hoursId={hours.id} version={hours.updatedAt} />}
      {creating && <NewHours onClose={(newId) => (setCreating(false), newId && (setId(newId), list.reload()))} />}
    </Page>
  );
}

function Intervals({ label, value, onChange, disabled, error, field }: { label: string; value: Interval[]; onChange: (v: Interval[]) => void; disabled: boolean; error: unknown; field: string }) {
  const message = error && (error as { field?: string }).field?.startsWith(field) ? (error as Error).message : undefined;
  return (
    <fieldset class="intervals">
      <legend>{label}</legend>
      {value.length === 0 && <span class="muted">closed</span>}
      {value.map((i, n) => (
        <span class="interval" key={n}>
          <input type="text" class="narrow" inputMode="numeric" aria-label={`${label} interval ${n + 1} start`} value={i.start} disabled={disabled} onInput={(e) => onChange(value.map((x, m) => (m === n ? { ...x, start: (e.target as HTMLInputElement).value } : x)))} />
          –
          <input
            type="text"
            class="narrow"
            inputMode="numeric"
            aria-label={`${label} interval ${n + 1} end`}
            value={i.end}
            disabled={disabled}
            onInput={(e) => onChange(value.map((x, m) => (m === n ? { ...x, end: (e.target as HTMLInputElement).value } : x)))}
          />
          {!disabled && (
            <button type="button" class="link" aria-label={`Remove ${label} interval ${n + 1}`} onClick={() => onChange(value.filter((_, m) => m !== n))}>
              remove
            </button>
          )}
        </span>
      ))}
      {!disabled && (
        <button type="button" class="link" onClick={() => onChange([...value, { start: '09:00', end: '17:00' }])}>
          add interval
        </button>
      )}
      {message && (
        <p class="field-error" role="alert">
          {message}
        </p>
      )}
    </fieldset>
  );
}

function HoursEditor({ hours, admin, onSaved, date, onDate }: { hours: Hours; admin: boolean; onSaved: () => void; date: string; onDate: (date: string) => void }) {
  const [weekly, setWeekly] = useState(hours.weekly as Partial<Record<Weekday, Interval[]>>);
  const [exceptions, setExceptions] = useState<Exception[]>(hours.exceptions as Exception[]);
  const [timezone, setTimezone] = useState(hours.timezone);
  const [recurring, setRecurring] = useState<RecurringRule[]>(hours.recurring);
  const [calendars, setCalendars] = useState<HolidayCalendar[]>(hours.holidayCalendars);
  const action = useAction();
  // An error the API finds in one exception: show that date, where its field error is.
  const fault = exceptionAtFault(action.error);
  useEffect(() => {
    const at = fault === undefined ? undefined : exceptions[fault]?.date;
    if (at) onDate(at);
  }, [action.error]);
  const save = () =>
    action.run(async () => {
      const patch: Record<string, unknown> = {};
      if (JSON.stringify(weekly) !== JSON.stringify(hours.weekly)) patch.weekly = weekly;
      if (JSON.stringify(exceptions) !== JSON.stringify(hours.exceptions)) patch.exceptions = exceptions;
      if (timezone !== hours.timezone) patch.timezone = timezone;
      if (JSON.stringify(recurring) !== JSON.stringify(hours.recurring)) patch.recurring = recurring;
      if (JSON.stringify(calendars) !== JSON.stringify(hours.holidayCalendars)) patch.holidayCalendars = calendars;
      if (Object.keys(patch).length === 0) return;
      await ok(api.PATCH('/admin/v1/business-hours/{id}', { params: { path: { id: hours.id } }, body: patch as never }));
      onSaved();
    });
  return (
    <section class="card" aria-labelledby="hours-title">
      <h2 id="hours-title">
        {hours.name} <span class="muted small">(queues: {hours.queues.map((q) => q.name).join(', ') || 'none'})</span>
      </h2>
      <Field label="Time zone" name="timezone" error={action.error}>
        {(p) => <input {...p} value={timezone} disabled={!admin} onInput={(e) => setTimezone((e.target as HTMLInputElement).value)} />}
      </Field>
      <h3>Weekly</h3>
      <div class="week">
        {WEEKDAYS.map((d) => (
          <Intervals key={d} label={dayLabel(d)} field={`weekly.${d}`} value={weekly[d] ?? []} disabled={!admin} error={action.error} onChange={(v) => setWeekly({ ...weekly, [d]: v })} />
        ))}
      </div>
      <h3>Date exceptions</h3>
      <div class="exceptions">
        <ExceptionsCalendar exceptions={exceptions} selected={date} onSelect={onDate} />
        <DateException
          date={date}
          exception={exceptions.find((x) => x.date === date)}
          index={exceptions.findIndex((x) => x.date === date)}
          admin={admin}
          error={action.error}
          onChange={(x) => setExceptions(x === undefined ? exceptions.filter((y) => y.date !== date) : exceptions.some((y) => y.date === date) ? exceptions.map((y) => (y.date === date ? x : y)) : [...exceptions, x])}
        />
      </div>
      <h3>Yearly rules</h3>
      <p class="muted small">Every year on a fixed day, or on the nth or last weekday of a month. They win over public holidays; a date exception wins over both. A year without the day (29 February, a fifth Friday) skips the rule.</p>
      <RecurringRules rules={recurring} admin={admin} error={action.error} onChange={setRecurring} />
      <h3>Public-holiday calendars</h3>
      <p class="muted small">Each holiday of these calendars closes the whole local day, unless a yearly rule or a date exception says otherwise.</p>
      <HolidayCalendars calendars={calendars} admin={admin} error={action.error} onChange={setCalendars} />
      {admin && (
        <>
          <ErrorNote error={action.error} fields={['weekly', 'timezone', 'recurring', 'holidayCalendars', ...(fault !== undefined && exceptions[fault]?.date === date ? ['exceptions'] : [])]} />
          <div class="row-actions">
            <button type="button" onClick={save} disabled={action.busy}>
              Save business hours
            </button>
          </div>
        </>
      )}
    </section>
  );
}

/** The chosen date's exception: add one (closed, or special hours), change it, or remove it. */
function DateException({ date, exception, index, admin, error, onChange }: { date: string; exception: Exception | undefined; index: number; admin: boolean; error: unknown; onChange: (x: Exception | undefined) => void }) {
  const message = index >= 0 && exceptionAtFault(error) === index ? (error as Error).message : undefined;
  return (
    <section class="date-exception" aria-labelledby="date-exception-title">
      <h4 id="date-exception-title">{toDay(date)}</h4>
      {!exception && <p class="muted">No exception: the weekly intervals apply.</p>}
      {!exception && admin && (
        <div class="row-actions">
          <button type="button" class="secondary" onClick={() => onChange({ date, closed: true, intervals: [] })}>
            Closed this date
          </button>
          <button type="button" class="secondary" onClick={() => onChange({ date, closed: false, intervals: [{ start: '09:00', end: '13:00' }] })}>
            Special hours this date
          </button>
        </div>
      )}
      {exception && (
        <>
          <label class="check">
            <input type="checkbox" checked={exception.closed} disabled={!admin} onChange={(e) => onChange({ ...exception, closed: (e.target as HTMLInputElement).checked })} /> closed all day
          </label>
          {!exception.closed && <Intervals label={`Hours on ${date}`} field={`exceptions[${index}]`} value={exception.intervals} disabled={!admin} error={error} onChange={(v) => onChange({ ...exception, intervals: v })} />}
          {exception.closed && message && (
            <p class="field-error" role="alert">
              {message}
            </p>
          )}
          {admin && (
            <button type="button" class="link" onClick={() => onChange(undefined)}>
              Remove the exception
            </button>
          )}
        </>
      )}
      {admin && <p class="muted small">Saved with Save business hours.</p>}
    </section>
  );
}

const toDay = (iso: string) => new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The slots a date produces, as the API computes them (read again after each save: `version`). */
function Preview({ hoursId, version, date, onDate }: { hoursId: string; version: string; date: string; onDate: (date: string) => void }) {
  const [duration, setDuration] = useState(30);
  const preview = useLoad(() => ok(api.GET('/admin/v1/business-hours/{id}/preview', { params: { path: { id: hoursId }, query: { date, slotDurationMinutes: duration as 30 } } })), [hoursId, version, date, duration]);
  const p = preview.data;
  return (
    <section class="card" aria-labelledby="preview-title">
      <h2 id="preview-title">Slot grid of a date</h2>
      <div class="filters inline">
        <Field label="Date" name="date" error={preview.error}>
          {(f) => <input {...f} type="date" value={date} onInput={(e) => (e.target as HTMLInputElement).value && onDate((e.target as HTMLInputElement).value)} />}
        </Field>
        <Field label="Slot minutes" name="slotDurationMinutes" error={preview.error}>
          {(f) => (
            <select {...f} value={String(duration)} onChange={(e) => setDuration(Number((e.target as HTMLSelectElement).value))}>
              {[5, 10, 15, 20, 30, 60, 120].map((m) => (
                <option key={m} value={String(m)}>
                  {m}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorNote error={preview.error} fields={['date', 'slotDurationMinutes']} />
      {p && (
        <>
          <p>
            {p.weekday} in {p.timezone}: {p.intervals.length === 0 ? 'closed' : p.intervals.map((i) => `${i.start}–${i.end}`).join(', ')}
            {p.exception ? ' (a date exception)' : p.special ? ` (${p.special.source === 'recurring' ? 'a yearly rule' : 'a public holiday'}: ${p.special.name ?? ''}${p.special.calendar ? `, ${p.special.calendar}` : ''})` : ''}; {p.slots.length} slots.
            {p.offsetTransitions.length > 0 && <strong> The UTC offset changes this day (at {p.offsetTransitions.join(', ')}).</strong>}
          </p>
          <ol class="slots">
            {p.slots.map((s) => (
              <li key={s.start}>
                {s.localStart.slice(11, 16)}
                <span class="muted small">{s.localStart.slice(19)}</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function NewHours({ onClose }: { onClose: (id?: string) => void }) {
  const [name, setName] = useState('');
  const [timezone, setTimezone] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const action = useAction();
  const weekday = [{ start: '09:00', end: '17:00' }];
  return (
    <Dialog title="New business hours" onClose={() => onClose()}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () =>
            onClose((await ok(api.POST('/admin/v1/business-hours', { body: { name, timezone, weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday } } }))).id),
          );
        }}
      >
        <Field label="Name" name="name" error={action.error}>
          {(p) => <input {...p} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />}
        </Field>
        <Field label="Time zone" name="timezone" error={action.error}>
          {(p) => <input {...p} value={timezone} onInput={(e) => setTimezone((e.target as HTMLInputElement).value)} />}
        </Field>
        <p class="muted">Starts as Monday to Friday 09:00–17:00; change it after.</p>
        <ErrorNote error={action.error} fields={['name', 'timezone']} />
        <button type="submit" disabled={action.busy}>
          Create business hours
        </button>
      </form>
    </Dialog>
  );
}
