import type { Kysely } from 'kysely';
import { auditedChange } from '../audit/service.js';
import type { Context } from '../context.js';
import type { DB, NumberRuleRow } from '../db/types.js';
import { errors } from '../errors.js';
import type { QueueWithConfig } from '../queues/queries.js';
import { resolveQueue } from '../queues/resolve.js';
import { guardSharedChange, queueRefs, queuesUsing, refuseDeleteWhileUsed } from '../queues/usage.js';
import {
  deleteNumberRuleRow,
  findNumberRule,
  findNumberRuleByRef,
  insertNumberRule,
  listNumberRuleRows,
  lockNumberRule,
  updateNumberRuleRow,
} from './queries.js';
import type { CreateNumberRuleBody, NumberCheckInput, UpdateNumberRuleBody } from './schemas.js';
import {
  PatternError,
  prepareRule,
  RuleCache,
  screenNumber,
  supportedCountry,
  type CompiledRule,
  type NumberRuleInput,
  type NumberRuleSpec,
  type PreparedRule,
  type ScreeningResult,
} from './screening.js';
import { isoUtc } from '../time.js';

const ENTITY = 'number-rule';
const LABEL = 'Number rule';
const USED_BY = 'number_rule_id';

type RuleColumns = Pick<NumberRuleRow, 'id' | 'permitted_countries' | 'blocked_patterns' | 'blocked_number_types' | 'updated_at'>;

function specOf(row: RuleColumns): NumberRuleSpec {
  return {
    id: row.id,
    version: row.updated_at.toISOString(),
    permittedCountries: row.permitted_countries,
    blockedPatterns: row.blocked_patterns,
    blockedNumberTypes: row.blocked_number_types,
  };
}

/**
 * Rules are compiled through the app's RuleCache (`ctx.caches.numberRules`), keyed by rule id and
 * its updated_at: a change made through any replica is picked up by every replica on its next
 * screening, and nothing is recompiled per request.
 *
 * A stored rule that no longer compiles (written around the API, or accepted by an older version
 * with looser limits) is a configuration problem for an administrator, not an internal error.
 */
async function compiledRule(rules: RuleCache, row: RuleColumns): Promise<CompiledRule> {
  try {
    return await rules.get(specOf(row));
  } catch (err) {
    if (!(err instanceof PatternError)) throw err;
    throw errors.conflict(`Number rule ${row.id} cannot be used until an administrator edits it: ${err.message}`, {
      ruleId: row.id,
      field: `blockedPatterns[${err.index}]`,
    });
  }
}

function toApi(row: NumberRuleRow, queues: { id: string; name: string }[] = []) {
  return {
    id: row.id,
    name: row.name,
    permittedCountries: row.permitted_countries,
    blockedPatterns: row.blocked_patterns,
    blockedNumberTypes: row.blocked_number_types,
    queues,
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}

/**
 * Validated, normalized (upper-case codes, no duplicates) and compiled; a pattern RE2 cannot compile,
 * or one that costs too much to compile, is a 400 with the reason.
 */
async function validated(input: NumberRuleInput): Promise<PreparedRule> {
  const prepared = await prepareRule(input);
  if ('problem' in prepared) throw errors.validation(prepared.problem.field, `${prepared.problem.field}: ${prepared.problem.message}`);
  return prepared.rule;
}

/** Saving compiled the rule already: keep it, so the first check after the change does not wait. */
function keepCompiled(rules: RuleCache, row: RuleColumns, prepared: PreparedRule): void {
  rules.put(specOf(row), prepared.patterns);
}

function columns(input: NumberRuleInput) {
  return { permitted_countries: input.permittedCountries, blocked_patterns: input.blockedPatterns, blocked_number_types: input.blockedNumberTypes };
}

export async function createNumberRule(ctx: Context, body: CreateNumberRuleBody) {
  const prepared = await validated({ permittedCountries: body.permittedCountries, blockedPatterns: body.blockedPatterns ?? [], blockedNumberTypes: body.blockedNumberTypes ?? [] });
  let saved: RuleColumns | undefined;
  const result = await auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'create', name: body.name }, async (trx) => {
    const row = await insertNumberRule(trx, { name: body.name.trim(), ...columns(prepared.input) });
    saved = row;
    const result = toApi(row);
    return { entityId: row.id, after: result, result };
  });
  if (saved) keepCompiled(ctx.caches.numberRules, saved, prepared);
  return result;
}

export async function listNumberRules(ctx: Context) {
  const rows = await listNumberRuleRows(ctx.db);
  const users = await queuesUsing(ctx.db, USED_BY, rows.map((r) => r.id));
  return rows.map((r) => toApi(r, queueRefs(ctx.caller, users.get(r.id))));
}

export async function getNumberRule(ctx: Context, id: string) {
  const row = await findNumberRule(ctx.db, id);
  if (!row) throw errors.notFound(LABEL, id);
  return toApi(row, queueRefs(ctx.caller, (await queuesUsing(ctx.db, USED_BY, [id])).get(id)));
}

