import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import type { operations } from '../api/schema';
import type { Callback, BulkReport, CallbackNotification } from '../api/types';
import { inputToIso, showTime } from '../format';
import { mayWrite, useSession } from '../session';
import { Dialog, ErrorNote, Field, Json, Loading, Page, useAction, useLoad } from '../ui';


type Query = operations['getAdminCallbacksSearch']['parameters']['query'];
type Report = BulkReport;

const STATES = ['SCHEDULED', 'QUEUED', 'ROUTING', 'PROCESSING', 'COMPLETED'] as const;
const DELIVERY = ['PENDING', 'SENDING', 'DELIVERED', 'FAILED', 'NOT_REQUIRED'] as const;
/** Seed 003: a callback still SCHEDULED more than 2 minutes past its time is overdue. */
const OVERDUE_MS = 2 * 60_000;

const COLUMNS = {
  queueName: 'Queue',
  state: 'State',
  type: 'Type',
  phoneE164: 'Phone',
  customerName: 'Name',
  scheduledTime: 'Scheduled',
  createdAt: 'Created',
  deliveryStatus: 'Delivery',
  priority: 'Priority',
  completionReason: 'Completion',
  genesysConversationId: 'Conversation',
  id: 'Callback id',
} as const;
type Column = keyof typeof COLUMNS;
const DEFAULT_COLUMNS: Column[] = ['queueName', 'state', 'completionReason', 'phoneE164', 'customerName', 'scheduledTime', 'deliveryStatus'];

function savedColumns(): Column[] {
  try {
    const v = JSON.parse(localStorage.getItem('console.callbackColumns') ?? 'null') as unknown;
    if (Array.isArray(v)) return v.filter((c): c is Column => typeof c === 'string' && c in COLUMNS);
  } catch {
    // fall back to the default columns
  }
  return DEFAULT_COLUMNS;
}

export function isOverdue(c: Pick<Callback, 'state' | 'scheduledTime'>, now = Date.now()): boolean {
  return c.state === 'SCHEDULED' && c.scheduledTime !== null && new Date(c.scheduledTime).getTime() + OVERDUE_MS < now;
}

interface Filter {
  states: string[];
  queues: string[];
  deliveryStatuses: string[];
  type: string;
  from: string;
  to: string;
  q: string;
  limit: number;
}
const EMPTY: Filter = { states: [], queues: [], deliveryStatuses: [], type: '', from: '', to: '', q: '', limit: 50 };

function queryOf(f: Filter): Query {
  return {
    limit: f.limit,
    ...(f.states.length > 0 && { state: f.states as Query['state'] }),
    ...(f.queues.length > 0 && { queue: f.queues }),
    ...(f.deliveryStatuses.length > 0 && { deliveryStatus: f.deliveryStatuses as Query['deliveryStatus'] }),
    ...(f.type !== '' && { type: f.type as 'immediate' | 'scheduled' }),
    ...(f.from !== '' && { from: inputToIso(f.from) }),
    ...(f.to !== '' && { to: inputToIso(f.to) }),
    ...(f.q.trim() !== '' && { q: f.q.trim() }),
  };
}

function toggle(list: string[], value: string): string[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

function CheckGroup({ legend, options, value, onChange }: { legend: string; options: readonly string[]; value: string[]; onChange: (v: string[]) => void }) {
  return (
    <fieldset class="checks">
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o}>
          <input type="checkbox" checked={value.includes(o)} onChange={() => onChange(toggle(value, o))} /> {o}
        </label>
      ))}
    </fieldset>
  );
}

