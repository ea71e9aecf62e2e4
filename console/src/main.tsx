import { render, type FunctionComponent } from 'preact';
import { useMemo } from 'preact/hooks';
import './styles.css';
import { linkProps, useRoute } from './router';
import { SessionContext, SignIn, useSessionState } from './session';
import { AuditPage } from './pages/audit';
import { CallbacksPage } from './pages/callbacks';
import { CallInPage } from './pages/callin';
import { CapacityPage } from './pages/capacity';
import { GenesysPage } from './pages/genesys';
import { HoursPage } from './pages/hours';
import { NumbersPage } from './pages/numbers';
import { PeoplePage } from './pages/people';
import { PoliciesPage } from './pages/policies';
import { QueuesPage } from './pages/queues';
import { ReportsPage } from './pages/reports';
import { WebhooksPage } from './pages/webhooks';
import { setZonePreference, zonePreference } from './format';
import { useState } from 'preact/hooks';

/** The roles that read the callback desk also read reports and webhooks. */
const DESK_READERS = ['administrator', 'supervisor', 'monitor', 'developer'];

const PAGES: { route: string; label: string; page: FunctionComponent; roles?: string[] }[] = [
  { route: '/callbacks', label: 'Callbacks', page: CallbacksPage },
  { route: '/reports', label: 'Reports', page: ReportsPage, roles: DESK_READERS },
  { route: '/queues', label: 'Queues', page: QueuesPage },
  { route: '/capacity', label: 'Capacity', page: CapacityPage },
  { route: '/hours', label: 'Business hours', page: HoursPage },
  { route: '/numbers', label: 'Number rules', page: NumbersPage },
  { route: '/policies', label: 'Policies and campaigns', page: PoliciesPage },
  { route: '/call-in', label: 'Call-In', page: CallInPage, roles: DESK_READERS },
  { route: '/audit', label: 'Audit', page: AuditPage },
  { route: '/webhooks', label: 'Webhooks', page: WebhooksPage, roles: DESK_READERS },
  { route: '/people', label: 'Clients and users', page: PeoplePage },
  { route: '/genesys', label: 'Genesys', page: GenesysPage },
];

function Shell() {
  const { state, adopt, signOut } = useSessionState();
  const route = useRoute();
  const [zone, setZone] = useState(zonePreference());
  const ctx = useMemo(() => (state.kind === 'signedIn' ? { session: state.session, signOut } : null), [state]);
  if (state.kind === 'loading') return <p class="boot">Loading…</p>;
  if (state.kind === 'signedOut' || !ctx) return <SignIn notice={state.kind === 'signedOut' ? state.notice : undefined} onSignedIn={adopt} />;
  const pages = PAGES.filter((p) => !p.roles || p.roles.some((r) => ctx.session.roles.includes(r)));
  const current = pages.find((p) => route === p.route || route.startsWith(`${p.route}/`)) ?? pages[0]!;
  const Page = current.page;
  return (
    <SessionContext.Provider value={ctx}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Callback engine</span>
        <span class="who">
          {ctx.session.name} <span class="muted">({ctx.session.roles.join(', ')})</span>
        </span>
        <label class="zone">
          Times in{' '}
          <select
            value={zone}
            onChange={(e) => {
              const z = (e.target as HTMLSelectElement).value === 'utc' ? 'utc' : 'local';
              setZonePreference(z);
              setZone(z);
            }}
          >
            <option value="local">local time</option>
            <option value="utc">UTC</option>
          </select>
        </label>
        <button type="button" class="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <div class="layout">
        <nav aria-label="Console">
          <ul>
            {pages.map((p) => (
              <li key={p.route}>
                <a {...linkProps(p.route)} aria-current={p === current ? 'page' : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" key={`${current.route}-${zone}`}>
          <Page />
        </main>
      </div>
    </SessionContext.Provider>
  );
}

render(<Shell />, document.getElementById('app')!);