/** Shared by the queues (and campaigns) screening with it: a restricted caller changes only a rule its own queues use. */
export async function updateNumberRule(ctx: Context, id: string, patch: UpdateNumberRuleBody) {
  let saved: { row: RuleColumns; prepared: PreparedRule } | undefined;
  const result = await auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'update', name: patch.name }, async (trx) => {
    const before = await lockNumberRule(trx, id);
    if (!before) throw errors.notFound(LABEL, id);
    await guardSharedChange(trx, ctx.caller, USED_BY, id, 'number rule');
    const prepared = await validated({
      permittedCountries: patch.permittedCountries ?? before.permitted_countries,
      blockedPatterns: patch.blockedPatterns ?? before.blocked_patterns,
      blockedNumberTypes: patch.blockedNumberTypes ?? before.blocked_number_types,
    });
    const row = await updateNumberRuleRow(trx, id, { ...(patch.name !== undefined && { name: patch.name.trim() }), ...columns(prepared.input), updated_at: ctx.clock.now() });
    saved = { row, prepared };
    const users = (await queuesUsing(trx, USED_BY, [id])).get(id);
    return { entityId: id, before: toApi(before), after: toApi(row), result: toApi(row, queueRefs(ctx.caller, users)) };
  });
  if (saved) keepCompiled(ctx.caches.numberRules, saved.row, saved.prepared);
  return result;
}

export async function deleteNumberRule(ctx: Context, id: string): Promise<void> {
  await auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'delete' }, async (trx) => {
    const before = await lockNumberRule(trx, id);
    if (!before) throw errors.notFound(LABEL, id);
    await guardSharedChange(trx, ctx.caller, USED_BY, id, 'number rule');
    await refuseDeleteWhileUsed(trx, USED_BY, id, 'number rule');
    await deleteNumberRuleRow(trx, id);
    return { entityId: id, before: toApi(before), result: undefined };
  });
}

/** A real ISO country (upper-cased), or null. */
export function supportedCountryOrNull(code: string): string | null {
  return supportedCountry(code) ?? null;
}

/** A caller's default country if it is a real one; an unknown code is ignored rather than refused. */
function countryOrUndefined(code: string | undefined | null): string | undefined {
  return code ? supportedCountry(code) : undefined;
}

type RuleColumnsOrNull = RuleColumns | null | undefined;

/**
 * Screening with a rule (or none: every valid number allowed). Default country: the first of the
 * given countries that is real, else the rule's first permitted country.
 */
export async function screenWith(rules: RuleCache, rule: RuleColumnsOrNull, phoneNumber: string, ...countries: (string | null | undefined)[]): Promise<ScreeningResult> {
  const country = countries.map(countryOrUndefined).find((c) => c !== undefined);
  return screenNumber(rule ? await compiledRule(rules, rule) : null, phoneNumber, country);
}

/** A queue lookup carries only the rule's id and version: the (up to 500) patterns are read on a cache miss. */
export async function ruleOf(db: Kysely<DB>, rules: RuleCache, ref: Pick<NumberRuleRow, 'id' | 'updated_at'>): Promise<CompiledRule | null> {
  const warm = rules.peek(ref.id, ref.updated_at.toISOString());
  if (warm) return warm;
  const row = await findNumberRule(db, ref.id);
  return row ? compiledRule(rules, row) : null;
}

/** Screening for a queue — what callback creation and the numbers/check action use. */
export async function screenForQueue(db: Kysely<DB>, rules: RuleCache, config: Pick<QueueWithConfig, 'queue' | 'numberRule'>, phoneNumber: string, defaultCountry?: string): Promise<ScreeningResult> {
  const rule = config.numberRule ? await ruleOf(db, rules, config.numberRule) : null;
  const country = [defaultCountry, config.queue.default_country].map(countryOrUndefined).find((c) => c !== undefined);
  return screenNumber(rule, phoneNumber, country);
}

/** Operators trying a number against a rule: the same answer a flow gets, nothing booked. */
export async function testNumber(ctx: Context, input: { id: string; phoneNumber: string; defaultCountry?: string | undefined }): Promise<ScreeningResult> {
  const row = await findNumberRule(ctx.db, input.id);
  if (!row) throw errors.notFound(LABEL, input.id);
  return screenNumber(await compiledRule(ctx.caches.numberRules, row), input.phoneNumber, countryOrUndefined(input.defaultCountry));
}

/** `POST /actions/v1/numbers/check`: by queue (its rule and default country) or by rule. */
export async function checkNumber(ctx: Context, input: NumberCheckInput): Promise<ScreeningResult> {
  const { db } = ctx;
  if (input.rule !== undefined && (input.queue !== undefined || input.queueId !== undefined)) {
    throw errors.validation('rule', 'send either a queue or a rule, not both');
  }
  if (input.rule !== undefined) {
    const row = await findNumberRuleByRef(db, input.rule);
    if (!row) throw errors.notFound('Number rule', input.rule);
    return screenNumber(await compiledRule(ctx.caches.numberRules, row), input.phoneNumber, countryOrUndefined(input.defaultCountry));
  }
  return screenForQueue(db, ctx.caches.numberRules, await resolveQueue(ctx, input), input.phoneNumber, input.defaultCountry);
}

