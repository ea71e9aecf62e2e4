import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/types.js';
import { errors } from '../errors.js';

export type QueueReference = 'business_hours_id' | 'capacity_rule_id' | 'number_rule_id' | 'prioritization_policy_id';

/** Queues that use a rule or hours, by id; for GET answers and for refusing deletes. */
export async function queuesUsing(db: Kysely<DB> | Transaction<DB>, column: QueueReference, ids: string[]) {
  const byId = new Map<string, { id: string; name: string }[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byId;
  const rows = await db.selectFrom('queues').select(['id', 'name', column]).where(column, 'in', ids).orderBy('name').execute();
  for (const row of rows) byId.get(row[column] as string)?.push({ id: row.id, name: row.name });
  return byId;
}

/** A rule or hours assigned to a queue cannot be deleted: 409 listing those queues. */
export async function refuseDeleteWhileUsed(trx: Transaction<DB>, column: QueueReference, id: string, what: string): Promise<void> {
  const users = (await queuesUsing(trx, column, [id])).get(id) ?? [];
  if (users.length > 0) {
    throw errors.conflict(`The ${what} is assigned to ${users.length} queue(s): ${users.map((q) => q.name).join(', ')}`, { queues: users });
  }
}
