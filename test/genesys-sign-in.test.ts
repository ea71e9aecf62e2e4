import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { startFakeGenesysLogin, type FakeGenesysLogin, type FakeGenesysUser } from './helpers/fake-genesys-login.js';
import { cookieOf, sessionHeaders } from './helpers/people.js';

/** "Sign in with Genesys Cloud" end to end: our start → the fake Genesys authorize page → our callback → token → users/me. */

const PUBLIC = 'http://console.test';
const CALLBACK = `${PUBLIC}/auth/v1/genesys/callback`;
const clock = new TestClock(new Date());
let t: TestApp;
let fake: FakeGenesysLogin;
let admin: Record<string, string>;

const SUPERVISORS = randomUUID();
const ADMINS = randomUUID();
const REPORTING_ROLE = randomUUID();

function person(o: Partial<FakeGenesysUser> = {}): FakeGenesysUser {
  const id = randomUUID();
  return { id, name: `Genesys Person ${id.slice(0, 4)}`, username: `person-${id.slice(0, 8)}@example.org`, groups: [], roles: [], ...o };
}

function cookiesOf(res: { headers: Record<string, unknown> }): Record<string, string> {
  const set = res.headers['set-cookie'];
  const lines = (Array.isArray(set) ? set : set === undefined ? [] : [set]) as string[];
  return Object.fromEntries(lines.map((l) => l.split(';')[0]!.split('=')).map(([k, ...v]) => [k!, v.join('=')]));
}

