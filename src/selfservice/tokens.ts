import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sha256Hex } from '../auth/secrets.js';
import type { DB, ManageTokenRow } from '../db/types.js';

/**
 * Manage tokens: 32 random bytes, base64url (43 characters), one per callback created through a
 * publishable key. Stored as SHA-256 (the lookup) and sealed (so the create's idempotent replay can
 * answer the same token); the raw token is never stored, logged or kept in the idempotent answer.
 */
export function generateManageToken(): string {
  return randomBytes(32).toString('base64url');
}

export function manageTokenHash(token: string): string {
  return sha256Hex(`manage:${token}`);
}

/** A token's shape: what a request must send before any lookup. */
export const MANAGE_TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/** Records the callback's token; false when it already has one (a racing replay recorded it first). */
export async function insertManageToken(db: Kysely<DB>, row: Omit<ManageTokenRow, 'created_at'>): Promise<boolean> {
  const inserted = await db.insertInto('manage_tokens').values(row).onConflict((oc) => oc.column('callback_id').doNothing()).returning('callback_id').executeTakeFirst();
  return inserted !== undefined;
}

export function findManageTokenOf(db: Kysely<DB>, callbackId: string): Promise<ManageTokenRow | undefined> {
  return db.selectFrom('manage_tokens').selectAll().where('callback_id', '=', callbackId).executeTakeFirst();
}
