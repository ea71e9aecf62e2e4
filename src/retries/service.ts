import type { Kysely, Transaction } from 'kysely';
import { auditedChange } from '../audit/service.js';
import type { Actor } from '../auth/caller.js';
import type { TaskDeps } from '../callbacks/tasks.js';
import { tableResource } from '../db/resource.js';
import type { DB, RetryPolicyRow } from '../db/types.js';
import type { ContactSnapshot } from '../genesys/gateway.js';
import { addJob } from '../jobs/enqueue.js';
import { DEFAULT_PREVIEW_SETTINGS, type CreateRetryPolicyBody, type PreviewRetrySettings } from './schemas.js';

/** Preview-dialer retries by wrap-up [004], in place of the blueprint's data tables and workflow. */

const COLUMNS = ['id', 'name', 'match', 'wait_seconds', 'max_attempts', 'clear_system_data', 'priority', 'created_at', 'updated_at'] as const;

function toApi(r: RetryPolicyRow) {
  return {
    id: r.id,
    name: r.name,
    match: r.match,
    waitSeconds: r.wait_seconds,
    maxAttempts: r.max_attempts,
    clearSystemData: r.clear_system_data,
    priority: r.priority,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** `/admin/v1/retry-policies`: wrap-up or last result → wait and attempts. */
export const retryPolicies = tableResource<RetryPolicyRow, ReturnType<typeof toApi>, CreateRetryPolicyBody>({
  table: 'retry_policies',
  entity: 'retry-policy',
  label: 'Retry policy',
  columns: COLUMNS,
  toApi,
  toColumns: (b) => ({
    ...(b.name !== undefined && { name: b.name.trim() }),
    ...(b.match !== undefined && { match: b.match.trim() }),
    ...(b.waitSeconds !== undefined && { wait_seconds: b.waitSeconds }),
    ...(b.maxAttempts !== undefined && { max_attempts: b.maxAttempts }),
    ...(b.clearSystemData !== undefined && { clear_system_data: b.clearSystemData }),
    ...(b.priority !== undefined && { priority: b.priority }),
  }),
});

const SETTINGS_KEY = 'previewRetries';

export async function previewSettings(db: Kysely<DB> | Transaction<DB>): Promise<PreviewRetrySettings> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', SETTINGS_KEY).executeTakeFirst();
  return (row?.value as PreviewRetrySettings | undefined) ?? DEFAULT_PREVIEW_SETTINGS;
}

export async function savePreviewSettings(db: Kysely<DB>, value: PreviewRetrySettings, actor: Actor) {
  return auditedChange(db, actor, { entity: 'settings', action: 'update' }, async (trx) => {
    const before = await previewSettings(trx);
    await trx
      .insertInto('settings')
      .values({ key: SETTINGS_KEY, value: JSON.stringify(value) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: new Date() }))
      .execute();
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
  const policy = lastResult ? await trx.selectFrom('retry_policies').selectAll().where('match', '=', lastResult).executeTakeFirst() : undefined;
  if (!policy) return { action: 'NO_POLICY', message: `No retry policy for last result "${lastResult ?? ''}"`, ...none };
  const locked = await trx.selectFrom('preview_contacts').select('attempts').where('id', '=', preview.id).forUpdate().executeTakeFirstOrThrow();
  if (locked.attempts >= policy.max_attempts) return { action: 'MAX_ATTEMPTS', message: `The contact was retried ${locked.attempts} time(s) already`, ...none };
  const attempt = locked.attempts + 1;
  const retryAt = new Date(now.getTime() + policy.wait_seconds * 1000);
  await trx.updateTable('preview_contacts').set({ attempts: attempt, updated_at: now }).where('id', '=', preview.id).execute();
  const row = await trx
    .insertInto('retry_attempts')
    .values({ preview_contact_id: preview.id, attempt, conversation_id: conversationId, last_result: lastResult, policy_id: policy.id, wait_seconds: policy.wait_seconds, retry_at: retryAt, status: 'SCHEDULED' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await addJob(trx, 'resubmit-contact', { attemptId: String(row.id) }, { runAt: retryAt, jobKey: `resubmit:${preview.contact_list_id}:${preview.contact_id}` });
  return { action: 'RETRY_SCHEDULED', message: `Retry ${attempt} of ${policy.max_attempts} after ${policy.wait_seconds} s`, retryAt: retryAt.toISOString().replace(/\.\d{3}Z$/, 'Z'), lastResult: lastResult ?? '' };
}

/** The `resubmit-contact` job: the same contact (id and data) back into its list, so the dialer retries it. */
export async function resubmitContact(deps: TaskDeps, payload: { attemptId: string }): Promise<void> {
  const attempt = await deps.db
    .selectFrom('retry_attempts')
    .innerJoin('preview_contacts as p', 'p.id', 'retry_attempts.preview_contact_id')
    .leftJoin('retry_policies as r', 'r.id', 'retry_attempts.policy_id')
    .select(['retry_attempts.id', 'retry_attempts.status', 'p.contact_id', 'p.contact_list_id', 'r.clear_system_data', 'r.priority'])
    .where('retry_attempts.id', '=', payload.attemptId)
    .executeTakeFirst();
  if (!attempt || attempt.status !== 'SCHEDULED') return;
  const contact = await deps.gateway.getContact(attempt.contact_list_id, attempt.contact_id);
  if (!contact) {
    await deps.db.updateTable('retry_attempts').set({ status: 'FAILED', error: 'The contact is no longer in its list' }).where('id', '=', attempt.id).execute();
    return;
  }
  await deps.gateway.addContacts(attempt.contact_list_id, [{ id: contact.id, data: contact.data, callable: true }], {
    clearSystemData: attempt.clear_system_data ?? false,
    priority: attempt.priority ?? false,
  });
  await deps.db.updateTable('retry_attempts').set({ status: 'SUBMITTED', submitted_at: deps.clock.now(), error: null }).where('id', '=', attempt.id).execute();
}
