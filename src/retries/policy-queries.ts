import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import type { DB, RetryPoliciesTable, RetryPolicyRow } from '../db/types.js';

type Db = Kysely<DB> | Transaction<DB>;

export const RETRY_POLICY_COLUMNS = ['id', 'name', 'match', 'wait_seconds', 'max_attempts', 'clear_system_data', 'priority', 'created_at', 'updated_at'] as const;

export function insertRetryPolicy(trx: Transaction<DB>, values: Insertable<RetryPoliciesTable>): Promise<RetryPolicyRow> {
  return trx.insertInto('retry_policies').values(values).returning(RETRY_POLICY_COLUMNS).executeTakeFirstOrThrow();
}

export function listRetryPolicyRows(db: Db): Promise<RetryPolicyRow[]> {
  return db.selectFrom('retry_policies').select(RETRY_POLICY_COLUMNS).orderBy('name').execute();
}

export function findRetryPolicy(db: Db, id: string): Promise<RetryPolicyRow | undefined> {
  return db.selectFrom('retry_policies').select(RETRY_POLICY_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** The policy for a wrap-up code or last result (match is unique). */
export function findRetryPolicyByMatch(db: Db, match: string): Promise<RetryPolicyRow | undefined> {
  return db.selectFrom('retry_policies').select(RETRY_POLICY_COLUMNS).where('match', '=', match).executeTakeFirst();
}

export function lockRetryPolicy(trx: Transaction<DB>, id: string): Promise<RetryPolicyRow | undefined> {
  return trx.selectFrom('retry_policies').select(RETRY_POLICY_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updateRetryPolicyRow(trx: Transaction<DB>, id: string, values: Updateable<RetryPoliciesTable>): Promise<RetryPolicyRow> {
  return trx.updateTable('retry_policies').set(values).where('id', '=', id).returning(RETRY_POLICY_COLUMNS).executeTakeFirstOrThrow();
}

export async function deleteRetryPolicyRow(trx: Transaction<DB>, id: string): Promise<void> {
  await trx.deleteFrom('retry_policies').where('id', '=', id).execute();
}
