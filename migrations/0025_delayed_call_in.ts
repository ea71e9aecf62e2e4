import { sql, type Kysely } from 'kysely';

/**
 * Delayed call-in: a queue whose callbacks call in instead of being dialed. Its callbacks wait here
 * (nothing is sent to Genesys); when one's turn comes it is handed a number and code of the queue's
 * call-in group (CALLBACK_READY), and it completes when the customer's call matches, or expires.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table queues
      -- Null: callbacks are dialed (the default); set: they call in through this group.
      add column call_in_group_id uuid references call_in_groups (id) on delete restrict,
      -- How long a customer told to call has to call (the pushed callback's expiry).
      add column call_in_expiry_minutes integer not null default 10 check (call_in_expiry_minutes between 1 and 1440)`.execute(db);
  await sql`
    alter table callbacks
      -- The call-in request its READY handed out.
      add column call_in_request_id uuid references call_in_requests (id) on delete set null`.execute(db);
}
