import type { Insertable, Kysely, Transaction } from 'kysely';
import type { CallbackAttemptRow, CallbackAttemptsTable, DB } from '../db/types.js';

/** Every statement on `callback_attempts`: the ended attempts of retried callbacks. */

type Db = Kysely<DB> | Transaction<DB>;

const ATTEMPT_COLUMNS = ['id', 'callback_id', 'attempt', 'conversation_id', 'started_at', 'ended_at', 'wrap_up_code', 'outcome', 'source', 'retry_at', 'created_at'] as const;

/** Records an ended attempt once: a second record of the same attempt changes nothing (answers false). */
export async function insertAttempt(trx: Transaction<DB>, values: Insertable<CallbackAttemptsTable>): Promise<boolean> {
  const row = await trx
    .insertInto('callback_attempts')
    .values(values)
    .onConflict((oc) => oc.columns(['callback_id', 'attempt']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export function attemptsOf(db: Db, callbackId: string): Promise<CallbackAttemptRow[]> {
  return db.selectFrom('callback_attempts').select(ATTEMPT_COLUMNS).where('callback_id', '=', callbackId).orderBy('attempt').execute();
}

/** When the callback's current attempt began: when the one before it ended (undefined for the first). */
export async function previousAttemptEnd(db: Db, callbackId: string, attempt: number): Promise<Date | undefined> {
  const row = await db.selectFrom('callback_attempts').select('created_at').where('callback_id', '=', callbackId).where('attempt', '=', attempt - 1).executeTakeFirst();
  return row?.created_at;
}
