/** The roles a client can hold; each opens one part of the API (see the README's access table). */
export const ROLES = ['administrator', 'supervisor', 'monitor', 'developer', 'actions', 'events'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is asking: an API client (from its token, with its current roles and queue allow-list) or the
 * service itself (jobs, the CLI, demo seeding), named so that histories and the audit log say which.
 * There is no anonymous caller below the routes: every service call names one.
 */
export interface Caller {
  kind: 'client' | 'system';
  /** The client's id, or the system caller's name (`worker`, `maintenance`, `cli`, `demo`). */
  id: string;
  /** The client's name, or the system caller's name. */
  name: string;
  roles: readonly Role[];
  /** Queue allow-list (names, ids or Genesys queue ids); null = every queue. */
  queues: readonly string[] | null;
  /** The request's correlation id, carried into the audit log. */
  correlationId?: string | undefined;
}

/** What the audit log and histories record of a caller. */
export type Actor = Pick<Caller, 'id' | 'name' | 'correlationId'>;

export function clientCaller(client: { id: string; name: string; roles: readonly Role[]; queues: readonly string[] | null }, correlationId?: string): Caller {
  return { kind: 'client', id: client.id, name: client.name, roles: client.roles, queues: client.queues, correlationId };
}

/** The service acting on its own: every role, every queue, recorded by what it was doing. */
export type SystemCallerName = 'worker' | 'maintenance' | 'cli' | 'demo';

export function systemCaller(name: SystemCallerName, correlationId?: string): Caller {
  return { kind: 'system', id: name, name, roles: ROLES, queues: null, correlationId };
}
