import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/types.js';
import type { SignInMethod } from '../vocabulary.js';

/** Every statement on `sessions`. */

type Db = Kysely<DB> | Transaction<DB>;

export async function insertSession(
  db: Db,
  values: { idHash: string; userId: string; csrfToken: string; method: SignInMethod; now: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: values.idHash,
      user_id: values.userId,
      csrf_token: values.csrfToken,
      method: values.method,
      created_at: values.now,
      last_seen_at: values.now,
      expires_at: values.expiresAt,
    })
    .execute();
}

/** A session with its account, as authentication needs it. */
export function findSessionWithUser(db: Db, idHash: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id_hash',
      'sessions.csrf_token',
      'sessions.method',
      'sessions.created_at',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'users.id as user_id',
      'users.username',
      'users.display_name',
      'users.roles',
      'users.queues',
      'users.disabled',
    ])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst();
}

/**
 * Records activity, at most once per `minGapMs`: only a row last seen before `now - minGapMs` is
 * written, so a busy console costs one write a minute, not one per request.
 */
export async function touchSession(db: Db, idHash: string, now: Date, minGapMs: number): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: now })
    .where('id_hash', '=', idHash)
    .where('last_seen_at', '<', new Date(now.getTime() - minGapMs))
    .execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Signs a person out everywhere (disabled, deleted, access or password changed). */
export async function deleteSessionsOfUser(db: Db, userId: string): Promise<number> {
  const res = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Sessions past their absolute expiry or idle longer than `idleMs`. */
export async function deleteExpiredSessions(db: Db, now: Date, idleMs: number): Promise<number> {
  const res = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', new Date(now.getTime() - idleMs))]))
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
