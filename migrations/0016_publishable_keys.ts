import { sql, type Kysely } from 'kysely';

/**
 * Publishable keys: clients of kind `publishable` for browsers and apps. They have no secret (their
 * keys are public by design) but one or more keys, stored by SHA-256 (a rotated-out key keeps working
 * until its `expires_at`), an allow-list of origins, their own rate limits and an optional CAPTCHA
 * (its secret encrypted). Accepted CAPTCHA tokens are remembered until they could no longer be replayed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table api_clients add column kind text not null default 'server' check (kind = any (array['server', 'publishable']))`.execute(db);
  await sql`alter table api_clients alter column secret_hash drop not null`.execute(db);
  await sql`alter table api_clients add column origins text[]`.execute(db);
  await sql`alter table api_clients add column allow_no_origin boolean not null default false`.execute(db);
  await sql`alter table api_clients add column rate_limit_per_key integer check (rate_limit_per_key > 0)`.execute(db);
  await sql`alter table api_clients add column rate_limit_per_ip integer check (rate_limit_per_ip > 0)`.execute(db);
  await sql`alter table api_clients add column captcha jsonb`.execute(db);
  await sql`
    alter table api_clients add constraint api_clients_kind_shape check (
      (kind = 'server' and secret_hash is not null and origins is null and captcha is null)
      or (kind = 'publishable' and secret_hash is null and cardinality(origins) > 0 and cardinality(queues) > 0)
    )`.execute(db);

  await sql`
    create table publishable_keys (
      id uuid primary key default gen_random_uuid(),
      client_id uuid not null references api_clients (id) on delete cascade,
      key_hash text not null unique,
      hint text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz
    )`.execute(db);
  await sql`create index publishable_keys_client on publishable_keys (client_id)`.execute(db);

  await sql`
    create table captcha_tokens (
      token_hash text primary key,
      client_id uuid not null references api_clients (id) on delete cascade,
      fingerprint text not null,
      accepted_at timestamptz not null,
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index captcha_tokens_expiry on captcha_tokens (expires_at)`.execute(db);
}