/** The browser's round trip: start here, sign in at Genesys, come back. Answers our callback's response. */
async function signInWithGenesys(user: FakeGenesysUser | null, tamper?: { callbackCookie?: string | null; before?: () => Promise<void> }) {
  fake.signedIn = user;
  const start = await t.app.inject({ method: 'GET', url: '/auth/v1/genesys/start' });
  expect(start.statusCode, start.body).toBe(302);
  const nonce = cookiesOf(start).cbe_genesys_sign_in!;
  const authorize = new URL(start.headers.location as string);
  const atGenesys = await fetch(authorize, { redirect: 'manual' });
  expect(atGenesys.status, await atGenesys.clone().text()).toBe(302);
  const back = new URL(atGenesys.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
  await tamper?.before?.();
  const cookie = tamper?.callbackCookie === null ? undefined : `cbe_genesys_sign_in=${tamper?.callbackCookie ?? nonce}`;
  const res = await t.app.inject({ method: 'GET', url: `${back.pathname}${back.search}`, headers: cookie ? { cookie } : {} });
  return { res, authorize, back, cookie };
}

beforeAll(async () => {
  fake = await startFakeGenesysLogin({ redirectUris: [CALLBACK] });
  t = await buildTestApp({ clock, env: { PUBLIC_BASE_URL: PUBLIC, GENESYS_LOGIN_CLIENT_ID: fake.clientId, GENESYS_LOGIN_BASE_URL: fake.baseUrl } });
  admin = (await authHeader(t, ['administrator'])).headers;
  const put = await t.app.inject({
    method: 'PUT',
    url: '/admin/v1/genesys-sign-in/mappings',
    headers: admin,
    payload: {
      items: [
        { kind: 'group', genesysId: SUPERVISORS, label: 'Callback supervisors', roles: ['supervisor'], queues: ['Demo'] },
        { kind: 'group', genesysId: ADMINS, label: 'Callback admins', roles: ['administrator'] },
        { kind: 'role', genesysId: REPORTING_ROLE, label: 'Reporting', roles: ['monitor'], queues: ['Other'] },
      ],
    },
  });
  expect(put.statusCode, put.body).toBe(200);
}, 120_000);
afterAll(async () => {
  await t?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.requests.length = 0;
});

describe('sign in with Genesys Cloud', () => {
  it('providers say it is offered and where it starts', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/auth/v1/providers' })).json()).toEqual({ password: true, genesys: true, genesysStartUrl: '/auth/v1/genesys/start' });
  });

  it('authorization code with PKCE: the authorize URL, the token exchange and users/me are what the SDK sends; the session has the mapped access', async () => {
    const user = person({ name: 'Grace Hopper', groups: [{ id: SUPERVISORS, name: 'Callback supervisors' }] });
    const { res, authorize } = await signInWithGenesys(user);
    expect(authorize.origin).toBe(fake.baseUrl);
    expect(authorize.pathname).toBe('/oauth/authorize');
    const q = Object.fromEntries(authorize.searchParams);
    expect(q).toMatchObject({ client_id: fake.clientId, redirect_uri: CALLBACK, response_type: 'code', code_challenge_method: 'S256' });
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.state!.length).toBeGreaterThanOrEqual(43);

    expect(res.statusCode, res.body).toBe(302);
    expect(res.headers.location).toBe('/console/');
    const token = fake.requests.find((r) => r.path === '/oauth/token')!;
    expect(token.body).toMatchObject({ grant_type: 'authorization_code', client_id: fake.clientId, redirect_uri: CALLBACK });
    expect(token.body!.code_verifier!.length).toBeGreaterThanOrEqual(43);
    expect(token.body).not.toHaveProperty('client_secret');
    const me = fake.requests.find((r) => r.path === '/api/v2/users/me')!;
    // As the SDK sends it (one comma-separated expand).
    expect([me.query.expand].flat().flatMap((e) => String(e).split(','))).toEqual(['groups', 'authorization']);

    const cookie = cookieOf(res)!;
    const session = await t.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie } });
    expect(session.json()).toMatchObject({ username: user.username, name: 'Grace Hopper', kind: 'user', roles: ['supervisor'], queues: ['Demo'], method: 'genesys' });
    // The account is a `genesys` one, without a password.
    const row = await t.database.db.selectFrom('users').selectAll().where('genesys_user_id', '=', user.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ source: 'genesys', password_hash: null, roles: ['supervisor'] });
    // It cannot sign in with a password.
    expect((await t.app.inject({ method: 'POST', url: '/auth/v1/session', payload: { username: user.username, password: 'anything-at-all' } })).statusCode).toBe(401);
  });

  it('the access is the union of every matching group and role; a row without an allow-list opens every queue', async () => {
    const both = person({ groups: [{ id: SUPERVISORS, name: 's' }], roles: [{ id: REPORTING_ROLE, name: 'r' }] });
    const s1 = await t.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie: cookieOf((await signInWithGenesys(both)).res)! } });
    expect(s1.json()).toMatchObject({ roles: ['supervisor', 'monitor'], queues: ['Demo', 'Other'] });
    const wide = person({ groups: [{ id: SUPERVISORS, name: 's' }, { id: ADMINS, name: 'a' }] });
    const s2 = await t.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie: cookieOf((await signInWithGenesys(wide)).res)! } });
    expect(s2.json()).toMatchObject({ roles: ['administrator', 'supervisor'], queues: null });
  });

  it('what a Genesys-signed-in person changes is audited with their name', async () => {
    const user = person({ name: 'Ada Admin', groups: [{ id: ADMINS, name: 'a' }] });
    const { res } = await signInWithGenesys(user);
    const cookie = cookieOf(res)!;
    const session = (await t.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie } })).json();
    const created = await t.app.inject({ method: 'POST', url: '/admin/v1/queues', headers: sessionHeaders({ cookie, csrfToken: session.csrfToken }), payload: { name: `gq-${Date.now()}`, timezone: 'UTC' } });
    expect(created.statusCode).toBe(201);
    const audit = await t.app.inject({ method: 'GET', url: `/admin/v1/audit?entity=queue&entityId=${created.json().id}`, headers: admin });
    expect(audit.json().items[0]).toMatchObject({ actorName: 'Ada Admin', actorKind: 'user' });
  });

  it('no mapping: refused with a page saying so, no account, no session', async () => {
    const user = person({ groups: [{ id: randomUUID(), name: 'Unmapped' }] });
    const { res } = await signInWithGenesys(user);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('NO_MAPPING');
    expect(res.body).toContain('None of your Genesys Cloud groups or roles gives access');
    expect(cookieOf(res)).toBeUndefined();
    expect(await t.database.db.selectFrom('users').select('id').where('genesys_user_id', '=', user.id).execute()).toEqual([]);
  });

  it('state mismatch: a callback in another browser (no or another nonce cookie) is refused, and the attempt is used up', async () => {
    const user = person({ groups: [{ id: SUPERVISORS, name: 's' }] });
    const none = await signInWithGenesys(user, { callbackCookie: null });
    expect(none.res.statusCode).toBe(400);
    expect(none.res.body).toContain('STATE_MISMATCH');
    const other = await signInWithGenesys(user, { callbackCookie: 'another-browsers-nonce' });
    expect(other.res.statusCode).toBe(400);
    expect(other.res.body).toContain('STATE_MISMATCH');
    // A state nobody issued.
    const forged = await t.app.inject({ method: 'GET', url: `/auth/v1/genesys/callback?code=abc&state=${'x'.repeat(43)}`, headers: { cookie: 'cbe_genesys_sign_in=whatever' } });
    expect(forged.statusCode).toBe(400);
    expect(fake.requests.filter((r) => r.path === '/oauth/token')).toEqual([]);
  });

  it('a callback replayed (same code and state) is refused: a state is good once', async () => {
    const user = person({ groups: [{ id: SUPERVISORS, name: 's' }] });
    const first = await signInWithGenesys(user);
    expect(first.res.statusCode).toBe(302);
    const again = await t.app.inject({ method: 'GET', url: `${first.back.pathname}${first.back.search}`, headers: { cookie: first.cookie! } });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('STATE_MISMATCH');
  });

  it('the same callback racing itself (a double click, a replay) opens exactly one session', async () => {
    const user = person({ groups: [{ id: SUPERVISORS, name: 's' }] });
    fake.signedIn = user;
    const start = await t.app.inject({ method: 'GET', url: '/auth/v1/genesys/start' });
    const nonce = cookiesOf(start).cbe_genesys_sign_in!;
    const back = new URL((await fetch(start.headers.location as string, { redirect: 'manual' })).headers.get('location')!);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => t.app.inject({ method: 'GET', url: `${back.pathname}${back.search}`, headers: { cookie: `cbe_genesys_sign_in=${nonce}` } })),
    );
    expect(answers.filter((r) => r.statusCode === 302)).toHaveLength(1);
    expect(answers.filter((r) => r.statusCode === 400).every((r) => r.body.includes('STATE_MISMATCH'))).toBe(true);
    expect(answers.filter((r) => r.statusCode === 400)).toHaveLength(11);
    expect(fake.requests.filter((r) => r.path === '/oauth/token')).toHaveLength(1);
  });

  it('a wrong PKCE verifier is refused by Genesys: no session', async () => {
    const user = person({ groups: [{ id: SUPERVISORS, name: 's' }] });
    const { res } = await signInWithGenesys(user, {
      before: async () => {
        await t.database.db.updateTable('genesys_sign_in_requests').set({ code_verifier: 'w'.repeat(86) }).execute();
      },
    });
    expect(res.statusCode).toBe(502);
    expect(res.body).toContain('GENESYS_REFUSED');
    expect(cookieOf(res)).toBeUndefined();
    expect(fake.requests.filter((r) => r.path === '/api/v2/users/me')).toEqual([]);
  });

  it('a sign-in not finished within 10 minutes has expired', async () => {
    const user = person({ groups: [{ id: SUPERVISORS, name: 's' }] });
    const { res } = await signInWithGenesys(user, { before: async () => clock.advance(10 * 60_000 + 1) });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('EXPIRED');
  });

  it('disabled here, or inactive in Genesys: refused', async () => {
    const user = person({ groups: [{ id: SUPERVISORS, name: 's' }] });
    const first = await signInWithGenesys(user);
    const cookie = cookieOf(first.res)!;
    const row = await t.database.db.selectFrom('users').select('id').where('genesys_user_id', '=', user.id).executeTakeFirstOrThrow();
    expect((await t.app.inject({ method: 'PATCH', url: `/admin/v1/users/${row.id}`, headers: admin, payload: { disabled: true } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie } })).statusCode).toBe(401);
    const again = await signInWithGenesys(user);
    expect(again.res.statusCode).toBe(403);
    expect(again.res.body).toContain('DISABLED');
    const inactive = await signInWithGenesys(person({ state: 'inactive', groups: [{ id: ADMINS, name: 'a' }] }));
    expect(inactive.res.statusCode).toBe(403);
    expect(inactive.res.body).toContain('DISABLED');
  });

  it('a person whose groups changed in Genesys gets the new access at the next sign-in, and their older sessions end', async () => {
    const user = person({ groups: [{ id: ADMINS, name: 'a' }] });
    const first = cookieOf((await signInWithGenesys(user)).res)!;
    user.groups = [{ id: SUPERVISORS, name: 's' }];
    const second = cookieOf((await signInWithGenesys(user)).res)!;
    expect((await t.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie: first } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie: second } })).json().roles).toEqual(['supervisor']);
  });

  it('a local account of the same username is never taken over', async () => {
    const username = `taken-${Date.now()}@example.org`;
    expect((await t.app.inject({ method: 'POST', url: '/admin/v1/users', headers: admin, payload: { username, roles: ['monitor'] } })).statusCode).toBe(201);
    const { res } = await signInWithGenesys(person({ username, groups: [{ id: ADMINS, name: 'a' }] }));
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('USERNAME_TAKEN');
  });

  it('Genesys answering error=access_denied is a page, missing code or state a 400 naming it', async () => {
    const denied = await t.app.inject({ method: 'GET', url: '/auth/v1/genesys/callback?error=access_denied' });
    expect(denied.statusCode).toBe(400);
    expect(denied.body).toContain('access_denied');
    const noCode = await t.app.inject({ method: 'GET', url: '/auth/v1/genesys/callback?state=abc' });
    expect(noCode.statusCode).toBe(400);
    expect(noCode.json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'code' });
  });
});

