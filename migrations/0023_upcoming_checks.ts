import { sql, type Kysely } from 'kysely';

/**
 * When the reconciler last asked Genesys for a waiting immediate callback's own estimated wait (for
 * CALLBACK_UPCOMING): one run asks each callback at most once, oldest waiting first.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table callbacks add column upcoming_checked_at timestamptz`.execute(db);
}
