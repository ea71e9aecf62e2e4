import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, TestClock, authHeader, type TestApp } from './helpers/app.js';
import { cookieOf, makePerson, sessionHeaders, signIn } from './helpers/people.js';

let t: TestApp;
const clock = new TestClock(new Date());
beforeAll(async () => {
  t = await buildTestApp({ clock, env: { LOGIN_RATE_LIMIT_PER_USERNAME: '5', LOGIN_RATE_LIMIT_PER_IP: '1000' } });
});
afterAll(async () => t?.close());

const attributes = (res: { headers: Record<string, unknown> }) => {
  const set = res.headers['set-cookie'];
  const line = (Array.isArray(set) ? set : [set]).find((l) => typeof l === 'string' && l.startsWith('cbe_session=')) as string;
  return line.split(';').map((p) => p.trim().toLowerCase());
};

describe('signing in with a username and password', () => {
  it('answers the person and a CSRF token, and sets an HttpOnly, SameSite=Strict cookie (Secure only over HTTPS)', async () => {
    const p = await makePerson(t, ['supervisor'], { displayName: 'Ana Lopez', queues: ['Demo'] });
    const s = await signIn(t, p);
    expect(s.body).toMatchObject({ username: p.username, name: 'Ana Lopez', kind: 'user', roles: ['supervisor'], queues: ['Demo'], idleTimeoutSeconds: 1200, method: 'password' });
    expect(typeof s.csrfToken).toBe('string');
    expect(s.res.headers['cache-control']).toBe('no-store');
    const attrs = attributes(s.res);
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=strict');
    expect(attrs).toContain('path=/');
    expect(attrs).not.toContain('secure');
    expect(s.body).not.toHaveProperty('password');
    // The stored row keeps a hash of the cookie's value, never the value itself.
    const value = s.cookie.split('=')[1]!;
    const rows = await t.database.db.selectFrom('sessions').selectAll().where('user_id', '=', p.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id_hash).not.toBe(value);
  });

  it('a username matches whatever its case', async () => {
    const p = await makePerson(t, ['monitor'], { username: `Mixed.Case-${Date.now()}` });
    const s = await signIn(t, { username: p.username.toUpperCase(), password: p.password });
    expect(s.body.username).toBe(p.username);
  });

  it('wrong password, unknown username and a disabled account get the same 401', async () => {
    const p = await makePerson(t, ['supervisor']);
    const d = await makePerson(t, ['supervisor']);
    const admin = await authHeader(t, ['administrator']);
    expect((await t.app.inject({ method: 'PATCH', url: `/admin/v1/users/${d.id}`, headers: admin.headers, payload: { disabled: true } })).statusCode).toBe(200);
    const answers = await Promise.all(
      [
        { username: p.username, password: 'not-the-password' },
        { username: `nobody-${Date.now()}`, password: 'whatever-password' },
        { username: d.username, password: d.password },
      ].map((payload) => t.app.inject({ method: 'POST', url: '/auth/v1/session', payload })),
    );
    for (const res of answers) {
      expect(res.statusCode).toBe(401);
      expect(cookieOf(res)).toBeUndefined();
      const { correlationId: _c, ...body } = res.json();
      expect(body).toEqual({ error: 'INVALID_CREDENTIALS', message: 'The username or password is not correct' });
    }
  });

  it('the cookie is Secure when the request came over HTTPS through a trusted proxy, and not when the proxy is not trusted', async () => {
    const p = await makePerson(t, ['monitor']);
    const untrusted = await signIn(t, p, { 'x-forwarded-proto': 'https' });
    expect(attributes(untrusted.res)).not.toContain('secure');
    const proxied = await buildTestApp({ url: t.url, env: { TRUST_PROXY: 'true' } });
    try {
      const res = await proxied.app.inject({ method: 'POST', url: '/auth/v1/session', headers: { 'x-forwarded-proto': 'https' }, payload: { username: p.username, password: p.password } });
      expect(res.statusCode).toBe(200);
      expect(attributes(res)).toContain('secure');
    } finally {
      await proxied.close();
    }
  });

  it('CONSOLE_COOKIE_SAMESITE=none (the console inside the Genesys Cloud frame): SameSite=None, always Secure, still HttpOnly', async () => {
    const p = await makePerson(t, ['monitor']);
    const framed = await buildTestApp({ url: t.url, env: { CONSOLE_COOKIE_SAMESITE: 'none' } });
    try {
      const res = await framed.app.inject({ method: 'POST', url: '/auth/v1/session', payload: { username: p.username, password: p.password } });
      expect(res.statusCode).toBe(200);
      expect(attributes(res)).toEqual(expect.arrayContaining(['samesite=none', 'secure', 'httponly']));
    } finally {
      await framed.close();
    }
  });

  it('a bad body is a 400 naming the field', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/auth/v1/session', payload: { username: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'password' });
  });
});

