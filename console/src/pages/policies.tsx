import { useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import type { Answer } from '../api/types';
import { showTime } from '../format';
import { Resource, type FieldSpec } from '../resource';
import { useSession } from '../session';
import { ErrorNote, Field, JsonField, Loading, Page, parseJsonInput, useAction, useLoad } from '../ui';

type Track = Answer<'getAdminAgingTracksByConversationId'>;

export function PoliciesPage() {
  const { session } = useSession();
  const admin = session.roles.includes('administrator');
  const policies = useLoad(() => ok(api.GET('/admin/v1/prioritization-policies')), []);
  const retries = useLoad(() => ok(api.GET('/admin/v1/retry-policies')), []);
  const campaigns = useLoad(() => ok(api.GET('/admin/v1/campaigns')), []);
  const queues = useLoad(() => ok(api.GET('/admin/v1/queues')), []);
  const numberRules = useLoad(() => ok(api.GET('/admin/v1/number-rules')), []);
  const hours = useLoad(() => ok(api.GET('/admin/v1/business-hours')), []);
  const opts = (items: { id: string; name: string }[] | undefined) => (items ?? []).map((i) => ({ value: i.id, label: i.name }));

  const policyFields: FieldSpec[] = [
    { name: 'name', label: 'Name', kind: 'text' },
    { name: 'mode', label: 'Mode', kind: 'select', options: [{ value: 'step', label: 'step: add an increment each interval' }, { value: 'age', label: 'age: base + minutes waited × points' }] },
    { name: 'initialDelaySeconds', label: 'First check after (seconds)', kind: 'number', optional: true },
    { name: 'intervalSeconds', label: 'Interval (seconds)', kind: 'number' },
    { name: 'increment', label: 'Increment (step mode)', kind: 'number', optional: true },
    { name: 'basePriority', label: 'Base priority', kind: 'number', optional: true },
    { name: 'pointsPerMinute', label: 'Points per minute (age mode)', kind: 'number', optional: true },
    { name: 'maxSteps', label: 'Max steps', kind: 'number' },
    { name: 'maxPriority', label: 'Max priority', kind: 'number' },
  ];
  const retryFields: FieldSpec[] = [
    { name: 'name', label: 'Name', kind: 'text' },
    { name: 'match', label: 'Wrap-up or result to match', kind: 'text' },
    { name: 'waitSeconds', label: 'Wait before retrying (seconds)', kind: 'number' },
    { name: 'maxAttempts', label: 'Max attempts', kind: 'number' },
    { name: 'clearSystemData', label: 'Clear system data', kind: 'bool' },
    { name: 'priority', label: 'Retry with priority', kind: 'bool' },
  ];
  const campaignFields: FieldSpec[] = [
    { name: 'name', label: 'Name', kind: 'text' },
    { name: 'queueId', label: 'Queue', kind: 'select', nullable: true, optional: true, options: opts(queues.data?.items) },
    { name: 'contactListId', label: 'Genesys contact list id', kind: 'text' },
    { name: 'phoneColumn', label: 'Phone column', kind: 'text' },
    { name: 'nameColumn', label: 'Name column', kind: 'text', nullable: true, optional: true },
    { name: 'extraColumns', label: 'Extra columns (JSON)', kind: 'json', optional: true },
    { name: 'numberRuleId', label: 'Number rule', kind: 'select', nullable: true, optional: true, options: opts(numberRules.data?.items) },
    { name: 'businessHoursId', label: 'Business hours', kind: 'select', nullable: true, optional: true, options: opts(hours.data?.items) },
    { name: 'maxDelaySeconds', label: 'Max delay (seconds)', kind: 'number', optional: true },
    { name: 'maxPendingPerNumber', label: 'Max pending per number', kind: 'number', optional: true },
    { name: 'defaultCountry', label: 'Default country', kind: 'text', nullable: true, optional: true },
  ];

  return (
    <Page title="Policies and campaigns">
      <section class="card" aria-labelledby="prio-title">
        <h2 id="prio-title">Prioritization policies</h2>
        <Loading what={policies} />
        <Resource
          noun="prioritization policy"
          items={policies.data?.items ?? []}
          fields={policyFields}
          label={(p) => p.name}
          canWrite={admin}
          reload={policies.reload}
          columns={[
            { label: 'Name', value: (p) => p.name },
            { label: 'Mode', value: (p) => p.mode },
            { label: 'Every', value: (p) => `${p.intervalSeconds} s` },
            { label: 'Steps', value: (p) => (p.mode === 'step' ? `+${p.increment} × ${p.maxSteps}` : `${p.pointsPerMinute}/min`) },
            { label: 'Cap', value: (p) => p.maxPriority },
            { label: 'Queues', value: (p) => p.queues.map((q) => q.name).join(', ') || '—' },
          ]}
          create={(body) => ok(api.POST('/admin/v1/prioritization-policies', { body: body as never }))}
          update={(id, patch) => ok(api.PATCH('/admin/v1/prioritization-policies/{id}', { params: { path: { id } }, body: patch as never }))}
          remove={(id) => ok(api.DELETE('/admin/v1/prioritization-policies/{id}', { params: { path: { id } } }))}
        />
      </section>
      <Tracks />
      <section class="card" aria-labelledby="retry-title">
        <h2 id="retry-title">Retry policies</h2>
        <Loading what={retries} />
        <Resource
          noun="retry policy"
          items={retries.data?.items ?? []}
          fields={retryFields}
          label={(p) => p.name}
          canWrite={admin}
          reload={retries.reload}
          columns={[
            { label: 'Name', value: (p) => p.name },
            { label: 'Match', value: (p) => p.match },
            { label: 'Wait', value: (p) => `${p.waitSeconds} s` },
            { label: 'Attempts', value: (p) => p.maxAttempts },
          ]}
          create={(body) => ok(api.POST('/admin/v1/retry-policies', { body: body as never }))}
          update={(id, patch) => ok(api.PATCH('/admin/v1/retry-policies/{id}', { params: { path: { id } }, body: patch as never }))}
          remove={(id) => ok(api.DELETE('/admin/v1/retry-policies/{id}', { params: { path: { id } } }))}
        />
      </section>
      <section class="card" aria-labelledby="camp-title">
        <h2 id="camp-title">Campaigns</h2>
        <Loading what={campaigns} />
        <Resource
          noun="campaign"
          items={campaigns.data?.items ?? []}
          fields={campaignFields}
          label={(c) => c.name}
          canWrite={admin}
          reload={campaigns.reload}
          columns={[
            { label: 'Name', value: (c) => c.name },
            { label: 'Queue', value: (c) => queues.data?.items.find((q) => q.id === c.queueId)?.name ?? '—' },
            { label: 'Contact list', value: (c) => <span class="mono">{c.contactListId}</span> },
            { label: 'Phone column', value: (c) => c.phoneColumn },
          ]}
          create={(body) => ok(api.POST('/admin/v1/campaigns', { body: body as never }))}
          update={(id, patch) => ok(api.PATCH('/admin/v1/campaigns/{id}', { params: { path: { id } }, body: patch as never }))}
          remove={(id) => ok(api.DELETE('/admin/v1/campaigns/{id}', { params: { path: { id } } }))}
        />
      </section>
      <PreviewRetries admin={admin} />
    </Page>
  );
}

function PreviewRetries({ admin }: { admin: boolean }) {
  const settings = useLoad(() => ok(api.GET('/admin/v1/settings/preview-retries')), []);
  return (
    <section class="card" aria-labelledby="pr-title">
      <h2 id="pr-title">Preview-retry criteria</h2>
      <Loading what={settings} />
      {settings.data && <PreviewRetryForm key={JSON.stringify(settings.data)} settings={settings.data} admin={admin} onSaved={settings.reload} />}
    </section>
  );
}

function PreviewRetryForm({ settings, admin, onSaved }: { settings: Answer<'getAdminSettingsPreviewRetries'>; admin: boolean; onSaved: () => void }) {
  const s = settings as { criteria: Record<string, string>; wrapupColumn: string | null };
  const [criteria, setCriteria] = useState(JSON.stringify(s.criteria, null, 2));
  const [wrapupColumn, setWrapup] = useState(s.wrapupColumn ?? '');
  const action = useAction();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          await ok(api.PUT('/admin/v1/settings/preview-retries', { body: { criteria: parseJsonInput(criteria, 'criteria') as Record<string, string>, wrapupColumn: wrapupColumn === '' ? null : wrapupColumn } }));
          onSaved();
        });
      }}
    >
      <JsonField label="Criteria (JSON: wrap-up code → retry policy)" name="criteria" value={criteria} onInput={setCriteria} error={action.error} rows={5} />
      <Field label="Wrap-up column" name="wrapupColumn" error={action.error}>
        {(p) => <input {...p} value={wrapupColumn} disabled={!admin} onInput={(e) => setWrapup((e.target as HTMLInputElement).value)} />}
      </Field>
      <ErrorNote error={action.error} fields={['criteria', 'wrapupColumn']} />
      {admin && (
        <button type="submit" disabled={action.busy}>
          Save criteria
        </button>
      )}
    </form>
  );
}

