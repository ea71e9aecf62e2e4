import type { Kysely } from 'kysely';
import { auditedChange } from '../audit/service.js';
import type { Actor } from '../auth/caller.js';
import type { BusinessHoursRow, DB } from '../db/types.js';
import { errors } from '../errors.js';
import { queuesUsing, refuseDeleteWhileUsed } from '../queues/usage.js';
import { validateBusinessHours, type BusinessHoursSpec } from '../slots/engine.js';
import type { CreateHoursBody, UpdateHoursBody } from './schemas.js';
import { isoUtc } from '../time.js';

const COLUMNS = ['id', 'name', 'timezone', 'weekly', 'exceptions', 'created_at', 'updated_at'] as const;

export function toSpec(row: Pick<BusinessHoursRow, 'timezone' | 'weekly' | 'exceptions'>): BusinessHoursSpec {
  return { timezone: row.timezone, weekly: row.weekly, exceptions: row.exceptions };
}

function toApi(row: BusinessHoursRow, queues: { id: string; name: string }[] = []) {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    weekly: row.weekly,
    exceptions: row.exceptions,
    queues,
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}

function validated(spec: BusinessHoursSpec): BusinessHoursSpec {
  const problem = validateBusinessHours(spec);
  if (problem) throw errors.validation(problem.field, `${problem.field}: ${problem.message}`);
  return spec;
}

export async function createHours(db: Kysely<DB>, body: CreateHoursBody, actor: Actor) {
  const spec = validated({ timezone: body.timezone, weekly: body.weekly, exceptions: body.exceptions ?? [] });
  return auditedChange(db, actor, { entity: 'business-hours', action: 'create', name: body.name }, async (trx) => {
    const row = await trx
      .insertInto('business_hours')
      .values({ name: body.name.trim(), timezone: spec.timezone, weekly: JSON.stringify(spec.weekly), exceptions: JSON.stringify(spec.exceptions) })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    const result = toApi(row);
    return { entityId: row.id, after: result, result };
  });
}

export async function listHours(db: Kysely<DB>) {
  const rows = await db.selectFrom('business_hours').select(COLUMNS).orderBy('name').execute();
  const users = await queuesUsing(db, 'business_hours_id', rows.map((r) => r.id));
  return rows.map((r) => toApi(r, users.get(r.id)));
}

export async function getHours(db: Kysely<DB>, id: string) {
  const row = await db.selectFrom('business_hours').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!row) throw errors.notFound('Business hours', id);
  return toApi(row, (await queuesUsing(db, 'business_hours_id', [id])).get(id));
}

export async function updateHours(db: Kysely<DB>, id: string, patch: UpdateHoursBody, actor: Actor) {
  return auditedChange(db, actor, { entity: 'business-hours', action: 'update', name: patch.name }, async (trx) => {
    const before = await trx.selectFrom('business_hours').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) throw errors.notFound('Business hours', id);
    const spec = validated({
      timezone: patch.timezone ?? before.timezone,
      weekly: patch.weekly ?? before.weekly,
      exceptions: patch.exceptions ?? before.exceptions,
    });
    const row = await trx
      .updateTable('business_hours')
      .set({
        name: patch.name?.trim() ?? before.name,
        timezone: spec.timezone,
        weekly: JSON.stringify(spec.weekly),
        exceptions: JSON.stringify(spec.exceptions),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    const users = (await queuesUsing(trx, 'business_hours_id', [id])).get(id);
    return { entityId: id, before: toApi(before), after: toApi(row), result: toApi(row, users) };
  });
}

export async function deleteHours(db: Kysely<DB>, id: string, actor: Actor): Promise<void> {
  await auditedChange(db, actor, { entity: 'business-hours', action: 'delete' }, async (trx) => {
    const before = await trx.selectFrom('business_hours').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) throw errors.notFound('Business hours', id);
    await refuseDeleteWhileUsed(trx, 'business_hours_id', id, 'business hours');
    await trx.deleteFrom('business_hours').where('id', '=', id).execute();
    return { entityId: id, before: toApi(before), result: undefined };
  });
}
