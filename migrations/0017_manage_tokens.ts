import { sql, type Kysely } from 'kysely';

/**
 * Customer self-service: a callback created through a publishable key gets one manage token, stored
 * as its SHA-256 (what requests are checked against) and sealed (AES-256-GCM, so an idempotent replay
 * of the create can answer the same token); it names the key that created the callback, whose origins
 * CORS answers. The customer becomes an actor kind of its own in histories and the audit log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table manage_tokens (
      callback_id uuid primary key references callbacks (id) on delete cascade,
      token_hash text not null unique,
      token_sealed text not null,
      client_id uuid not null references api_clients (id) on delete cascade,
      key_id uuid references publishable_keys (id) on delete set null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index manage_tokens_client on manage_tokens (client_id)`.execute(db);

  for (const table of ['audit_log', 'callback_history', 'campaign_callback_history']) {
    await sql`alter table ${sql.table(table)} drop constraint if exists ${sql.id(`${table}_actor_kind_check`)}`.execute(db);
    await sql`alter table ${sql.table(table)} add constraint ${sql.id(`${table}_actor_kind_check`)} check (actor_kind = any (array['client', 'user', 'system', 'customer']))`.execute(db);
  }
}
