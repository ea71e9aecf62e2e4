import type { Kysely, Transaction } from 'kysely';
import { assertMayChangeShared, visibleQueues, type ConfigUsers, type QueueIdentity } from '../auth/access.js';
import type { Caller } from '../auth/caller.js';
import { campaignQueuesUsing } from '../campaigns/queries.js';
import type { DB } from '../db/types.js';
import { errors } from '../errors.js';

export type QueueReference = 'business_hours_id' | 'capacity_rule_id' | 'number_rule_id' | 'prioritization_policy_id' | 'callback_retry_policy_id';

type Db = Kysely<DB> | Transaction<DB>;

/** The queue columns naming each kind of configuration: business hours are a queue's hours or its immediate offer hours. */
const COLUMNS_OF: Partial<Record<QueueReference, ('business_hours_id' | 'immediate_offer_hours_id')[]>> = { business_hours_id: ['business_hours_id', 'immediate_offer_hours_id'] };

/** Queues that use a rule or hours, by id; for GET answers and for refusing deletes. */
export async function queuesUsing(db: Db, column: QueueReference, ids: string[]): Promise<Map<string, QueueIdentity[]>> {
  const byId = new Map<string, QueueIdentity[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byId;
  const columns = COLUMNS_OF[column] ?? [column];
  const rows = await db
    .selectFrom('queues')
    .select(['id', 'name', 'genesys_queue_id', ...columns])
    .where((eb) => eb.or(columns.map((c) => eb(c, 'in', ids))))
    .orderBy('name')
    .execute();
  for (const row of rows) {
    const used = new Set(columns.map((c) => (row as Record<string, unknown>)[c] as string | null));
    for (const id of used) if (id !== null) byId.get(id)?.push({ id: row.id, name: row.name, genesys_queue_id: row.genesys_queue_id });
  }
  return byId;
}

/**
 * Everything one piece of configuration affects, for the shared-configuration rule: the queues using
 * it, and the queues of campaigns using it (hours and number rules; a campaign without a queue
 * stands for every queue).
 */
export async function configUsers(db: Db, column: QueueReference, id: string): Promise<ConfigUsers> {
  const queues = (await queuesUsing(db, column, [id])).get(id) ?? [];
  if (column !== 'business_hours_id' && column !== 'number_rule_id') return { queues, everyQueue: false };
  const viaCampaigns = await campaignQueuesUsing(db, column, id);
  return { queues: [...queues, ...viaCampaigns.queues], everyQueue: viaCampaigns.unscoped };
}

/** A rule or hours assigned to a queue cannot be deleted: 409 listing those queues. */
export async function refuseDeleteWhileUsed(trx: Transaction<DB>, column: QueueReference, id: string, what: string): Promise<void> {
  const users = (await queuesUsing(trx, column, [id])).get(id) ?? [];
  if (users.length > 0) {
    throw errors.conflict(`The ${what} is assigned to ${users.length} queue(s): ${users.map((q) => q.name).join(', ')}`, { queues: users.map((q) => ({ id: q.id, name: q.name })) });
  }
}

/** Refuses (403) a change to shared configuration that affects queues outside the caller's allow-list. */
export async function guardSharedChange(trx: Transaction<DB>, caller: Caller, column: QueueReference, id: string, what: string): Promise<void> {
  assertMayChangeShared(caller, what, await configUsers(trx, column, id));
}

/** The queues a GET answer lists as using some configuration: those the caller may see. */
export function queueRefs(caller: Caller, queues: readonly QueueIdentity[] | undefined): { id: string; name: string }[] {
  return visibleQueues(caller, queues ?? []).map((q) => ({ id: q.id, name: q.name }));
}
