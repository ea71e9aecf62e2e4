import type { Kysely, Transaction } from 'kysely';
import type { DB, SignInMappingRow } from '../db/types.js';
import type { SignInMappingKind } from '../vocabulary.js';

/** Every statement on `genesys_sign_in_mappings` and `genesys_sign_in_requests`. */

type Db = Kysely<DB> | Transaction<DB>;

const COLUMNS = ['id', 'kind', 'genesys_id', 'label', 'roles', 'queues', 'created_at', 'updated_at'] as const;

export function listMappingRows(db: Db): Promise<SignInMappingRow[]> {
  return db.selectFrom('genesys_sign_in_mappings').select(COLUMNS).orderBy('kind').orderBy('genesys_id').execute();
}

/** Locks the table's contents for a replacement: two replacements at once apply one after the other. */
export async function lockMappings(trx: Transaction<DB>): Promise<SignInMappingRow[]> {
  return trx.selectFrom('genesys_sign_in_mappings').select(COLUMNS).orderBy('kind').orderBy('genesys_id').forUpdate().execute();
}

export async function replaceMappingRows(
  trx: Transaction<DB>,
  now: Date,
  items: { kind: SignInMappingKind; genesysId: string; label: string | null; roles: string[]; queues: string[] | null }[],
): Promise<SignInMappingRow[]> {
  await trx.deleteFrom('genesys_sign_in_mappings').execute();
  if (items.length === 0) return [];
  await trx
    .insertInto('genesys_sign_in_mappings')
    .values(items.map((m) => ({ kind: m.kind, genesys_id: m.genesysId, label: m.label, roles: m.roles, queues: m.queues, created_at: now, updated_at: now })))
    .execute();
  return listMappingRows(trx);
}

export async function insertSignInRequest(db: Db, values: { stateHash: string; browserHash: string; codeVerifier: string; now: Date; expiresAt: Date }): Promise<void> {
  await db
    .insertInto('genesys_sign_in_requests')
    .values({ state_hash: values.stateHash, browser_hash: values.browserHash, code_verifier: values.codeVerifier, created_at: values.now, expires_at: values.expiresAt })
    .execute();
}

/** Takes a pending request out, once: a state is good for one callback only, even two racing. */
export function takeSignInRequest(db: Db, stateHash: string) {
  return db.deleteFrom('genesys_sign_in_requests').where('state_hash', '=', stateHash).returning(['browser_hash', 'code_verifier', 'expires_at']).executeTakeFirst();
}

export async function deleteExpiredSignInRequests(db: Db, now: Date): Promise<number> {
  const res = await db.deleteFrom('genesys_sign_in_requests').where('expires_at', '<=', now).executeTakeFirst();
  return Number(res.numDeletedRows);
}