describe('the mapping table', () => {
  it('a duplicate row is a 400 naming it; a restricted administrator may not change the table', async () => {
    const dup = await t.app.inject({
      method: 'PUT',
      url: '/admin/v1/genesys-sign-in/mappings',
      headers: admin,
      payload: { items: [{ kind: 'group', genesysId: 'g1', roles: ['monitor'] }, { kind: 'group', genesysId: 'g1', roles: ['supervisor'] }] },
    });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().field).toBe('items[1].genesysId');
    const restricted = (await authHeader(t, ['administrator'], { queues: ['Demo'] })).headers;
    const refused = await t.app.inject({ method: 'PUT', url: '/admin/v1/genesys-sign-in/mappings', headers: restricted, payload: { items: [] } });
    expect(refused.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/admin/v1/genesys-sign-in/mappings', headers: admin })).json().items).toHaveLength(3);
  });

  it('a replacement is audited with before and after', async () => {
    const audit = await t.app.inject({ method: 'GET', url: '/admin/v1/audit?entity=genesys-sign-in-mappings', headers: admin });
    const entry = audit.json().items.at(-1);
    expect(entry).toMatchObject({ action: 'replace', entityId: 'all' });
    expect(entry.after.items).toHaveLength(3);
  });
});

describe('not configured', () => {
  it('start and callback are 404 and providers say password only', async () => {
    const plain = await buildTestApp({ url: t.url });
    try {
      expect((await plain.app.inject({ method: 'GET', url: '/auth/v1/providers' })).json()).toEqual({ password: true, genesys: false, genesysStartUrl: null });
      expect((await plain.app.inject({ method: 'GET', url: '/auth/v1/genesys/start' })).statusCode).toBe(404);
      expect((await plain.app.inject({ method: 'GET', url: '/auth/v1/genesys/callback?code=a&state=b' })).statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
