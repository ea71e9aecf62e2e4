import { sql, type Kysely } from 'kysely';

/**
 * People as users of the service: accounts (their own table, with the same roles and queue
 * allow-lists as API clients), their console sessions, the Genesys Cloud sign-in (pending
 * authorization requests and the group/role → access mapping), and the kind of actor (client,
 * user, system) on audit and callback-history entries, so a console change names the person.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table users (
      id uuid primary key default gen_random_uuid(),
      username text not null check (length(username) between 1 and 200),
      display_name text not null check (length(display_name) between 1 and 200),
      -- null: the account signs in only through Genesys Cloud
      password_hash text,
      source text not null default 'local' check (source = any (array['local', 'genesys'])),
      genesys_user_id text unique,
      roles text[] not null check (cardinality(roles) > 0),
      queues text[],
      disabled boolean not null default false,
      last_sign_in_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  // Usernames are unique whatever their case: "Ana" and "ana" are one person.
  await sql`create unique index users_username_key on users (lower(username))`.execute(db);

  await sql`
    create table sessions (
      -- SHA-256 of the cookie's value: the table alone cannot be replayed as cookies
      id_hash text primary key,
      user_id uuid not null references users (id) on delete cascade,
      csrf_token text not null,
      method text not null check (method = any (array['password', 'genesys'])),
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index sessions_user_idx on sessions (user_id)`.execute(db);
  await sql`create index sessions_expires_idx on sessions (expires_at)`.execute(db);

  await sql`
    create table genesys_sign_in_requests (
      state_hash text primary key,
      browser_hash text not null,
      code_verifier text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    )`.execute(db);

  await sql`
    create table genesys_sign_in_mappings (
      id uuid primary key default gen_random_uuid(),
      kind text not null check (kind = any (array['group', 'role'])),
      genesys_id text not null check (length(genesys_id) between 1 and 200),
      label text,
      roles text[] not null check (cardinality(roles) > 0),
      queues text[],
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (kind, genesys_id)
    )`.execute(db);

  for (const table of ['audit_log', 'callback_history'] as const) {
    await sql`alter table ${sql.table(table)} add column actor_kind text check (actor_kind = any (array['client', 'user', 'system']))`.execute(db);
    await sql`update ${sql.table(table)} t set actor_kind = 'client' from api_clients c where t.actor = c.id::text`.execute(db);
    await sql`
      update ${sql.table(table)} set actor_kind = 'system'
      where actor_kind is null and actor in ('system', 'worker', 'maintenance', 'cli', 'demo', 'events')`.execute(db);
  }
}
