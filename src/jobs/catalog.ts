import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../db/types.js';

/**
 * Every job the service runs: its name, its payload and its key. Features enqueue jobs built here
 * (`jobs.deliverCallback(id)`, ...) with `enqueue`; the task list (jobs/tasks.ts) has one handler
 * per name, so a job without a handler, or a handler for a job nobody can enqueue, does not compile.
 */

export const JOB_NAMES = [
  'deliver-callback',
  'reschedule-callback',
  'cancel-callback',
  'aging-check',
  'resubmit-contact',
  'dial-campaign-callback',
  'remove-campaign-contact',
  'purge-callbacks',
  'apply-retention',
  'roll-up-reports',
  'reconcile',
  'purge-sessions',
  'ownership-expiry',
  'notify',
  'notify-sweep',
  'upcoming-notice',
  'call-in',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface JobPayloads {
  /** `attempt`: the callback's attempt it delivers (absent: the first); a job left from an earlier attempt does nothing. */
  'deliver-callback': { callbackId: string; attempt?: string };
  'reschedule-callback': { callbackId: string };
  'cancel-callback': { callbackId: string };
  'aging-check': { conversationId: string };
  'resubmit-contact': { attemptId: string };
  'dial-campaign-callback': { id: string };
  'remove-campaign-contact': { id: string };
  'purge-callbacks': Record<string, never>;
  'apply-retention': Record<string, never>;
  'roll-up-reports': Record<string, never>;
  'reconcile': Record<string, never>;
  'purge-sessions': Record<string, never>;
  /** An agent-owned callback's ownership ends: to the queue, or disconnected (the queue's ownershipExpiry). */
  'ownership-expiry': { callbackId: string };
  /** Sends a callback's due notification deliveries (notifications/deliver.ts). */
  'notify': { callbackId: string };
  'notify-sweep': Record<string, never>;
  /** A scheduled callback's CALLBACK_UPCOMING, due its queue's upcomingMinutes before its scheduled time. */
  'upcoming-notice': { callbackId: string };
  /** Delayed call-in: a scheduled callback's turn (READY), or the end of a READY callback's time to call (callin/delayed.ts). */
  'call-in': { callbackId: string };
}

/** The payload's required fields (all strings): what a job's payload is checked against before it runs. */
const PAYLOAD_FIELDS: { [N in JobName]: readonly (keyof JobPayloads[N] & string)[] } = {
  'deliver-callback': ['callbackId'],
  'reschedule-callback': ['callbackId'],
  'cancel-callback': ['callbackId'],
  'aging-check': ['conversationId'],
  'resubmit-contact': ['attemptId'],
  'dial-campaign-callback': ['id'],
  'remove-campaign-contact': ['id'],
  'purge-callbacks': [],
  'apply-retention': [],
  'roll-up-reports': [],
  'reconcile': [],
  'purge-sessions': [],
  'ownership-expiry': ['callbackId'],
  'notify': ['callbackId'],
  'notify-sweep': [],
  'upcoming-notice': ['callbackId'],
  'call-in': ['callbackId'],
};

/** Fields a payload may carry (strings too); jobs enqueued before a field existed lack it. */
const OPTIONAL_PAYLOAD_FIELDS: { [N in JobName]?: readonly (keyof JobPayloads[N] & string)[] } = {
  'deliver-callback': ['attempt'],
};

export interface Job<N extends JobName = JobName> {
  name: N;
  payload: JobPayloads[N];
  /** One pending job per key: a new enqueue replaces the pending one's payload and run time. */
  key: string;
  runAt?: Date | undefined;
  /** `replace` (default): the new run time wins; `preserve_run_at`: a pending job keeps its own. */
  keyMode?: 'replace' | 'preserve_run_at';
}

/** Job keys, for enqueueing and for removing a pending job. */
export const jobKeys = {
  delivery: (callbackId: string) => `deliver:${callbackId}`,
  reschedule: (callbackId: string) => `reschedule:${callbackId}`,
  cancel: (callbackId: string) => `cancel:${callbackId}`,
  ownership: (callbackId: string) => `ownership:${callbackId}`,
  upcoming: (callbackId: string) => `upcoming:${callbackId}`,
  callIn: (callbackId: string) => `call-in:${callbackId}`,
  aging: (conversationId: string) => `aging:${conversationId}`,
  resubmit: (contact: { contactListId: string; contactId: string }) => `resubmit:${contact.contactListId}:${contact.contactId}`,
  campaignDial: (campaignCallbackId: string) => `campaign-dial:${campaignCallbackId}`,
  campaignRemove: (campaignCallbackId: string) => `campaign-remove:${campaignCallbackId}`,
  notify: (callbackId: string) => `notify:${callbackId}`,
  /** A callback's next retry of a failed notification, apart from `notify` so a new notification never waits for it. */
  notifyRetry: (callbackId: string) => `notify-retry:${callbackId}`,
  /** One reconciler job across every worker process. */
  reconcile: 'reconcile',
};

/** The jobs features enqueue. (purge-callbacks, apply-retention, roll-up-reports, purge-sessions and notify-sweep only run from the crontab.) */
export const jobs = {
  /** The first delivery of a callback, or (`attempt` > 1, at `runAt`) the next attempt of a retried one. */
  deliverCallback: (callbackId: string, next?: { attempt: number; runAt: Date }): Job<'deliver-callback'> => ({
    name: 'deliver-callback',
    payload: next && next.attempt > 1 ? { callbackId, attempt: String(next.attempt) } : { callbackId },
    key: jobKeys.delivery(callbackId),
    ...(next && { runAt: next.runAt }),
  }),
  rescheduleCallback: (callbackId: string): Job<'reschedule-callback'> => ({ name: 'reschedule-callback', payload: { callbackId }, key: jobKeys.reschedule(callbackId) }),
  cancelCallback: (callbackId: string): Job<'cancel-callback'> => ({ name: 'cancel-callback', payload: { callbackId }, key: jobKeys.cancel(callbackId) }),
  ownershipExpiry: (callbackId: string, runAt: Date): Job<'ownership-expiry'> => ({ name: 'ownership-expiry', payload: { callbackId }, key: jobKeys.ownership(callbackId), runAt }),
  upcomingNotice: (callbackId: string, runAt: Date): Job<'upcoming-notice'> => ({ name: 'upcoming-notice', payload: { callbackId }, key: jobKeys.upcoming(callbackId), runAt }),
  callIn: (callbackId: string, runAt: Date): Job<'call-in'> => ({ name: 'call-in', payload: { callbackId }, key: jobKeys.callIn(callbackId), runAt }),
  agingCheck: (conversationId: string, runAt: Date): Job<'aging-check'> => ({ name: 'aging-check', payload: { conversationId }, key: jobKeys.aging(conversationId), runAt }),
  resubmitContact: (attemptId: string, contact: { contactListId: string; contactId: string }, runAt: Date): Job<'resubmit-contact'> => ({
    name: 'resubmit-contact',
    payload: { attemptId },
    key: jobKeys.resubmit(contact),
    runAt,
  }),
  dialCampaignCallback: (id: string, runAt: Date): Job<'dial-campaign-callback'> => ({ name: 'dial-campaign-callback', payload: { id }, key: jobKeys.campaignDial(id), runAt }),
  /** Sends the callback's new notifications now. */
  notify: (callbackId: string): Job<'notify'> => ({ name: 'notify', payload: { callbackId }, key: jobKeys.notify(callbackId) }),
  /** Retries the callback's failed notifications at `runAt`. */
  notifyRetry: (callbackId: string, runAt: Date): Job<'notify'> => ({ name: 'notify', payload: { callbackId }, key: jobKeys.notifyRetry(callbackId), runAt }),
  removeCampaignContact: (id: string): Job<'remove-campaign-contact'> => ({ name: 'remove-campaign-contact', payload: { id }, key: jobKeys.campaignRemove(id) }),
  /**
   * The reconciler's next run. Graphile cron ticks by the minute, so the job schedules its own next
   * run (any interval in seconds); `ensure` (a worker starting) keeps the run time of a pending one.
   */
  reconcile: (runAt: Date, opts: { ensure?: boolean } = {}): Job<'reconcile'> => ({
    name: 'reconcile',
    payload: {},
    key: jobKeys.reconcile,
    runAt,
    ...(opts.ensure && { keyMode: 'preserve_run_at' as const }),
  }),
};

/** Recurring jobs; graphile-worker runs each once per tick across every worker process. */
const CRON: { schedule: string; name: JobName }[] = [
  { schedule: '* * * * *', name: 'purge-callbacks' },
  { schedule: '17 * * * *', name: 'apply-retention' },
  // Each queue's day is rolled up within the hour after its local midnight (retention rolls up too, before deleting).
  { schedule: '7 * * * *', name: 'roll-up-reports' },
  // Ended console sessions and abandoned Genesys sign-ins: refused already, only their rows remain.
  { schedule: '41 * * * *', name: 'purge-sessions' },
  // Notifications whose job was lost (a worker killed mid-send, a job out of attempts) are sent again.
  { schedule: '* * * * *', name: 'notify-sweep' },
];
export const CRONTAB = CRON.map((c) => `${c.schedule} ${c.name} ?max=1`).join('\n');

/** A stored payload, checked against its job's fields (a job added by hand or by an older version). */
export function payloadOf<N extends JobName>(name: N, payload: unknown): JobPayloads[N] {
  const out: Record<string, string> = {};
  for (const field of PAYLOAD_FIELDS[name]) {
    const value = (payload as Record<string, unknown> | null)?.[field];
    if (typeof value !== 'string') throw new Error(`payload.${field} is missing`);
    out[field] = value;
  }
  for (const field of OPTIONAL_PAYLOAD_FIELDS[name] ?? []) {
    const value = (payload as Record<string, unknown> | null)?.[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new Error(`payload.${field} must be a string`);
    out[field] = value;
  }
  return out as JobPayloads[N];
}

/**
 * The add_job call for a job, as an SQL expression: `enqueue` runs it; a statement that enqueues a
 * job only when it changed a row (the aging check) selects it.
 */
export function addJobSql(job: Job): RawBuilder<unknown> {
  return sql`graphile_worker.add_job(
    ${job.name}::text,
    ${JSON.stringify(job.payload)}::json,
    run_at => ${job.runAt ?? null}::timestamptz,
    job_key => ${job.key}::text,
    job_key_mode => ${job.keyMode ?? 'replace'}::text,
    max_attempts => 25,
    priority => 0
  )`;
}

/**
 * Enqueues a job in the caller's transaction: the write that causes a job and the job itself commit
 * (or roll back) together — a transactional outbox.
 */
export async function enqueue(trx: Transaction<DB> | Kysely<DB>, job: Job): Promise<void> {
  await sql`select ${addJobSql(job)}`.execute(trx);
}

/** Removes a pending job by key (a timer that is no longer wanted). A running job finishes. */
export async function removeJob(trx: Transaction<DB> | Kysely<DB>, key: string): Promise<void> {
  await sql`select graphile_worker.remove_job(${key})`.execute(trx);
}
