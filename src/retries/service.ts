import type { JobHelpers } from 'graphile-worker';
import type { Kysely, Transaction, Updateable } from 'kysely';
import { assertMayChangeGlobalConfig, assertQueueDataAccess } from '../auth/access.js';
import { auditedChange } from '../audit/service.js';
import type { Actor } from '../auth/caller.js';
import type { Context } from '../context.js';
import type { DB, PreviewContactRow, RetryPoliciesTable, RetryPolicyRow } from '../db/types.js';
import { errors } from '../errors.js';
import { classifyFailure, describeFailure } from '../genesys/errors.js';
import type { ContactSnapshot } from '../genesys/gateway.js';
import { isoUtc, isoUtcOrNull } from '../time.js';
import { enqueue, jobs } from '../jobs/catalog.js';
import type { JobContext } from '../jobs/context.js';
import { deleteRetryPolicyRow, findRetryPolicy, findRetryPolicyByMatch, insertRetryPolicy, listRetryPolicyRows, lockRetryPolicy, updateRetryPolicyRow } from './policy-queries.js';
import { DEFAULT_PREVIEW_SETTINGS, type CreateRetryPolicyBody, type PreviewRetrySettings, type UpdateRetryPolicyBody } from './schemas.js';
import { findQueue } from '../queues/queries.js';
import { allowedQueueIds } from '../queues/resolve.js';
import { findPreviewContact, listPreviewContactRows, lockPreviewAttempts, setPreviewAttempts } from './contact-queries.js';
import { readSetting, writeSetting } from './settings-queries.js';

/**
 * Preview-dialer retries by wrap-up, in place of the blueprint's data tables and workflow. Retry
 * policies and the preview settings apply to every queue's contacts: only an unrestricted
 * administrator changes them.
 */

const ENTITY = 'retry-policy';
const LABEL = 'Retry policy';

function toApi(r: RetryPolicyRow) {
  return {
    id: r.id,
    name: r.name,
    match: r.match,
    waitSeconds: r.wait_seconds,
    maxAttempts: r.max_attempts,
    clearSystemData: r.clear_system_data,
    priority: r.priority,
    createdAt: isoUtc(r.created_at),
    updatedAt: isoUtc(r.updated_at),
  };
}

function columns(b: UpdateRetryPolicyBody): Updateable<RetryPoliciesTable> {
  return {
    ...(b.name !== undefined && { name: b.name.trim() }),
    ...(b.match !== undefined && { match: b.match.trim() }),
    ...(b.waitSeconds !== undefined && { wait_seconds: b.waitSeconds }),
    ...(b.maxAttempts !== undefined && { max_attempts: b.maxAttempts }),
    ...(b.clearSystemData !== undefined && { clear_system_data: b.clearSystemData }),
    ...(b.priority !== undefined && { priority: b.priority }),
  };
}

/** `/admin/v1/retry-policies`: wrap-up or last result → wait and attempts. */
export async function createRetryPolicy(ctx: Context, body: CreateRetryPolicyBody) {
  assertMayChangeGlobalConfig(ctx.caller, 'retry policies');
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'create', name: body.name }, async (trx) => {
    const row = await insertRetryPolicy(trx, { ...columns(body), name: body.name.trim(), match: body.match.trim(), wait_seconds: body.waitSeconds, max_attempts: body.maxAttempts });
    return { entityId: row.id, after: toApi(row), result: toApi(row) };
  });
}

export async function listRetryPolicies(ctx: Context) {
  return (await listRetryPolicyRows(ctx.db)).map(toApi);
}

export async function getRetryPolicy(ctx: Context, id: string) {
  const row = await findRetryPolicy(ctx.db, id);
  if (!row) throw errors.notFound(LABEL, id);
  return toApi(row);
}

export async function updateRetryPolicy(ctx: Context, id: string, patch: UpdateRetryPolicyBody) {
  assertMayChangeGlobalConfig(ctx.caller, 'retry policies');
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'update', name: patch.name }, async (trx) => {
    const before = await lockRetryPolicy(trx, id);
    if (!before) throw errors.notFound(LABEL, id);
    const row = await updateRetryPolicyRow(trx, id, { ...columns(patch), updated_at: ctx.clock.now() });
    return { entityId: id, before: toApi(before), after: toApi(row), result: toApi(row) };
  });
}

