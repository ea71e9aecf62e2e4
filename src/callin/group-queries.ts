import { sql, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { CallInGroupRow, CallInGroupsTable, DB } from '../db/types.js';
import type { DnisEntry } from './dnis-csv.js';

/** Every statement on `call_in_groups` and `call_in_dnis`. */

type Db = Kysely<DB> | Transaction<DB>;

const COLUMNS = [
  'id',
  'name',
  'queue_id',
  'access_code_enabled',
  'access_code_length',
  'expiry_seconds',
  'unique_dnis',
  'match_criteria',
  'max_code_attempts',
  'created_by',
  'created_at',
  'updated_at',
] as const;

/** Rows a statement inserts at once (3 parameters a row, far below PostgreSQL's 65,535). */
const INSERT_CHUNK = 2_000;

export function insertCallInGroup(trx: Transaction<DB>, values: Insertable<CallInGroupsTable>): Promise<CallInGroupRow> {
  return trx.insertInto('call_in_groups').values(values).returning(COLUMNS).executeTakeFirstOrThrow();
}

export function listCallInGroupRows(db: Db): Promise<CallInGroupRow[]> {
  return db.selectFrom('call_in_groups').select(COLUMNS).orderBy(sql`lower(name)`).orderBy('id').execute();
}

export function findCallInGroup(db: Db, id: string): Promise<CallInGroupRow | undefined> {
  return db.selectFrom('call_in_groups').select(COLUMNS).where('id', '=', id).executeTakeFirst();
}

/**
 * A group by the name a flow or an app gives (trimmed, case-insensitive as the database lowers it), with
 * its queue's identity for the caller's allow-list.
 */
export function findCallInGroupByName(db: Db, name: string) {
  return db
    .selectFrom('call_in_groups as g')
    .leftJoin('queues as q', 'q.id', 'g.queue_id')
    .select(COLUMNS.map((c) => `g.${c}` as const))
    .select(['q.name as queue_name', 'q.genesys_queue_id'])
    .where(sql<boolean>`lower(g.name) = lower(${name.trim()})`)
    .executeTakeFirst();
}

export function lockCallInGroup(trx: Transaction<DB>, id: string): Promise<CallInGroupRow | undefined> {
  return trx.selectFrom('call_in_groups').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updateCallInGroupRow(trx: Transaction<DB>, id: string, values: Updateable<CallInGroupsTable>): Promise<CallInGroupRow> {
  return trx.updateTable('call_in_groups').set(values).where('id', '=', id).returning(COLUMNS).executeTakeFirstOrThrow();
}

export async function deleteCallInGroupRow(trx: Transaction<DB>, id: string): Promise<void> {
  await trx.deleteFrom('call_in_groups').where('id', '=', id).execute();
}

/** Pending requests of the group a caller may still call in for. */
export async function countLivePendingRequests(db: Db, groupId: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('call_in_requests')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('group_id', '=', groupId)
    .where('state', '=', 'PENDING')
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many numbers each group's pool holds. */
export async function dnisCounts(db: Db, groupIds: readonly string[]): Promise<Map<string, number>> {
  if (groupIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('call_in_dnis')
    .select(['group_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('group_id', 'in', [...groupIds])
    .groupBy('group_id')
    .execute();
  return new Map(rows.map((r) => [r.group_id, Number(r.n)]));
}

export function dnisPage(db: Db, groupId: string, limit: number, offset: number): Promise<DnisEntry[]> {
  return db.selectFrom('call_in_dnis').select(['number', 'description']).where('group_id', '=', groupId).orderBy('number').limit(limit).offset(offset).execute();
}

export function allDnis(db: Db, groupId: string): Promise<DnisEntry[]> {
  return db.selectFrom('call_in_dnis').select(['number', 'description']).where('group_id', '=', groupId).orderBy('number').execute();
}

export async function deleteAllDnis(trx: Transaction<DB>, groupId: string): Promise<number> {
  const result = await trx.deleteFrom('call_in_dnis').where('group_id', '=', groupId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function insertDnis(trx: Transaction<DB>, groupId: string, entries: readonly DnisEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
    const chunk = entries.slice(i, i + INSERT_CHUNK).map((e) => ({ group_id: groupId, number: e.number, description: e.description }));
    await trx.insertInto('call_in_dnis').values(chunk).execute();
  }
}
