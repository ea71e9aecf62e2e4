import type { Kysely } from 'kysely';
import { auditedChange, type Actor } from '../audit/service.js';
import type { DB, PrioritizationPolicyRow } from '../db/types.js';
import { errors } from '../http/errors.js';
import { queuesUsing, refuseDeleteWhileUsed } from '../queues/usage.js';
import type { CreatePolicyBody, UpdatePolicyBody } from './schemas.js';

const COLUMNS = ['id', 'name', 'mode', 'initial_delay_seconds', 'interval_seconds', 'increment', 'base_priority', 'points_per_minute', 'max_steps', 'max_priority', 'created_at', 'updated_at'] as const;
const ENTITY = 'prioritization-policy';

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
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function columns(b: Partial<CreatePolicyBody>) {
  const map: [keyof CreatePolicyBody, string][] = [
    ['name', 'name'],
    ['mode', 'mode'],
    ['initialDelaySeconds', 'initial_delay_seconds'],
    ['intervalSeconds', 'interval_seconds'],
    ['increment', 'increment'],
    ['basePriority', 'base_priority'],
    ['pointsPerMinute', 'points_per_minute'],
    ['maxSteps', 'max_steps'],
    ['maxPriority', 'max_priority'],
  ];
  return Object.fromEntries(map.filter(([k]) => b[k] !== undefined).map(([k, c]) => [c, k === 'name' ? String(b[k]).trim() : b[k]]));
}

export async function createPolicy(db: Kysely<DB>, body: CreatePolicyBody, actor: Actor) {
  return auditedChange(db, actor, { entity: ENTITY, action: 'create', name: body.name }, async (trx) => {
    const row = await trx.insertInto('prioritization_policies').values(columns(body) as never).returning(COLUMNS).executeTakeFirstOrThrow();
    return { entityId: row.id, after: toApi(row), result: toApi(row) };
  });
}

export async function listPolicies(db: Kysely<DB>) {
  const rows = await db.selectFrom('prioritization_policies').select(COLUMNS).orderBy('name').execute();
  const users = await queuesUsing(db, 'prioritization_policy_id', rows.map((r) => r.id));
  return rows.map((r) => toApi(r, users.get(r.id)));
}

export async function getPolicy(db: Kysely<DB>, id: string) {
  const row = await db.selectFrom('prioritization_policies').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!row) throw errors.notFound('Prioritization policy', id);
  return toApi(row, (await queuesUsing(db, 'prioritization_policy_id', [id])).get(id));
}

export async function updatePolicy(db: Kysely<DB>, id: string, patch: UpdatePolicyBody, actor: Actor) {
  return auditedChange(db, actor, { entity: ENTITY, action: 'update', name: patch.name }, async (trx) => {
    const before = await trx.selectFrom('prioritization_policies').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) throw errors.notFound('Prioritization policy', id);
    const row = await trx.updateTable('prioritization_policies').set({ ...columns(patch), updated_at: new Date() }).where('id', '=', id).returning(COLUMNS).executeTakeFirstOrThrow();
    const users = (await queuesUsing(trx, 'prioritization_policy_id', [id])).get(id);
    return { entityId: id, before: toApi(before), after: toApi(row), result: toApi(row, users) };
  });
}

export async function deletePolicy(db: Kysely<DB>, id: string, actor: Actor): Promise<void> {
  await auditedChange(db, actor, { entity: ENTITY, action: 'delete' }, async (trx) => {
    const before = await trx.selectFrom('prioritization_policies').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) throw errors.notFound('Prioritization policy', id);
    await refuseDeleteWhileUsed(trx, 'prioritization_policy_id', id, 'prioritization policy');
    await trx.deleteFrom('prioritization_policies').where('id', '=', id).execute();
    return { entityId: id, before: toApi(before), result: undefined };
  });
}