export function CallbacksPage() {
  const { session } = useSession();
  const writer = mayWrite(session);
  const queues = useLoad(() => ok(api.GET('/admin/v1/queues')), []);
  const [draft, setDraft] = useState<Filter>(EMPTY);
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(() => ok(api.GET('/admin/v1/callbacks/search', { params: { query: { ...queryOf(filter), ...(cursor && { cursor }) } } })), [filter, cursor]);
  const [columns, setColumns] = useState<Column[]>(savedColumns());
  const [selected, setSelected] = useState<string[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'bulk' | 'create' | 'columns' | null>(null);
  const exporting = useAction();

  const apply = (e: Event) => {
    e.preventDefault();
    setCursors([undefined]);
    setSelected([]);
    setFilter(draft);
  };
  const items = page.data?.items ?? [];
  const now = Date.now();

  const exportCsv = () =>
    exporting.run(async () => {
      const csv = await ok(api.GET('/admin/v1/callbacks/export', { params: { query: { ...queryOf(filter), limit: undefined } as never }, parseAs: 'text' }));
      const url = URL.createObjectURL(new Blob([csv as unknown as string], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = 'callbacks.csv';
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });

  return (
    <Page
      title="Callbacks"
      actions={
        <>
          {writer && (
            <button type="button" onClick={() => setDialog('create')}>
              Create a callback
            </button>
          )}
          <button type="button" class="secondary" onClick={exportCsv} disabled={exporting.busy}>
            Export CSV
          </button>
          <button type="button" class="secondary" onClick={() => setDialog('columns')}>
            Columns
          </button>
        </>
      }
    >
      <form class="filters" onSubmit={apply} aria-label="Filter callbacks">
        <Field label="Search" name="q" error={page.error} hint="Any part of the number, a name, a callback or conversation id">
          {(p) => <input {...p} type="search" value={draft.q} onInput={(e) => setDraft({ ...draft, q: (e.target as HTMLInputElement).value })} />}
        </Field>
        <CheckGroup legend="State" options={STATES} value={draft.states} onChange={(states) => setDraft({ ...draft, states })} />
        <Field label="Queues" name="queue" error={page.error} hint="Ctrl/Cmd-click for several">
          {(p) => (
            <select {...p} multiple size={Math.min(5, Math.max(2, queues.data?.items.length ?? 2))} onChange={(e) => setDraft({ ...draft, queues: [...(e.target as HTMLSelectElement).selectedOptions].map((o) => o.value) })}>
              {(queues.data?.items ?? []).map((q) => (
                <option key={q.id} value={q.id} selected={draft.queues.includes(q.id)}>
                  {q.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <CheckGroup legend="Delivery" options={DELIVERY} value={draft.deliveryStatuses} onChange={(deliveryStatuses) => setDraft({ ...draft, deliveryStatuses })} />
        <Field label="Type" name="type" error={page.error}>
          {(p) => (
            <select {...p} value={draft.type} onChange={(e) => setDraft({ ...draft, type: (e.target as HTMLSelectElement).value })}>
              <option value="">any</option>
              <option value="immediate">immediate</option>
              <option value="scheduled">scheduled</option>
            </select>
          )}
        </Field>
        <Field label="From" name="from" error={page.error}>
          {(p) => <input {...p} type="datetime-local" value={draft.from} onInput={(e) => setDraft({ ...draft, from: (e.target as HTMLInputElement).value })} />}
        </Field>
        <Field label="To" name="to" error={page.error}>
          {(p) => <input {...p} type="datetime-local" value={draft.to} onInput={(e) => setDraft({ ...draft, to: (e.target as HTMLInputElement).value })} />}
        </Field>
        <Field label="Per page" name="limit" error={page.error}>
          {(p) => (
            <select {...p} value={String(draft.limit)} onChange={(e) => setDraft({ ...draft, limit: Number((e.target as HTMLSelectElement).value) })}>
              {[25, 50, 100, 250].map((n) => (
                <option key={n} value={String(n)}>
                  {n}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div class="filter-actions">
          <button type="submit">Search</button>
          <button type="button" class="secondary" onClick={() => (setDraft(EMPTY), setFilter(EMPTY), setCursors([undefined]))}>
            Clear
          </button>
        </div>
      </form>
      <ErrorNote error={exporting.error} />
      <Loading what={page} />
      <ErrorNote error={page.error} fields={['q', 'queue', 'type', 'from', 'to', 'limit']} />
      <div class="toolbar">
        <span aria-live="polite">
          {items.length} shown{selected.length > 0 ? `, ${selected.length} selected` : ''}
        </span>
        {writer && (
          <button type="button" class="danger" disabled={selected.length === 0} onClick={() => setDialog('bulk')}>
            Cancel selected…
          </button>
        )}
      </div>
      <div class="table-wrap">
        <table class="grid">
          <caption class="sr-only">Callbacks</caption>
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every callback on this page"
                  checked={items.length > 0 && items.every((c) => selected.includes(c.id))}
                  onChange={(e) => setSelected((e.target as HTMLInputElement).checked ? items.map((c) => c.id) : [])}
                />
              </th>
              {columns.map((c) => (
                <th scope="col" key={c}>
                  {COLUMNS[c]}
                </th>
              ))}
              <th scope="col">
                <span class="sr-only">Open</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id} class={isOverdue(c, now) ? 'overdue' : ''}>
                <td>
                  <input type="checkbox" aria-label={`Select callback ${c.phoneE164}`} checked={selected.includes(c.id)} onChange={() => setSelected(toggle(selected, c.id))} />
                </td>
                {columns.map((col) => (
                  <td key={col}>
                    <Cell c={c} col={col} now={now} />
                  </td>
                ))}
                <td>
                  <button type="button" class="link" onClick={() => setOpen(c.id)} aria-label={`Open callback ${c.phoneE164}`}>
                    Open
                  </button>
                </td>
              </tr>
            ))}
            {items.length === 0 && !page.loading && (
              <tr>
                <td colSpan={columns.length + 2} class="empty">
                  No callback matches.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button type="button" class="secondary" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" class="secondary" disabled={!page.data?.nextCursor} onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}>
          Next page
        </button>
      </div>
      {open && <CallbackDialog id={open} writer={writer} onClose={() => (setOpen(null), page.reload())} />}
      {dialog === 'bulk' && <BulkCancel ids={selected} onClose={() => (setDialog(null), setSelected([]), page.reload())} />}
      {dialog === 'create' && <CreateCallback queues={queues.data?.items ?? []} onClose={() => (setDialog(null), page.reload())} />}
      {dialog === 'columns' && (
        <Dialog title="Columns" onClose={() => setDialog(null)}>
          <fieldset class="checks">
            <legend>Show these columns</legend>
            {(Object.keys(COLUMNS) as Column[]).map((c) => (
              <label key={c}>
                <input
                  type="checkbox"
                  checked={columns.includes(c)}
                  onChange={() => {
                    const next = (Object.keys(COLUMNS) as Column[]).filter((k) => (k === c ? !columns.includes(c) : columns.includes(k)));
                    localStorage.setItem('console.callbackColumns', JSON.stringify(next));
                    setColumns(next);
                  }}
                />{' '}
                {COLUMNS[c]}
              </label>
            ))}
          </fieldset>
        </Dialog>
      )}
    </Page>
  );
}

function Cell({ c, col, now }: { c: Callback; col: Column; now: number }) {
  if (col === 'scheduledTime' || col === 'createdAt') return <>{showTime(c[col])}</>;
  if (col === 'state')
    return (
      <>
        <span class={`badge state-${c.state.toLowerCase()}`}>{c.state}</span>
        {isOverdue(c, now) && <span class="badge overdue-badge">overdue</span>}
      </>
    );
  const v = c[col];
  return <>{v === null || v === undefined || v === '' ? '—' : String(v)}</>;
}

function CallbackDialog({ id, writer, onClose }: { id: string; writer: boolean; onClose: () => void }) {
  const cb = useLoad(() => ok(api.GET('/admin/v1/callbacks/{id}', { params: { path: { id } } })), [id]);
  const action = useAction();
  const [answer, setAnswer] = useState<unknown>();
  const [mode, setMode] = useState<'view' | 'reschedule' | 'recreate'>('view');
  const c = cb.data;
  const done = (a: unknown) => {
    if (a !== undefined) {
      setAnswer(a);
      setMode('view');
      cb.reload();
    }
  };
  return (
    <Dialog title={c ? `Callback ${c.phoneE164}` : 'Callback'} onClose={onClose}>
      <Loading what={cb} />
      {c && (
        <>
          <dl class="facts">
            <dt>State</dt>
            <dd>
              {c.state}
              {c.completionReason ? ` (${c.completionReason})` : ''} {isOverdue(c) && <span class="badge overdue-badge">overdue</span>}
            </dd>
            <dt>Queue</dt>
            <dd>{c.queueName}</dd>
            <dt>Type</dt>
            <dd>{c.type}</dd>
            <dt>Scheduled</dt>
            <dd>{showTime(c.scheduledTime)}</dd>
            <dt>Name</dt>
            <dd>{c.customerName ?? '—'}</dd>
            <dt>Delivery</dt>
            <dd>
              {c.deliveryStatus} ({c.deliveryAttempts} attempts){c.deliveryError ? `: ${c.deliveryError}` : ''}
            </dd>
            <dt>Callback id</dt>
            <dd class="mono">{c.id}</dd>
            <dt>Conversation</dt>
            <dd class="mono">{c.genesysConversationId ?? '—'}</dd>
            {routingFacts(c.routing).map(([label, value]) => (
              <Fragment key={label}>
                <dt>{label}</dt>
                <dd class="mono">{value}</dd>
              </Fragment>
            ))}
          </dl>
          {answer !== undefined && (
            <div class="answer" role="status">
              <strong>Answer:</strong> <Json value={answer} />
            </div>
          )}
          <ErrorNote error={action.error} fields={['desiredTime']} />
          {writer && mode === 'view' && (
            <div class="row-actions">
              {c.state !== 'COMPLETED' && (
                <button type="button" class="danger" disabled={action.busy} onClick={async () => done(await action.run(() => ok(api.POST('/admin/v1/callbacks/{id}/cancel', { params: { path: { id } } }))))}>
                  Cancel callback
                </button>
              )}
              {c.state === 'SCHEDULED' && (
                <button type="button" onClick={() => setMode('reschedule')}>
                  Reschedule…
                </button>
              )}
              {c.state === 'COMPLETED' && (
                <button type="button" onClick={() => setMode('recreate')}>
                  Recreate…
                </button>
              )}
            </div>
          )}
          {mode === 'reschedule' && (
            <SlotPicker
              queueId={c.queueId}
              label="Reschedule"
              error={action.error}
              onPick={async (desiredTime) => done(await action.run(() => ok(api.POST('/admin/v1/callbacks/{id}/reschedule', { params: { path: { id } }, body: { desiredTime: desiredTime ?? '' } }))))}
              onCancel={() => setMode('view')}
            />
          )}
          {mode === 'recreate' && (
            <SlotPicker
              queueId={c.queueId}
              label="Recreate"
              allowImmediate
              error={action.error}
              onPick={async (desiredTime) => done(await action.run(() => ok(api.POST('/admin/v1/callbacks/{id}/recreate', { params: { path: { id } }, body: desiredTime ? { desiredTime } : {} }))))}
              onCancel={() => setMode('view')}
            />
          )}
          <h3>History</h3>
          <ol class="history">
            {c.history.map((h, i) => (
              <li key={i}>
                <time>{showTime(h.at)}</time> <strong>{h.event}</strong>
                {h.fromState || h.toState ? ` ${h.fromState ?? '∅'} → ${h.toState ?? '∅'}` : ''}
                {h.reason ? ` · ${h.reason}` : ''} <span class="muted">by {h.actorName ?? h.actor}</span>
              </li>
            ))}
          </ol>
          <Notifications id={id} version={c.history.length} />
        </>
      )}
    </Dialog>
  );
}

type Delivery = CallbackNotification['deliveries'][number];

/** The callback's notifications (`GET /admin/v1/callbacks/:id/notifications`): each delivery to a webhook, SMS or the app. */
function Notifications({ id, version }: { id: string; version: number }) {
  const list = useLoad(() => ok(api.GET('/admin/v1/callbacks/{id}/notifications', { params: { path: { id } } })), [id, version]);
  const rows = (list.data?.items ?? []).flatMap((n): { n: CallbackNotification; d: Delivery | null }[] => (n.deliveries.length === 0 ? [{ n, d: null }] : n.deliveries.map((d) => ({ n, d }))));
  return (
    <>
      <h3>Notifications</h3>
      <Loading what={list} />
      {list.data && rows.length === 0 && <p class="muted">No notification yet.</p>}
      {rows.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Notifications of this callback">
          <table class="grid notifications small">
            <caption class="sr-only">Notifications of this callback</caption>
            <thead>
              <tr>
                <th scope="col">Notification</th>
                <th scope="col">Channel / target</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Latency</th>
                <th scope="col">Sent / last error</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ n, d }) => (
                <tr key={d?.id ?? n.id}>
                  <td>
                    {n.type}
                    <div class="muted">{showTime(n.occurredAt)}</div>
                  </td>
                  {d ? (
                    <>
                      <td>{d.channel === d.target ? d.channel : `${d.channel}: ${d.target}`}</td>
                      <td>
                        <span class={`badge ${d.status === 'SENT' ? 'open' : d.status === 'FAILED' || d.status === 'DROPPED' ? 'closed' : ''}`}>{d.status}</span>
                      </td>
                      <td>{d.attempts}</td>
                      <td>{d.latencyMs === null ? '—' : `${d.latencyMs} ms`}</td>
                      <td class="small">{d.sentAt ? showTime(d.sentAt) : (d.lastError ?? '—')}</td>
                    </>
                  ) : (
                    <td colSpan={5} class="muted">
                      no receiver (no webhook, SMS or app for it)
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** Free slots of the queue's coming days, as the utilization read gives them (booked below capacity). */
export function SlotPicker({
  queueId,
  label,
  allowImmediate,
  error,
  onPick,
  onCancel,
}: {
  queueId: string;
  label: string;
  allowImmediate?: boolean;
  error?: unknown;
  onPick: (desiredTime: string | undefined) => void;
  onCancel?: () => void;
}) {
  const util = useLoad(() => ok(api.GET('/admin/v1/queues/{id}/utilization', { params: { path: { id: queueId }, query: { days: 14 } } })), [queueId]);
  const [day, setDay] = useState(0);
  const [slot, setSlot] = useState('');
  const now = Date.now();
  const days = (util.data?.days ?? []).map((d) => ({ ...d, free: d.slots.filter((s) => s.booked < s.capacity && new Date(s.start).getTime() > now) }));
  const current = days[day];
  useEffect(() => setSlot(''), [day]);
  return (
    <form
      class="slot-picker"
      onSubmit={(e) => {
        e.preventDefault();
        onPick(slot === '' ? undefined : slot);
      }}
    >
      <Loading what={util} />
      {util.data && (
        <>
          <Field label="Day" name="day">
            {(p) => (
              <select {...p} value={String(day)} onChange={(e) => setDay(Number((e.target as HTMLSelectElement).value))}>
                {days.map((d, i) => (
                  <option key={d.date} value={String(i)}>
                    {d.date} ({d.free.length} free)
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Slot" name="desiredTime" error={error}>
            {(p) => (
              <select {...p} value={slot} onChange={(e) => setSlot((e.target as HTMLSelectElement).value)}>
                <option value="">{allowImmediate ? 'As soon as possible (immediate)' : 'Choose a slot'}</option>
                {(current?.free ?? []).map((s) => (
                  <option key={s.start} value={s.start}>
                    {s.localStart.slice(11, 16)} ({s.capacity - s.booked} of {s.capacity} free)
                  </option>
                ))}
              </select>
            )}
          </Field>
          <p class="muted">Slot times in the queue's zone: {util.data.timezone}</p>
        </>
      )}
      <div class="row-actions">
        <button type="submit" disabled={!allowImmediate && slot === ''}>
          {label}
        </button>
        {onCancel && (
          <button type="button" class="secondary" onClick={onCancel}>
            Back
          </button>
        )}
      </div>
    </form>
  );
}

function BulkCancel({ ids, onClose }: { ids: string[]; onClose: () => void }) {
  const action = useAction();
  const [dry, setDry] = useState<Report | undefined>();
  const [done, setDone] = useState<Report | undefined>();
  useEffect(() => {
    void action.run(async () => setDry(await ok(api.POST('/admin/v1/callbacks/bulk-cancel', { body: { ids, dryRun: true } }))));
  }, []);
  return (
    <Dialog title={done ? 'Bulk cancel: done' : 'Cancel these callbacks?'} onClose={onClose}>
      <ErrorNote error={action.error} />
      {!dry && !action.error && <p>Checking what would be cancelled…</p>}
      {dry && !done && (
        <>
          <p role="status">
            Dry run: {dry.cancelled} of {dry.matched} would be cancelled{dry.skipped.length > 0 ? `, ${dry.skipped.length} skipped` : ''}.
          </p>
          <SkippedList report={dry} />
          <div class="row-actions">
            <button type="button" class="danger" disabled={action.busy || dry.cancelled === 0} onClick={() => action.run(async () => setDone(await ok(api.POST('/admin/v1/callbacks/bulk-cancel', { body: { ids } }))))}>
              Cancel {dry.cancelled} callback{dry.cancelled === 1 ? '' : 's'}
            </button>
            <button type="button" class="secondary" onClick={onClose}>
              Keep them
            </button>
          </div>
        </>
      )}
      {done && (
        <>
          <p role="status">
            Cancelled {done.cancelled} of {done.matched}
            {done.skipped.length > 0 ? `; ${done.skipped.length} skipped` : ''}.
          </p>
          <SkippedList report={done} />
          <button type="button" onClick={onClose}>
            Close
          </button>
        </>
      )}
    </Dialog>
  );
}

function SkippedList({ report }: { report: Report }) {
  if (report.skipped.length === 0) return null;
  return (
    <ul class="skipped">
      {report.skipped.map((s) => (
        <li key={s.callbackId}>
          <span class="mono">{s.callbackId}</span>: {s.reason}
        </li>
      ))}
    </ul>
  );
}

function CreateCallback({ queues, onClose }: { queues: { id: string; name: string }[]; onClose: () => void }) {
  const action = useAction();
  const [queueId, setQueueId] = useState(queues[0]?.id ?? '');
  const [phoneNumber, setPhone] = useState('');
  const [customerName, setName] = useState('');
  const [answer, setAnswer] = useState<{ outcome?: string; message?: string } | undefined>();
  const [pick, setPick] = useState(false);
  const create = (desiredTime: string | undefined) =>
    action.run(async () =>
      setAnswer(
        (await ok(
          api.POST('/admin/v1/callbacks', {
            body: { queueId, phoneNumber, ...(customerName !== '' && { customerName }), ...(desiredTime && { desiredTime }) },
          }),
        )) as { outcome?: string; message?: string },
      ),
    );
  return (
    <Dialog title="Create a callback" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setPick(true);
        }}
      >
        <Field label="Queue" name="queueId" error={action.error}>
          {(p) => (
            <select {...p} value={queueId} onChange={(e) => setQueueId((e.target as HTMLSelectElement).value)}>
              {queues.map((q) => (
                <option key={q.id} value={q.id}>
                  {q.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Phone number" name="phoneNumber" error={action.error}>
          {(p) => <input {...p} type="tel" value={phoneNumber} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />}
        </Field>
        <Field label="Customer name" name="customerName" error={action.error}>
          {(p) => <input {...p} value={customerName} onInput={(e) => setName((e.target as HTMLInputElement).value)} />}
        </Field>
        {!pick && <button type="submit">Choose a time…</button>}
      </form>
      {pick && queueId && <SlotPicker queueId={queueId} label="Create callback" allowImmediate error={action.error} onPick={create} />}
      <ErrorNote error={action.error} fields={['queueId', 'phoneNumber', 'customerName', 'desiredTime']} />
      {answer && (
        <p class={answer.outcome === 'CREATED' ? 'ok' : 'notice'} role="status">
          {answer.outcome}: {answer.message}
        </p>
      )}
    </Dialog>
  );
}

/** The callback's routing as sent to Genesys: only what it was created with. */
function routingFacts(r: Callback['routing'] | undefined): [string, string][] {
  if (!r) return [];
  const facts: [string, string | null][] = [
    ['Skills', r.skills.length > 0 ? r.skills.join(', ') : null],
    ['Language', r.language],
    ['Preferred agents', r.preferredAgentIds.length > 0 ? r.preferredAgentIds.join(', ') : null],
    ['Owner', r.ownerAgentId === null ? null : `${r.ownerAgentId}${r.ownershipEndsAt ? ` until ${showTime(r.ownershipEndsAt)}` : ''}`],
    ['Routing label', r.label],
    ['Caller id', r.callerId === null && r.callerIdName === null ? null : [r.callerIdName, r.callerId].filter(Boolean).join(' ')],
    ['Script', r.scriptId],
  ];
  return facts.filter((f): f is [string, string] => f[1] !== null);
}
