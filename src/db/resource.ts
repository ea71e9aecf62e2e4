import type { Kysely, Transaction } from 'kysely';
import { auditedChange } from '../audit/service.js';
import type { Actor } from '../auth/caller.js';
import { errors } from '../errors.js';
import { queuesUsing, refuseDeleteWhileUsed, type QueueReference } from '../queues/usage.js';
import type { DB } from './types.js';

type QueueRef = { id: string; name: string };

export interface TableResourceOptions<Row extends { id: string; created_at: Date }, Api, Body> {
  table: 'prioritization_policies' | 'retry_policies' | 'campaigns';
  /** For the audit log ("retry-policy") and messages ("Retry policy"). */
  entity: string;
  label: string;
  columns: readonly string[];
  toApi(row: Row, queues?: QueueRef[]): Api;
  /** API fields → columns, for the fields present. */
  toColumns(body: Partial<Body>): Record<string, unknown>;
  /** Queues may point at these records: GET shows them and delete is refused while they do. */
  usedByQueues?: QueueReference;
  /** Other reasons not to delete (throws). */
  beforeDelete?(trx: Transaction<DB>, id: string): Promise<void>;
}

/**
 * Create, list, get, update and delete for a plain configuration table: audited, in transactions,
 * with the database's refusals turned into 409/400 answers (see auditedChange).
 */
export function tableResource<Row extends { id: string; created_at: Date }, Api, Body extends { name?: string }>(o: TableResourceOptions<Row, Api, Body>) {
  // The table is chosen at run time, so the query builder cannot check these names; the options can.
  const from = (db: Kysely<DB> | Transaction<DB>) => db.selectFrom(o.table as never).select(o.columns as never) as never as {
    where(c: 'id', op: '=', v: string): { executeTakeFirst(): Promise<Row | undefined>; forUpdate(): { executeTakeFirst(): Promise<Row | undefined> } };
    orderBy(c: 'name'): { execute(): Promise<Row[]> };
  };
  const users = async (db: Kysely<DB> | Transaction<DB>, ids: string[]) => (o.usedByQueues ? await queuesUsing(db, o.usedByQueues, ids) : new Map<string, QueueRef[]>());
  const lock = async (trx: Transaction<DB>, id: string) => {
    const row = await from(trx).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw errors.notFound(o.label, id);
    return row;
  };

  return {
    async create(db: Kysely<DB>, body: Body, actor: Actor): Promise<Api> {
      return auditedChange(db, actor, { entity: o.entity, action: 'create', name: body.name }, async (trx) => {
        const row = (await trx.insertInto(o.table).values(o.toColumns(body) as never).returning(o.columns as never).executeTakeFirstOrThrow()) as Row;
        return { entityId: row.id, after: o.toApi(row), result: o.toApi(row, []) };
      });
    },
    async list(db: Kysely<DB>): Promise<Api[]> {
      const rows = await from(db).orderBy('name').execute();
      const used = await users(db, rows.map((r) => r.id));
      return rows.map((r) => o.toApi(r, used.get(r.id) ?? []));
    },
    async get(db: Kysely<DB>, id: string): Promise<Api> {
      const row = await from(db).where('id', '=', id).executeTakeFirst();
      if (!row) throw errors.notFound(o.label, id);
      return o.toApi(row, (await users(db, [id])).get(id) ?? []);
    },
    async update(db: Kysely<DB>, id: string, patch: Partial<Body>, actor: Actor): Promise<Api> {
      return auditedChange(db, actor, { entity: o.entity, action: 'update', name: patch.name }, async (trx) => {
        const before = await lock(trx, id);
        const row = (await trx
          .updateTable(o.table)
          .set({ ...o.toColumns(patch), updated_at: new Date() } as never)
          .where('id', '=', id)
          .returning(o.columns as never)
          .executeTakeFirstOrThrow()) as Row;
        return { entityId: id, before: o.toApi(before), after: o.toApi(row), result: o.toApi(row, (await users(trx, [id])).get(id) ?? []) };
      });
    },
    async remove(db: Kysely<DB>, id: string, actor: Actor): Promise<void> {
      await auditedChange(db, actor, { entity: o.entity, action: 'delete' }, async (trx) => {
        const before = await lock(trx, id);
        if (o.usedByQueues) await refuseDeleteWhileUsed(trx, o.usedByQueues, id, o.label.toLowerCase());
        await o.beforeDelete?.(trx, id);
        await trx.deleteFrom(o.table).where('id', '=', id).execute();
        return { entityId: id, before: o.toApi(before), result: undefined };
      });
    },
  };
}