export async function deleteRetryPolicy(ctx: Context, id: string): Promise<void> {
  assertMayChangeGlobalConfig(ctx.caller, 'retry policies');
  await auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'delete' }, async (trx) => {
    const before = await lockRetryPolicy(trx, id);
    if (!before) throw errors.notFound(LABEL, id);
    await deleteRetryPolicyRow(trx, id);
    return { entityId: id, before: toApi(before), result: undefined };
  });
}

const SETTINGS_KEY = 'previewRetries';

export async function previewSettings(db: Kysely<DB> | Transaction<DB>): Promise<PreviewRetrySettings> {
  return ((await readSetting(db, SETTINGS_KEY)) as PreviewRetrySettings | undefined) ?? DEFAULT_PREVIEW_SETTINGS;
}

/** `GET /admin/v1/settings/preview-retries`. */
export async function getPreviewSettings(ctx: Context): Promise<PreviewRetrySettings> {
  return previewSettings(ctx.db);
}

export async function savePreviewSettings(ctx: Context, value: PreviewRetrySettings) {
  assertMayChangeGlobalConfig(ctx.caller, 'the preview-retry settings');
  return auditedChange(ctx.db, ctx.caller, { entity: 'settings', action: 'update' }, async (trx) => {
    const before = await previewSettings(trx);
    await writeSetting(trx, SETTINGS_KEY, value, ctx.clock.now());
    return { entityId: SETTINGS_KEY, before, after: value, result: value };
  });
}

/** The contact's last result: a configured wrap-up column, else the most recent call record's lastResult. */
export function lastResultOf(contact: ContactSnapshot, wrapupColumn: string | null): string | null {
  if (wrapupColumn) return contact.data[wrapupColumn] ?? null;
  const records = Object.values(contact.callRecords).filter((r) => r.lastResult);
  records.sort((a, b) => (b.lastAttempt ?? '').localeCompare(a.lastAttempt ?? ''));
  return records[0]?.lastResult ?? null;
}

export interface RetryDecision {
  action: 'RETRY_SCHEDULED' | 'NO_POLICY' | 'MAX_ATTEMPTS';
  message: string;
  retryAt: string;
  lastResult: string;
}

