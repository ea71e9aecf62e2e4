import { useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import { showTime } from '../format';
import { Resource, type FieldSpec } from '../resource';
import { useSession } from '../session';
import { Dialog, ErrorNote, Loading, Page, useAction, useLoad } from '../ui';

const ROLES = ['administrator', 'supervisor', 'monitor', 'developer', 'actions', 'events'].map((r) => ({ value: r, label: r }));

/** Shown once: a new client's or person's secret. */
function Secret({ title, lines, onClose }: { title: string; lines: [string, string][]; onClose: () => void }) {
  return (
    <Dialog title={title} onClose={onClose}>
      <p>Copy it now: it is shown only this once.</p>
      <dl class="facts">
        {lines.map(([k, v]) => (
          <>
            <dt key={`${k}-k`}>{k}</dt>
            <dd key={`${k}-v`} class="mono">
              {v}
            </dd>
          </>
        ))}
      </dl>
      <button type="button" onClick={onClose}>
        Done
      </button>
    </Dialog>
  );
}

export function PeoplePage() {
  const { session } = useSession();
  const admin = session.roles.includes('administrator');
  return (
    <Page title="Clients and users">
      {!admin && <p class="notice">Only administrators manage clients and users.</p>}
      {admin && <Users />}
      {admin && <Clients />}
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
