import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { api, ApiError, lastActivity, ok, setCsrfToken, whenSessionLost } from './api/client';
import { ErrorNote, Field } from './ui';

/** The signed-in person, as `GET /auth/v1/session` answers. */
export interface Session {
  username: string;
  name: string;
  kind: string;
  roles: string[];
  queues: string[] | null;
  csrfToken: string;
  idleTimeoutSeconds: number;
  expiresAt: string;
}

export const SessionContext = createContext<{ session: Session; signOut: () => void } | null>(null);

export function useSession() {
  const s = useContext(SessionContext);
  if (!s) throw new Error('no session');
  return s;
}

export function mayWrite(session: Session): boolean {
  return session.roles.includes('administrator') || session.roles.includes('supervisor');
}

type State = { kind: 'loading' } | { kind: 'signedOut'; notice?: string } | { kind: 'signedIn'; session: Session };

function endedNotice(session: Session): string {
  const idleMs = session.idleTimeoutSeconds * 1000;
  const minutes = Math.max(1, Math.round(session.idleTimeoutSeconds / 60));
  return Date.now() - lastActivity() >= idleMs
    ? `Your session ended after ${minutes} minute${minutes === 1 ? '' : 's'} of inactivity. Sign in again.`
    : 'Your session has ended. Sign in again.';
}

/**
 * Holds the session: asks the service on load, signs in and out, and on a 401 from any call shows
 * the sign-in page — with the inactivity notice when no call was answered for the idle timeout.
 */
export function useSessionState() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const adopt = (session: Session) => {
    setCsrfToken(session.csrfToken);
    setState({ kind: 'signedIn', session });
  };
  const lost = () => {
    setCsrfToken(null);
    setState((s) => (s.kind === 'signedIn' ? { kind: 'signedOut', notice: endedNotice(s.session) } : s));
  };

  useEffect(() => {
    ok(api.GET('/auth/v1/session')).then(
      (s) => adopt(s as Session),
      () => setState({ kind: 'signedOut' }),
    );
    whenSessionLost(lost);
  }, []);

  // Past the idle timeout, ask the service (which decides) whether the session still stands.
  useEffect(() => {
    if (state.kind !== 'signedIn') return;
    const idleMs = state.session.idleTimeoutSeconds * 1000;
    const timer = window.setInterval(() => {
      if (Date.now() - lastActivity() < idleMs) return;
      void api.GET('/auth/v1/session').then(({ response }) => {
        if (response.status === 401) lost();
      });
    }, Math.min(30_000, Math.max(1_000, idleMs / 4)));
    return () => window.clearInterval(timer);
  }, [state]);

  const signOut = async () => {
    await api.DELETE('/auth/v1/session').catch(() => undefined);
    setCsrfToken(null);
    setState({ kind: 'signedOut', notice: 'You are signed out.' });
  };

  return { state, adopt, signOut };
}

export function SignIn({ notice, onSignedIn }: { notice: string | undefined; onSignedIn: (s: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | Error | undefined>();
  const [busy, setBusy] = useState(false);
  const [genesys, setGenesys] = useState<string | null>(null);

  useEffect(() => {
    document.title = 'Sign in · Callback engine console';
    ok(api.GET('/auth/v1/providers')).then(
      (p) => setGenesys(p.genesys && p.genesysStartUrl ? p.genesysStartUrl : null),
      () => setGenesys(null),
    );
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn((await ok(api.POST('/auth/v1/session', { body: { username, password } }))) as Session);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  const refusal =
    error instanceof ApiError && error.status === 401
      ? 'The username or password is not right.'
      : error instanceof ApiError && error.status === 429
        ? 'Too many sign-in attempts. Wait a little and try again.'
        : undefined;

  return (
    <main class="signin">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Callback engine console</h1>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <Field label="Username" name="username" error={error}>
          {(p) => <input {...p} autocomplete="username" required value={username} onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />}
        </Field>
        <Field label="Password" name="password" error={error}>
          {(p) => <input {...p} type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />}
        </Field>
        {refusal ? (
          <p class="error" role="alert">
            {refusal}
          </p>
        ) : (
          <ErrorNote error={error} fields={['username', 'password']} />
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {genesys && (
          <p>
            <a class="button secondary" href={genesys}>
              Sign in with Genesys Cloud
            </a>
          </p>
        )}
      </form>
    </main>
  );
}