describe('the session', () => {
  it('GET /auth/v1/session answers it with the cookie, 401 without', async () => {
    const p = await makePerson(t, ['supervisor']);
    const s = await signIn(t, p);
    const res = await t.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie: s.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ username: p.username, csrfToken: s.csrfToken });
    expect((await t.app.inject({ method: 'GET', url: '/auth/v1/session' })).statusCode).toBe(401);
    const bearer = await authHeader(t, ['administrator']);
    expect((await t.app.inject({ method: 'GET', url: '/auth/v1/session', headers: bearer.headers })).statusCode).toBe(401);
  });

  it('the admin API takes the cookie: reads as the person, writes with X-CSRF-Token only', async () => {
    const p = await makePerson(t, ['administrator'], { displayName: 'Root Person' });
    const s = await signIn(t, p);
    expect((await t.app.inject({ method: 'GET', url: '/admin/v1/queues', headers: sessionHeaders(s, false) })).statusCode).toBe(200);
    const name = `cookie-queue-${Date.now()}`;
    const payload = { name, timezone: 'America/New_York' };
    const missing = await t.app.inject({ method: 'POST', url: '/admin/v1/queues', headers: sessionHeaders(s, false), payload });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().error).toBe('CSRF');
    const wrong = await t.app.inject({ method: 'POST', url: '/admin/v1/queues', headers: { cookie: s.cookie, 'x-csrf-token': 'x'.repeat(43) }, payload });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error).toBe('CSRF');
    // Another session's token does not do either.
    const other = await signIn(t, p);
    const crossed = await t.app.inject({ method: 'POST', url: '/admin/v1/queues', headers: { cookie: s.cookie, 'x-csrf-token': other.csrfToken }, payload });
    expect(crossed.statusCode).toBe(403);
    expect(await t.database.db.selectFrom('queues').select('id').where('name', '=', name).executeTakeFirst()).toBeUndefined();
    const ok = await t.app.inject({ method: 'POST', url: '/admin/v1/queues', headers: sessionHeaders(s), payload });
    expect(ok.statusCode).toBe(201);
    // The audit log names the person.
    const audit = await t.app.inject({ method: 'GET', url: `/admin/v1/audit?entity=queue&entityId=${ok.json().id}`, headers: sessionHeaders(s, false) });
    expect(audit.json().items[0]).toMatchObject({ actor: p.id, actorName: 'Root Person', actorKind: 'user', action: 'create' });
  });

  it('the cookie opens neither the data actions nor the event webhooks', async () => {
    const p = await makePerson(t, ['administrator', 'actions', 'events']);
    const s = await signIn(t, p);
    const action = await t.app.inject({ method: 'POST', url: '/actions/v1/availability', headers: sessionHeaders(s), payload: { queue: 'Demo' } });
    expect(action.statusCode).toBe(401);
    const event = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-start', headers: sessionHeaders(s), payload: {} });
    expect(event.statusCode).toBe(401);
  });

  it('a bearer request is unaffected by a cookie next to it (no CSRF token needed)', async () => {
    const p = await makePerson(t, ['monitor']);
    const s = await signIn(t, p);
    const admin = await authHeader(t, ['administrator']);
    const res = await t.app.inject({ method: 'POST', url: '/admin/v1/queues', headers: { ...admin.headers, cookie: s.cookie }, payload: { name: `bearer-q-${Date.now()}`, timezone: 'UTC' } });
    expect(res.statusCode).toBe(201);
  });

  it('ends after the idle timeout, slides with activity, and ends at its absolute lifetime', async () => {
    const p = await makePerson(t, ['monitor']);
    const s = await signIn(t, p);
    const get = () => t.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie: s.cookie } });
    // Active every 15 minutes for 11 hours 45 minutes: still signed in (each use slides the idle timeout).
    for (let i = 0; i < 47; i++) {
      clock.advance(15 * 60_000);
      expect((await get()).statusCode, `after ${(i + 1) * 15} minutes`).toBe(200);
    }
    // 12 hours after sign-in it ends, however active.
    clock.advance(15 * 60_000);
    expect((await get()).statusCode).toBe(401);

    const idle = await signIn(t, p);
    clock.advance(19 * 60_000);
    expect((await t.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie: idle.cookie } })).statusCode).toBe(200);
    clock.advance(20 * 60_000 + 1);
    const ended = await t.app.inject({ method: 'GET', url: '/admin/v1/queues', headers: { cookie: idle.cookie } });
    expect(ended.statusCode).toBe(401);
    // And it is gone server side.
    expect(await t.database.db.selectFrom('sessions').select('id_hash').where('user_id', '=', p.id).execute()).toEqual([]);
  });

  it('touches last_seen at most once a minute', async () => {
    const p = await makePerson(t, ['monitor']);
    const s = await signIn(t, p);
    const seen = async () => (await t.database.db.selectFrom('sessions').select('last_seen_at').where('user_id', '=', p.id).executeTakeFirstOrThrow()).last_seen_at.getTime();
    const first = await seen();
    clock.advance(30_000);
    await Promise.all(Array.from({ length: 20 }, () => t.app.inject({ method: 'GET', url: '/admin/v1/queues', headers: { cookie: s.cookie } })));
    expect(await seen()).toBe(first);
    clock.advance(31_000);
    await t.app.inject({ method: 'GET', url: '/admin/v1/queues', headers: { cookie: s.cookie } });
    expect(await seen()).toBe(clock.now().getTime());
  });

  it('sign-out ends the session server side and clears the cookie; it needs the CSRF token', async () => {
    const p = await makePerson(t, ['monitor']);
    const s = await signIn(t, p);
    const refused = await t.app.inject({ method: 'DELETE', url: '/auth/v1/session', headers: { cookie: s.cookie } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toBe('CSRF');
    const res = await t.app.inject({ method: 'DELETE', url: '/auth/v1/session', headers: sessionHeaders(s) });
    expect(res.statusCode).toBe(204);
    expect(String(res.headers['set-cookie'])).toMatch(/cbe_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await t.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie: s.cookie } })).statusCode).toBe(401);
    // Without a live session it only clears the cookie.
    expect((await t.app.inject({ method: 'DELETE', url: '/auth/v1/session', headers: { cookie: s.cookie } })).statusCode).toBe(204);
  });
});

