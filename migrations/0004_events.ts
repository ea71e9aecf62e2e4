import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Every forwarded event, once: a repeat hits the unique key and changes nothing.
  await sql`
    create table event_inbox (
      dedupe_key text primary key,
      topic text not null,
      conversation_id text,
      received_at timestamptz not null default now(),
      payload jsonb not null,
      action text,
      result jsonb
    )`.execute(db);
  await sql`create index event_inbox_conversation_idx on event_inbox (conversation_id)`.execute(db);
  await sql`create index event_inbox_received_idx on event_inbox (received_at)`.execute(db);

  await sql`
    create table prioritization_policies (
      id uuid primary key default gen_random_uuid(),
      name text not null unique check (length(name) between 1 and 100),
      mode text not null check (mode in ('step', 'age')),
      initial_delay_seconds integer not null default 0 check (initial_delay_seconds between 0 and 86400),
      interval_seconds integer not null check (interval_seconds between 30 and 86400),
      increment integer not null default 1,
      base_priority integer not null default 0,
      points_per_minute double precision not null default 1,
      max_steps integer not null check (max_steps between 1 and 10000),
      max_priority integer not null check (max_priority between -25000000 and 25000000),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`alter table queues add column prioritization_policy_id uuid references prioritization_policies (id) on delete restrict`.execute(db);
  await sql`create index queues_prioritization_policy_idx on queues (prioritization_policy_id)`.execute(db);

  // One track per conversation. acd.end before acd.start leaves a STOPPED row, so the late start is a no-op.
  await sql`
    create table aging_tracks (
      conversation_id text primary key,
      queue_id uuid references queues (id) on delete cascade,
      policy_id uuid references prioritization_policies (id) on delete set null,
      status text not null check (status in ('ACTIVE', 'STOPPED')),
      started_at timestamptz not null,
      base_priority integer not null default 0,
      steps integer not null default 0,
      current_priority integer,
      stop_reason text,
      last_check_at timestamptz,
      next_check_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index aging_tracks_active_idx on aging_tracks (status, next_check_at)`.execute(db);
  await sql`
    create table aging_steps (
      id bigint generated always as identity primary key,
      conversation_id text not null references aging_tracks (conversation_id) on delete cascade,
      at timestamptz not null default now(),
      step integer not null,
      priority integer not null,
      scheduled_for timestamptz
    )`.execute(db);
  await sql`create index aging_steps_conversation_idx on aging_steps (conversation_id, id)`.execute(db);

  await sql`
    create table retry_policies (
      id uuid primary key default gen_random_uuid(),
      name text not null unique check (length(name) between 1 and 100),
      match text not null unique check (length(match) between 1 and 200),
      wait_seconds integer not null check (wait_seconds between 1 and 86400),
      max_attempts integer not null check (max_attempts between 0 and 20),
      clear_system_data boolean not null default false,
      priority boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table preview_contacts (
      id uuid primary key default gen_random_uuid(),
      phone_digits text not null,
      contact_id text not null,
      contact_list_id text not null,
      campaign_id text,
      conversation_id text,
      accepted_at timestamptz not null,
      attempts integer not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (contact_list_id, contact_id)
    )`.execute(db);
  await sql`create index preview_contacts_phone_idx on preview_contacts (phone_digits, accepted_at desc)`.execute(db);

  await sql`
    create table retry_attempts (
      id bigint generated always as identity primary key,
      preview_contact_id uuid not null references preview_contacts (id) on delete cascade,
      attempt integer not null,
      conversation_id text,
      last_result text,
      policy_id uuid references retry_policies (id) on delete set null,
      wait_seconds integer,
      retry_at timestamptz,
      status text not null check (status in ('SCHEDULED', 'SUBMITTED', 'FAILED')),
      error text,
      created_at timestamptz not null default now(),
      submitted_at timestamptz,
      unique (preview_contact_id, attempt)
    )`.execute(db);

  // Operator-tunable settings (e.g. which user.end events count as a closed preview).
  await sql`create table settings (key text primary key, value jsonb not null, updated_at timestamptz not null default now())`.execute(db);

  await sql`
    create table campaigns (
      id uuid primary key default gen_random_uuid(),
      name text not null unique check (length(name) between 1 and 100),
      contact_list_id text not null,
      phone_column text not null,
      name_column text,
      extra_columns jsonb not null default '{}',
      number_rule_id uuid references number_rules (id) on delete restrict,
      business_hours_id uuid references business_hours (id) on delete restrict,
      max_delay_seconds integer not null default 86400 check (max_delay_seconds between 0 and 86400),
      max_pending_per_number integer not null default 1 check (max_pending_per_number >= 1),
      default_country text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table campaign_callbacks (
      id uuid primary key default gen_random_uuid(),
      campaign_id uuid not null references campaigns (id) on delete restrict,
      state text not null check (state in ('SCHEDULED', 'QUEUED', 'COMPLETED')),
      completion_reason text,
      phone_e164 text not null,
      full_name text,
      dial_at timestamptz not null,
      priority boolean not null default false,
      idempotency_key text,
      contact_id uuid not null default gen_random_uuid(),
      delivery_status text not null default 'PENDING' check (delivery_status in ('PENDING', 'DELIVERED', 'FAILED', 'NOT_REQUIRED')),
      delivery_error text,
      delivered_at timestamptz,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      completed_at timestamptz
    )`.execute(db);
  await sql`create unique index campaign_callbacks_idempotency_idx on campaign_callbacks (campaign_id, idempotency_key) where idempotency_key is not null`.execute(db);
  await sql`create index campaign_callbacks_pending_idx on campaign_callbacks (campaign_id, phone_e164) where state <> 'COMPLETED'`.execute(db);
}
