import { useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import type { Answer } from '../api/types';
import { showTime } from '../format';
import { ErrorNote, Field, Loading, Page, useLoad } from '../ui';

type Entry = Answer<'getAdminAudit'>['items'][number];

export function AuditPage() {
  const [draft, setDraft] = useState({ entity: '', entityId: '', actor: '' });
  const [filter, setFilter] = useState(draft);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(
    () =>
      ok(
        api.GET('/admin/v1/audit', {
          params: { query: { limit: 50, ...(filter.entity && { entity: filter.entity }), ...(filter.entityId && { entityId: filter.entityId }), ...(filter.actor && { actor: filter.actor }), ...(cursor && { cursor }) } },
        }),
      ),
    [filter, cursor],
  );
  const [open, setOpen] = useState<number | null>(null);
  return (
    <Page title="Audit">
      <form
        class="filters inline"
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([undefined]);
          setFilter(draft);
        }}
      >
        {(['entity', 'entityId', 'actor'] as const).map((k) => (
          <Field key={k} label={{ entity: 'Entity', entityId: 'Entity id', actor: 'Actor' }[k]} name={k} error={page.error}>
            {(p) => <input {...p} value={draft[k]} onInput={(e) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value })} />}
          </Field>
        ))}
        <div class="filter-actions">
          <button type="submit">Filter</button>
        </div>
      </form>
      <Loading what={page} />
      <ErrorNote error={page.error} fields={['entity', 'entityId', 'actor']} />
      <div class="table-wrap">
        <table class="grid">
          <caption class="sr-only">Audit log, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Entity</th>
              <th scope="col">
                <span class="sr-only">Diff</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(page.data?.items ?? []).map((e) => (
              <>
                <tr key={e.id}>
                  <td>{showTime(e.at)}</td>
                  <td>{e.actorName ?? e.actor}</td>
                  <td>{e.action}</td>
                  <td>
                    {e.entity} <span class="mono small">{e.entityId}</span>
                  </td>
                  <td>
                    <button type="button" class="link" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>
                      {open === e.id ? 'Hide changes' : 'Show changes'}
                    </button>
                  </td>
                </tr>
                {open === e.id && (
                  <tr key={`${e.id}-diff`}>
                    <td colSpan={5}>
                      <Diff entry={e} />
                    </td>
                  </tr>
                )}
              </>
            ))}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button type="button" class="secondary" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button type="button" class="secondary" disabled={!page.data?.nextCursor} onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}>
          Older
        </button>
      </div>
    </Page>
  );
}

const show = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v));

/** Field by field: what the entry's before and after hold, changed fields marked. */
export function Diff({ entry }: { entry: Entry }) {
  const before = (entry.before ?? {}) as Record<string, unknown>;
  const after = (entry.after ?? {}) as Record<string, unknown>;
  const objects = typeof before === 'object' && typeof after === 'object' && !Array.isArray(before) && !Array.isArray(after);
  if (!objects) return <pre class="json">{`${show(entry.before)}\n→ ${show(entry.after)}`}</pre>;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changed = keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return (
    <table class="diff">
      <caption>
        {changed.length} field{changed.length === 1 ? '' : 's'} changed
      </caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => {
          const diff = changed.includes(k);
          return (
            <tr key={k} class={diff ? 'changed' : ''}>
              <th scope="row">
                {k}
                {diff && <span class="sr-only"> (changed)</span>}
              </th>
              <td class={diff ? 'before' : ''}>
                <code>{show(before[k])}</code>
              </td>
              <td class={diff ? 'after' : ''}>
                <code>{show(after[k])}</code>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
