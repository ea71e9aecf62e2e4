import type { Task, TaskList } from 'graphile-worker';
import { agingCheck } from '../aging/tracks.js';
import { dialCampaignCallback } from '../campaigns/service.js';
import { resubmitContact } from '../retries/service.js';
import { applyRetention, purgeCallbacks } from '../callbacks/maintenance.js';
import { cancelInGenesys, deliverCallback, rescheduleInGenesys, type TaskDeps } from '../callbacks/tasks.js';

/** Recurring jobs; graphile-worker runs each once per tick across every worker process. */
export const CRONTAB = ['* * * * * purge-callbacks ?max=1', '17 * * * * apply-retention ?max=1'].join('\n');

function stringField(payload: unknown, name: string): string {
  const value = (payload as Record<string, unknown> | null)?.[name];
  if (typeof value !== 'string') throw new Error(`payload.${name} is missing`);
  return value;
}

const callbackPayload = (payload: unknown) => ({ callbackId: stringField(payload, 'callbackId') });

export function buildTaskList(deps: TaskDeps & { retentionDays: number }): TaskList {
  const tasks: Record<string, Task> = {
    'deliver-callback': (payload, helpers) => deliverCallback(deps, callbackPayload(payload), helpers),
    'reschedule-callback': (payload) => rescheduleInGenesys(deps, callbackPayload(payload)),
    'cancel-callback': (payload) => cancelInGenesys(deps, callbackPayload(payload)),
    'aging-check': (payload, helpers) => agingCheck(deps, { conversationId: stringField(payload, 'conversationId') }, helpers),
    'resubmit-contact': (payload) => resubmitContact(deps, { attemptId: stringField(payload, 'attemptId') }),
    'dial-campaign-callback': (payload) => dialCampaignCallback(deps, { id: stringField(payload, 'id') }),
    'purge-callbacks': async () => {
      const { purged } = await purgeCallbacks(deps.db, deps.clock.now());
      if (purged.length > 0) deps.logger.info({ count: purged.length }, 'purged immediate callbacks');
    },
    'apply-retention': async () => {
      const { deleted } = await applyRetention(deps.db, deps.clock.now(), deps.retentionDays);
      if (deleted > 0) deps.logger.info({ deleted }, 'deleted callbacks past retention');
    },
  };
  return tasks;
}
