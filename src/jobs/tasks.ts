import type { Task, TaskList } from 'graphile-worker';
import { applyRetention, purgeCallbacks } from '../callbacks/maintenance.js';
import { cancelInGenesys, deliverCallback, rescheduleInGenesys, type TaskDeps } from '../callbacks/tasks.js';

/** Recurring jobs; graphile-worker runs each once per tick across every worker process. */
export const CRONTAB = ['* * * * * purge-callbacks ?max=1', '17 * * * * apply-retention ?max=1'].join('\n');

function callbackPayload(payload: unknown): { callbackId: string } {
  const id = (payload as { callbackId?: unknown } | null)?.callbackId;
  if (typeof id !== 'string') throw new Error('payload.callbackId is missing');
  return { callbackId: id };
}

export function buildTaskList(deps: TaskDeps & { retentionDays: number }): TaskList {
  const tasks: Record<string, Task> = {
    'deliver-callback': (payload, helpers) => deliverCallback(deps, callbackPayload(payload), helpers),
    'reschedule-callback': (payload) => rescheduleInGenesys(deps, callbackPayload(payload)),
    'cancel-callback': (payload) => cancelInGenesys(deps, callbackPayload(payload)),
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
