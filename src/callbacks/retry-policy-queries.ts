import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import type { CallbackRetryPoliciesTable, CallbackRetryPolicyRow, DB } from '../db/types.js';

/** Every statement on `callback_retry_policies`. */

type Db = Kysely<DB> | Transaction<DB>;

const COLUMNS = ['id', 'name', 'wrap_up_codes', 'wait_seconds', 'max_attempts', 'created_at', 'updated_at'] as const;

export function insertCallbackRetryPolicy(trx: Transaction<DB>, values: Insertable<CallbackRetryPoliciesTable>): Promise<CallbackRetryPolicyRow> {
  return trx.insertInto('callback_retry_policies').values(values).returning(COLUMNS).executeTakeFirstOrThrow();
}

export function listCallbackRetryPolicyRows(db: Db): Promise<CallbackRetryPolicyRow[]> {
  return db.selectFrom('callback_retry_policies').select(COLUMNS).orderBy('name').execute();
}

export function findCallbackRetryPolicy(db: Db, id: string): Promise<CallbackRetryPolicyRow | undefined> {
  return db.selectFrom('callback_retry_policies').select(COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function lockCallbackRetryPolicy(trx: Transaction<DB>, id: string): Promise<CallbackRetryPolicyRow | undefined> {
  return trx.selectFrom('callback_retry_policies').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The policy of a callback's queue, if it has one. */
export function callbackRetryPolicyOfQueue(db: Db, queueId: string): Promise<CallbackRetryPolicyRow | undefined> {
  return db
    .selectFrom('queues')
    .innerJoin('callback_retry_policies as p', 'p.id', 'queues.callback_retry_policy_id')
    .select(COLUMNS.map((c) => `p.${c}` as const))
    .where('queues.id', '=', queueId)
    .executeTakeFirst();
}

export function updateCallbackRetryPolicyRow(trx: Transaction<DB>, id: string, values: Updateable<CallbackRetryPoliciesTable>): Promise<CallbackRetryPolicyRow> {
  return trx.updateTable('callback_retry_policies').set(values).where('id', '=', id).returning(COLUMNS).executeTakeFirstOrThrow();
}

export async function deleteCallbackRetryPolicyRow(trx: Transaction<DB>, id: string): Promise<void> {
  await trx.deleteFrom('callback_retry_policies').where('id', '=', id).execute();
}
