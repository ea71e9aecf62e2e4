import { sql, type Kysely } from 'kysely';

/**
 * Click-To-Call-In: instead of being called back, the customer is given a number to dial (from a
 * group's DNIS pool) and, when the group wants one, an access code; the inbound flow matches the
 * call to the request by what was dialed, the caller's number and the code.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table call_in_groups (
      id uuid primary key default gen_random_uuid(),
      -- Immutable once created.
      name text not null,
      -- The queue a matched call is routed to when the request names no callback (null: the flow decides);
      -- also what scopes the group for callers restricted to some queues.
      queue_id uuid references queues (id) on delete restrict,
      access_code_enabled boolean not null default true,
      access_code_length integer not null default 6 check (access_code_length between 4 and 12),
      expiry_seconds integer not null default 30 check (expiry_seconds between 10 and 1800),
      -- A number is handed to one pending request at a time.
      unique_dnis boolean not null default false,
      -- What a call must present to match: the dialed number with the code, with the caller's number, or all three.
      match_criteria text not null default 'DNIS_AND_CODE' check (match_criteria in ('DNIS_AND_CODE', 'DNIS_AND_CALLER', 'ALL')),
      -- Wrong codes a request tolerates; one more and it no longer matches.
      max_code_attempts integer not null default 3 check (max_code_attempts between 1 and 10),
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index call_in_groups_name_idx on call_in_groups (lower(name))`.execute(db);

  await sql`
    create table call_in_dnis (
      group_id uuid not null references call_in_groups (id) on delete cascade,
      -- E.164, at most 16 characters.
      number text not null check (length(number) <= 16),
      description text check (length(description) <= 32),
      primary key (group_id, number)
    )`.execute(db);
  await sql`create index call_in_dnis_number_idx on call_in_dnis (number)`.execute(db);

  await sql`
    create table call_in_requests (
      id uuid primary key default gen_random_uuid(),
      group_id uuid not null references call_in_groups (id) on delete cascade,
      callback_id uuid references callbacks (id) on delete cascade,
      queue_id uuid references queues (id) on delete set null,
      from_phone_e164 text not null,
      -- The DNIS handed out.
      to_number text not null,
      -- HMAC of the access code with the DNIS (null: the group uses none); the code itself is never stored.
      access_code_hash text,
      -- Copied from the group when handed out: this number is held by this request alone while it is pending.
      exclusive boolean not null,
      state text not null default 'PENDING' check (state in ('PENDING', 'MATCHED', 'EXPIRED', 'LOCKED')),
      wrong_codes integer not null default 0,
      priority integer,
      user_data jsonb not null default '{}',
      expires_at timestamptz not null,
      matched_at timestamptz,
      created_by text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  // A live code is never handed out twice on one number; a unique DNIS is held by one pending request.
  await sql`create unique index call_in_requests_code_idx on call_in_requests (to_number, access_code_hash) where state = 'PENDING' and access_code_hash is not null`.execute(db);
  await sql`create unique index call_in_requests_exclusive_idx on call_in_requests (to_number) where state = 'PENDING' and exclusive`.execute(db);
  // What a call to a number may present: its requests of the last hours (the match), pending ones (allocation).
  await sql`create index call_in_requests_number_idx on call_in_requests (to_number, created_at)`.execute(db);
  await sql`create index call_in_requests_created_idx on call_in_requests (created_at desc)`.execute(db);
  await sql`create index call_in_requests_callback_idx on call_in_requests (callback_id) where callback_id is not null`.execute(db);
}
