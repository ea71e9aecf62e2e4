import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Bumped by every secret rotation and carried in each token: a token of an older generation is revoked,
  // however close in time to the rotation it was issued.
  await sql`alter table api_clients add column token_generation integer not null default 0`.execute(db);
}
