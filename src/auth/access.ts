import { errors } from '../errors.js';
import type { Caller, Role } from './caller.js';

/**
 * The access model in one place. A client holds roles (which routes it may call) and an optional
 * queue allow-list (which queues' data those routes show and change). A restricted client sees and
 * changes only its queues and what hangs off them; configuration shared with other queues is
 * read-only to it; it can never hand out more access than it has.
 */

export interface QueueIdentity {
  id: string;
  name: string;
  genesys_queue_id: string | null;
}

/** Restricted to some queues (null allow-list = every queue). */
export function isRestricted(caller: Caller): boolean {
  return caller.queues !== null;
}

/** An allow-list names queues by name, our id or the Genesys queue id. */
export function mayUseQueue(caller: Caller, queue: QueueIdentity): boolean {
  const allowed = caller.queues;
  if (allowed === null) return true;
  return allowed.includes(queue.name) || allowed.includes(queue.id) || (queue.genesys_queue_id !== null && allowed.includes(queue.genesys_queue_id));
}

export function assertQueueAccess(caller: Caller, queue: QueueIdentity): void {
  if (!mayUseQueue(caller, queue)) throw errors.forbidden(`This client may not use queue "${queue.name}"`);
}

/** Changes only an unrestricted client may make (shared configuration, Genesys queue ids, ...). */
export function assertUnrestricted(caller: Caller, what: string): void {
  if (isRestricted(caller)) throw errors.forbidden(`A client restricted to some queues may not ${what}`);
}

export function hasRole(caller: Caller, role: Role): boolean {
  return caller.roles.includes(role);
}

/**
 * Data that hangs off a queue (a callback, an aging track, a preview contact, a simulated Genesys
 * call): a caller may use it when it may use that queue. What belongs to no known queue (a track
 * recorded without one, a preview contact no queue claims) is an unrestricted caller's alone.
 */
export function mayUseQueueData(caller: Caller, queue: QueueIdentity | null): boolean {
  return queue === null ? !isRestricted(caller) : mayUseQueue(caller, queue);
}

export function assertQueueDataAccess(caller: Caller, queue: QueueIdentity | null, what: string): void {
  if (!mayUseQueueData(caller, queue)) throw errors.forbidden(`This client may not use this ${what}: it belongs to no queue on its allow-list`);
}

/**
 * A forwarded event acts on a conversation only for a caller that may use every queue the
 * conversation touches (its callback's, its aging track's, the queue the event names); otherwise it
 * changes nothing and answers IGNORED.
 */
export function mayActOnConversation(caller: Caller, queues: readonly (QueueIdentity | null)[]): boolean {
  return queues.every((q) => mayUseQueueData(caller, q));
}
