import type { Updateable } from 'kysely';
import { auditedChange } from '../audit/service.js';
import type { Context } from '../context.js';
import type { CallbackRetryPoliciesTable, CallbackRetryPolicyRow } from '../db/types.js';
import { errors } from '../errors.js';
import { guardSharedChange, queueRefs, queuesUsing, refuseDeleteWhileUsed } from '../queues/usage.js';
import { isoUtc } from '../time.js';
import {
  deleteCallbackRetryPolicyRow,
  findCallbackRetryPolicy,
  insertCallbackRetryPolicy,
  listCallbackRetryPolicyRows,
  lockCallbackRetryPolicy,
  updateCallbackRetryPolicyRow,
} from './retry-policy-queries.js';
import type { CreateCallbackRetryPolicyBody, UpdateCallbackRetryPolicyBody } from './retry-policy-schemas.js';

/**
 * `/admin/v1/callback-retry-policies`: which wrap-up codes mean "nobody answered", how long to wait
 * and how many attempts in all; queues point at one with `callbackRetryPolicyId`. Shared by the
 * queues using it, like prioritization policies: a restricted caller changes only one its own
 * queues use (or none yet).
 */

const ENTITY = 'callback-retry-policy';
const LABEL = 'Callback retry policy';
const USED_BY = 'callback_retry_policy_id';

function toApi(r: CallbackRetryPolicyRow, queues: { id: string; name: string }[] = []) {
  return {
    id: r.id,
    name: r.name,
    wrapUpCodes: r.wrap_up_codes.map((c) => ({ id: c.id, name: c.name })),
    waitSeconds: r.wait_seconds,
    maxAttempts: r.max_attempts,
    queues,
    createdAt: isoUtc(r.created_at),
    updatedAt: isoUtc(r.updated_at),
  };
}

/** The codes as stored: trimmed, each id once (a repeat is a broken request, not a silent merge). */
function codesOf(codes: CreateCallbackRetryPolicyBody['wrapUpCodes']) {
  const seen = new Set<string>();
  return codes.map((c, i) => {
    const id = c.id.trim();
    if (seen.has(id.toLowerCase())) throw errors.validation('wrapUpCodes', `wrapUpCodes/${i}/id: "${id}" is listed twice`);
    seen.add(id.toLowerCase());
    return { id, name: c.name?.trim() ?? null };
  });
}

function columns(b: UpdateCallbackRetryPolicyBody): Updateable<CallbackRetryPoliciesTable> {
  return {
    ...(b.name !== undefined && { name: b.name.trim() }),
    ...(b.wrapUpCodes !== undefined && { wrap_up_codes: JSON.stringify(codesOf(b.wrapUpCodes)) }),
    ...(b.waitSeconds !== undefined && { wait_seconds: b.waitSeconds }),
    ...(b.maxAttempts !== undefined && { max_attempts: b.maxAttempts }),
  };
}

export async function createCallbackRetryPolicy(ctx: Context, body: CreateCallbackRetryPolicyBody) {
  const values = { name: body.name.trim(), wrap_up_codes: JSON.stringify(codesOf(body.wrapUpCodes)), wait_seconds: body.waitSeconds, max_attempts: body.maxAttempts };
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'create', name: body.name }, async (trx) => {
    const row = await insertCallbackRetryPolicy(trx, values);
    return { entityId: row.id, after: toApi(row), result: toApi(row) };
  });
}

export async function listCallbackRetryPolicies(ctx: Context) {
  const rows = await listCallbackRetryPolicyRows(ctx.db);
  const users = await queuesUsing(ctx.db, USED_BY, rows.map((r) => r.id));
  return rows.map((r) => toApi(r, queueRefs(ctx.caller, users.get(r.id))));
}

export async function getCallbackRetryPolicy(ctx: Context, id: string) {
  const row = await findCallbackRetryPolicy(ctx.db, id);
  if (!row) throw errors.notFound(LABEL, id);
  return toApi(row, queueRefs(ctx.caller, (await queuesUsing(ctx.db, USED_BY, [id])).get(id)));
}

/**
 * A change applies to the next decision of every callback in the queues using it: a callback on its
 * third attempt when maxAttempts drops to 2 ends as NO_ANSWER at its next no-answer wrap-up.
 */
export async function updateCallbackRetryPolicy(ctx: Context, id: string, patch: UpdateCallbackRetryPolicyBody) {
  const values = columns(patch);
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'update', name: patch.name }, async (trx) => {
    const before = await lockCallbackRetryPolicy(trx, id);
    if (!before) throw errors.notFound(LABEL, id);
    await guardSharedChange(trx, ctx.caller, USED_BY, id, 'callback retry policy');
    const row = await updateCallbackRetryPolicyRow(trx, id, { ...values, updated_at: ctx.clock.now() });
    const users = (await queuesUsing(trx, USED_BY, [id])).get(id);
    return { entityId: id, before: toApi(before), after: toApi(row), result: toApi(row, queueRefs(ctx.caller, users)) };
  });
}

export async function deleteCallbackRetryPolicy(ctx: Context, id: string): Promise<void> {
  await auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'delete' }, async (trx) => {
    const before = await lockCallbackRetryPolicy(trx, id);
    if (!before) throw errors.notFound(LABEL, id);
    await guardSharedChange(trx, ctx.caller, USED_BY, id, 'callback retry policy');
    await refuseDeleteWhileUsed(trx, USED_BY, id, 'callback retry policy');
    await deleteCallbackRetryPolicyRow(trx, id);
    return { entityId: id, before: toApi(before), result: undefined };
  });
}
