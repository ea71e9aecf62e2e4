import { sql, type Kysely } from 'kysely';

/**
 * Campaign callbacks that finish. A QUEUED one (its contact in the list since `delivered_at`, the
 * insertion time) completes when its contact shows an attempt after that (HANDLED, with the dialer's
 * last result kept), expires after its campaign's `max_queued_hours` (EXPIRED), or is cancelled by an
 * operator or a flow; an expired or cancelled one has its contact removed from the list by a job
 * (`contact_removal`). `contact_list_id` is the list the contact went into, so a campaign moved to
 * another list later still reads and removes its contacts where they are. `checked_at` orders the reconciler's reads: least recently checked first.
 * Every change is in `campaign_callback_history`.
 *
 * The queues' `mode` column goes: nothing ever read it. A queue's campaign callbacks are the
 * campaigns that name the queue (`campaigns.queue_id`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table campaigns add column max_queued_hours integer not null default 24 check (max_queued_hours between 1 and 720)`.execute(db);

  await sql`alter table campaign_callbacks add column contact_list_id text`.execute(db);
  await sql`update campaign_callbacks c set contact_list_id = k.contact_list_id from campaigns k where k.id = c.campaign_id and c.delivered_at is not null`.execute(db);
  await sql`alter table campaign_callbacks add column checked_at timestamptz`.execute(db);
  await sql`alter table campaign_callbacks add column last_attempt_at timestamptz`.execute(db);
  await sql`alter table campaign_callbacks add column last_result text`.execute(db);
  await sql`alter table campaign_callbacks add column contact_removal text check (contact_removal in ('PENDING', 'REMOVED', 'FAILED'))`.execute(db);
  await sql`alter table campaign_callbacks add column contact_removal_error text`.execute(db);
  // A failed dial used to stay SCHEDULED (FAILED delivery) and hold its number for good.
  await sql`
    update campaign_callbacks set state = 'COMPLETED', completion_reason = 'FAILED', completed_at = updated_at
    where state <> 'COMPLETED' and delivery_status = 'FAILED'`.execute(db);
  await sql`
    alter table campaign_callbacks add constraint campaign_callbacks_completed_check check ((state = 'COMPLETED') = (completion_reason is not null))`.execute(db);
  await sql`
    alter table campaign_callbacks add constraint campaign_callbacks_reason_check
      check (completion_reason in ('HANDLED', 'EXPIRED', 'CANCELLED_BY_ADMIN', 'CANCELLED_BY_CUSTOMER', 'FAILED'))`.execute(db);
  await sql`create index campaign_callbacks_queued_idx on campaign_callbacks (checked_at nulls first) where state = 'QUEUED'`.execute(db);
  await sql`create index campaign_callbacks_completed_idx on campaign_callbacks (completed_at) where state = 'COMPLETED'`.execute(db);

  await sql`
    create table campaign_callback_history (
      id bigint generated always as identity primary key,
      campaign_callback_id uuid not null references campaign_callbacks (id) on delete cascade,
      at timestamptz not null default now(),
      actor text not null,
      actor_name text,
      event text not null,
      from_state text,
      to_state text,
      reason text,
      detail jsonb
    )`.execute(db);
  await sql`create index campaign_callback_history_callback_idx on campaign_callback_history (campaign_callback_id, id)`.execute(db);

  await sql`alter table queues drop column mode`.execute(db);
}
