import type { Logger } from 'pino';
import { systemCaller } from '../auth/caller.js';
import { contextFor, type Context, type Services } from '../context.js';

/** What the task list is built with: the app's services and a logger. */
export interface TaskDeps extends Services {
  logger: Logger;
}

/** What a job runs with: a context whose caller is the worker (audited as such), and the logger. */
export interface JobContext extends Context {
  logger: Logger;
}

/** The context one job runs with; `correlationId` (the job's id) lets its history and logs be found together. */
export function jobContext(deps: TaskDeps, correlationId?: string): JobContext {
  return { ...contextFor(deps, systemCaller('worker', correlationId)), logger: deps.logger };
}
