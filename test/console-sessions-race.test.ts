import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaches } from '../src/context.js';
import { createSimulatedGateway } from '../src/genesys/simulated-gateway.js';
import { buildTaskList } from '../src/jobs/tasks.js';
import { createLogger } from '../src/logger.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { makePerson, sessionHeaders, signIn } from './helpers/people.js';

/**
 * Sessions across replicas and under load: a session opened on one app works on another on the same
 * database, a revocation on one is seen at once by the other (no cache), requests racing a disable
 * never get through after it, and ended sessions are cleaned up by the hourly job.
 */

const clock = new TestClock(new Date());
let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await buildTestApp({ clock, captureLogs: true, env: { DATABASE_POOL_MAX: '30', RATE_LIMIT_MAX: '1000000' } });
  b = await buildTestApp({ url: a.url, clock, env: { DATABASE_POOL_MAX: '30', RATE_LIMIT_MAX: '1000000' } });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

describe('two apps on one database', () => {
  it('a session from one works on the other; signing out or disabling on one ends it on both at once', async () => {
    const p = await makePerson(a, ['administrator']);
    const s = await signIn(a, p);
    expect((await b.app.inject({ method: 'GET', url: '/admin/v1/queues', headers: sessionHeaders(s, false) })).statusCode).toBe(200);
    expect((await b.app.inject({ method: 'POST', url: '/admin/v1/queues', headers: sessionHeaders(s), payload: { name: `two-apps-${Date.now()}`, timezone: 'UTC' } })).statusCode).toBe(201);
    expect((await b.app.inject({ method: 'DELETE', url: '/auth/v1/session', headers: sessionHeaders(s) })).statusCode).toBe(204);
    expect((await a.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie: s.cookie } })).statusCode).toBe(401);

    const again = await signIn(b, p);
    const admin = await authHeader(a, ['administrator']);
    expect((await a.app.inject({ method: 'PATCH', url: `/admin/v1/users/${p.id}`, headers: admin.headers, payload: { disabled: true } })).statusCode).toBe(200);
    expect((await b.app.inject({ method: 'GET', url: '/admin/v1/queues', headers: { cookie: again.cookie } })).statusCode).toBe(401);
  });

  it('requests racing a role change on the other app: none succeeds once the change has committed', async () => {
    const p = await makePerson(a, ['administrator']);
    const s = await signIn(a, p);
    const admin = await authHeader(b, ['administrator']);
    let committedAt = Number.POSITIVE_INFINITY;
    const requests = Array.from({ length: 120 }, async (_, i) => {
      const app = i % 2 === 0 ? a : b;
      const started = performance.now();
      const res = await app.app.inject({ method: 'GET', url: '/admin/v1/users', headers: sessionHeaders(s, false) });
      return { started, status: res.statusCode };
    });
    const change = b.app.inject({ method: 'PATCH', url: `/admin/v1/users/${p.id}`, headers: admin.headers, payload: { roles: ['monitor'] } }).then((res) => {
      committedAt = performance.now();
      return res;
    });
    const [answers, changed] = await Promise.all([Promise.all(requests), change]);
    expect(changed.statusCode).toBe(200);
    // Every request is either allowed (it read the session before the change) or refused; none started after the commit got in.
    for (const r of answers) expect([200, 401]).toContain(r.status);
    expect(answers.filter((r) => r.started > committedAt && r.status === 200)).toEqual([]);
    expect((await a.app.inject({ method: 'GET', url: '/admin/v1/users', headers: sessionHeaders(s, false) })).statusCode).toBe(401);
  });

  it('many sign-ins at once, on both apps, each get their own session', async () => {
    const p = await makePerson(a, ['monitor']);
    const sessions = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn(i % 2 === 0 ? a : b, p)));
    expect(new Set(sessions.map((s) => s.cookie)).size).toBe(40);
    expect(new Set(sessions.map((s) => s.csrfToken)).size).toBe(40);
    const rows = await a.database.db.selectFrom('sessions').select('id_hash').where('user_id', '=', p.id).execute();
    expect(rows).toHaveLength(40);
  });
});

describe('secrets stay out of the log', () => {
  it('no password, cookie value or CSRF token is logged on sign-in, use or sign-out', async () => {
    const p = await makePerson(a, ['administrator'], { password: 'a-very-particular-password' });
    a.logs.length = 0;
    await a.app.inject({ method: 'POST', url: '/auth/v1/session', payload: { username: p.username, password: 'not-the-right-one!' } });
    const s = await signIn(a, p);
    await a.app.inject({ method: 'POST', url: '/admin/v1/queues', headers: sessionHeaders(s), payload: { name: `logged-${Date.now()}`, timezone: 'UTC' } });
    await a.app.inject({ method: 'DELETE', url: '/auth/v1/session', headers: sessionHeaders(s) });
    // The Genesys sign-in callback's authorization code and state are in its URL: the request line hides them.
    await a.app.inject({ method: 'GET', url: '/auth/v1/genesys/callback?code=an-authorization-code&state=a-sign-in-state' });
    const log = a.logs.join('');
    expect(log).toContain('console sign-in');
    expect(log).toContain('/auth/v1/genesys/callback?code=[redacted]&state=[redacted]');
    for (const secret of ['a-very-particular-password', 'not-the-right-one!', s.cookie.split('=')[1]!, s.csrfToken, 'an-authorization-code', 'a-sign-in-state']) expect(log).not.toContain(secret);
  });
});

describe('the purge-sessions job', () => {
  it('deletes sessions past their idle timeout or lifetime and stale Genesys sign-in requests, and keeps live ones', async () => {
    const p = await makePerson(a, ['monitor']);
    const idle = await signIn(a, p);
    clock.advance(21 * 60_000);
    const live = await signIn(a, p);
    await a.database.db
      .insertInto('genesys_sign_in_requests')
      .values({ state_hash: `stale-${Date.now()}`, browser_hash: 'x', code_verifier: 'v'.repeat(43), created_at: new Date(clock.now().getTime() - 3_600_000), expires_at: new Date(clock.now().getTime() - 1) })
      .execute();
    const tasks = buildTaskList({ db: a.database.db, gateway: createSimulatedGateway(a.database.db), clock, caches: createCaches(), logger: createLogger('silent'), retentionDays: 14, sessionIdleMs: 20 * 60_000 });
    await (tasks['purge-sessions'] as (payload: unknown, helpers: unknown) => Promise<void>)({}, {});
    const rows = await a.database.db.selectFrom('sessions').select('id_hash').where('user_id', '=', p.id).execute();
    expect(rows).toHaveLength(1);
    expect((await a.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie: live.cookie } })).statusCode).toBe(200);
    expect((await a.app.inject({ method: 'GET', url: '/auth/v1/session', headers: { cookie: idle.cookie } })).statusCode).toBe(401);
    expect(await a.database.db.selectFrom('genesys_sign_in_requests').select('state_hash').where('expires_at', '<=', clock.now()).execute()).toEqual([]);
  });
});
