import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table business_hours (
      id uuid primary key default gen_random_uuid(),
      name text not null unique check (length(name) between 1 and 100),
      timezone text not null,
      weekly jsonb not null default '{}',
      exceptions jsonb not null default '[]',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table capacity_rules (
      id uuid primary key default gen_random_uuid(),
      name text not null unique check (length(name) between 1 and 100),
      timeslot_length text not null check (timeslot_length in ('hour', 'halfHour')),
      cells jsonb not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table number_rules (
      id uuid primary key default gen_random_uuid(),
      name text not null unique check (length(name) between 1 and 100),
      permitted_countries text[] not null check (cardinality(permitted_countries) > 0),
      blocked_patterns text[] not null default '{}',
      blocked_number_types text[] not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table queues (
      id uuid primary key default gen_random_uuid(),
      name text not null unique check (length(name) between 1 and 100),
      genesys_queue_id text,
      timezone text not null,
      business_hours_id uuid references business_hours (id) on delete restrict,
      mode text not null default 'conversation' check (mode in ('conversation', 'campaign')),
      immediate_enabled boolean not null default true,
      scheduled_enabled boolean not null default true,
      slot_duration_minutes integer not null default 15 check (slot_duration_minutes in (5, 10, 15, 20, 30, 60, 120)),
      slot_capacity integer not null default 5 check (slot_capacity >= 0),
      capacity_rule_id uuid references capacity_rules (id) on delete restrict,
      number_rule_id uuid references number_rules (id) on delete restrict,
      max_days_ahead integer not null default 30 check (max_days_ahead between 1 and 30),
      immediate_blackout_minutes integer not null default 0 check (immediate_blackout_minutes >= 0),
      purge_after_minutes integer check (purge_after_minutes > 0),
      purge_at_close boolean not null default false,
      max_pending_per_number integer not null default 1 check (max_pending_per_number >= 1),
      default_priority integer not null default 0,
      script_id text,
      default_country text check (default_country ~ '^[A-Z]{2}$'),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index queues_genesys_queue_id_idx on queues (genesys_queue_id) where genesys_queue_id is not null`.execute(db);
  await sql`create index queues_capacity_rule_idx on queues (capacity_rule_id)`.execute(db);
  await sql`create index queues_business_hours_idx on queues (business_hours_id)`.execute(db);
  await sql`create index queues_number_rule_idx on queues (number_rule_id)`.execute(db);

  // One row per booked slot; a single conditional upsert books atomically (see slots/bookings.ts).
  await sql`
    create table slot_bookings (
      queue_id uuid not null references queues (id) on delete cascade,
      slot_start timestamptz not null,
      booked integer not null check (booked >= 0),
      primary key (queue_id, slot_start)
    )`.execute(db);
}
