import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DB, PreviewContactRow, PreviewContactsTable } from '../db/types.js';

type Db = Kysely<DB> | Transaction<DB>;

/** Every statement on preview_contacts: the accepted previews that user.end may retry. */

/** Records an accepted preview; the same contact of the same list again updates its row. */
export async function upsertPreviewContact(trx: Transaction<DB>, key: { contact_id: string; contact_list_id: string }, values: Omit<Insertable<PreviewContactsTable>, 'contact_id' | 'contact_list_id'>): Promise<void> {
  await trx
    .insertInto('preview_contacts')
    .values({ ...key, ...values })
    .onConflict((oc) => oc.columns(['contact_list_id', 'contact_id']).doUpdateSet(values))
    .execute();
}

/** The most recent accepted preview of any of these numbers (matched by digits). */
export function latestPreviewForDigits(db: Db, digits: string[]): Promise<PreviewContactRow | undefined> {
  return db.selectFrom('preview_contacts').selectAll().where('phone_digits', 'in', digits).orderBy('accepted_at', 'desc').limit(1).executeTakeFirst();
}

export function findPreviewContact(db: Db, id: string): Promise<PreviewContactRow | undefined> {
  return db.selectFrom('preview_contacts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Most recent first; `queueIds` limits to those queues' contacts, `digits` to one number. */
export function listPreviewContactRows(db: Db, f: { queueIds: string[] | null; digits?: string | undefined; limit: number }): Promise<PreviewContactRow[]> {
  let q = db.selectFrom('preview_contacts').selectAll().orderBy('accepted_at', 'desc').limit(f.limit);
  if (f.queueIds !== null) q = q.where('queue_id', 'in', f.queueIds);
  if (f.digits) q = q.where('phone_digits', '=', f.digits);
  return q.execute();
}

/** The contact's attempt count, locked until the transaction ends (one retry decision at a time). */
export async function lockPreviewAttempts(trx: Transaction<DB>, id: string): Promise<number> {
  return (await trx.selectFrom('preview_contacts').select('attempts').where('id', '=', id).forUpdate().executeTakeFirstOrThrow()).attempts;
}

export async function setPreviewAttempts(trx: Transaction<DB>, id: string, attempts: number, now: Date): Promise<void> {
  await trx.updateTable('preview_contacts').set({ attempts, updated_at: now }).where('id', '=', id).execute();
}
