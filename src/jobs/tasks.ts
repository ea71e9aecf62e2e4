import type { JobHelpers, Task, TaskList } from 'graphile-worker';
import { agingCheck } from '../aging/tracks.js';
import { applyRetention, purgeCallbacks } from '../callbacks/maintenance.js';
import { cancelInGenesys, deliverCallback, expireOwnership, rescheduleInGenesys } from '../callbacks/tasks.js';
import { upcomingNotice } from '../callbacks/upcoming.js';
import { callInTurn } from '../callin/delayed.js';
import { dialCampaignCallback, removeCampaignContact } from '../campaigns/tasks.js';
import { DEFAULT_RECONCILE, reconcileJob, type ReconcileSettings } from '../reconcile/passes.js';
import { DEFAULT_REPORT_RETENTION_DAYS, rollUpReports } from '../reports/rollup.js';
import { resubmitContact } from '../retries/service.js';
import { DEFAULT_IDLE_MS, purgeEndedSessions } from '../users/sessions.js';
import type { NotificationDeps } from '../notifications/channels.js';
import { notifyCallback, sweepNotifications } from '../notifications/deliver.js';
import { JOB_NAMES, payloadOf, type JobName, type JobPayloads } from './catalog.js';
import { jobContext, type JobContext, type TaskDeps } from './context.js';

export { CRONTAB } from './catalog.js';

type Settings = { notifications?: NotificationDeps | undefined; retentionDays: number; reportRetentionDays?: number | undefined; reconcile?: ReconcileSettings | undefined; sessionIdleMs?: number | undefined };
type Handler<N extends JobName> = (ctx: JobContext & Settings, payload: JobPayloads[N], helpers: Pick<JobHelpers, 'job'>) => Promise<void>;

/** One handler per job of the catalog. */
const HANDLERS: { [N in JobName]: Handler<N> } = {
  'deliver-callback': (ctx, payload, helpers) => deliverCallback(ctx, payload, helpers),
  'reschedule-callback': (ctx, payload) => rescheduleInGenesys(ctx, payload),
  'cancel-callback': (ctx, payload) => cancelInGenesys(ctx, payload),
  'ownership-expiry': (ctx, payload) => expireOwnership(ctx, payload),
  'upcoming-notice': (ctx, payload) => upcomingNotice(ctx, payload),
  'call-in': (ctx, payload) => callInTurn(notifying(ctx), payload),
  'aging-check': (ctx, payload, helpers) => agingCheck(ctx, payload, helpers),
  'resubmit-contact': (ctx, payload, helpers) => resubmitContact(ctx, payload, helpers),
  'dial-campaign-callback': (ctx, payload, helpers) => dialCampaignCallback(ctx, payload, helpers),
  'remove-campaign-contact': (ctx, payload, helpers) => removeCampaignContact(ctx, payload, helpers),
  'purge-callbacks': async (ctx) => {
    const { purged } = await purgeCallbacks(ctx.db, ctx.clock.now(), ctx.caches.metrics);
    if (purged.length > 0) ctx.logger.info({ count: purged.length }, 'purged callbacks not handled in time');
  },
  'apply-retention': async (ctx) => {
    const { deleted } = await applyRetention(ctx.db, ctx.clock.now(), ctx.retentionDays, ctx.reportRetentionDays);
    if (deleted > 0) ctx.logger.info({ deleted }, 'deleted callbacks past retention');
  },
  'roll-up-reports': async (ctx) => {
    const { days } = await rollUpReports(ctx.db, ctx.clock.now(), { retentionDays: ctx.retentionDays, reportRetentionDays: ctx.reportRetentionDays ?? DEFAULT_REPORT_RETENTION_DAYS });
    if (days > 0) ctx.logger.debug({ days }, 'rolled up report days');
  },
  'notify': (ctx, payload) => notifyCallback(notifying(ctx), payload),
  'notify-sweep': async (ctx) => {
    const { callbacks } = await sweepNotifications(notifying(ctx));
    if (callbacks > 0) ctx.logger.info({ callbacks }, 'notifications left behind sent again');
  },
  'reconcile': (ctx) => reconcileJob(ctx, ctx.reconcile ?? DEFAULT_RECONCILE),
  'purge-sessions': async (ctx) => {
    const { sessions, signIns } = await purgeEndedSessions(ctx.db, ctx.clock.now(), ctx.sessionIdleMs ?? DEFAULT_IDLE_MS);
    if (sessions + signIns > 0) ctx.logger.info({ sessions, signIns }, 'deleted ended console sessions');
  },
};

/** A job's context with what sending notifications needs; a worker built without it cannot send them. */
function notifying(ctx: JobContext & Settings) {
  if (!ctx.notifications) throw new Error('this worker was started without notification settings');
  return { ...ctx, notifications: ctx.notifications };
}

function task<N extends JobName>(name: N, deps: TaskDeps & Settings): Task {
  return (payload, helpers) => {
    const jobId = (helpers as Partial<JobHelpers>).job?.id;
    const ctx = jobContext(deps, jobId === undefined ? undefined : `job:${jobId}`);
    return HANDLERS[name]({ ...ctx, notifications: deps.notifications, retentionDays: deps.retentionDays, reportRetentionDays: deps.reportRetentionDays, reconcile: deps.reconcile, sessionIdleMs: deps.sessionIdleMs }, payloadOf(name, payload), helpers);
  };
}

/** graphile-worker's task list, from the catalog: every job runs with its own worker context. */
export function buildTaskList(deps: TaskDeps & Settings): TaskList {
  return Object.fromEntries(JOB_NAMES.map((name) => [name, task(name, deps)]));
}