describe('revocation', () => {
  it('disabling, changing roles or allow-list, setting the password and deleting sign the person out; a name change does not', async () => {
    const admin = await authHeader(t, ['administrator']);
    const p = await makePerson(t, ['supervisor']);
    const live = async (cookie: string) => (await t.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie } })).statusCode;
    const patch = (payload: object) => t.app.inject({ method: 'PATCH', url: `/admin/v1/users/${p.id}`, headers: admin.headers, payload });

    let s = await signIn(t, p);
    expect((await patch({ displayName: 'Renamed' })).statusCode).toBe(200);
    expect(await live(s.cookie)).toBe(200);

    expect((await patch({ roles: ['monitor'] })).statusCode).toBe(200);
    expect(await live(s.cookie)).toBe(401);

    s = await signIn(t, p);
    expect((await patch({ queues: ['Demo'] })).statusCode).toBe(200);
    expect(await live(s.cookie)).toBe(401);

    s = await signIn(t, p);
    expect((await patch({ disabled: true })).statusCode).toBe(200);
    expect(await live(s.cookie)).toBe(401);
    expect((await patch({ disabled: false })).statusCode).toBe(200);

    s = await signIn(t, p);
    const pw = await t.app.inject({ method: 'POST', url: `/admin/v1/users/${p.id}/password`, headers: admin.headers, payload: {} });
    expect(pw.statusCode).toBe(200);
    const newPassword = pw.json().password as string;
    expect(newPassword.length).toBeGreaterThanOrEqual(32);
    expect(await live(s.cookie)).toBe(401);

    s = await signIn(t, { username: p.username, password: newPassword });
    expect((await t.app.inject({ method: 'DELETE', url: `/admin/v1/users/${p.id}`, headers: admin.headers })).statusCode).toBe(204);
    expect(await live(s.cookie)).toBe(401);
  });
});

