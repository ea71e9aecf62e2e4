import { sql, type Kysely } from 'kysely';

/**
 * A campaign belongs to a queue, so a client restricted to some queues sees and changes only their
 * campaigns. Existing campaigns get no queue: they stay with unrestricted administrators until one
 * assigns them (PATCH queueId). A queue with campaigns is not deleted from under them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table campaigns add column queue_id uuid references queues (id) on delete restrict`.execute(db);
  await sql`create index campaigns_queue_id_idx on campaigns (queue_id)`.execute(db);
}
