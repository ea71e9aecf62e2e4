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
 * Who uses a piece of shared configuration (hours, capacity and number rules, policies): the queues
 * that point at it, directly or through a campaign. `everyQueue`: it applies to all queues (retry
 * policies, preview settings) or to something no allow-list names (a campaign without a queue).
 */
export interface ConfigUsers {
  queues: readonly QueueIdentity[];
  everyQueue: boolean;
}

/**
 * Shared configuration is changed (updated, replaced, deleted) only by a caller that may use every
 * queue it affects: an unrestricted client always; a restricted one only what its own queues use,
 * or what nothing uses yet. Pointing a queue at configuration is not a change of it.
 */
export function mayChangeShared(caller: Caller, users: ConfigUsers): boolean {
  if (!isRestricted(caller)) return true;
  return !users.everyQueue && users.queues.every((q) => mayUseQueue(caller, q));
}

export function assertMayChangeShared(caller: Caller, what: string, users: ConfigUsers): void {
  if (!mayChangeShared(caller, users)) {
    throw errors.forbidden(`The ${what} is also used by queues outside this client's allow-list; only an unrestricted administrator may change it`);
  }
}

/** What a restricted caller is shown of the queues using some configuration: its own. */
export function visibleQueues<Q extends QueueIdentity>(caller: Caller, queues: readonly Q[]): Q[] {
  return queues.filter((q) => mayUseQueue(caller, q));
}

/**
 * A campaign belongs to its queue: a caller sees and changes it only if it may use that queue. A
 * campaign without a queue (created before campaigns had one) is an unrestricted caller's alone.
 */
export function mayUseCampaign(caller: Caller, queue: QueueIdentity | null): boolean {
  return queue === null ? !isRestricted(caller) : mayUseQueue(caller, queue);
}

export function assertCampaignAccess(caller: Caller, campaign: { name: string }, queue: QueueIdentity | null): void {
  if (!mayUseCampaign(caller, queue)) throw errors.forbidden(`This client may not use campaign "${campaign.name}"`);
}

/** A queue's Genesys queue id decides where flows naming it land: only an unrestricted client sets it. */
export function assertMaySetGenesysQueueId(caller: Caller): void {
  assertUnrestricted(caller, 'set or change genesysQueueId');
}

/**
 * Configuration that applies to every queue at once (retry policies, preview-retry settings): any
 * change to it, creating included, is an unrestricted client's.
 */
export function assertMayChangeGlobalConfig(caller: Caller, what: string): void {
  assertUnrestricted(caller, `change ${what}: they apply to every queue`);
}
