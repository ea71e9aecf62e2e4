import type { Kysely, Transaction } from 'kysely';
import { auditedChange } from '../audit/service.js';
import type { Actor } from '../auth/caller.js';
import type { CapacityRuleRow, DB } from '../db/types.js';
import { errors } from '../errors.js';
import { queuesUsing, refuseDeleteWhileUsed } from '../queues/usage.js';
import { convertTimeslotLength, validateCapacityCells, type CapacityCells, type TimeslotLength } from '../slots/engine.js';
import type { CreateRuleBody, UpdateRuleBody } from './schemas.js';
import { isoUtc } from '../time.js';

const COLUMNS = ['id', 'name', 'timeslot_length', 'cells', 'created_at', 'updated_at'] as const;
const ENTITY = 'capacity-rule';

function toApi(row: CapacityRuleRow, queues: { id: string; name: string }[] = []) {
  return {
    id: row.id,
    name: row.name,
    timeslotLength: row.timeslot_length,
    cells: row.cells,
    queues,
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}

function validated(cells: CapacityCells, length: TimeslotLength): CapacityCells {
  const problem = validateCapacityCells(cells, length);
  if (problem) throw errors.validation(problem.field, `${problem.field}: ${problem.message}`);
  return cells;
}

/** Cell-by-cell merge: a day's cells sent replace those cells only. */
function merge(base: CapacityCells, patch: CapacityCells): CapacityCells {
  const out: CapacityCells = { ...base };
  for (const [day, cells] of Object.entries(patch) as [keyof CapacityCells, Record<string, number>][]) {
    out[day] = { ...(base[day] ?? {}), ...cells };
  }
  return out;
}

async function lockRule(trx: Transaction<DB>, id: string): Promise<CapacityRuleRow> {
  const row = await trx.selectFrom('capacity_rules').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw errors.notFound('Capacity rule', id);
  return row;
}

async function save(trx: Transaction<DB>, before: CapacityRuleRow, length: TimeslotLength, cells: CapacityCells) {
  const row = await trx
    .updateTable('capacity_rules')
    .set({ timeslot_length: length, cells: JSON.stringify(validated(cells, length)), updated_at: new Date() })
    .where('id', '=', before.id)
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  const users = (await queuesUsing(trx, 'capacity_rule_id', [before.id])).get(before.id);
  return { entityId: before.id, before: toApi(before), after: toApi(row), result: toApi(row, users) };
}

export async function createRule(db: Kysely<DB>, body: CreateRuleBody, actor: Actor) {
  const cells = validated(body.cells ?? {}, body.timeslotLength);
  return auditedChange(db, actor, { entity: ENTITY, action: 'create', name: body.name }, async (trx) => {
    const row = await trx
      .insertInto('capacity_rules')
      .values({ name: body.name.trim(), timeslot_length: body.timeslotLength, cells: JSON.stringify(cells) })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    const result = toApi(row);
    return { entityId: row.id, after: result, result };
  });
}

export async function listRules(db: Kysely<DB>) {
  const rows = await db.selectFrom('capacity_rules').select(COLUMNS).orderBy('name').execute();
  const users = await queuesUsing(db, 'capacity_rule_id', rows.map((r) => r.id));
  return rows.map((r) => toApi(r, users.get(r.id)));
}

export async function getRule(db: Kysely<DB>, id: string) {
  const row = await db.selectFrom('capacity_rules').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!row) throw errors.notFound('Capacity rule', id);
  return toApi(row, (await queuesUsing(db, 'capacity_rule_id', [id])).get(id));
}

export async function updateRule(db: Kysely<DB>, id: string, patch: UpdateRuleBody, actor: Actor) {
  return auditedChange(db, actor, { entity: ENTITY, action: 'update' }, async (trx) => {
    const before = await lockRule(trx, id);
    const length = patch.timeslotLength ?? before.timeslot_length;
    const converted = convertTimeslotLength(before.cells, before.timeslot_length, length);
    return save(trx, before, length, merge(converted, patch.cells ?? {}));
  });
}

/** A pasted capacity statement replaces every cell: cells it leaves out become 0. */
export async function replaceStatement(db: Kysely<DB>, id: string, statement: CapacityCells, actor: Actor) {
  return auditedChange(db, actor, { entity: ENTITY, action: 'replace-statement' }, async (trx) => {
    const before = await lockRule(trx, id);
    return save(trx, before, before.timeslot_length, statement);
  });
}

export async function deleteRule(db: Kysely<DB>, id: string, actor: Actor): Promise<void> {
  await auditedChange(db, actor, { entity: ENTITY, action: 'delete' }, async (trx) => {
    const before = await lockRule(trx, id);
    await refuseDeleteWhileUsed(trx, 'capacity_rule_id', id, 'capacity rule');
    await trx.deleteFrom('capacity_rules').where('id', '=', id).execute();
    return { entityId: id, before: toApi(before), result: undefined };
  });
}
