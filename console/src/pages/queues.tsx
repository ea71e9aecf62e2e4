import { useMemo, useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import type { Queue, QueueOverview as Overview } from '../api/types';
import { showTime } from '../format';
import { useSession } from '../session';
import { Dialog, ErrorNote, Field, Loading, Page, useAction, useLoad } from '../ui';

type SortKey = 'name' | 'waitingCallbacks' | 'scheduledToday' | 'open';

const SLOT_DURATIONS = [5, 10, 15, 20, 30, 60, 120];

export function QueuesPage() {
  const { session } = useSession();
  const admin = session.roles.includes('administrator');
  const overview = useLoad(() => ok(api.GET('/admin/v1/queues/overview')), []);
  const queues = useLoad(() => ok(api.GET('/admin/v1/queues')), []);
  const refs = useRefs();
  const [text, setText] = useState('');
  const [sort, setSort] = useState<SortKey>('name');
  const [editing, setEditing] = useState<Queue | 'new' | null>(null);
  const toggle = useAction();

  const rows = useMemo(() => {
    const list = (overview.data?.items ?? []).filter((q) => q.name.toLowerCase().includes(text.toLowerCase()));
    const by: Record<SortKey, (a: Overview, b: Overview) => number> = {
      name: (a, b) => a.name.localeCompare(b.name),
      waitingCallbacks: (a, b) => b.waitingCallbacks - a.waitingCallbacks,
      scheduledToday: (a, b) => b.scheduledToday - a.scheduledToday,
      open: (a, b) => Number(b.open) - Number(a.open) || a.name.localeCompare(b.name),
    };
    return [...list].sort(by[sort]);
  }, [overview.data, text, sort]);

  const flip = (q: Overview, key: 'immediateEnabled' | 'scheduledEnabled') =>
    toggle.run(async () => {
      await ok(api.PATCH('/admin/v1/queues/{id}', { params: { path: { id: q.id } }, body: { [key]: !q[key] } }));
      overview.reload();
    });

  return (
    <Page
      title="Queues"
      actions={
        admin && (
          <button type="button" onClick={() => setEditing('new')}>
            New queue
          </button>
        )
      }
    >
      <div class="filters inline">
        <Field label="Filter by name" name="filter">
          {(p) => <input {...p} type="search" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />}
        </Field>
        <Field label="Sort by" name="sort">
          {(p) => (
            <select {...p} value={sort} onChange={(e) => setSort((e.target as HTMLSelectElement).value as SortKey)}>
              <option value="name">name</option>
              <option value="open">open first</option>
              <option value="waitingCallbacks">waiting callbacks</option>
              <option value="scheduledToday">scheduled today</option>
            </select>
          )}
        </Field>
      </div>
      <Loading what={overview} />
      <ErrorNote error={toggle.error} />
      <div class="table-wrap">
        <table class="grid">
          <caption class="sr-only">Queues</caption>
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Now</th>
              <th scope="col">Closes at</th>
              <th scope="col">Next open</th>
              <th scope="col">Waiting</th>
              <th scope="col">Scheduled today</th>
              <th scope="col">Est. wait</th>
              <th scope="col">Immediate</th>
              <th scope="col">Scheduled</th>
              <th scope="col">Hours · capacity · numbers</th>
              <th scope="col">
                <span class="sr-only">Edit</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((q) => (
              <tr key={q.id}>
                <th scope="row">
                  {q.name}
                  <div class="muted small">{q.timezone}</div>
                </th>
                <td>
                  {q.closedReason !== null ? (
                    <span class="badge closed" title={q.closedReason}>
                      emergency closed
                    </span>
                  ) : (
                    <span class={`badge ${q.open ? 'open' : 'closed'}`}>{q.open ? 'open' : 'closed'}</span>
                  )}
                  {q.closedReason !== null && <div class="muted small">{q.closedReason}</div>}
                  {q.throttled && <div class="muted small">throttled</div>}
                </td>
                <td>{q.open ? (q.closesAt ? showTime(q.closesAt) : 'never (24 h)') : '—'}</td>
                <td>{showTime(q.nextOpen)}</td>
                <td>{q.waitingCallbacks}</td>
                <td>{q.scheduledToday}</td>
                <td>{q.ewtSeconds === null ? '—' : `${Math.round(q.ewtSeconds / 60)} min`}</td>
                <td>
                  <label class="switch">
                    <input type="checkbox" checked={q.immediateEnabled} disabled={!admin || toggle.busy} onChange={() => flip(q, 'immediateEnabled')} />
                    <span class="sr-only">Immediate callbacks for {q.name}</span>
                  </label>
                </td>
                <td>
                  <label class="switch">
                    <input type="checkbox" checked={q.scheduledEnabled} disabled={!admin || toggle.busy} onChange={() => flip(q, 'scheduledEnabled')} />
                    <span class="sr-only">Scheduled callbacks for {q.name}</span>
                  </label>
                </td>
                <td class="small">
                  {refs.name('hours', q.businessHoursId) ?? 'open 24 h'} · {refs.name('rule', q.capacityRuleId) ?? `${q.slotCapacity} per ${q.slotDurationMinutes}-min slot`} ·{' '}
                  {refs.name('numbers', q.numberRuleId) ?? 'no number rule'}
                  {q.prioritizationPolicyId && ` · ${refs.name('policy', q.prioritizationPolicyId)}`}
                </td>
                <td>
                  <button type="button" class="link" onClick={() => setEditing(queues.data?.items.find((x) => x.id === q.id) ?? null)} aria-label={`Edit queue ${q.name}`}>
                    {admin ? 'Edit' : 'Details'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editing && (
        <QueueForm
          queue={editing === 'new' ? null : editing}
          refs={refs}
          onClose={(changed) => {
            setEditing(null);
            if (changed) {
              overview.reload();
              queues.reload();
            }
          }}
        />
      )}
    </Page>
  );
}

type Refs = ReturnType<typeof useRefs>;

/** Names of the configuration a queue points at, for showing and choosing. */
function useRefs() {
  const hours = useLoad(() => ok(api.GET('/admin/v1/business-hours')), []);
  const rules = useLoad(() => ok(api.GET('/admin/v1/capacity-rules')), []);
  const numbers = useLoad(() => ok(api.GET('/admin/v1/number-rules')), []);
  const policies = useLoad(() => ok(api.GET('/admin/v1/prioritization-policies')), []);
  const lists = {
    hours: hours.data?.items ?? [],
    rule: rules.data?.items ?? [],
    numbers: numbers.data?.items ?? [],
    policy: policies.data?.items ?? [],
  };
  return {
    lists,
    name: (kind: keyof typeof lists, id: string | null) => (id === null ? undefined : ((lists[kind] as { id: string; name: string }[]).find((x) => x.id === id)?.name ?? id.slice(0, 8))),
  };
}

interface Draft {
  name: string;
  timezone: string;
  genesysQueueId: string;
  businessHoursId: string;
  capacityRuleId: string;
  numberRuleId: string;
  prioritizationPolicyId: string;
  slotDurationMinutes: string;
  slotCapacity: string;
  maxDaysAhead: string;
  defaultCountry: string;
  immediateEnabled: boolean;
  scheduledEnabled: boolean;
  immediateOfferHoursId: string;
  maxEwtSeconds: string;
  maxWaitingCallbacks: string;
  maxPerNumberPerDay: string;
  throttles: { limit: string; windowMinutes: string }[];
  emergencyClosed: boolean;
  closedReason: string;
  ownedCallbacksEnabled: boolean;
  defaultOwnershipHours: string;
  ownershipExpiry: string;
}

const MAX_THROTTLES = 5;

function draftOf(q: Queue | null): Draft {
  return {
    name: q?.name ?? '',
    timezone: q?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    genesysQueueId: q?.genesysQueueId ?? '',
    businessHoursId: q?.businessHoursId ?? '',
    capacityRuleId: q?.capacityRuleId ?? '',
    numberRuleId: q?.numberRuleId ?? '',
    prioritizationPolicyId: q?.prioritizationPolicyId ?? '',
    slotDurationMinutes: String(q?.slotDurationMinutes ?? 15),
    slotCapacity: String(q?.slotCapacity ?? 5),
    maxDaysAhead: String(q?.maxDaysAhead ?? 30),
    defaultCountry: q?.defaultCountry ?? '',
    immediateEnabled: q?.immediateEnabled ?? true,
    scheduledEnabled: q?.scheduledEnabled ?? true,
    immediateOfferHoursId: q?.immediateOfferHoursId ?? '',
    maxEwtSeconds: q?.maxEwtSeconds == null ? '' : String(q.maxEwtSeconds),
    maxWaitingCallbacks: q?.maxWaitingCallbacks == null ? '' : String(q.maxWaitingCallbacks),
    maxPerNumberPerDay: q?.maxPerNumberPerDay == null ? '' : String(q.maxPerNumberPerDay),
    throttles: (q?.throttles ?? []).map((t) => ({ limit: String(t.limit), windowMinutes: String(t.windowMinutes) })),
    emergencyClosed: q?.emergencyClosed ?? false,
    closedReason: q?.closedReason ?? '',
    ownedCallbacksEnabled: q?.ownedCallbacksEnabled ?? false,
    defaultOwnershipHours: String(q?.defaultOwnershipHours ?? 24),
    ownershipExpiry: q?.ownershipExpiry ?? 'queue',
  };
}

/** The API's body from the form: numbers as numbers, empty choices as null. */
function bodyOf(d: Draft): Record<string, unknown> {
  const nullable = (s: string) => (s === '' ? null : s);
  const num = (s: string) => (s.trim() === '' || Number.isNaN(Number(s)) ? s : Number(s));
  const limit = (s: string) => (s.trim() === '' ? null : num(s));
  return {
    name: d.name,
    timezone: d.timezone,
    genesysQueueId: nullable(d.genesysQueueId),
    businessHoursId: nullable(d.businessHoursId),
    capacityRuleId: nullable(d.capacityRuleId),
    numberRuleId: nullable(d.numberRuleId),
    prioritizationPolicyId: nullable(d.prioritizationPolicyId),
    slotDurationMinutes: num(d.slotDurationMinutes),
    slotCapacity: num(d.slotCapacity),
    maxDaysAhead: num(d.maxDaysAhead),
    defaultCountry: nullable(d.defaultCountry),
    immediateEnabled: d.immediateEnabled,
    scheduledEnabled: d.scheduledEnabled,
    immediateOfferHoursId: nullable(d.immediateOfferHoursId),
    maxEwtSeconds: limit(d.maxEwtSeconds),
    maxWaitingCallbacks: limit(d.maxWaitingCallbacks),
    maxPerNumberPerDay: limit(d.maxPerNumberPerDay),
    throttles: d.throttles.map((t) => ({ limit: num(t.limit), windowMinutes: num(t.windowMinutes) })),
    emergencyClosed: d.emergencyClosed,
    closedReason: nullable(d.closedReason.trim()),
    ownedCallbacksEnabled: d.ownedCallbacksEnabled,
    defaultOwnershipHours: num(d.defaultOwnershipHours),
    ownershipExpiry: d.ownershipExpiry,
  };
}

function QueueForm({ queue, refs, onClose }: { queue: Queue | null; refs: Refs; onClose: (changed: boolean) => void }) {
  const { session } = useSession();
  const admin = session.roles.includes('administrator');
  const [d, setD] = useState(draftOf(queue));
  const action = useAction();
  const set = (k: keyof Draft) => (e: Event) => {
    const t = e.target as HTMLInputElement;
    setD({ ...d, [k]: t.type === 'checkbox' ? t.checked : t.value });
  };
  const save = (e: Event) =>
    action.run(async () => {
      e.preventDefault();
      const body = bodyOf(d);
      if (queue === null) {
        const created = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));
        await ok(api.POST('/admin/v1/queues', { body: created as never }));
      } else {
        // Only what changed: a PATCH changes only what it is sent.
        const before = bodyOf(draftOf(queue));
        const patch = Object.fromEntries(Object.entries(body).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k])));
        // Closing names its reason in the same change, even a reason kept from an earlier closing.
        if (d.emergencyClosed && !queue.emergencyClosed) patch.closedReason = body.closedReason;
        if (Object.keys(patch).length > 0) await ok(api.PATCH('/admin/v1/queues/{id}', { params: { path: { id: queue.id } }, body: patch as never }));
      }
      onClose(true);
    });
  const remove = () =>
    action.run(async () => {
      if (!queue || !window.confirm(`Delete queue ${queue.name}?`)) return;
      await ok(api.DELETE('/admin/v1/queues/{id}', { params: { path: { id: queue.id } } }));
      onClose(true);
    });
  const select = (k: keyof Draft, label: string, items: { id: string; name: string }[], none: string) => (
    <Field label={label} name={k} error={action.error}>
      {(p) => (
        <select {...p} value={d[k] as string} onChange={set(k)} disabled={!admin}>
          <option value="">{none}</option>
          {items.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  const text = (k: keyof Draft, label: string, type = 'text', hint?: string) => (
    <Field label={label} name={k} error={action.error} {...(hint && { hint })}>
      {(p) => <input {...p} type={type as 'text'} value={d[k] as string} onInput={set(k)} disabled={!admin} />}
    </Field>
  );
  // The throttle inputs are no Field: their errors (throttles, throttles[0].limit) show above the form.
  const fields = Object.keys(d).filter((k) => k !== 'throttles');
  const setThrottle = (i: number, k: 'limit' | 'windowMinutes') => (e: Event) =>
    setD({ ...d, throttles: d.throttles.map((t, j) => (j === i ? { ...t, [k]: (e.target as HTMLInputElement).value } : t)) });
  return (
    <Dialog title={queue ? `Queue ${queue.name}` : 'New queue'} onClose={() => onClose(false)}>
      <form onSubmit={save} class="form-grid">
        {text('name', 'Name')}
        {text('timezone', 'Time zone', 'text', 'IANA zone, e.g. America/New_York')}
        {text('genesysQueueId', 'Genesys queue id')}
        {select('businessHoursId', 'Business hours', refs.lists.hours, 'open around the clock')}
        {select('capacityRuleId', 'Capacity rule', refs.lists.rule, 'flat slot capacity')}
        {select('numberRuleId', 'Number rule', refs.lists.numbers, 'none')}
        {select('prioritizationPolicyId', 'Prioritization policy', refs.lists.policy, 'none')}
        <Field label="Slot duration (minutes)" name="slotDurationMinutes" error={action.error}>
          {(p) => (
            <select {...p} value={d.slotDurationMinutes} onChange={set('slotDurationMinutes')} disabled={!admin}>
              {SLOT_DURATIONS.map((m) => (
                <option key={m} value={String(m)}>
                  {m}
                </option>
              ))}
            </select>
          )}
        </Field>
        {text('slotCapacity', 'Slot capacity (without a rule)', 'number')}
        {text('maxDaysAhead', 'Days ahead', 'number')}
        {text('defaultCountry', 'Default country', 'text', 'ISO code for national numbers, e.g. US')}
        <label class="check">
          <input type="checkbox" checked={d.immediateEnabled} onChange={set('immediateEnabled')} disabled={!admin} /> Immediate callbacks
        </label>
        <label class="check">
          <input type="checkbox" checked={d.scheduledEnabled} onChange={set('scheduledEnabled')} disabled={!admin} /> Scheduled callbacks
        </label>
        <fieldset>
          <legend>Offer controls</legend>
          {select('immediateOfferHoursId', 'Immediate offer hours', refs.lists.hours, 'the business hours alone')}
          {text('maxEwtSeconds', 'Maximum estimated wait (seconds)', 'number', 'No immediate callback above it; empty = no limit')}
          {text('maxWaitingCallbacks', 'Maximum waiting callbacks', 'number', 'Empty = no limit')}
          {text('maxPerNumberPerDay', 'Callbacks per number per day', 'number', 'In the queue’s local day; empty = no limit')}
          <table class="grid compact">
            <caption>Throttles: at most this many callbacks created in the trailing window</caption>
            <thead>
              <tr>
                <th scope="col">Callbacks</th>
                <th scope="col">Window (minutes)</th>
                <th scope="col">
                  <span class="sr-only">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {d.throttles.map((t, i) => (
                <tr key={i}>
                  <td>
                    <input type="number" min={1} aria-label={`Throttle ${i + 1}: callbacks`} value={t.limit} onInput={setThrottle(i, 'limit')} disabled={!admin} />
                  </td>
                  <td>
                    <input type="number" min={1} max={1440} aria-label={`Throttle ${i + 1}: window in minutes`} value={t.windowMinutes} onInput={setThrottle(i, 'windowMinutes')} disabled={!admin} />
                  </td>
                  <td>
                    {admin && (
                      <button type="button" class="link" onClick={() => setD({ ...d, throttles: d.throttles.filter((_, j) => j !== i) })}>
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
              {d.throttles.length === 0 && (
                <tr>
                  <td colSpan={3} class="empty">
                    No throttle
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          {admin && d.throttles.length < MAX_THROTTLES && (
            <button type="button" class="secondary" onClick={() => setD({ ...d, throttles: [...d.throttles, { limit: '50', windowMinutes: '10' }] })}>
              Add a throttle
            </button>
          )}
          <label class="check">
            <input type="checkbox" checked={d.emergencyClosed} onChange={set('emergencyClosed')} disabled={!admin} /> Closed in an emergency
          </label>
          {d.emergencyClosed && text('closedReason', 'Reason for closing', 'text', 'Required: flows read it as closedReason')}
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={d.ownedCallbacksEnabled} onChange={set('ownedCallbacksEnabled')} disabled={!admin} /> Agent-owned callbacks
        </label>
        {text('defaultOwnershipHours', 'Ownership (hours)', 'number', '1 hour to 30 days (720), when a create names none')}
        <Field label="At the end of ownership" name="ownershipExpiry" error={action.error}>
          {(p) => (
            <select {...p} value={d.ownershipExpiry} onChange={set('ownershipExpiry')} disabled={!admin}>
              <option value="queue">route to the queue</option>
              <option value="disconnect">disconnect</option>
            </select>
          )}
        </Field>
        <ErrorNote error={action.error} fields={fields} />
        {admin && (
          <div class="row-actions">
            <button type="submit" disabled={action.busy}>
              {queue ? 'Save queue' : 'Create queue'}
            </button>
            {queue && (
              <button type="button" class="danger" onClick={remove}>
                Delete
              </button>
            )}
          </div>
        )}
      </form>
    </Dialog>
  );
}
