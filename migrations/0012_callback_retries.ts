import { sql, type Kysely } from 'kysely';

/**
 * Retries for callbacks nobody answered. A queue may point at a callback retry policy: wrap-up codes
 * (by id, as the wrapup topic and analytics carry them) that mean "no answer", the wait before the
 * next attempt (60 s to 24 h) and the attempts in all (1–21: the first and 0–20 retries). A callback
 * counts its attempts (1-based); each ended attempt is a row of `callback_attempts` with the
 * conversation it had, so the callback row holds only the current attempt's conversation.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table callback_retry_policies (
      id uuid primary key default gen_random_uuid(),
      name text not null unique check (length(name) between 1 and 100),
      wrap_up_codes jsonb not null check (jsonb_typeof(wrap_up_codes) = 'array' and jsonb_array_length(wrap_up_codes) between 1 and 100),
      wait_seconds integer not null check (wait_seconds between 60 and 86400),
      max_attempts integer not null check (max_attempts between 1 and 21),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`alter table queues add column callback_retry_policy_id uuid references callback_retry_policies (id) on delete restrict`.execute(db);
  await sql`create index queues_callback_retry_policy_idx on queues (callback_retry_policy_id)`.execute(db);

  await sql`alter table callbacks add column attempt integer not null default 1 check (attempt between 1 and 21)`.execute(db);

  await sql`
    create table callback_attempts (
      id bigint generated always as identity primary key,
      callback_id uuid not null references callbacks (id) on delete cascade,
      attempt integer not null check (attempt between 1 and 21),
      conversation_id text,
      started_at timestamptz not null,
      ended_at timestamptz not null,
      wrap_up_code text,
      outcome text not null check (outcome in ('RETRY_SCHEDULED', 'NO_ANSWER', 'HANDLED')),
      source text not null,
      retry_at timestamptz,
      created_at timestamptz not null default now(),
      unique (callback_id, attempt)
    )`.execute(db);
  await sql`create index callback_attempts_conversation_idx on callback_attempts (conversation_id)`.execute(db);
}
