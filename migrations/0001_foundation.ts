import { sql, type Kysely } from 'kysely';

// Forward-only. Migrations never import application code: they are a record of the schema's history.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pgcrypto`.execute(db);

  await sql`
    create table api_clients (
      id uuid primary key default gen_random_uuid(),
      name text not null unique check (length(name) between 1 and 100),
      secret_hash text not null,
      roles text[] not null check (cardinality(roles) > 0),
      queues text[],
      active boolean not null default true,
      tokens_not_before timestamptz not null default now(),
      last_token_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table audit_log (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      actor text not null,
      action text not null,
      entity text not null,
      entity_id text not null,
      before jsonb,
      after jsonb,
      correlation_id text
    )`.execute(db);
  await sql`create index audit_log_entity_idx on audit_log (entity, entity_id, at desc)`.execute(db);
  await sql`create index audit_log_at_idx on audit_log (at desc)`.execute(db);
}
