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
 * recorded without one, a preview contact no queue claims, a campaign without a queue) is an unrestricted caller's alone.
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
 * A campaign belongs to its queue like other queue data; one without a queue (created before
 * campaigns had one) is an unrestricted caller's alone.
 */
export function assertCampaignAccess(caller: Caller, campaign: { name: string }, queue: QueueIdentity | null): void {
  if (!mayUseQueueData(caller, queue)) throw errors.forbidden(`This client may not use campaign "${campaign.name}"`);
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

/** What a client is granted: its roles and its queue allow-list (null = every queue). */
export interface Access {
  roles: readonly Role[];
  queues: readonly string[] | null;
}

/**
 * Whether one allow-list entry reaches only queues the caller may use. Entries name queues by name,
 * id or Genesys id, so they are compared by the queues they resolve to (a queue's name and its id are
 * the same queue); an entry the caller's own list holds verbatim always reaches the same queues.
 * An entry that names no queue today is beyond a restricted caller: it would reach whatever queue
 * takes that name later.
 */
function entryWithin(caller: Caller, entry: string, known: readonly QueueIdentity[]): boolean {
  if (caller.queues === null || caller.queues.includes(entry)) return true;
  const reached = known.filter((queue) => mayUseQueue({ ...caller, queues: [entry] }, queue));
  return reached.length > 0 && reached.every((queue) => mayUseQueue(caller, queue));
}

/**
 * Roles choose which routes a client calls; its allow-list which queues' data they reach. Making the
 * flows' and triggers' clients for its queues is an administrator's job, so an administrator grants
 * every role; any other caller only roles it holds.
 */
function mayGrantRole(caller: Caller, role: Role): boolean {
  return hasRole(caller, 'administrator') || hasRole(caller, role);
}

/**
 * Whether the caller may hand out this access: an unrestricted caller any; a restricted one only
 * roles it may grant (mayGrantRole) and queues on its own allow-list (an unrestricted allow-list is
 * beyond any list). `known` is every queue, to resolve allow-list entries with.
 */
export function mayGrant(caller: Caller, access: Access, known: readonly QueueIdentity[]): boolean {
  if (!isRestricted(caller)) return true;
  if (!access.roles.every((role) => mayGrantRole(caller, role))) return false;
  return access.queues !== null && access.queues.every((entry) => entryWithin(caller, entry, known));
}

export function assertMayGrant(caller: Caller, access: Access, known: readonly QueueIdentity[]): void {
  if (mayGrant(caller, access, known)) return;
  const roles = access.roles.filter((role) => !mayGrantRole(caller, role));
  throw errors.forbidden(
    roles.length > 0
      ? `This client may not grant roles it does not hold: ${roles.join(', ')}`
      : 'This client may not grant queues beyond its own allow-list',
  );
}

/**
 * A principal — an API client or a person's account — holds access the same way: roles and a queue
 * allow-list. `kind` tells whose id `id` is (client and user ids never name the same principal).
 */
export interface Principal {
  kind: 'client' | 'user';
  id: string;
}

const PRINCIPAL_WORD: Record<Principal['kind'], string> = { client: 'client', user: 'user' };

/**
 * A principal is in the caller's scope when its access is within the caller's own: only then may the
 * caller see it, change it, disable or delete it, or set its secret or password.
 */
export function assertPrincipalInScope(caller: Caller, principal: Access, known: readonly QueueIdentity[], kind: Principal['kind'] = 'client'): void {
  if (!mayGrant(caller, principal, known)) throw errors.forbidden(`This ${PRINCIPAL_WORD[kind]}'s access is beyond the caller's own`);
}

/**
 * No principal changes its own roles or allow-list, however unrestricted: access is changed by
 * another administrator (or the CLI), so no one widens itself and no one locks itself out by accident.
 */
export function assertNotOwnAccessChange(caller: Caller, principal: Principal, before: Access, after: Access): void {
  if (caller.kind !== principal.kind || caller.id !== principal.id) return;
  const same = (a: readonly string[] | null, b: readonly string[] | null) =>
    a === null || b === null ? a === b : a.length === b.length && a.every((x) => b.includes(x));
  if (!same(before.roles, after.roles) || !same(before.queues, after.queues)) {
    throw errors.forbidden(`A ${PRINCIPAL_WORD[principal.kind]} may not change its own roles or queue allow-list`);
  }
}

/** Disabling or deleting oneself would lock the caller out mid-change: another administrator does it. */
export function assertNotSelf(caller: Caller, principal: Principal, what: string): void {
  if (caller.kind === principal.kind && caller.id === principal.id) throw errors.forbidden(`A ${PRINCIPAL_WORD[principal.kind]} may not ${what} itself`);
}

/** A queue with the shared configuration it uses, as the audit scope needs it. */
export interface QueueWithConfigIds extends QueueIdentity {
  business_hours_id: string | null;
  capacity_rule_id: string | null;
  number_rule_id: string | null;
  prioritization_policy_id: string | null;
  callback_retry_policy_id: string | null;
  immediate_offer_hours_id?: string | null;
}

/**
 * What of the audit log a caller reads: null for an unrestricted caller (everything). A restricted
 * caller reads its own entries, and those of entities in its scope: queues on its allow-list, the
 * configuration those queues use (business hours, capacity and number rules, prioritization
 * and callback retry policies), its queues' campaigns and call-in groups, and clients and person accounts whose access is within its own. Everything else — configuration no queue of
 * its own uses, campaigns of other queues or of none, retry policies and settings, which belong to
 * no queue, and entities that no longer exist — is for unrestricted callers.
 */
export function auditScope(
  caller: Caller,
  queues: readonly QueueWithConfigIds[],
  clients: readonly (Access & { id: string })[],
  campaigns: readonly { id: string; queueId: string | null }[] = [],
  users: readonly (Access & { id: string })[] = [],
  callInGroups: readonly { id: string; queueId: string | null }[] = [],
): { actor: string; entities: Record<string, string[]> } | null {
  if (!isRestricted(caller)) return null;
  const mine = queues.filter((queue) => mayUseQueue(caller, queue));
  const ids = (pick: (queue: QueueWithConfigIds) => string | null) => [...new Set(mine.map(pick).filter((id): id is string => id !== null))];
  return {
    actor: caller.id,
    entities: {
      queue: ids((queue) => queue.id),
      'business-hours': [...new Set([...ids((queue) => queue.business_hours_id), ...ids((queue) => queue.immediate_offer_hours_id ?? null)])],
      'capacity-rule': ids((queue) => queue.capacity_rule_id),
      'number-rule': ids((queue) => queue.number_rule_id),
      'prioritization-policy': ids((queue) => queue.prioritization_policy_id),
      'callback-retry-policy': ids((queue) => queue.callback_retry_policy_id),
      client: clients.filter((client) => mayGrant(caller, client, queues)).map((client) => client.id),
      user: users.filter((user) => mayGrant(caller, user, queues)).map((user) => user.id),
      campaign: campaigns.filter((campaign) => campaign.queueId !== null && mine.some((queue) => queue.id === campaign.queueId)).map((campaign) => campaign.id),
      'call-in-group': callInGroups.filter((group) => group.queueId !== null && mine.some((queue) => queue.id === group.queueId)).map((group) => group.id),
    },
  };
}

/**
 * What only the contact center decides about a callback: a browser or app with a publishable key
 * books for a customer, who may not raise its routing priority, claim time already waited (credited
 * by aging) or tie it to an IVR conversation.
 */
export const CENTER_ONLY_CREATE_FIELDS = ['priority', 'waitedSeconds', 'conversationId', 'skills', 'language', 'preferredAgentIds', 'ownerAgentId', 'ownershipHours', 'callerId', 'callerIdName', 'scriptId', 'routingLabel', 'preserveOriginal'] as const;

export function assertCustomerMaySet(caller: Caller, input: Partial<Record<(typeof CENTER_ONLY_CREATE_FIELDS)[number], unknown>>): void {
  if (caller.channel !== 'publishable') return;
  for (const field of CENTER_ONLY_CREATE_FIELDS) {
    if (input[field] !== undefined) throw errors.validation(field, `${field} is set by the contact center's flows, not through a publishable key`);
  }
}
