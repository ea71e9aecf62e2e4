import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import type { CapacityRuleRow, CapacityRulesTable, DB } from '../db/types.js';

type Db = Kysely<DB> | Transaction<DB>;

export const RULE_COLUMNS = ['id', 'name', 'timeslot_length', 'cells', 'created_at', 'updated_at'] as const;

export function insertRule(trx: Transaction<DB>, values: Insertable<CapacityRulesTable>): Promise<CapacityRuleRow> {
  return trx.insertInto('capacity_rules').values(values).returning(RULE_COLUMNS).executeTakeFirstOrThrow();
}

export function listRuleRows(db: Db): Promise<CapacityRuleRow[]> {
  return db.selectFrom('capacity_rules').select(RULE_COLUMNS).orderBy('name').execute();
}

export function findRule(db: Db, id: string): Promise<CapacityRuleRow | undefined> {
  return db.selectFrom('capacity_rules').select(RULE_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function lockRuleRow(trx: Transaction<DB>, id: string): Promise<CapacityRuleRow | undefined> {
  return trx.selectFrom('capacity_rules').select(RULE_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Holds the rule against changes (which lock it FOR UPDATE) until the transaction ends: a booking uses it. */
export async function shareRuleRow(trx: Transaction<DB>, id: string): Promise<void> {
  await trx.selectFrom('capacity_rules').select('id').where('id', '=', id).forShare().execute();
}

export function updateRuleRow(trx: Transaction<DB>, id: string, values: Updateable<CapacityRulesTable>): Promise<CapacityRuleRow> {
  return trx.updateTable('capacity_rules').set(values).where('id', '=', id).returning(RULE_COLUMNS).executeTakeFirstOrThrow();
}

export async function deleteRuleRow(trx: Transaction<DB>, id: string): Promise<void> {
  await trx.deleteFrom('capacity_rules').where('id', '=', id).execute();
}
