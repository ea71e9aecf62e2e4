import type { Kysely, Transaction } from 'kysely';
import type { ApiClientRow, ApiClientUpdate, DB, NewApiClient, PublishableKeyRow } from '../db/types.js';

const COLUMNS = [
  'id',
  'name',
  'secret_hash',
  'roles',
  'queues',
  'active',
  'tokens_not_before',
  'token_generation',
  'last_token_at',
  'created_at',
  'updated_at',
  'kind',
  'origins',
  'allow_no_origin',
  'rate_limit_per_key',
  'rate_limit_per_ip',
  'captcha',
] as const;

export const CLIENT_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Ids are UUIDs: anything else names no client (and would be a type error in PostgreSQL, not a 404).
export async function findClient(db: Kysely<DB>, id: string): Promise<ApiClientRow | undefined> {
  if (!CLIENT_ID_RE.test(id)) return undefined;
  return db.selectFrom('api_clients').select(COLUMNS).where('id', '=', id).executeTakeFirst();
}

export async function lockClient(trx: Transaction<DB>, id: string): Promise<ApiClientRow | undefined> {
  if (!CLIENT_ID_RE.test(id)) return undefined;
  return trx.selectFrom('api_clients').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function listClients(db: Kysely<DB>): Promise<ApiClientRow[]> {
  return db.selectFrom('api_clients').select(COLUMNS).orderBy('name').execute();
}

export function insertClient(trx: Transaction<DB>, values: NewApiClient): Promise<ApiClientRow> {
  return trx.insertInto('api_clients').values(values).returning(COLUMNS).executeTakeFirstOrThrow();
}

export function updateClientRow(trx: Transaction<DB>, id: string, now: Date, values: ApiClientUpdate): Promise<ApiClientRow> {
  return trx
    .updateTable('api_clients')
    .set({ ...values, updated_at: now })
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

export async function deleteClientRow(trx: Transaction<DB>, id: string): Promise<void> {
  await trx.deleteFrom('api_clients').where('id', '=', id).execute();
}

export async function touchLastToken(db: Kysely<DB>, id: string, now: Date): Promise<void> {
  await db.updateTable('api_clients').set({ last_token_at: now }).where('id', '=', id).execute();
}

export async function countClients(db: Kysely<DB> | Transaction<DB>): Promise<number> {
  const { n } = await db
    .selectFrom('api_clients')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

// --- publishable keys -------------------------------------------------------------------------

export async function insertPublishableKey(trx: Transaction<DB>, values: { client_id: string; key_hash: string; hint: string; created_at: Date }): Promise<PublishableKeyRow> {
  return trx.insertInto('publishable_keys').values(values).returningAll().executeTakeFirstOrThrow();
}

/** The keys of a client still working at `now`, newest first. */
export function liveKeysOf(db: Kysely<DB> | Transaction<DB>, clientId: string, now: Date): Promise<PublishableKeyRow[]> {
  return liveKeysOfMany(db, [clientId], now);
}

/** Every live key of many clients at once (for listings), newest first. */
export function liveKeysOfMany(db: Kysely<DB> | Transaction<DB>, clientIds: string[], now: Date): Promise<PublishableKeyRow[]> {
  if (clientIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('publishable_keys')
    .selectAll()
    .where('client_id', 'in', clientIds)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .execute();
}

/** Ends the working life of a client's keys (except `keep`) at `until`, unless they end sooner already. */
export async function expireKeys(trx: Transaction<DB>, clientId: string, keep: string, until: Date): Promise<void> {
  await trx
    .updateTable('publishable_keys')
    .set({ expires_at: until })
    .where('client_id', '=', clientId)
    .where('id', '<>', keep)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', until)]))
    .execute();
}

export function findKeyByHash(db: Kysely<DB>, keyHash: string): Promise<Pick<PublishableKeyRow, 'id' | 'client_id' | 'expires_at'> | undefined> {
  return db.selectFrom('publishable_keys').select(['id', 'client_id', 'expires_at']).where('key_hash', '=', keyHash).executeTakeFirst();
}

/** The origins of every active publishable key (what a CORS preflight is allowed for). */
export async function activePublishableOrigins(db: Kysely<DB>): Promise<string[]> {
  const rows = await db.selectFrom('api_clients').select('origins').where('kind', '=', 'publishable').where('active', '=', true).execute();
  return [...new Set(rows.flatMap((r) => r.origins ?? []))];
}
