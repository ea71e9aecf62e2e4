import { sql, type Kysely } from 'kysely';

/**
 * A preview contact belongs to the queue its accepted preview named (the preview campaign's queue),
 * so a client restricted to some queues sees only their contacts. Contacts recorded before have no
 * queue: only unrestricted clients see them. A deleted queue leaves its contacts without one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table preview_contacts add column queue_id uuid references queues (id) on delete set null`.execute(db);
  await sql`create index preview_contacts_queue_id_idx on preview_contacts (queue_id)`.execute(db);
}
