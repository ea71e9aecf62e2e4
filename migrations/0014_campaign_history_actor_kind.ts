import { sql, type Kysely } from 'kysely';

/**
 * Campaign-callback history says who acted as the callback history does: a client, a person or
 * the system (set for the rows written before, from the actor's id).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table campaign_callback_history add column actor_kind text check (actor_kind = any (array['client', 'user', 'system']))`.execute(db);
  await sql`update campaign_callback_history t set actor_kind = 'client' from api_clients c where t.actor = c.id::text`.execute(db);
  await sql`
    update campaign_callback_history set actor_kind = 'system'
    where actor_kind is null and actor in ('system', 'worker', 'maintenance', 'cli', 'demo', 'events')`.execute(db);
}