describe('login rate limits', () => {
  it('after 5 failures for a username every attempt is 429 with Retry-After, the right password too, until the window ends', async () => {
    const p = await makePerson(t, ['monitor']);
    const attempt = (password: string) => t.app.inject({ method: 'POST', url: '/auth/v1/session', payload: { username: p.username, password } });
    const failures = await Promise.all(Array.from({ length: 5 }, () => attempt('wrong-password!')));
    expect(failures.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401]);
    const limited = await attempt(p.password);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error).toBe('RATE_LIMITED');
    // Another username from the same address is not held back by this one.
    const other = await makePerson(t, ['monitor']);
    expect((await signIn(t, other)).res.statusCode).toBe(200);
    clock.advance(15 * 60_000 + 1000);
    expect((await attempt(p.password)).statusCode).toBe(200);
  });

  it('per IP: many usernames from one address are limited too', async () => {
    const limited = await buildTestApp({ url: t.url, clock, env: { LOGIN_RATE_LIMIT_PER_USERNAME: '100', LOGIN_RATE_LIMIT_PER_IP: '3' } });
    try {
      const p = await makePerson(t, ['monitor']);
      for (let i = 0; i < 3; i++) {
        const res = await limited.app.inject({ method: 'POST', url: '/auth/v1/session', payload: { username: `guess-${i}`, password: 'guess-password' } });
        expect(res.statusCode).toBe(401);
      }
      const res = await limited.app.inject({ method: 'POST', url: '/auth/v1/session', payload: { username: p.username, password: p.password } });
      expect(res.statusCode).toBe(429);
      const elsewhere = await limited.app.inject({ method: 'POST', url: '/auth/v1/session', remoteAddress: '10.1.2.3', payload: { username: p.username, password: p.password } });
      expect(elsewhere.statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('the audit log of person accounts', () => {
  it('a restricted administrator reads the entries of accounts within its access only; no entry holds a password or its hash', async () => {
    const root = await authHeader(t, ['administrator']);
    const q = `audit-q-${Date.now()}`;
    expect((await t.app.inject({ method: 'POST', url: '/admin/v1/queues', headers: root.headers, payload: { name: q, timezone: 'UTC' } })).statusCode).toBe(201);
    const mine = await t.app.inject({ method: 'POST', url: '/admin/v1/users', headers: root.headers, payload: { username: `mine-${Date.now()}`, roles: ['supervisor'], queues: [q], password: 'chosen-password-1234' } });
    const wide = await t.app.inject({ method: 'POST', url: '/admin/v1/users', headers: root.headers, payload: { username: `wide-${Date.now()}`, roles: ['supervisor'] } });
    const restricted = await authHeader(t, ['administrator'], { queues: [q] });
    const read = async (id: string) => (await t.app.inject({ method: 'GET', url: `/admin/v1/audit?entity=user&entityId=${id}`, headers: restricted.headers })).json().items as unknown[];
    expect(await read(mine.json().user.id)).toHaveLength(1);
    expect(await read(wide.json().user.id)).toEqual([]);
    const all = await t.app.inject({ method: 'GET', url: '/admin/v1/audit?entity=user&limit=250', headers: root.headers });
    expect(all.body).not.toContain('chosen-password-1234');
    expect(all.body).not.toContain('scrypt$');
    expect(all.body).not.toContain(wide.json().password);
  });
});
