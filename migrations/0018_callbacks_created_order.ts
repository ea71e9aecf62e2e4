import { sql, type Kysely } from 'kysely';

/**
 * The desk's order (newest created first, ties by id): its pages and an export's keyset pages read
 * the next rows from this index instead of sorting every callback the filter finds for each page.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index callbacks_created_order_idx on callbacks (created_at desc, id desc)`.execute(db);
}
