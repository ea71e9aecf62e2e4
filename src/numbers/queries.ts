import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import type { DB, NumberRuleRow, NumberRulesTable } from '../db/types.js';
import { UUID_RE } from '../ids.js';

type Db = Kysely<DB> | Transaction<DB>;

export const NUMBER_RULE_COLUMNS = ['id', 'name', 'permitted_countries', 'blocked_patterns', 'blocked_number_types', 'created_at', 'updated_at'] as const;

export function insertNumberRule(trx: Transaction<DB>, values: Insertable<NumberRulesTable>): Promise<NumberRuleRow> {
  return trx.insertInto('number_rules').values(values).returning(NUMBER_RULE_COLUMNS).executeTakeFirstOrThrow();
}

export function listNumberRuleRows(db: Db): Promise<NumberRuleRow[]> {
  return db.selectFrom('number_rules').select(NUMBER_RULE_COLUMNS).orderBy('name').execute();
}

export function findNumberRule(db: Db, id: string): Promise<NumberRuleRow | undefined> {
  return db.selectFrom('number_rules').select(NUMBER_RULE_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** A rule as a flow names it: by name, or by id. */
export function findNumberRuleByRef(db: Db, ref: string): Promise<NumberRuleRow | undefined> {
  const q = db.selectFrom('number_rules').select(NUMBER_RULE_COLUMNS);
  return (UUID_RE.test(ref) ? q.where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)])) : q.where('name', '=', ref)).executeTakeFirst();
}

export function lockNumberRule(trx: Transaction<DB>, id: string): Promise<NumberRuleRow | undefined> {
  return trx.selectFrom('number_rules').select(NUMBER_RULE_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updateNumberRuleRow(trx: Transaction<DB>, id: string, values: Updateable<NumberRulesTable>): Promise<NumberRuleRow> {
  return trx.updateTable('number_rules').set(values).where('id', '=', id).returning(NUMBER_RULE_COLUMNS).executeTakeFirstOrThrow();
}

export async function deleteNumberRuleRow(trx: Transaction<DB>, id: string): Promise<void> {
  await trx.deleteFrom('number_rules').where('id', '=', id).execute();
}
