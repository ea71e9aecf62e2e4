import type { Transaction } from 'kysely';
import { auditedChange } from '../audit/service.js';
import type { Context } from '../context.js';
import type { CapacityRuleRow, DB } from '../db/types.js';
import { errors } from '../errors.js';
import { guardSharedChange, queueRefs, queuesUsing, refuseDeleteWhileUsed } from '../queues/usage.js';
import { convertTimeslotLength, validateCapacityCells, type CapacityCells, type TimeslotLength } from '../slots/engine.js';
import { deleteRuleRow, findRule, insertRule, listRuleRows, lockRuleRow, updateRuleRow } from './queries.js';
import type { CreateRuleBody, UpdateRuleBody } from './schemas.js';
import { isoUtc } from '../time.js';

const ENTITY = 'capacity-rule';
const LABEL = 'Capacity rule';
const USED_BY = 'capacity_rule_id';

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

/**
 * The rule, locked for a change; a rule used by queues outside a restricted caller's allow-list is
 * read-only to it (update, statement replace and delete alike).
 */
async function lockForChange(ctx: Context, trx: Transaction<DB>, id: string): Promise<CapacityRuleRow> {
  const row = await lockRuleRow(trx, id);
  if (!row) throw errors.notFound(LABEL, id);
  await guardSharedChange(trx, ctx.caller, USED_BY, id, 'capacity rule');
  return row;
}

async function save(ctx: Context, trx: Transaction<DB>, before: CapacityRuleRow, length: TimeslotLength, cells: CapacityCells) {
  const row = await updateRuleRow(trx, before.id, { timeslot_length: length, cells: JSON.stringify(validated(cells, length)), updated_at: ctx.clock.now() });
  const users = (await queuesUsing(trx, USED_BY, [before.id])).get(before.id);
  return { entityId: before.id, before: toApi(before), after: toApi(row), result: toApi(row, queueRefs(ctx.caller, users)) };
}

export async function createRule(ctx: Context, body: CreateRuleBody) {
  const cells = validated(body.cells ?? {}, body.timeslotLength);
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'create', name: body.name }, async (trx) => {
    const row = await insertRule(trx, { name: body.name.trim(), timeslot_length: body.timeslotLength, cells: JSON.stringify(cells) });
    const result = toApi(row);
    return { entityId: row.id, after: result, result };
  });
}

export async function listRules(ctx: Context) {
  const rows = await listRuleRows(ctx.db);
  const users = await queuesUsing(ctx.db, USED_BY, rows.map((r) => r.id));
  return rows.map((r) => toApi(r, queueRefs(ctx.caller, users.get(r.id))));
}

export async function getRule(ctx: Context, id: string) {
  const row = await findRule(ctx.db, id);
  if (!row) throw errors.notFound(LABEL, id);
  return toApi(row, queueRefs(ctx.caller, (await queuesUsing(ctx.db, USED_BY, [id])).get(id)));
}

export async function updateRule(ctx: Context, id: string, patch: UpdateRuleBody) {
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'update' }, async (trx) => {
    const before = await lockForChange(ctx, trx, id);
    const length = patch.timeslotLength ?? before.timeslot_length;
    const converted = convertTimeslotLength(before.cells, before.timeslot_length, length);
    return save(ctx, trx, before, length, merge(converted, patch.cells ?? {}));
  });
}

/** A pasted capacity statement replaces every cell: cells it leaves out become 0. */
export async function replaceStatement(ctx: Context, input: { id: string; statement: CapacityCells }) {
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'replace-statement' }, async (trx) => {
    const before = await lockForChange(ctx, trx, input.id);
    return save(ctx, trx, before, before.timeslot_length, input.statement);
  });
}

export async function deleteRule(ctx: Context, id: string): Promise<void> {
  await auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'delete' }, async (trx) => {
    const before = await lockForChange(ctx, trx, id);
    await refuseDeleteWhileUsed(trx, USED_BY, id, 'capacity rule');
    await deleteRuleRow(trx, id);
    return { entityId: id, before: toApi(before), result: undefined };
  });
}
