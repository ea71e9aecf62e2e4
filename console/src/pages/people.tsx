import { useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import { showTime } from '../format';
import { Resource, type FieldSpec } from '../resource';
import { useSession } from '../session';
import { ErrorNote, Loading, Page, SecretOnce as Secret, useAction, useLoad } from '../ui';

const ROLES = ['administrator', 'supervisor', 'monitor', 'developer', 'actions', 'events'].map((r) => ({ value: r, label: r }));

export function PeoplePage() {
  const { session } = useSession();
  const admin = session.roles.includes('administrator');
  return (
    <Page title="Clients and users">
      {!admin && <p class="notice">Only administrators manage clients and users.</p>}
      {admin && <Users />}
      {admin && <Clients />}
      {admin && <SignInMappings />}
    </Page>
  );
}

function Clients() {
  const clients = useLoad(() => ok(api.GET('/admin/v1/clients')), []);
  const [secret, setSecret] = useState<[string, string][] | null>(null);
  const rotate = useAction();
  const fields: FieldSpec[] = [
    { name: 'name', label: 'Name', kind: 'text' },
    { name: 'roles', label: 'Roles', kind: 'multi', options: ROLES },
    { name: 'queues', label: 'Queue allow-list', kind: 'list', nullable: true, optional: true, hint: 'Queue names or ids, comma-separated; empty = every queue' },
    { name: 'active', label: 'Active', kind: 'bool' },
  ];
  const items = (clients.data?.items ?? []).map((c) => ({ ...c, id: c.clientId }));
  return (
    <section class="card" aria-labelledby="clients-title">
      <h2 id="clients-title">API clients</h2>
      <Loading what={clients} />
      <ErrorNote error={rotate.error} />
      <Resource
        noun="client"
        items={items}
        fields={fields}
        label={(c) => c.name}
        canWrite
        reload={clients.reload}
        columns={[
          { label: 'Name', value: (c) => c.name },
          { label: 'Client id', value: (c) => <span class="mono small">{c.clientId}</span> },
          { label: 'Roles', value: (c) => c.roles.join(', ') },
          { label: 'Queues', value: (c) => (c.queues === null ? 'every queue' : c.queues.join(', ')) },
          { label: 'Active', value: (c) => (c.active ? 'yes' : 'no') },
          { label: 'Last token', value: (c) => showTime(c.lastTokenAt) },
        ]}
        create={(body) => ok(api.POST('/admin/v1/clients', { body: { ...body, active: true } as never }))}
        onCreated={(a) => {
          const answer = a as { client: { clientId: string }; clientSecret: string };
          setSecret([
            ['Client id', answer.client.clientId],
            ['Client secret', answer.clientSecret],
          ]);
        }}
        update={(id, patch) => ok(api.PATCH('/admin/v1/clients/{id}', { params: { path: { id } }, body: patch as never }))}
        remove={(id) => ok(api.DELETE('/admin/v1/clients/{id}', { params: { path: { id } } }))}
        rowActions={(c) => (
          <button
            type="button"
            class="link"
            aria-label={`Rotate secret of ${c.name}`}
            onClick={() =>
              rotate.run(async () => {
                if (!window.confirm(`Rotate the secret of ${c.name}? Its current tokens stop working.`)) return;
                const a = (await ok(api.POST('/admin/v1/clients/{id}/rotate-secret', { params: { path: { id: c.clientId } } }))) as { clientSecret: string };
                setSecret([
                  ['Client id', c.clientId],
                  ['New client secret', a.clientSecret],
                ]);
              })
            }
          >
            Rotate secret
          </button>
        )}
      />
      {secret && <Secret title="Client secret" lines={secret} onClose={() => (setSecret(null), clients.reload())} />}
    </section>
  );
}

function Users() {
  const users = useLoad(() => ok(api.GET('/admin/v1/users')), []);
  const [secret, setSecret] = useState<[string, string][] | null>(null);
  const reset = useAction();
  const fields: FieldSpec[] = [
    { name: 'username', label: 'Username', kind: 'text' },
    { name: 'displayName', label: 'Name', kind: 'text', optional: true },
    { name: 'roles', label: 'Roles', kind: 'multi', options: ROLES.filter((r) => ['administrator', 'supervisor', 'monitor', 'developer'].includes(r.value)) },
    { name: 'queues', label: 'Queue allow-list', kind: 'list', nullable: true, optional: true, hint: 'Queue names or ids, comma-separated; empty = every queue' },
    { name: 'disabled', label: 'Disabled', kind: 'bool' },
  ];
  return (
    <section class="card" aria-labelledby="users-title">
      <h2 id="users-title">People</h2>
      <Loading what={users} />
      <ErrorNote error={reset.error} />
      <Resource
        noun="user"
        items={users.data?.items ?? []}
        fields={fields}
        label={(u) => u.username}
        canWrite
        reload={users.reload}
        columns={[
          { label: 'Username', value: (u) => u.username },
          { label: 'Name', value: (u) => u.displayName },
          { label: 'Roles', value: (u) => u.roles.join(', ') },
          { label: 'Queues', value: (u) => (u.queues === null ? 'every queue' : u.queues.join(', ')) },
          { label: 'Sign-in', value: (u) => (u.source === 'genesys' ? 'Genesys Cloud' : 'password') },
          { label: 'Disabled', value: (u) => (u.disabled ? 'yes' : 'no') },
        ]}
        create={(body) => ok(api.POST('/admin/v1/users', { body: body as never }))}
        onCreated={(a) => {
          const answer = a as { user: { username: string }; password?: string };
          if (answer.password)
            setSecret([
              ['Username', answer.user.username],
              ['Password', answer.password],
            ]);
        }}
        update={(id, patch) => ok(api.PATCH('/admin/v1/users/{id}', { params: { path: { id } }, body: patch as never }))}
        remove={(id) => ok(api.DELETE('/admin/v1/users/{id}', { params: { path: { id } } }))}
        rowActions={(u) =>
          u.source === 'local' && (
            <button
              type="button"
              class="link"
              aria-label={`New password for ${u.username}`}
              onClick={() =>
                reset.run(async () => {
                  if (!window.confirm(`Give ${u.username} a new generated password? Their sessions end.`)) return;
                  const a = (await ok(api.POST('/admin/v1/users/{id}/password', { params: { path: { id: u.id } }, body: {} }))) as { password?: string };
                  setSecret([
                    ['Username', u.username],
                    ['New password', a.password ?? '(as sent)'],
                  ]);
                })
              }
            >
              New password
            </button>
          )
        }
      />
      {secret && <Secret title="Password" lines={secret} onClose={() => (setSecret(null), users.reload())} />}
    </section>
  );
}

type Mapping = { kind: 'group' | 'role'; genesysId: string; label: string; roles: string[]; queues: string };

/** Who a Genesys Cloud sign-in becomes: engine roles and allow-list by the person's Genesys groups or roles. */
function SignInMappings() {
  const mappings = useLoad(() => ok(api.GET('/admin/v1/genesys-sign-in/mappings')), []);
  return (
    <section class="card" aria-labelledby="map-title">
      <h2 id="map-title">Genesys Cloud sign-in: groups and roles → access</h2>
      <Loading what={mappings} />
      {mappings.data && (
        <MappingEditor
          key={JSON.stringify(mappings.data)}
          initial={mappings.data.items.map((m) => ({ kind: m.kind as 'group', genesysId: m.genesysId, label: m.label ?? '', roles: [...m.roles], queues: m.queues?.join(', ') ?? '' }))}
          onSaved={mappings.reload}
        />
      )}
    </section>
  );
}

function MappingEditor({ initial, onSaved }: { initial: Mapping[]; onSaved: () => void }) {
  const [rows, setRows] = useState<Mapping[]>(initial);
  const action = useAction();
  const set = (i: number, patch: Partial<Mapping>) => setRows(rows.map((r, n) => (n === i ? { ...r, ...patch } : r)));
  const fieldError = (i: number) => {
    const f = (action.error as { field?: string } | undefined)?.field;
    return f?.startsWith(`items[${i}]`) ? (action.error as Error).message : undefined;
  };
  const save = () =>
    action.run(async () => {
      const items = rows.map((r) => ({
        kind: r.kind,
        genesysId: r.genesysId,
        label: r.label === '' ? null : r.label,
        roles: r.roles as never,
        queues: r.queues.trim() === '' ? null : r.queues.split(/[\s,]+/).filter((q) => q !== ''),
      }));
      await ok(api.PUT('/admin/v1/genesys-sign-in/mappings', { body: { items } }));
      onSaved();
    });
  const staff = ROLES.filter((r) => ['administrator', 'supervisor', 'monitor', 'developer'].includes(r.value));
  return (
    <>
      <div class="table-wrap">
        <table class="grid">
          <caption class="sr-only">Sign-in mappings</caption>
          <thead>
            <tr>
              <th scope="col">Matches</th>
              <th scope="col">Genesys id</th>
              <th scope="col">Label</th>
              <th scope="col">Roles</th>
              <th scope="col">Queues (empty: every queue)</th>
              <th scope="col">
                <span class="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                <td>
                  <select aria-label={`Mapping ${i + 1} matches`} value={r.kind} onChange={(e) => set(i, { kind: (e.target as HTMLSelectElement).value as 'group' })}>
                    <option value="group">a group</option>
                    <option value="role">a role</option>
                  </select>
                </td>
                <td>
                  <input aria-label={`Mapping ${i + 1} Genesys id`} aria-invalid={fieldError(i) ? 'true' : undefined} value={r.genesysId} onInput={(e) => set(i, { genesysId: (e.target as HTMLInputElement).value })} />
                  {fieldError(i) && (
                    <p class="field-error" role="alert">
                      {fieldError(i)}
                    </p>
                  )}
                </td>
                <td>
                  <input aria-label={`Mapping ${i + 1} label`} value={r.label} onInput={(e) => set(i, { label: (e.target as HTMLInputElement).value })} />
                </td>
                <td>
                  {staff.map((o) => (
                    <label key={o.value} class="check">
                      <input type="checkbox" checked={r.roles.includes(o.value)} onChange={() => set(i, { roles: r.roles.includes(o.value) ? r.roles.filter((x) => x !== o.value) : [...r.roles, o.value] })} /> {o.label}
                    </label>
                  ))}
                </td>
                <td>
                  <input aria-label={`Mapping ${i + 1} queues`} value={r.queues} onInput={(e) => set(i, { queues: (e.target as HTMLInputElement).value })} />
                </td>
                <td>
                  <button type="button" class="link" onClick={() => setRows(rows.filter((_, n) => n !== i))} aria-label={`Remove mapping ${i + 1}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={6} class="empty">
                  No mapping: a Genesys Cloud sign-in gets no access.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <ErrorNote error={action.error} fields={rows.map((_, i) => `items[${i}]`)} />
      <div class="row-actions">
        <button type="button" class="secondary" onClick={() => setRows([...rows, { kind: 'group', genesysId: '', label: '', roles: ['supervisor'], queues: '' }])}>
          Add a mapping
        </button>
        <button type="button" onClick={save} disabled={action.busy}>
          Save mappings
        </button>
      </div>
    </>
  );
}
