import type { Updateable } from 'kysely';
import { auditedChange } from '../audit/service.js';
import { isoUtc } from '../time.js';
import type { Context } from '../context.js';
import type { PrioritizationPoliciesTable, PrioritizationPolicyRow } from '../db/types.js';
import { errors } from '../errors.js';
import { guardSharedChange, queueRefs, queuesUsing, refuseDeleteWhileUsed } from '../queues/usage.js';
import { deletePolicyRow, findPolicy, insertPolicy, listPolicyRows, lockPolicy, updatePolicyRow } from './policy-queries.js';
import type { CreatePolicyBody, UpdatePolicyBody } from './schemas.js';

/** `/admin/v1/prioritization-policies`: how fast waiting callbacks gain priority; queues point at them. */

const ENTITY = 'prioritization-policy';
const LABEL = 'Prioritization policy';
const USED_BY = 'prioritization_policy_id';

function toApi(r: PrioritizationPolicyRow, queues: { id: string; name: string }[] = []) {
  return {
    id: r.id,
    name: r.name,
    mode: r.mode,
    initialDelaySeconds: r.initial_delay_seconds,
    intervalSeconds: r.interval_seconds,
    increment: r.increment,
    basePriority: r.base_priority,
    pointsPerMinute: r.points_per_minute,
    maxSteps: r.max_steps,
    maxPriority: r.max_priority,
    queues,
    createdAt: isoUtc(r.created_at),
    updatedAt: isoUtc(r.updated_at),
  };
}

/** API fields → columns, for the fields present. */
function columns(b: UpdatePolicyBody): Updateable<PrioritizationPoliciesTable> {
  return {
    ...(b.name !== undefined && { name: b.name.trim() }),
    ...(b.mode !== undefined && { mode: b.mode }),
    ...(b.initialDelaySeconds !== undefined && { initial_delay_seconds: b.initialDelaySeconds }),
    ...(b.intervalSeconds !== undefined && { interval_seconds: b.intervalSeconds }),
    ...(b.increment !== undefined && { increment: b.increment }),
    ...(b.basePriority !== undefined && { base_priority: b.basePriority }),
    ...(b.pointsPerMinute !== undefined && { points_per_minute: b.pointsPerMinute }),
    ...(b.maxSteps !== undefined && { max_steps: b.maxSteps }),
    ...(b.maxPriority !== undefined && { max_priority: b.maxPriority }),
  };
}

export async function createPolicy(ctx: Context, body: CreatePolicyBody) {
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'create', name: body.name }, async (trx) => {
    const row = await insertPolicy(trx, { ...columns(body), name: body.name.trim(), mode: body.mode, interval_seconds: body.intervalSeconds, max_steps: body.maxSteps, max_priority: body.maxPriority });
    return { entityId: row.id, after: toApi(row), result: toApi(row) };
  });
}

export async function listPolicies(ctx: Context) {
  const rows = await listPolicyRows(ctx.db);
  const users = await queuesUsing(ctx.db, USED_BY, rows.map((r) => r.id));
  return rows.map((r) => toApi(r, queueRefs(ctx.caller, users.get(r.id))));
}

export async function getPolicy(ctx: Context, id: string) {
  const row = await findPolicy(ctx.db, id);
  if (!row) throw errors.notFound(LABEL, id);
  return toApi(row, queueRefs(ctx.caller, (await queuesUsing(ctx.db, USED_BY, [id])).get(id)));
}

/** Shared by the queues using it: a restricted caller changes only a policy its own queues use. */
export async function updatePolicy(ctx: Context, id: string, patch: UpdatePolicyBody) {
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'update', name: patch.name }, async (trx) => {
    const before = await lockPolicy(trx, id);
    if (!before) throw errors.notFound(LABEL, id);
    await guardSharedChange(trx, ctx.caller, USED_BY, id, 'prioritization policy');
    const row = await updatePolicyRow(trx, id, { ...columns(patch), updated_at: ctx.clock.now() });
    const users = (await queuesUsing(trx, USED_BY, [id])).get(id);
    return { entityId: id, before: toApi(before), after: toApi(row), result: toApi(row, queueRefs(ctx.caller, users)) };
  });
}

export async function deletePolicy(ctx: Context, id: string): Promise<void> {
  await auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'delete' }, async (trx) => {
    const before = await lockPolicy(trx, id);
    if (!before) throw errors.notFound(LABEL, id);
    await guardSharedChange(trx, ctx.caller, USED_BY, id, 'prioritization policy');
    await refuseDeleteWhileUsed(trx, USED_BY, id, 'prioritization policy');
    await deletePolicyRow(trx, id);
    return { entityId: id, before: toApi(before), result: undefined };
  });
}
