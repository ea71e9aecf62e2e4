import { sql, type Kysely } from 'kysely';

/**
 * Routing on create: a callback's skills, language, preferred agents, owner (agent-owned callbacks
 * and when the ownership ends), caller id and name, script and routing label, all as sent to Genesys.
 * Queues take agent-owned callbacks when enabled, with a default ownership period and what happens at
 * its end (back to the queue, or disconnected).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table callbacks
      add column routing_skills text[] not null default '{}',
      add column routing_language text,
      add column preferred_agent_ids text[] not null default '{}',
      add column owner_agent_id text,
      add column ownership_ends_at timestamptz,
      add column caller_id text,
      add column caller_id_name text,
      add column script_id text,
      add column routing_label text`.execute(db);
  await sql`
    alter table queues
      add column owned_callbacks_enabled boolean not null default false,
      add column default_ownership_hours integer not null default 24 check (default_ownership_hours between 1 and 720),
      add column ownership_expiry text not null default 'queue' check (ownership_expiry in ('queue', 'disconnect'))`.execute(db);
}