/** Schedules a re-submission of the contact after the policy's wait, counting the attempt; in the event's transaction. */
export async function decideRetry(
  trx: Transaction<DB>,
  preview: { id: string; attempts: number; contact_id: string; contact_list_id: string },
  lastResult: string | null,
  conversationId: string,
  now: Date,
): Promise<RetryDecision> {
  const none = { retryAt: '', lastResult: lastResult ?? '' };
  const policy = lastResult ? await findRetryPolicyByMatch(trx, lastResult) : undefined;
  if (!policy) return { action: 'NO_POLICY', message: `No retry policy for last result "${lastResult ?? ''}"`, ...none };
  const attempts = await lockPreviewAttempts(trx, preview.id);
  if (attempts >= policy.max_attempts) return { action: 'MAX_ATTEMPTS', message: `The contact was retried ${attempts} time(s) already`, ...none };
  const attempt = attempts + 1;
  const retryAt = new Date(now.getTime() + policy.wait_seconds * 1000);
  await setPreviewAttempts(trx, preview.id, attempt, now);
  const row = await trx
    .insertInto('retry_attempts')
    .values({ preview_contact_id: preview.id, attempt, conversation_id: conversationId, last_result: lastResult, policy_id: policy.id, wait_seconds: policy.wait_seconds, retry_at: retryAt, status: 'SCHEDULED' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await enqueue(trx, jobs.resubmitContact(String(row.id), { contactListId: preview.contact_list_id, contactId: preview.contact_id }, retryAt));
  return { action: 'RETRY_SCHEDULED', message: `Retry ${attempt} of ${policy.max_attempts} after ${policy.wait_seconds} s`, retryAt: isoUtc(retryAt), lastResult: lastResult ?? '' };
}

/**
 * The `resubmit-contact` job: the same contact (id and data) back into its list, so the dialer
 * retries it. Adding a contact by its id is safe to repeat, so only a refusal (or the job's last
 * attempt) ends the attempt, as FAILED.
 */
export async function resubmitContact(ctx: JobContext, payload: { attemptId: string }, helpers?: Pick<JobHelpers, 'job'>): Promise<void> {
  const attempt = await ctx.db
    .selectFrom('retry_attempts')
    .innerJoin('preview_contacts as p', 'p.id', 'retry_attempts.preview_contact_id')
    .leftJoin('retry_policies as r', 'r.id', 'retry_attempts.policy_id')
    .select(['retry_attempts.id', 'retry_attempts.status', 'p.contact_id', 'p.contact_list_id', 'r.clear_system_data', 'r.priority'])
    .where('retry_attempts.id', '=', payload.attemptId)
    .executeTakeFirst();
  if (!attempt || attempt.status !== 'SCHEDULED') return;
  const failed = (error: string) => ctx.db.updateTable('retry_attempts').set({ status: 'FAILED', error }).where('id', '=', attempt.id).execute();
  try {
    const contact = await ctx.gateway.getContact(attempt.contact_list_id, attempt.contact_id);
    if (!contact) {
      await failed('The contact is no longer in its list');
      return;
    }
    await ctx.gateway.addContacts(attempt.contact_list_id, [{ id: contact.id, data: contact.data, callable: true }], {
      clearSystemData: attempt.clear_system_data ?? false,
      priority: attempt.priority ?? false,
    });
  } catch (err) {
    if (classifyFailure(err, helpers?.job) !== 'give-up') throw err;
    await failed(describeFailure(err));
    return;
  }
  await ctx.db.updateTable('retry_attempts').set({ status: 'SUBMITTED', submitted_at: ctx.clock.now(), error: null }).where('id', '=', attempt.id).execute();
}

async function previewContactOf(db: Kysely<DB>, p: PreviewContactRow) {
  const retries = await db.selectFrom('retry_attempts').selectAll().where('preview_contact_id', '=', p.id).orderBy('attempt').execute();
  return {
    id: p.id,
    phoneDigits: p.phone_digits,
    contactId: p.contact_id,
    contactListId: p.contact_list_id,
    campaignId: p.campaign_id,
    conversationId: p.conversation_id,
    queueId: p.queue_id,
    acceptedAt: isoUtcOrNull(p.accepted_at)!,
    attempts: p.attempts,
    retries: retries.map((r) => ({ attempt: r.attempt, lastResult: r.last_result, waitSeconds: r.wait_seconds, retryAt: isoUtcOrNull(r.retry_at), status: r.status, error: r.error, submittedAt: isoUtcOrNull(r.submitted_at) })),
  };
}

/** `GET /admin/v1/preview-contacts`: most recent first, with their retries; a restricted caller sees only its queues' contacts. */
export async function listPreviewContacts(ctx: Context, query: { phone?: string | undefined; limit: number }) {
  const allowed = await allowedQueueIds(ctx);
  if (allowed !== null && allowed.length === 0) return { items: [] };
  const rows = await listPreviewContactRows(ctx.db, { queueIds: allowed, digits: query.phone?.replace(/\D/g, ''), limit: query.limit });
  return { items: await Promise.all(rows.map((p) => previewContactOf(ctx.db, p))) };
}

/** `GET /admin/v1/preview-contacts/{id}`: 403 for a contact of a queue outside the caller's allow-list. */
export async function getPreviewContact(ctx: Context, id: string) {
  const p = await findPreviewContact(ctx.db, id);
  if (!p) throw errors.notFound('Preview contact', id);
  assertQueueDataAccess(ctx.caller, p.queue_id === null ? null : ((await findQueue(ctx.db, p.queue_id)) ?? null), 'preview contact');
  return previewContactOf(ctx.db, p);
}
