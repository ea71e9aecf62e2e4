import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import type { CapacityRule as Rule } from '../api/types';
import { useSession } from '../session';
import { dayLabel, Dialog, ErrorNote, Field, JsonField, Loading, Page, parseJsonInput, useAction, useLoad, WEEKDAYS, type Weekday } from '../ui';

type Cells = Partial<Record<Weekday, Record<string, number>>>;

function cellKeys(length: 'hour' | 'halfHour'): string[] {
  const keys: string[] = [];
  for (let h = 0; h < 24; h++) {
    const hh = String(h).padStart(2, '0');
    keys.push(`${hh}:00`);
    if (length === 'halfHour') keys.push(`${hh}:30`);
  }
  return keys;
}

export function CapacityPage() {
  const rules = useLoad(() => ok(api.GET('/admin/v1/capacity-rules')), []);
  const [ruleId, setRuleId] = useState<string>('');
  const [creating, setCreating] = useState(false);
  const { session } = useSession();
  const admin = session.roles.includes('administrator');
  useEffect(() => {
    if (ruleId === '' && rules.data?.items[0]) setRuleId(rules.data.items[0].id);
  }, [rules.data]);
  const rule = rules.data?.items.find((r) => r.id === ruleId);
  return (
    <Page
      title="Capacity"
      actions={
        admin && (
          <button type="button" onClick={() => setCreating(true)}>
            New capacity rule
          </button>
        )
      }
    >
      <Loading what={rules} />
      <div class="filters inline">
        <Field label="Capacity rule" name="rule">
          {(p) => (
            <select {...p} value={ruleId} onChange={(e) => setRuleId((e.target as HTMLSelectElement).value)}>
              {(rules.data?.items ?? []).map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {rule && <RuleEditor key={`${rule.id}-${rule.updatedAt}`} rule={rule} admin={admin} onSaved={rules.reload} />}
      <Heatmap />
      {creating && (
        <NewRule
          onClose={(id) => {
            setCreating(false);
            if (id) {
              setRuleId(id);
              rules.reload();
            }
          }}
        />
      )}
    </Page>
  );
}

function RuleEditor({ rule, admin, onSaved }: { rule: Rule; admin: boolean; onSaved: () => void }) {
  const [cells, setCells] = useState<Cells>(rule.cells as Cells);
  const [all, setAll] = useState('');
  const [dayValue, setDayValue] = useState('');
  const [day, setDay] = useState<Weekday>('monday');
  const [json, setJson] = useState('');
  const [convert, setConvert] = useState(false);
  const action = useAction();
  const keys = cellKeys(rule.timeslotLength);
  const value = (d: Weekday, k: string) => cells[d]?.[k] ?? 0;
  const setCell = (d: Weekday, k: string, v: string) => setCells({ ...cells, [d]: { ...(cells[d] ?? {}), [k]: v === '' ? 0 : Number(v) } });
  const fill = (days: readonly Weekday[], v: string) => {
    const n = Number(v);
    const next: Cells = { ...cells };
    for (const d of days) next[d] = Object.fromEntries(keys.map((k) => [k, n]));
    setCells(next);
  };
  // The whole grid goes to the API as a statement: cells it leaves out are 0, as the API says.
  const save = () =>
    action.run(async () => {
      await ok(api.PUT('/admin/v1/capacity-rules/{id}/statement', { params: { path: { id: rule.id } }, body: cells as never }));
      onSaved();
    });
  const paste = () =>
    action.run(async () => {
      await ok(api.PUT('/admin/v1/capacity-rules/{id}/statement', { params: { path: { id: rule.id } }, body: parseJsonInput(json, 'statement') as never }));
      setJson('');
      onSaved();
    });
  const dirty = JSON.stringify(cells) !== JSON.stringify(rule.cells);
  return (
    <section aria-labelledby="grid-title" class="card">
      <h2 id="grid-title">
        {rule.name} <span class="muted small">({rule.timeslotLength === 'hour' ? 'hourly' : 'half-hourly'} cells; queues: {rule.queues.map((q) => q.name).join(', ') || 'none'})</span>
      </h2>
      {admin && (
        <div class="toolbar wrap">
          <Field label="Set all cells to" name="setAll">
            {(p) => <input {...p} type="number" min="0" class="narrow" value={all} onInput={(e) => setAll((e.target as HTMLInputElement).value)} />}
          </Field>
          <button type="button" class="secondary" disabled={all === ''} onClick={() => fill(WEEKDAYS, all)}>
            Set all
          </button>
          <Field label="Day" name="setDayDay">
            {(p) => (
              <select {...p} value={day} onChange={(e) => setDay((e.target as HTMLSelectElement).value as Weekday)}>
                {WEEKDAYS.map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Set the day to" name="setDay">
            {(p) => <input {...p} type="number" min="0" class="narrow" value={dayValue} onInput={(e) => setDayValue((e.target as HTMLInputElement).value)} />}
          </Field>
          <button type="button" class="secondary" disabled={dayValue === ''} onClick={() => fill([day], dayValue)}>
            Set day
          </button>
          <button type="button" class="secondary" onClick={() => setConvert(true)}>
            Switch to {rule.timeslotLength === 'hour' ? 'half-hour' : 'hour'} cells…
          </button>
        </div>
      )}
      <ErrorNote error={action.error} fields={['cells', 'statement']} />
      <div class="table-wrap capacity">
        <table class="grid compact">
          <caption class="sr-only">Scheduled callbacks allowed per slot, by weekday and time</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              {WEEKDAYS.map((d) => (
                <th scope="col" key={d}>
                  {dayLabel(d)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                {WEEKDAYS.map((d) => (
                  <td key={d} class={value(d, k) > 0 ? 'has' : ''}>
                    <input
                      type="number"
                      min="0"
                      aria-label={`${d} ${k}`}
                      value={String(value(d, k))}
                      disabled={!admin}
                      aria-invalid={action.error && (action.error as { field?: string }).field === `${d}.${k}` ? 'true' : undefined}
                      onInput={(e) => setCell(d, k, (e.target as HTMLInputElement).value)}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {admin && (
        <div class="row-actions">
          <button type="button" disabled={!dirty || action.busy} onClick={save}>
            Save grid
          </button>
          <button type="button" class="secondary" disabled={!dirty} onClick={() => setCells(rule.cells as Cells)}>
            Undo changes
          </button>
        </div>
      )}
      {admin && (
        <details>
          <summary>Paste a JSON capacity statement</summary>
          <JsonField label="Capacity statement (replaces every cell; missing cells become 0)" name="statement" value={json} onInput={setJson} error={action.error} />
          <button type="button" disabled={json.trim() === '' || action.busy} onClick={paste}>
            Replace all cells
          </button>
        </details>
      )}
      {convert && <Conversion rule={rule} onClose={(changed) => (setConvert(false), changed && onSaved())} />}
    </section>
  );
}

function Conversion({ rule, onClose }: { rule: Rule; onClose: (changed: boolean) => void }) {
  const to = rule.timeslotLength === 'hour' ? 'halfHour' : 'hour';
  const preview = useLoad(() => ok(api.GET('/admin/v1/capacity-rules/{id}/conversion', { params: { path: { id: rule.id }, query: { to } } })), [rule.id]);
  const action = useAction();
  const p = preview.data;
  return (
    <Dialog title={`Switch ${rule.name} to ${to === 'hour' ? 'hourly' : 'half-hourly'} cells`} onClose={() => onClose(false)}>
      <Loading what={preview} />
      {p && (
        <>
          <p>
            Keeps {p.kept.length} cell{p.kept.length === 1 ? '' : 's'}, adds {p.added.length}, drops {p.dropped.length}.
          </p>
          {p.dropped.length > 0 && (
            <>
              <h3>Dropped</h3>
              <ul class="cells-list">
                {p.dropped.map((c) => (
                  <li key={`${c.day}${c.cell}`}>
                    {c.day} {c.cell}: {c.capacity}
                  </li>
                ))}
              </ul>
            </>
          )}
          {p.added.length > 0 && (
            <>
              <h3>Added (copied from the hour)</h3>
              <ul class="cells-list">
                {p.added.map((c) => (
                  <li key={`${c.day}${c.cell}`}>
                    {c.day} {c.cell}: {c.capacity}
                  </li>
                ))}
              </ul>
            </>
          )}
          <ErrorNote error={action.error} />
          <div class="row-actions">
            <button
              type="button"
              disabled={action.busy}
              onClick={() =>
                action.run(async () => {
                  await ok(api.PATCH('/admin/v1/capacity-rules/{id}', { params: { path: { id: rule.id } }, body: { timeslotLength: to } }));
                  onClose(true);
                })
              }
            >
              Switch
            </button>
            <button type="button" class="secondary" onClick={() => onClose(false)}>
              Keep as is
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}

function NewRule({ onClose }: { onClose: (id?: string) => void }) {
  const [name, setName] = useState('');
  const [length, setLength] = useState<'hour' | 'halfHour'>('hour');
  const action = useAction();
  return (
    <Dialog title="New capacity rule" onClose={() => onClose()}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => onClose((await ok(api.POST('/admin/v1/capacity-rules', { body: { name, timeslotLength: length } }))).id));
        }}
      >
        <Field label="Name" name="name" error={action.error}>
          {(p) => <input {...p} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />}
        </Field>
        <Field label="Cell length" name="timeslotLength" error={action.error}>
          {(p) => (
            <select {...p} value={length} onChange={(e) => setLength((e.target as HTMLSelectElement).value as 'hour')}>
              <option value="hour">hour</option>
              <option value="halfHour">half hour</option>
            </select>
          )}
        </Field>
        <ErrorNote error={action.error} fields={['name', 'timeslotLength']} />
        <button type="submit" disabled={action.busy}>
          Create rule
        </button>
      </form>
    </Dialog>
  );
}

/** Booked / capacity per slot for the next 14 days: darker is fuller, full slots are marked. */
function Heatmap() {
  const queues = useLoad(() => ok(api.GET('/admin/v1/queues')), []);
  const [queueId, setQueueId] = useState('');
  useEffect(() => {
    if (queueId === '' && queues.data?.items[0]) setQueueId(queues.data.items[0].id);
  }, [queues.data]);
  const util = useLoad(() => (queueId === '' ? Promise.resolve(undefined) : ok(api.GET('/admin/v1/queues/{id}/utilization', { params: { path: { id: queueId }, query: { days: 14 } } }))), [queueId]);
  const u = util.data;
  const times = u ? [...new Set(u.days.flatMap((d) => d.slots.map((s) => s.localStart.slice(11, 16))))].sort() : [];
  return (
    <section class="card" aria-labelledby="heat-title">
      <h2 id="heat-title">Utilization, next 14 days</h2>
      <Field label="Queue" name="heatQueue">
        {(p) => (
          <select {...p} value={queueId} onChange={(e) => setQueueId((e.target as HTMLSelectElement).value)}>
            {(queues.data?.items ?? []).map((q) => (
              <option key={q.id} value={q.id}>
                {q.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Loading what={util} />
      {u && times.length === 0 && <p>No open slot in the next 14 days.</p>}
      {u && times.length > 0 && (
        <>
          <p class="muted small">
            Booked of capacity per {u.slotDurationMinutes}-minute slot, times in {u.timezone}. <span class="legend full">full</span> <span class="legend half">half</span>{' '}
            <span class="legend free">free</span>
          </p>
          <div class="table-wrap">
            <table class="heat">
              <caption class="sr-only">Booked and capacity per slot</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  {u.days.map((d) => (
                    <th scope="col" key={d.date}>
                      {d.date.slice(5)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {times.map((t) => (
                  <tr key={t}>
                    <th scope="row">{t}</th>
                    {u.days.map((d) => {
                      const s = d.slots.find((x) => x.localStart.slice(11, 16) === t);
                      if (!s) return <td key={d.date} class="closed" />;
                      const ratio = s.capacity === 0 ? 1 : s.booked / s.capacity;
                      const level = s.capacity === 0 ? 'none' : ratio >= 1 ? 'full' : ratio >= 0.75 ? 'l3' : ratio >= 0.5 ? 'l2' : ratio > 0 ? 'l1' : 'l0';
                      return (
                        <td key={d.date} class={`h-${level}`} title={`${d.date} ${t}: ${s.booked}/${s.capacity}`}>
                          {s.capacity === 0 ? '·' : `${s.booked}/${s.capacity}`}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
