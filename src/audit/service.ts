import { isDeepStrictEqual } from 'node:util';
import type { Kysely, Transaction } from 'kysely';
import { auditScope, isRestricted } from '../auth/access.js';
import type { Actor, Role } from '../auth/caller.js';
import { listCampaignRows } from '../campaigns/queries.js';
import { listCallInGroupRows } from '../callin/group-queries.js';
import { listClients } from '../clients/queries.js';
import { isoUtc } from '../time.js';
import type { Context } from '../context.js';
import { isForeignKeyViolation, isUniqueViolation, violatedColumn } from '../db/errors.js';
import type { DB } from '../db/types.js';
import { AppError, errors } from '../errors.js';
import { listQueueRows } from '../queues/queries.js';
import { listUserRows } from '../users/queries.js';
import { insertAuditRow, listAuditRows, type AuditRowFilter } from './queries.js';

export interface AuditEntry {
  action: 'create' | 'update' | 'delete' | string;
  entity: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A change's before and after, cut to the fields whose values differ, so the entry says what the
 * change was rather than restating everything else. `updatedAt` is left out: the entry has its time.
 */
export function changedFields(before: unknown, after: unknown): { before: unknown; after: unknown } {
  if (!isRecord(before) || !isRecord(after)) return { before, after };
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => k !== 'updatedAt' && !isDeepStrictEqual(before[k], after[k]));
  const pick = (o: Record<string, unknown>) => Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
  return { before: pick(before), after: pick(after) };
}

/** Written in the same transaction as the change it describes: no change without its record, naming its actor by id and name. */
export async function recordAudit(trx: Transaction<DB>, actor: Actor, entry: AuditEntry): Promise<void> {
  const { before, after } = changedFields(entry.before, entry.after);
  await insertAuditRow(trx, {
    actor: actor.id,
    actorName: actor.name,
    actorKind: actor.kind,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId,
    before: before === undefined ? null : JSON.stringify(before),
    after: after === undefined ? null : JSON.stringify(after),
    correlationId: actor.correlationId ?? null,
  });
}

export interface AuditFilter {
  entity?: string | undefined;
  entityId?: string | undefined;
  actor?: string | undefined;
  /** Return entries with id below this (cursor paging, newest first). */
  before?: number | undefined;
  limit: number;
}

/** The audit log as the caller may read it (a restricted caller: only entries of entities in its scope), newest first. */
export async function listAudit(ctx: Context, f: AuditFilter) {
  let scope: AuditRowFilter['scope'] = null;
  if (isRestricted(ctx.caller)) {
    const [queues, clients, campaigns, users, callInGroups] = await Promise.all([
      listQueueRows(ctx.db),
      listClients(ctx.db),
      listCampaignRows(ctx.db),
      listUserRows(ctx.db),
      listCallInGroupRows(ctx.db),
    ]);
    scope = auditScope(
      ctx.caller,
      queues,
      clients.map((c) => ({ id: c.id, roles: c.roles as Role[], queues: c.queues })),
      campaigns.map((c) => ({ id: c.id, queueId: c.queue_id })),
      users.map((u) => ({ id: u.id, roles: u.roles as Role[], queues: u.queues })),
      callInGroups.map((g) => ({ id: g.id, queueId: g.queue_id })),
    );
  }
  const rows = await listAuditRows(ctx.db, { ...f, limit: f.limit + 1, scope });
  const page = rows.slice(0, f.limit);
  return {
    items: page.map((r) => ({
      id: Number(r.id),
      at: isoUtc(r.at),
      actor: r.actor,
      actorName: r.actor_name,
      actorKind: r.actor_kind,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      before: r.before ?? null,
      after: r.after ?? null,
      correlationId: r.correlation_id,
    })),
    nextCursor: rows.length > f.limit && page.length > 0 ? String(page[page.length - 1]!.id) : null,
  };
}

export interface Change<T> {
  entityId: string;
  before?: unknown;
  after?: unknown;
  result: T;
}

/**
 * Runs a configuration change in a transaction with its audit record, and turns the database's
 * refusals into answers: a duplicate name → 409, a reference to a missing row → 400 naming the field.
 */
export async function auditedChange<T>(
  db: Kysely<DB>,
  actor: Actor,
  what: { entity: string; action: string; name?: string | undefined },
  work: (trx: Transaction<DB>) => Promise<Change<T>>,
): Promise<T> {
  const run = async (trx: Transaction<DB>) => {
    const change = await work(trx);
    await recordAudit(trx, actor, {
      action: what.action,
      entity: what.entity,
      entityId: change.entityId,
      before: change.before,
      after: change.after,
    });
    return change.result;
  };
  try {
    // Inside a caller's transaction (seeding several records at once), join it.
    return db.isTransaction ? await run(db as Transaction<DB>) : await db.transaction().execute(run);
  } catch (err) {
    if (isUniqueViolation(err)) {
      // Unique values other than the name (a queue's genesysQueueId, a retry policy's match) are named.
      const field = violatedColumn(err);
      if (field !== undefined && field !== 'name') throw new AppError('CONFLICT', `Another ${what.entity} already has this ${field}`, field);
      throw errors.conflict(`A ${what.entity} ${what.name === undefined ? 'with these values' : `named "${what.name}"`} already exists`);
    }
    if (isForeignKeyViolation(err)) {
      const field = violatedColumn(err);
      throw what.action === 'delete'
        ? errors.conflict(`The ${what.entity} is still in use`)
        : errors.validation(field ?? 'body', `${field ?? 'a reference'} does not name an existing record`);
    }
    throw err;
  }
}
