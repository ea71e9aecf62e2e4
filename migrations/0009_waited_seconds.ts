import { sql, type Kysely } from 'kysely';

/**
 * The time a caller already waited before asking for a callback (`waitedSeconds` on create), and the
 * same credit on the aging track started for its conversation: age mode counts from that earlier
 * moment. Rows from before have waited nothing.
 * `base_read_at`: when the track's base was taken from the priority Genesys held, before its first
 * step; recorded before that step is sent, so a step retried after a crash does not build on itself.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table callbacks add column waited_seconds integer not null default 0 check (waited_seconds between 0 and 86400)`.execute(db);
  await sql`alter table aging_tracks add column base_read_at timestamptz`.execute(db);
  await sql`alter table aging_tracks add column waited_seconds integer not null default 0 check (waited_seconds between 0 and 86400)`.execute(db);
}
