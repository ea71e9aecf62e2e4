import { sql, type Kysely } from 'kysely';

/**
 * The reconciler's bookkeeping on each callback: when Genesys was last asked about it
 * (`reconciled_at`, least recent first), a lease a run holds on it while it asks (`reconcile_lease`,
 * so two workers never ask about the same callback at once), and how often in a row Genesys has not
 * known its conversation (`reconcile_misses`, since `reconcile_missing_since`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table callbacks add column reconciled_at timestamptz`.execute(db);
  await sql`alter table callbacks add column reconcile_lease timestamptz`.execute(db);
  await sql`alter table callbacks add column reconcile_misses integer not null default 0 check (reconcile_misses >= 0)`.execute(db);
  await sql`alter table callbacks add column reconcile_missing_since timestamptz`.execute(db);
  await sql`create index callbacks_reconcile_order on callbacks (reconciled_at nulls first, id) where state <> 'COMPLETED' and genesys_conversation_id is not null`.execute(db);
}