function Tracks() {
  const [status, setStatus] = useState<'ACTIVE' | 'STOPPED' | ''>('');
  const tracks = useLoad(() => ok(api.GET('/admin/v1/aging-tracks', { params: { query: { limit: 50, ...(status !== '' && { status }) } } })), [status]);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section class="card" aria-labelledby="tracks-title">
      <h2 id="tracks-title">Aging tracks</h2>
      <div class="filters inline">
        <Field label="Status" name="status">
          {(p) => (
            <select {...p} value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as '')}>
              <option value="">any</option>
              <option value="ACTIVE">active</option>
              <option value="STOPPED">stopped</option>
            </select>
          )}
        </Field>
      </div>
      <Loading what={tracks} />
      <div class="table-wrap">
        <table class="grid">
          <caption class="sr-only">Aging tracks</caption>
          <thead>
            <tr>
              <th scope="col">Conversation</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Steps</th>
              <th scope="col">Priority</th>
              <th scope="col">
                <span class="sr-only">Chart</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(tracks.data?.items ?? []).map((t) => (
              <tr key={t.conversationId}>
                <td class="mono">{t.conversationId}</td>
                <td>
                  {t.status}
                  {t.stopReason ? ` (${t.stopReason})` : ''}
                </td>
                <td>{showTime(t.startedAt)}</td>
                <td>{t.steps}</td>
                <td>
                  {t.basePriority} → {t.currentPriority ?? '—'}
                </td>
                <td>
                  <button type="button" class="link" onClick={() => setOpen(open === t.conversationId ? null : t.conversationId)} aria-expanded={open === t.conversationId}>
                    Steps chart
                  </button>
                </td>
              </tr>
            ))}
            {(tracks.data?.items ?? []).length === 0 && (
              <tr>
                <td colSpan={6} class="empty">
                  No aging track.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {open && <TrackChart conversationId={open} />}
    </section>
  );
}

