import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, NewUser, UserRow, UserUpdate } from '../db/types.js';

/** Every statement on `users`. */

const COLUMNS = [
  'id',
  'username',
  'display_name',
  'password_hash',
  'source',
  'genesys_user_id',
  'roles',
  'queues',
  'disabled',
  'last_sign_in_at',
  'created_at',
  'updated_at',
] as const;

export const USER_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Db = Kysely<DB> | Transaction<DB>;

export async function findUser(db: Db, id: string): Promise<UserRow | undefined> {
  if (!USER_ID_RE.test(id)) return undefined;
  return db.selectFrom('users').select(COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** Usernames compare without case (the unique index is on lower(username)). */
export function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').select(COLUMNS).where(sql<string>`lower(username)`, '=', username.toLowerCase()).executeTakeFirst();
}

export function findUserByGenesysId(trx: Transaction<DB>, genesysUserId: string): Promise<UserRow | undefined> {
  return trx.selectFrom('users').select(COLUMNS).where('genesys_user_id', '=', genesysUserId).forUpdate().executeTakeFirst();
}

export async function lockUser(trx: Transaction<DB>, id: string): Promise<UserRow | undefined> {
  if (!USER_ID_RE.test(id)) return undefined;
  return trx.selectFrom('users').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function listUserRows(db: Db): Promise<UserRow[]> {
  return db.selectFrom('users').select(COLUMNS).orderBy(sql`lower(username)`).execute();
}

export function insertUser(trx: Transaction<DB>, values: NewUser): Promise<UserRow> {
  return trx.insertInto('users').values(values).returning(COLUMNS).executeTakeFirstOrThrow();
}

export function updateUserRow(trx: Transaction<DB>, id: string, now: Date, values: UserUpdate): Promise<UserRow> {
  return trx.updateTable('users').set({ ...values, updated_at: now }).where('id', '=', id).returning(COLUMNS).executeTakeFirstOrThrow();
}

export async function deleteUserRow(trx: Transaction<DB>, id: string): Promise<void> {
  await trx.deleteFrom('users').where('id', '=', id).execute();
}

export async function touchLastSignIn(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable('users').set({ last_sign_in_at: now }).where('id', '=', id).execute();
}

export async function countUsers(db: Db): Promise<number> {
  const { n } = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(n);
}
