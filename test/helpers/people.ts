import type { LightMyRequestResponse } from 'fastify';
import type { Role } from '../../src/auth/caller.js';
import { createUser } from '../../src/users/service.js';
import type { TestApp } from './app.js';
import { testContext } from './context.js';

/** A person account, signed in or not, for tests of the console's server side. */
export interface TestPerson {
  id: string;
  username: string;
  password: string;
}

export interface SignedIn {
  /** `cbe_session=...`, for the Cookie header. */
  cookie: string;
  csrfToken: string;
  body: Record<string, unknown>;
  res: LightMyRequestResponse;
}

export async function makePerson(t: TestApp, roles: Role[], extra: { username?: string; displayName?: string; queues?: string[]; password?: string } = {}): Promise<TestPerson> {
  const username = extra.username ?? `person-${Math.random().toString(36).slice(2, 10)}`;
  const { user, password } = await createUser(testContext(t.database.db), {
    username,
    displayName: extra.displayName,
    roles,
    queues: extra.queues ?? null,
    password: extra.password,
  });
  return { id: user.id, username: user.username, password: extra.password ?? password! };
}

export function cookieOf(res: LightMyRequestResponse): string | undefined {
  const set = res.headers['set-cookie'];
  const lines = Array.isArray(set) ? set : set === undefined ? [] : [set];
  const line = lines.find((l) => l.startsWith('cbe_session='));
  return line?.split(';')[0];
}

export async function signIn(t: TestApp, person: Pick<TestPerson, 'username' | 'password'>, headers: Record<string, string> = {}): Promise<SignedIn> {
  const res = await t.app.inject({ method: 'POST', url: '/auth/v1/session', headers, payload: { username: person.username, password: person.password } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as Record<string, unknown>;
  return { cookie: cookieOf(res)!, csrfToken: body.csrfToken as string, body, res };
}

/** Headers for a request made by a signed-in person's browser: the cookie, and on writes the CSRF token. */
export function sessionHeaders(s: Pick<SignedIn, 'cookie' | 'csrfToken'>, write = true): Record<string, string> {
  return { cookie: s.cookie, ...(write && { 'x-csrf-token': s.csrfToken }) };
}
