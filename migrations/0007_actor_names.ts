import { sql, type Kysely } from 'kysely';

/**
 * The audit log and callback history name the acting client as well as its id: a client can be
 * renamed or deleted, and the record should still say who it was at the time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_log add column actor_name text`.execute(db);
  await sql`alter table callback_history add column actor_name text`.execute(db);

  // Backfill: a client that still exists by its current name; a deleted one by the last name its own
  // audit entries recorded; the service itself (jobs, CLI, seeding, events) by its own name.
  for (const table of ['audit_log', 'callback_history'] as const) {
    await sql`
      update ${sql.table(table)} t set actor_name = c.name
      from api_clients c
      where t.actor_name is null and t.actor = c.id::text`.execute(db);
    await sql`
      update ${sql.table(table)} t set actor_name = (
        select coalesce(a.after ->> 'name', a.before ->> 'name')
        from audit_log a
        where a.entity = 'client' and a.entity_id = t.actor
          and coalesce(a.after ->> 'name', a.before ->> 'name') is not null
        order by a.id desc limit 1)
      where t.actor_name is null`.execute(db);
    await sql`
      update ${sql.table(table)} set actor_name = actor
      where actor_name is null and actor in ('system', 'worker', 'maintenance', 'cli', 'demo', 'events')`.execute(db);
  }
}