/** The priority steps of one track: a step line of priority over time, drawn as SVG. */
export function TrackChart({ conversationId }: { conversationId: string }) {
  const track = useLoad(() => ok(api.GET('/admin/v1/aging-tracks/{conversationId}', { params: { path: { conversationId } } })), [conversationId]);
  const t = track.data as Track | undefined;
  if (!t) return <Loading what={track} />;
  const points = [{ at: t.startedAt, priority: t.basePriority }, ...(t.history ?? []).map((h) => ({ at: h.at, priority: h.priority }))];
  const W = 520;
  const H = 160;
  const pad = 32;
  const times = points.map((p) => new Date(p.at).getTime());
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 60_000);
  const p0 = Math.min(...points.map((p) => p.priority));
  const p1 = Math.max(...points.map((p) => p.priority), p0 + 1);
  const x = (ms: number) => pad + ((ms - t0) / (t1 - t0)) * (W - 2 * pad);
  const y = (p: number) => H - pad - ((p - p0) / (p1 - p0)) * (H - 2 * pad);
  const path = points.map((p, i) => {
    const px = x(new Date(p.at).getTime());
    const py = y(p.priority);
    if (i === 0) return `M${px},${py}`;
    return `H${px}V${py}`;
  });
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Priority of ${conversationId} from ${p0} to ${points[points.length - 1]!.priority} over ${points.length - 1} steps`}>
        <line x1={pad} y1={H - pad} x2={W - pad} y2={H - pad} class="axis" />
        <line x1={pad} y1={pad} x2={pad} y2={H - pad} class="axis" />
        <path d={path.join(' ')} class="line" />
        {points.map((p, i) => (
          <circle key={i} cx={x(new Date(p.at).getTime())} cy={y(p.priority)} r={3} class="dot" />
        ))}
        <text x={4} y={y(p1) + 4} class="tick">
          {p1}
        </text>
        <text x={4} y={y(p0) + 4} class="tick">
          {p0}
        </text>
        <text x={pad} y={H - 8} class="tick">
          {showTime(new Date(t0).toISOString())}
        </text>
        <text x={W - pad} y={H - 8} class="tick end">
          {showTime(new Date(t1).toISOString())}
        </text>
      </svg>
      <figcaption>
        {t.status}
        {t.stopReason ? ` (${t.stopReason})` : ''}: {points.length - 1} step(s), priority {t.basePriority} → {t.currentPriority ?? t.basePriority}
      </figcaption>
    </figure>
  );
}
