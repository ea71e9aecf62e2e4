import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import type { DB, PrioritizationPoliciesTable, PrioritizationPolicyRow } from '../db/types.js';

type Db = Kysely<DB> | Transaction<DB>;

export const POLICY_COLUMNS = [
  'id',
  'name',
  'mode',
  'initial_delay_seconds',
  'interval_seconds',
  'increment',
  'base_priority',
  'points_per_minute',
  'max_steps',
  'max_priority',
  'created_at',
  'updated_at',
] as const;

export function insertPolicy(trx: Transaction<DB>, values: Insertable<PrioritizationPoliciesTable>): Promise<PrioritizationPolicyRow> {
  return trx.insertInto('prioritization_policies').values(values).returning(POLICY_COLUMNS).executeTakeFirstOrThrow();
}

export function listPolicyRows(db: Db): Promise<PrioritizationPolicyRow[]> {
  return db.selectFrom('prioritization_policies').select(POLICY_COLUMNS).orderBy('name').execute();
}

export function findPolicy(db: Db, id: string): Promise<PrioritizationPolicyRow | undefined> {
  return db.selectFrom('prioritization_policies').select(POLICY_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function lockPolicy(trx: Transaction<DB>, id: string): Promise<PrioritizationPolicyRow | undefined> {
  return trx.selectFrom('prioritization_policies').select(POLICY_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updatePolicyRow(trx: Transaction<DB>, id: string, values: Updateable<PrioritizationPoliciesTable>): Promise<PrioritizationPolicyRow> {
  return trx.updateTable('prioritization_policies').set(values).where('id', '=', id).returning(POLICY_COLUMNS).executeTakeFirstOrThrow();
}

export async function deletePolicyRow(trx: Transaction<DB>, id: string): Promise<void> {
  await trx.deleteFrom('prioritization_policies').where('id', '=', id).execute();
}
