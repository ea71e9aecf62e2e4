import { useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import type { Body, Webhook, WebhookAttempt, WebhookTestResult } from '../api/types';
import { showTime } from '../format';
import { useSession } from '../session';
import { Dialog, ErrorNote, Field, Loading, Page, SecretOnce, useAction, useLoad } from '../ui';

type EventType = Webhook['eventTypes'][number];

// Every notification type the API sends, checked against its schema by the compiler both ways.
const TYPES = [
  'CALLBACK_CREATED',
  'CALLBACK_RESCHEDULED',
  'CALLBACK_UPCOMING',
  'CALLBACK_READY',
  'CALLBACK_PURGED',
  'CALLBACK_ATTEMPT_FAILED',
  'CALLBACK_FINAL_ATTEMPT_FAILED',
  'CALLBACK_COMPLETED',
  'CALLBACK_CANCELLED',
] as const satisfies readonly EventType[];
type Missing = Exclude<EventType, (typeof TYPES)[number]>;
const everyType: Missing extends never ? true : never = true;
void everyType;

type Queue = { id: string; name: string };
type Shown = { kind: 'secret'; title: string; webhook: Webhook; secret: string; note?: string } | { kind: 'test'; webhook: Webhook; result: WebhookTestResult };

export function WebhooksPage() {
  const { session } = useSession();
  const admin = session.roles.includes('administrator');
  const hooks = useLoad(() => ok(api.GET('/admin/v1/webhooks')), []);
  const queues = useLoad(() => ok(api.GET('/admin/v1/queues')), []);
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null);
  const [log, setLog] = useState<Webhook | null>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  const action = useAction();
  const queueList: Queue[] = queues.data?.items ?? [];
  const queueName = (id: string) => queueList.find((q) => q.id === id)?.name ?? id;
  const items = hooks.data?.items ?? [];

  const setEnabled = (w: Webhook, enabled: boolean) =>
    action.run(async () => {
      await ok(api.PATCH('/admin/v1/webhooks/{id}', { params: { path: { id: w.id } }, body: { enabled } }));
      hooks.reload();
    });
  const sendTest = (w: Webhook) =>
    action.run(async () => {
      setShown({ kind: 'test', webhook: w, result: await ok(api.POST('/admin/v1/webhooks/{id}/test', { params: { path: { id: w.id } } })) });
      hooks.reload();
    });
  const rotate = (w: Webhook) =>
    action.run(async () => {
      if (!window.confirm(`Give webhook ${w.name} a new signing secret? The current one is still signed with for 24 hours.`)) return;
      const a = await ok(api.POST('/admin/v1/webhooks/{id}/rotate-secret', { params: { path: { id: w.id } } }));
      setShown({ kind: 'secret', title: 'New webhook secret', webhook: a.webhook, secret: a.secret, note: `The previous secret is still signed with until ${showTime(a.previousSecretExpiresAt)}: messages carry both signatures until then.` });
      hooks.reload();
    });
  const remove = (w: Webhook) =>
    action.run(async () => {
      if (!window.confirm(`Delete webhook ${w.name}? Its deliveries stop.`)) return;
      await ok(api.DELETE('/admin/v1/webhooks/{id}', { params: { path: { id: w.id } } }));
      if (log?.id === w.id) setLog(null);
      hooks.reload();
    });

  return (
    <Page
      title="Webhooks"
      actions={
        admin && (
          <button type="button" onClick={() => setEditing('new')}>
            New webhook
          </button>
        )
      }
    >
      <p class="muted">
        Each callback notification is POSTed to the webhooks whose event types and queues it matches, signed with the webhook's secret (<code>Webhook-Signature</code>). A webhook whose every attempt
        fails for its number of days is disabled, with the reason shown here.
      </p>
      <Loading what={hooks} />
      <ErrorNote error={action.error} />
      {shown?.kind === 'test' && <TestResult hook={shown.webhook} result={shown.result} />}
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Webhooks">
        <table class="grid">
          <caption class="sr-only">Webhooks</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">URL</th>
              <th scope="col">Event types</th>
              <th scope="col">Queues</th>
              <th scope="col">Status</th>
              <th scope="col">Failing since</th>
              <th scope="col">Secret</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((w) => (
              <tr key={w.id}>
                <th scope="row">{w.name}</th>
                <td class="mono small url">{w.url}</td>
                <td class="small">{w.eventTypes.length === 0 ? 'every type' : w.eventTypes.map((e) => <div key={e}>{e}</div>)}</td>
                <td>{w.queueIds.length === 0 ? 'every queue' : w.queueIds.map(queueName).join(', ')}</td>
                <td>
                  {w.enabled ? (
                    <span class="badge open">enabled</span>
                  ) : (
                    <>
                      <span class="badge closed">disabled</span>
                      {w.disabledReason && <span class="small"> {w.disabledReason}</span>}
                      {w.disabledAt && <span class="muted small"> ({showTime(w.disabledAt)})</span>}
                    </>
                  )}
                </td>
                <td>{showTime(w.failingSince)}</td>
                <td class="mono small">{w.secretHint}</td>
                <td class="actions stack">
                  <button type="button" class="link" onClick={() => setLog(w)} aria-label={`Deliveries of ${w.name}`}>
                    Deliveries
                  </button>
                  <button type="button" class="link" onClick={() => setEditing(w)} aria-label={`${admin ? 'Edit' : 'View'} webhook ${w.name}`}>
                    {admin ? 'Edit' : 'View'}
                  </button>
                  {admin && (
                    <>
                      <button type="button" class="link" disabled={action.busy} onClick={() => void sendTest(w)} aria-label={`Send test to ${w.name}`}>
                        Send test
                      </button>
                      <button type="button" class="link" disabled={action.busy} onClick={() => void setEnabled(w, !w.enabled)} aria-label={`${w.enabled ? 'Disable' : 'Enable'} ${w.name}`}>
                        {w.enabled ? 'Disable' : 'Enable'}
                      </button>
                      <button type="button" class="link" disabled={action.busy} onClick={() => void rotate(w)} aria-label={`Rotate secret of ${w.name}`}>
                        Rotate secret
                      </button>
                      <button type="button" class="link" disabled={action.busy} onClick={() => void remove(w)} aria-label={`Delete webhook ${w.name}`}>
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
            {items.length === 0 && !hooks.loading && (
              <tr>
                <td colSpan={8} class="empty">
                  No webhook yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {log && <Deliveries key={log.id} hook={log} onClose={() => setLog(null)} />}
      {editing && (
        <WebhookForm
          hook={editing === 'new' ? null : editing}
          queues={queueList}
          admin={admin}
          onClose={() => setEditing(null)}
          onSaved={(created) => {
            setEditing(null);
            hooks.reload();
            if (created) setShown({ kind: 'secret', title: 'Webhook secret', webhook: created.webhook, secret: created.secret });
          }}
        />
      )}
      {shown?.kind === 'secret' && (
        <SecretOnce
          title={shown.title}
          lines={[
            ['Webhook', shown.webhook.name],
            ['Signing secret', shown.secret],
          ]}
          onClose={() => setShown(null)}
        >
          <p class="small">
            The receiver checks each message's <code>Webhook-Signature</code> with it (HMAC-SHA256 over the id, the timestamp and the body; the Standard Webhooks libraries verify it).
            {shown.note ? ` ${shown.note}` : ''}
          </p>
        </SecretOnce>
      )}
    </Page>
  );
}

function TestResult({ hook, result }: { hook: Webhook; result: WebhookTestResult }) {
  return (
    <p class={`card test-result ${result.ok ? 'allowed' : 'refused'}`} role="status">
      Test of {hook.name}: <strong>{result.ok ? 'delivered' : 'failed'}</strong>
      {result.statusCode !== null ? `, HTTP ${result.statusCode}` : ''}, in {result.latencyMs} ms{result.error ? `: ${result.error}` : ''}. <span class="muted small">Message id {result.messageId}</span>
    </p>
  );
}

type Draft = { name: string; url: string; eventTypes: string[]; queueIds: string[]; disableAfterDays: string; enabled: boolean };

function WebhookForm({
  hook,
  queues,
  admin,
  onClose,
  onSaved,
}: {
  hook: Webhook | null;
  queues: Queue[];
  admin: boolean;
  onClose: () => void;
  onSaved: (created?: { webhook: Webhook; secret: string }) => void;
}) {
  const initial: Draft = {
    name: hook?.name ?? '',
    url: hook?.url ?? '',
    eventTypes: hook?.eventTypes ?? [],
    queueIds: hook?.queueIds ?? [],
    disableAfterDays: String(hook?.disableAfterDays ?? 3),
    enabled: hook?.enabled ?? true,
  };
  const [draft, setDraft] = useState<Draft>(initial);
  const action = useAction();
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const body = (d: Draft) => ({
    name: d.name,
    url: d.url,
    eventTypes: d.eventTypes as EventType[],
    queueIds: d.queueIds,
    // Sent as typed: the API names a value that is not a whole number of days.
    disableAfterDays: (d.disableAfterDays.trim() === '' || Number.isNaN(Number(d.disableAfterDays)) ? d.disableAfterDays : Number(d.disableAfterDays)) as number,
    enabled: d.enabled,
  });
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      if (hook === null) {
        const { secret, ...webhook } = await ok(api.POST('/admin/v1/webhooks', { body: body(draft) }));
        return onSaved({ webhook: webhook as Webhook, secret });
      }
      const now = body(draft);
      const before = body(initial);
      const patch = Object.fromEntries(Object.entries(now).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k as keyof typeof before]))) as Body<'patchAdminWebhooksById'>;
      if (Object.keys(patch).length > 0) await ok(api.PATCH('/admin/v1/webhooks/{id}', { params: { path: { id: hook.id } }, body: patch }));
      onSaved();
    });
  };
  const ro = !admin;
  return (
    <Dialog title={hook ? `Webhook: ${hook.name}` : 'New webhook'} onClose={onClose}>
      <form onSubmit={save} class="form-grid" aria-label="Webhook settings">
        <Field label="Name" name="name" error={action.error}>
          {(p) => <input {...p} value={draft.name} disabled={ro} onInput={(e) => set({ name: (e.target as HTMLInputElement).value })} />}
        </Field>
        <Field label="URL" name="url" error={action.error} hint="https:// (plain http only to 127.0.0.1 or localhost)">
          {(p) => <input {...p} type="url" class="mono" value={draft.url} disabled={ro} onInput={(e) => set({ url: (e.target as HTMLInputElement).value })} />}
        </Field>
        <fieldset class="checks">
          <legend>Event types (none checked: every type)</legend>
          {TYPES.map((t) => (
            <label key={t}>
              <input type="checkbox" checked={draft.eventTypes.includes(t)} disabled={ro} onChange={() => set({ eventTypes: draft.eventTypes.includes(t) ? draft.eventTypes.filter((x) => x !== t) : [...draft.eventTypes, t] })} /> {t}
            </label>
          ))}
          <FieldError error={action.error} name="eventTypes" />
        </fieldset>
        <Field label="Queues" name="queueIds" error={action.error} hint="Ctrl/Cmd-click for several; none selected: every queue">
          {(p) => (
            <select {...p} multiple size={Math.min(6, Math.max(2, queues.length))} disabled={ro} onChange={(e) => set({ queueIds: [...(e.target as HTMLSelectElement).selectedOptions].map((o) => o.value) })}>
              {queues.map((q) => (
                <option key={q.id} value={q.id} selected={draft.queueIds.includes(q.id)}>
                  {q.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Disable after days of failure" name="disableAfterDays" error={action.error} hint="1 to 30 days of nothing but failed attempts">
          {(p) => <input {...p} type="number" class="narrow" value={draft.disableAfterDays} disabled={ro} onInput={(e) => set({ disableAfterDays: (e.target as HTMLInputElement).value })} />}
        </Field>
        <label class="check">
          <input type="checkbox" name="enabled" checked={draft.enabled} disabled={ro} onChange={(e) => set({ enabled: (e.target as HTMLInputElement).checked })} /> Enabled
        </label>
        {hook && (
          <p class="muted small">
            Secret {hook.secretHint}
            {hook.previousSecretExpiresAt ? `; the previous one is signed with until ${showTime(hook.previousSecretExpiresAt)}` : ''}. Created by {hook.createdBy} on {showTime(hook.createdAt)}.
          </p>
        )}
        <ErrorNote error={action.error} fields={['name', 'url', 'eventTypes', 'queueIds', 'disableAfterDays']} />
        {admin && (
          <div class="row-actions">
            <button type="submit" disabled={action.busy}>
              {hook ? 'Save webhook' : 'Create webhook'}
            </button>
          </div>
        )}
      </form>
    </Dialog>
  );
}

function FieldError({ error, name }: { error: unknown; name: string }) {
  const e = error as { field?: string; message?: string } | undefined;
  if (!e?.field || !(e.field === name || e.field.startsWith(`${name}[`) || e.field.startsWith(`${name}.`))) return null;
  return (
    <p class="field-error" role="alert">
      {e.message}
    </p>
  );
}

/** One delivery of the log: its attempts (oldest first). A test message is a delivery of its own. */
interface Row {
  key: string;
  attempts: WebhookAttempt[];
}

function group(items: WebhookAttempt[]): Row[] {
  const rows: Row[] = [];
  const byDelivery = new Map<string, Row>();
  for (const a of items) {
    const known = a.deliveryId === null ? undefined : byDelivery.get(a.deliveryId);
    if (known) known.attempts.unshift(a);
    else {
      const row = { key: a.deliveryId ?? `test-${a.id}`, attempts: [a] };
      rows.push(row);
      if (a.deliveryId !== null) byDelivery.set(a.deliveryId, row);
    }
  }
  return rows;
}

const PAGE = 100;

/** The webhook's delivery log (`GET /admin/v1/webhooks/:id/deliveries`), newest first, by delivery. */
function Deliveries({ hook, onClose }: { hook: Webhook; onClose: () => void }) {
  const [pages, setPages] = useState<(string | undefined)[]>([undefined]);
  const [tick, setTick] = useState(0);
  const log = useLoad(async () => {
    const all: WebhookAttempt[] = [];
    let next: string | null = null;
    for (const before of pages) {
      const page = await ok(api.GET('/admin/v1/webhooks/{id}/deliveries', { params: { path: { id: hook.id }, query: { limit: PAGE, ...(before && { before }) } } }));
      all.push(...page.items);
      next = page.nextBefore;
    }
    return { items: all, next };
  }, [pages, tick]);
  const rows = group(log.data?.items ?? []);
  return (
    <Dialog title={`Deliveries: ${hook.name}`} onClose={onClose}>
      <div class="toolbar">
        <span aria-live="polite">
          {rows.length} deliver{rows.length === 1 ? 'y' : 'ies'} shown
        </span>
        <button type="button" class="secondary" onClick={() => setTick(tick + 1)}>
          Refresh
        </button>
      </div>
      <Loading what={log} />
      <div class="table-wrap" tabIndex={0} role="region" aria-label={`Deliveries of ${hook.name}`}>
        <table class="grid">
          <caption class="sr-only">Deliveries of {hook.name}</caption>
          <thead>
            <tr>
              <th scope="col">Last attempt</th>
              <th scope="col">Notification</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Each attempt</th>
              <th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const last = r.attempts[r.attempts.length - 1]!;
              const lastError = [...r.attempts].reverse().find((a) => a.error !== null)?.error;
              const status = last.test ? (last.ok ? 'SENT' : 'FAILED') : (last.deliveryStatus ?? '—');
              return (
                <tr key={r.key}>
                  <td>{showTime(last.at)}</td>
                  <td>
                    {last.test ? <em>test message</em> : last.eventType}
                    {last.callbackId && <div class="mono small">{last.callbackId}</div>}
                  </td>
                  <td>
                    <span class={`badge ${status === 'SENT' ? 'open' : status === 'FAILED' || status === 'DROPPED' ? 'closed' : ''}`}>{status}</span>
                  </td>
                  <td>{r.attempts.length}</td>
                  <td class="small">
                    <ol class="attempts">
                      {r.attempts.map((a) => (
                        <li key={a.id}>
                          {a.ok ? 'ok' : 'failed'}
                          {a.statusCode !== null ? ` HTTP ${a.statusCode}` : ''} · {a.latencyMs} ms
                        </li>
                      ))}
                    </ol>
                  </td>
                  <td class="small">{lastError ?? '—'}</td>
                </tr>
              );
            })}
            {rows.length === 0 && !log.loading && (
              <tr>
                <td colSpan={6} class="empty">
                  No delivery yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {log.data?.next && (
        <div class="pager">
          <button type="button" class="secondary" onClick={() => setPages([...pages, log.data!.next!])}>
            Older deliveries
          </button>
        </div>
      )}
    </Dialog>
  );
}
