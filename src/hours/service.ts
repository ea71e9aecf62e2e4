import { auditedChange } from '../audit/service.js';
import type { Context } from '../context.js';
import type { BusinessHoursRow } from '../db/types.js';
import { errors } from '../errors.js';
import { guardSharedChange, queueRefs, queuesUsing, refuseDeleteWhileUsed } from '../queues/usage.js';
import { holidayCountries, holidayRegions, holidayStates, HOLIDAY_TYPES, specialDaysOf, validateBusinessHours, type BusinessHoursSpec, type HolidayCalendar, type RecurringRule } from '../slots/engine.js';
import { weekdayOfDate } from '../slots/time.js';
import { deleteHoursRow, findHours, insertHours, listHoursRows, lockHours, updateHoursRow } from './queries.js';
import type { CreateHoursBody, UpdateHoursBody } from './schemas.js';
import { isoUtc } from '../time.js';

const ENTITY = 'business-hours';
const LABEL = 'Business hours';
const USED_BY = 'business_hours_id';

type SpecRow = Pick<BusinessHoursRow, 'timezone' | 'weekly' | 'exceptions'> & Partial<Pick<BusinessHoursRow, 'id' | 'revision' | 'recurring' | 'holiday_calendars'>>;

/** The engine's view of stored hours; with id and revision it carries the key its special dates are cached by. */
export function toSpec(row: SpecRow): BusinessHoursSpec {
  return {
    timezone: row.timezone,
    weekly: row.weekly,
    exceptions: row.exceptions,
    recurring: (row.recurring ?? []) as RecurringRule[],
    holidayCalendars: (row.holiday_calendars ?? []) as HolidayCalendar[],
    ...(row.id && row.revision !== undefined ? { cacheKey: `${row.id}:${row.revision}` } : {}),
  };
}

function toApi(row: BusinessHoursRow, queues: { id: string; name: string }[] = []) {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    weekly: row.weekly,
    exceptions: row.exceptions,
    recurring: row.recurring as RecurringRule[],
    holidayCalendars: row.holiday_calendars as HolidayCalendar[],
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

export async function createHours(ctx: Context, body: CreateHoursBody) {
  const spec = validated({ timezone: body.timezone, weekly: body.weekly, exceptions: body.exceptions ?? [], recurring: body.recurring ?? [], holidayCalendars: body.holidayCalendars ?? [] });
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'create', name: body.name }, async (trx) => {
    const row = await insertHours(trx, { name: body.name.trim(), timezone: spec.timezone, weekly: JSON.stringify(spec.weekly), exceptions: JSON.stringify(spec.exceptions), recurring: JSON.stringify(spec.recurring), holiday_calendars: JSON.stringify(spec.holidayCalendars) });
    const result = toApi(row);
    return { entityId: row.id, after: result, result };
  });
}

export async function listHours(ctx: Context) {
  const rows = await listHoursRows(ctx.db);
  const users = await queuesUsing(ctx.db, USED_BY, rows.map((r) => r.id));
  return rows.map((r) => toApi(r, queueRefs(ctx.caller, users.get(r.id))));
}

export async function getHours(ctx: Context, id: string) {
  const row = await findHours(ctx.db, id);
  if (!row) throw errors.notFound(LABEL, id);
  return toApi(row, queueRefs(ctx.caller, (await queuesUsing(ctx.db, USED_BY, [id])).get(id)));
}

/** Shared by the queues (and campaigns) using them: a restricted caller changes only hours its own queues use. */
export async function updateHours(ctx: Context, id: string, patch: UpdateHoursBody) {
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'update', name: patch.name }, async (trx) => {
    const before = await lockHours(trx, id);
    if (!before) throw errors.notFound(LABEL, id);
    await guardSharedChange(trx, ctx.caller, USED_BY, id, 'business hours');
    const spec = validated({
      timezone: patch.timezone ?? before.timezone,
      weekly: patch.weekly ?? before.weekly,
      exceptions: patch.exceptions ?? before.exceptions,
      recurring: (patch.recurring ?? before.recurring) as RecurringRule[],
      holidayCalendars: (patch.holidayCalendars ?? before.holiday_calendars) as HolidayCalendar[],
    });
    const row = await updateHoursRow(trx, id, {
      name: patch.name?.trim() ?? before.name,
      timezone: spec.timezone,
      weekly: JSON.stringify(spec.weekly),
      exceptions: JSON.stringify(spec.exceptions),
      recurring: JSON.stringify(spec.recurring),
      holiday_calendars: JSON.stringify(spec.holidayCalendars),
      updated_at: ctx.clock.now(),
    });
    const users = (await queuesUsing(trx, USED_BY, [id])).get(id);
    return { entityId: id, before: toApi(before), after: toApi(row), result: toApi(row, queueRefs(ctx.caller, users)) };
  });
}

export async function deleteHours(ctx: Context, id: string): Promise<void> {
  await auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'delete' }, async (trx) => {
    const before = await lockHours(trx, id);
    if (!before) throw errors.notFound(LABEL, id);
    await guardSharedChange(trx, ctx.caller, USED_BY, id, 'business hours');
    await refuseDeleteWhileUsed(trx, USED_BY, id, 'business hours');
    await deleteHoursRow(trx, id);
    return { entityId: id, before: toApi(before), result: undefined };
  });
}

/** The special dates these hours have in a year, strongest source applied, for an admin to check. */
export async function holidaysOf(ctx: Context, id: string, year: number) {
  const row = await findHours(ctx.db, id);
  if (!row) throw errors.notFound(LABEL, id);
  const days = specialDaysOf(toSpec(row), year);
  return {
    id,
    year,
    timezone: row.timezone,
    dates: [...days.values()].map((d) => ({ ...d, weekday: weekdayOfDate(d.date) })),
  };
}

/** What a holiday calendar may name: the countries, and with `country` its states and their regions. */
export function holidayCalendarChoices(country?: string) {
  const countries = Object.entries(holidayCountries()).map(([code, name]) => ({ code, name }));
  const result = { types: [...HOLIDAY_TYPES], countries };
  if (country === undefined) return result;
  const code = country.toUpperCase();
  const states = holidayStates(code);
  if (states === undefined) throw errors.validation('country', `country: unknown country "${country}"`);
  return {
    ...result,
    country: code,
    states: Object.entries(states).map(([state, name]) => ({
      code: state,
      name,
      regions: Object.entries(holidayRegions(code, state)).map(([r, n]) => ({ code: r, name: n })),
    })),
  };
}
