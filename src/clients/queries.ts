import type { Kysely, Transaction } from 'kysely';
import type { ApiClientRow, ApiClientUpdate, DB, NewApiClient } from '../db/types.js';

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
