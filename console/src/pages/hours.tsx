import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import type { BusinessHours as Hours } from '../api/types';
import { useSession } from '../session';
import { dayLabel, Dialog, ErrorNote, Field, Loading, Page, useAction, useLoad, WEEKDAYS, type Weekday } from '../ui';

type Interval = { start: string; end: string };
type Exception = { date: string; closed: boolean; intervals: Interval[] };

export function HoursPage() {
  const list = useLoad(() => ok(api.GET('/admin/v1/business-hours')), []);
  const [id, setId] = useState('');
  const [creating, setCreating] = useState(false);
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
      {hours && <HoursEditor key={`${hours.id}-${hours.updatedAt}`} hours={hours} admin={admin} onSaved={list.reload} />}
      {hours && <Preview hoursId={hours.id} />}
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

function HoursEditor({ hours, admin, onSaved }: { hours: Hours; admin: boolean; onSaved: () => void }) {
  const [weekly, setWeekly] = useState(hours.weekly as Partial<Record<Weekday, Interval[]>>);
  const [exceptions, setExceptions] = useState<Exception[]>(hours.exceptions as Exception[]);
  const [timezone, setTimezone] = useState(hours.timezone);
  const action = useAction();
  const save = () =>
    action.run(async () => {
      const patch: Record<string, unknown> = {};
      if (JSON.stringify(weekly) !== JSON.stringify(hours.weekly)) patch.weekly = weekly;
      if (JSON.stringify(exceptions) !== JSON.stringify(hours.exceptions)) patch.exceptions = exceptions;
      if (timezone !== hours.timezone) patch.timezone = timezone;
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
      <ul class="exceptions">
        {exceptions.map((x, n) => (
          <li key={n}>
            <label>
              Date{' '}
              <input type="date" value={x.date} disabled={!admin} onInput={(e) => setExceptions(exceptions.map((y, m) => (m === n ? { ...y, date: (e.target as HTMLInputElement).value } : y)))} />
            </label>
            <label class="check">
              <input type="checkbox" checked={x.closed} disabled={!admin} onChange={(e) => setExceptions(exceptions.map((y, m) => (m === n ? { ...y, closed: (e.target as HTMLInputElement).checked } : y)))} /> closed all day
            </label>
            {!x.closed && (
              <Intervals label={`Hours on ${x.date || 'this date'}`} field={`exceptions[${n}]`} value={x.intervals} disabled={!admin} error={action.error} onChange={(v) => setExceptions(exceptions.map((y, m) => (m === n ? { ...y, intervals: v } : y)))} />
            )}
            {admin && (
              <button type="button" class="link" onClick={() => setExceptions(exceptions.filter((_, m) => m !== n))}>
                remove exception
              </button>
            )}
          </li>
        ))}
      </ul>
      {admin && (
        <>
          <button type="button" class="secondary" onClick={() => setExceptions([...exceptions, { date: '', closed: true, intervals: [] }])}>
            Add a date exception
          </button>
          <ErrorNote error={action.error} fields={['weekly', 'exceptions', 'timezone']} />
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

function Preview({ hoursId }: { hoursId: string }) {
  const [date, setDate] = useState(new Date().toISOString().slice(0, 10));
  const [duration, setDuration] = useState(30);
  const preview = useLoad(() => ok(api.GET('/admin/v1/business-hours/{id}/preview', { params: { path: { id: hoursId }, query: { date, slotDurationMinutes: duration as 30 } } })), [hoursId, date, duration]);
  const p = preview.data;
  return (
    <section class="card" aria-labelledby="preview-title">
      <h2 id="preview-title">Slot grid of a date</h2>
      <div class="filters inline">
        <Field label="Date" name="date" error={preview.error}>
          {(f) => <input {...f} type="date" value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} />}
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
            {p.exception ? ' (a date exception)' : ''}; {p.slots.length} slots.
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
