import { sql, type Kysely } from 'kysely';

/**
 * Reporting. `callback_offers`: what a flow offered a caller and what the caller chose, one row per
 * conversation. `create_decisions`: every answer callbacks/create gave (created or refused, with its
 * outcome), once per decision — no phone number. `report_days`: each queue's local day rolled up, so
 * the figures outlive the records (deleted after RETENTION_DAYS); `connect_waits` is the day's sorted
 * list of connect waits in seconds, so percentiles over any set of days stay exact.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table callback_offers (
      conversation_id text primary key check (length(conversation_id) between 1 and 100),
      queue_id uuid not null references queues (id) on delete cascade,
      offered text not null check (offered = any (array['IMMEDIATE', 'SCHEDULED', 'BOTH'])),
      result text not null check (result = any (array['NO_INPUT', 'DECLINED', 'ACCEPTED'])),
      reported_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db);
  await sql`create index callback_offers_queue_time_idx on callback_offers (queue_id, reported_at)`.execute(db);
  await sql`create index callback_offers_time_idx on callback_offers (reported_at)`.execute(db);

  await sql`
    create table create_decisions (
      id bigint generated always as identity primary key,
      queue_id uuid not null references queues (id) on delete cascade,
      at timestamptz not null,
      type text not null check (type = any (array['immediate', 'scheduled'])),
      outcome text not null check (outcome = any (array[
        'CREATED', 'DUPLICATE', 'SLOT_FULL', 'OUTSIDE_HOURS', 'TOO_FAR_AHEAD', 'IN_THE_PAST', 'QUEUE_CLOSED', 'IMMEDIATE_DISABLED',
        'SCHEDULED_DISABLED', 'INVALID_NUMBER', 'COUNTRY_NOT_PERMITTED', 'BLOCKED_PATTERN', 'BLOCKED_NUMBER_TYPE']))
    )`.execute(db);
  await sql`create index create_decisions_queue_time_idx on create_decisions (queue_id, at)`.execute(db);
  await sql`create index create_decisions_time_idx on create_decisions (at)`.execute(db);

  await sql`
    create table report_days (
      queue_id uuid not null references queues (id) on delete cascade,
      day date not null,
      timezone text not null,
      figures jsonb not null check (jsonb_typeof(figures) = 'object'),
      connect_waits integer[] not null,
      rolled_at timestamptz not null,
      primary key (queue_id, day)
    )`.execute(db);
  await sql`create index report_days_day_idx on report_days (day)`.execute(db);

  // Connects (user.start) and completions by time: the summary's and the rollup's reads.
  await sql`create index callback_history_event_time_idx on callback_history (event, at)`.execute(db);
  await sql`create index callbacks_completed_idx on callbacks (queue_id, completed_at) where completed_at is not null`.execute(db);
}
