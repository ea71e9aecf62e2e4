import { sql, type Kysely } from 'kysely';

/**
 * Offer controls per queue. `immediate_offer_hours_id`: business hours used as a schedule inside the
 * queue's own hours, outside which no immediate callback is offered. `max_ewt_seconds`: no immediate
 * callback while Genesys' estimated wait is above it. `max_waiting_callbacks`: no immediate callback
 * while that many wait. `throttles`: at most `limit` callbacks created in any trailing `windowMinutes`
 * (up to 5). `max_per_number_per_day`: callbacks one number may get in a local day of the queue.
 * `emergency_closed` with its `closed_reason`: nothing offered, nothing created. Callbacks carry
 * `requested_at`, the app's time of the create request, which the throttles and the daily limit count
 * by; create decisions take the new refusal outcomes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table queues add column immediate_offer_hours_id uuid references business_hours (id) on delete restrict`.execute(db);
  await sql`create index queues_immediate_offer_hours_idx on queues (immediate_offer_hours_id)`.execute(db);
  await sql`alter table queues add column max_ewt_seconds integer check (max_ewt_seconds between 1 and 86400)`.execute(db);
  await sql`alter table queues add column max_waiting_callbacks integer check (max_waiting_callbacks between 1 and 100000)`.execute(db);
  await sql`
    alter table queues add column throttles jsonb not null default '[]'
      check (jsonb_typeof(throttles) = 'array' and jsonb_array_length(throttles) <= 5)`.execute(db);
  await sql`alter table queues add column max_per_number_per_day integer check (max_per_number_per_day between 1 and 100)`.execute(db);
  await sql`alter table queues add column emergency_closed boolean not null default false`.execute(db);
  await sql`alter table queues add column closed_reason text check (length(closed_reason) between 1 and 500)`.execute(db);
  await sql`alter table queues add constraint queues_emergency_closed_reason_check check (not emergency_closed or closed_reason is not null)`.execute(db);

  await sql`alter table callbacks add column requested_at timestamptz`.execute(db);
  await sql`update callbacks set requested_at = created_at`.execute(db);
  await sql`alter table callbacks alter column requested_at set default now()`.execute(db);
  await sql`alter table callbacks alter column requested_at set not null`.execute(db);
  await sql`create index callbacks_queue_requested_idx on callbacks (queue_id, requested_at)`.execute(db);
  await sql`create index callbacks_queue_phone_requested_idx on callbacks (queue_id, phone_e164, requested_at)`.execute(db);

  await sql`alter table create_decisions drop constraint create_decisions_outcome_check`.execute(db);
  await sql`
    alter table create_decisions add constraint create_decisions_outcome_check check (outcome = any (array[
      'CREATED', 'DUPLICATE', 'SLOT_FULL', 'OUTSIDE_HOURS', 'TOO_FAR_AHEAD', 'IN_THE_PAST', 'QUEUE_CLOSED', 'IMMEDIATE_DISABLED',
      'SCHEDULED_DISABLED', 'INVALID_NUMBER', 'COUNTRY_NOT_PERMITTED', 'BLOCKED_PATTERN', 'BLOCKED_NUMBER_TYPE',
      'WAIT_TOO_LONG', 'QUEUE_FULL', 'THROTTLED', 'NUMBER_LIMIT']))`.execute(db);
}
