import { sql, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { BusinessHoursRow, BusinessHoursTable, DB } from '../db/types.js';

type Db = Kysely<DB> | Transaction<DB>;

export const HOURS_COLUMNS = ['id', 'name', 'timezone', 'weekly', 'exceptions', 'recurring', 'holiday_calendars', 'revision', 'created_at', 'updated_at'] as const;

export function insertHours(trx: Transaction<DB>, values: Insertable<BusinessHoursTable>): Promise<BusinessHoursRow> {
  return trx.insertInto('business_hours').values(values).returning(HOURS_COLUMNS).executeTakeFirstOrThrow();
}

export function listHoursRows(db: Db): Promise<BusinessHoursRow[]> {
  return db.selectFrom('business_hours').select(HOURS_COLUMNS).orderBy('name').execute();
}

export function findHours(db: Db, id: string): Promise<BusinessHoursRow | undefined> {
  return db.selectFrom('business_hours').select(HOURS_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function lockHours(trx: Transaction<DB>, id: string): Promise<BusinessHoursRow | undefined> {
  return trx.selectFrom('business_hours').select(HOURS_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updateHoursRow(trx: Transaction<DB>, id: string, values: Updateable<BusinessHoursTable>): Promise<BusinessHoursRow> {
  return trx.updateTable('business_hours').set({ ...values, revision: sql`revision + 1` }).where('id', '=', id).returning(HOURS_COLUMNS).executeTakeFirstOrThrow();
}

export async function deleteHoursRow(trx: Transaction<DB>, id: string): Promise<void> {
  await trx.deleteFrom('business_hours').where('id', '=', id).execute();
}
