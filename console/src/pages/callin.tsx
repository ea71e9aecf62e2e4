import { useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import { inputToIso, showTime } from '../format';
import { ErrorNote, Field, Loading, Page, useLoad } from '../ui';

/** The Call-In tab: Click-To-Call-In requests, the 5,000 newest the filter matches, 500 a page. */

const PAGE = 500;
const STATES = ['PENDING', 'MATCHED', 'EXPIRED', 'LOCKED'] as const;
type State = (typeof STATES)[number];
interface Filter {
  from: string;
  to: string;
  groupId: string;
  state: '' | State;
  sort: 'desc' | 'asc';
}

export function CallInPage() {
  const [draft, setDraft] = useState<Filter>({ from: '', to: '', groupId: '', state: '', sort: 'desc' });
  const [filter, setFilter] = useState(draft);
  const [offset, setOffset] = useState(0);
  const groups = useLoad(() => ok(api.GET('/admin/v1/call-in-groups')), []);
  const page = useLoad(() => {
    const from = filter.from ? inputToIso(filter.from) : undefined;
    const to = filter.to ? inputToIso(filter.to) : undefined;
    return ok(
      api.GET('/admin/v1/call-in/requests', {
        params: {
          query: {
            limit: PAGE,
            offset,
            sort: filter.sort,
            ...(from && { from }),
            ...(to && { to }),
            ...(filter.groupId && { groupId: filter.groupId }),
            ...(filter.state && { state: filter.state }),
          },
        },
      }),
    );
  }, [filter, offset]);
  const data = page.data;
  return (
    <Page title="Call-In">
      <form
        class="filters inline"
        onSubmit={(e) => {
          e.preventDefault();
          setOffset(0);
          setFilter(draft);
        }}
      >
        <Field label="Created from" name="from" error={page.error}>
          {(p) => <input {...p} type="datetime-local" value={draft.from} onInput={(e) => setDraft({ ...draft, from: (e.target as HTMLInputElement).value })} />}
        </Field>
        <Field label="Created before" name="to" error={page.error}>
          {(p) => <input {...p} type="datetime-local" value={draft.to} onInput={(e) => setDraft({ ...draft, to: (e.target as HTMLInputElement).value })} />}
        </Field>
        <Field label="Group" name="groupId" error={page.error}>
          {(p) => (
            <select {...p} value={draft.groupId} onChange={(e) => setDraft({ ...draft, groupId: (e.target as HTMLSelectElement).value })}>
              <option value="">Any group</option>
              {(groups.data?.items ?? []).map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="State" name="state" error={page.error}>
          {(p) => (
            <select {...p} value={draft.state} onChange={(e) => setDraft({ ...draft, state: (e.target as HTMLSelectElement).value as Filter['state'] })}>
              <option value="">Any state</option>
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Order" name="sort" error={page.error}>
          {(p) => (
            <select {...p} value={draft.sort} onChange={(e) => setDraft({ ...draft, sort: (e.target as HTMLSelectElement).value === 'asc' ? 'asc' : 'desc' })}>
              <option value="desc">Newest first</option>
              <option value="asc">Oldest first</option>
            </select>
          )}
        </Field>
        <div class="filter-actions">
          <button type="submit">Filter</button>
        </div>
      </form>
      <Loading what={page} />
      <ErrorNote error={page.error} fields={['from', 'to', 'groupId', 'state', 'sort']} />
      {data && (
        <p class="muted">
          {data.total === 0 ? 'No records' : `Records ${data.offset + 1}–${data.offset + data.items.length} of ${data.total}`}
          {data.truncated && ' (the 5,000 newest: older records match too)'}
        </p>
      )}
      <div class="table-wrap">
        <table class="grid">
          <caption class="sr-only">Click-To-Call-In requests</caption>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Group</th>
              <th scope="col">Customer</th>
              <th scope="col">Number to dial</th>
              <th scope="col">Code</th>
              <th scope="col">State</th>
              <th scope="col">Expires</th>
              <th scope="col">Matched</th>
            </tr>
          </thead>
          <tbody>
            {(data?.items ?? []).map((r) => (
              <tr key={r.id}>
                <td>{showTime(r.createdAt)}</td>
                <td>{r.groupName}</td>
                <td class="mono">{r.fromPhoneNumber}</td>
                <td class="mono">{r.toPhoneNumber}</td>
                <td>{r.hasAccessCode ? `yes${r.wrongCodes > 0 ? ` (${r.wrongCodes} wrong)` : ''}` : 'no'}</td>
                <td>{r.state}</td>
                <td>{showTime(r.expiresAt)}</td>
                <td>{showTime(r.matchedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button type="button" class="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Previous
        </button>
        <button type="button" class="secondary" disabled={data?.nextOffset == null} onClick={() => data?.nextOffset != null && setOffset(data.nextOffset)}>
          Next
        </button>
      </div>
    </Page>
  );
}
