import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table callbacks (
      id uuid primary key default gen_random_uuid(),
      queue_id uuid not null references queues (id) on delete restrict,
      type text not null check (type in ('immediate', 'scheduled')),
      state text not null check (state in ('SCHEDULED', 'QUEUED', 'ROUTING', 'PROCESSING', 'COMPLETED')),
      completion_reason text,
      phone_e164 text not null,
      customer_name text,
      desired_time timestamptz,
      scheduled_time timestamptz,
      slot_start timestamptz,
      priority integer not null default 0,
      ivr_conversation_id text,
      genesys_conversation_id text,
      genesys_callback_id text,
      user_data jsonb not null default '{}',
      idempotency_key text,
      delivery_status text not null default 'PENDING' check (delivery_status in ('PENDING', 'SENDING', 'DELIVERED', 'FAILED', 'NOT_REQUIRED')),
      delivery_attempts integer not null default 0,
      delivery_error text,
      delivered_at timestamptz,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      completed_at timestamptz,
      check ((state = 'COMPLETED') = (completion_reason is not null))
    )`.execute(db);
  await sql`create unique index callbacks_idempotency_idx on callbacks (queue_id, idempotency_key) where idempotency_key is not null`.execute(db);
  await sql`create index callbacks_pending_number_idx on callbacks (queue_id, phone_e164) where state <> 'COMPLETED'`.execute(db);
  await sql`create index callbacks_phone_idx on callbacks (phone_e164, created_at desc)`.execute(db);
  await sql`create index callbacks_queue_time_idx on callbacks (queue_id, coalesce(scheduled_time, created_at))`.execute(db);
  await sql`create index callbacks_state_idx on callbacks (state, queue_id)`.execute(db);
  await sql`create index callbacks_genesys_conversation_idx on callbacks (genesys_conversation_id) where genesys_conversation_id is not null`.execute(db);
  await sql`create index callbacks_retention_idx on callbacks (coalesce(desired_time, created_at))`.execute(db);

  await sql`
    create table callback_history (
      id bigint generated always as identity primary key,
      callback_id uuid not null references callbacks (id) on delete cascade,
      at timestamptz not null default now(),
      actor text not null,
      event text not null,
      from_state text,
      to_state text,
      reason text,
      detail jsonb
    )`.execute(db);
  await sql`create index callback_history_callback_idx on callback_history (callback_id, id)`.execute(db);

  // The first answer to an idempotency key, replayed to every later request with that key.
  await sql`
    create table idempotent_answers (
      scope text not null,
      key text not null,
      answer jsonb not null,
      created_at timestamptz not null default now(),
      primary key (scope, key)
    )`.execute(db);
  await sql`create index idempotent_answers_created_idx on idempotent_answers (created_at)`.execute(db);

  // What the simulated Genesys gateway was asked, for operators to inspect.
  await sql`
    create table simulated_genesys_calls (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      operation text not null,
      request jsonb not null,
      response jsonb
    )`.execute(db);

  // Job workers announce themselves; a restarted service unlocks the jobs of workers that went silent.
  await sql`
    create table worker_heartbeats (
      worker_id text primary key,
      last_seen timestamptz not null default now()
    )`.execute(db);
}
