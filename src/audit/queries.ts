import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/types.js';
import type { ActorKind } from '../vocabulary.js';

export interface NewAuditRow {
  actor: string;
  actorName: string;
  actorKind: ActorKind;
  action: string;
  entity: string;
  entityId: string;
  /** JSON text, or null. */
  before: string | null;
  after: string | null;
  correlationId: string | null;
}

export async function insertAuditRow(trx: Transaction<DB>, row: NewAuditRow): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      actor: row.actor,
      actor_name: row.actorName,
      actor_kind: row.actorKind,
      action: row.action,
      entity: row.entity,
      entity_id: row.entityId,
      before: row.before,
      after: row.after,
      correlation_id: row.correlationId,
    })
    .execute();
}

export interface AuditRowFilter {
  entity?: string | undefined;
  entityId?: string | undefined;
  actor?: string | undefined;
  /** Entries with id below this (cursor paging, newest first). */
  before?: number | undefined;
  /** At most this many rows. */
  limit: number;
  /** Only the caller's own entries and those of these entities' ids; null = every entry. */
  scope: { actor: string; entities: Record<string, string[]> } | null;
}

export function listAuditRows(db: Kysely<DB>, f: AuditRowFilter) {
  let q = db
    .selectFrom('audit_log')
    .select(['id', 'at', 'actor', 'actor_name', 'actor_kind', 'action', 'entity', 'entity_id', 'before', 'after', 'correlation_id'])
    .orderBy('id', 'desc')
    .limit(f.limit);
  if (f.entity) q = q.where('entity', '=', f.entity);
  if (f.entityId) q = q.where('entity_id', '=', f.entityId);
  if (f.actor) q = q.where('actor', '=', f.actor);
  if (f.before !== undefined) q = q.where('id', '<', String(f.before));
  const scope = f.scope;
  if (scope !== null) {
    q = q.where((eb) =>
      eb.or([
        eb('actor', '=', scope.actor),
        ...Object.entries(scope.entities)
          .filter(([, ids]) => ids.length > 0)
          .map(([entity, ids]) => eb.and([eb('entity', '=', entity), eb('entity_id', 'in', ids)])),
      ]),
    );
  }
  return q.execute();
}
