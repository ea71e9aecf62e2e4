import type { ActorKind, SignInMethod } from '../vocabulary.js';

/** The roles a client can hold; each opens one part of the API (see the README's access table). */
export const ROLES = ['administrator', 'supervisor', 'monitor', 'developer', 'actions', 'events'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is asking: an API client (from its token, with its current roles and queue allow-list) or the
 * service itself (jobs, the CLI, demo seeding), named so that histories and the audit log say which.
 * There is no anonymous caller below the routes: every service call names one.
 */
export interface Caller {
  kind: ActorKind;
  /** The client's or person's id, or the system caller's name (`worker`, `maintenance`, `cli`, `demo`). */
  id: string;
  /** The client's name, the person's display name, or the system caller's name. */
  name: string;
  roles: readonly Role[];
  /** Queue allow-list (names, ids or Genesys queue ids); null = every queue. */
  queues: readonly string[] | null;
  /** The request's correlation id, carried into the audit log. */
  correlationId?: string | undefined;
  /**
   * How a client called: absent for a server client (a bearer token); `publishable` for a browser or
   * app calling with a publishable key (`x-api-key`, no secret). A publishable caller is still
   * `kind: 'client'` (its id is the client's, what histories and the audit log record), holds only the
   * `actions` role and reaches only the routes marked `publishable` (see http/auth.ts).
   */
  channel?: 'publishable' | 'self-service' | undefined;
  /** With `channel: 'publishable'`: which of the client's keys was used (a rotation leaves two working for a while); with `self-service`, the key that created the callback. */
  keyId?: string | undefined;
  /** With `channel: 'publishable'`: the request's `Origin`, already checked against the key's origins; null when it came without one. */
  origin?: string | null | undefined;
}

/** What the audit log and histories record of a caller. */
export type Actor = Pick<Caller, 'kind' | 'id' | 'name' | 'correlationId'>;

export function clientCaller(client: { id: string; name: string; roles: readonly Role[]; queues: readonly string[] | null }, correlationId?: string): Caller {
  return { kind: 'client', id: client.id, name: client.name, roles: client.roles, queues: client.queues, correlationId };
}

/** A browser or app calling with a publishable key: the `actions` role on the key's queues, nothing else. */
export function publishableCaller(
  client: { id: string; name: string; queues: readonly string[] },
  key: { keyId: string; origin: string | null },
  correlationId?: string,
): Caller {
  return { kind: 'client', id: client.id, name: client.name, roles: ['actions'], queues: client.queues, correlationId, channel: 'publishable', keyId: key.keyId, origin: key.origin };
}

/**
 * A customer managing their own callback with its manage token (self-service): `kind: 'customer'`,
 * recorded under the publishable client whose key created the callback (its id; its name in the
 * actor's name), no role, and only that callback's queue.
 */
export function customerCaller(
  callback: { queue_id: string },
  via: { clientId: string; clientName: string; keyId: string | null },
  correlationId?: string,
): Caller {
  return {
    kind: 'customer',
    id: via.clientId,
    name: `customer via ${via.clientName}`,
    roles: [],
    queues: [callback.queue_id],
    correlationId,
    channel: 'self-service',
    keyId: via.keyId ?? undefined,
  };
}

/** A person signed in to the console (a session cookie), with its account's current roles and allow-list. */
export function userCaller(user: { id: string; name: string; roles: readonly Role[]; queues: readonly string[] | null }, correlationId?: string): Caller {
  return { kind: 'user', id: user.id, name: user.name, roles: user.roles, queues: user.queues, correlationId };
}

/** A person's console session, as authentication resolves it from the session cookie. */
export interface ConsoleSession {
  /** SHA-256 of the cookie's value: what the sessions table is keyed by. */
  idHash: string;
  csrfToken: string;
  method: SignInMethod;
  user: { id: string; username: string; name: string; roles: readonly Role[]; queues: readonly string[] | null };
  createdAt: Date;
  /** The absolute end of the session. */
  expiresAt: Date;
  /** When it ends without further activity (never after expiresAt). */
  idleExpiresAt: Date;
}

/** The service acting on its own: every role, every queue, recorded by what it was doing. */
export type SystemCallerName = 'worker' | 'maintenance' | 'cli' | 'demo' | 'genesys-sign-in';

export function systemCaller(name: SystemCallerName, correlationId?: string): Caller {
  return { kind: 'system', id: name, name, roles: ROLES, queues: null, correlationId };
}
