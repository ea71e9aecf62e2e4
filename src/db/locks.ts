import { sql, type Transaction } from 'kysely';
import type { DB } from './types.js';

/** Serializes work on one key for the rest of the transaction (idempotency keys, one number, one conversation). */
export async function lockKey(trx: Transaction<DB>, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}
