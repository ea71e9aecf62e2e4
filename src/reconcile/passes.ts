import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import { enqueue, jobKeys, jobs, removeJob } from '../jobs/catalog.js';
import type { JobContext } from '../jobs/context.js';
import { Budget } from './budget.js';
import { reconcileCallbacks } from './callbacks-pass.js';

/**
 * The reconciler: each run goes through these passes in order, all spending one request budget.
 * A pass reads Genesys for the records it owns and moves them to what Genesys shows.
 */
export interface ReconcilePass {
  name: string;
  run(ctx: JobContext, budget: Budget): Promise<{ checked: number; moved: number; requests: number }>;
}

export const RECONCILE_PASSES: readonly ReconcilePass[] = [{ name: 'callbacks', run: reconcileCallbacks }];

export interface ReconcileSettings {
  /** Seconds between runs; 0: the reconciler does not run. */
  intervalSeconds: number;
  /** Genesys requests one run may make, across its passes. */
  maxRequests: number;
}

export const DEFAULT_RECONCILE: ReconcileSettings = { intervalSeconds: 60, maxRequests: 100 };

export interface RunReport {
  requests: number;
  passes: { name: string; checked: number; moved: number; requests: number; error?: string }[];
}

/**
 * One run: every pass in turn while the budget lasts. A pass that fails (Genesys unreachable, a
 * refusal) is logged and the next one still runs; nothing it did not read is changed.
 */
export async function runReconcile(ctx: JobContext, input: { maxRequests: number; passes?: readonly ReconcilePass[] }): Promise<RunReport> {
  const budget = new Budget(input.maxRequests);
  const report: RunReport = { requests: 0, passes: [] };
  for (const pass of input.passes ?? RECONCILE_PASSES) {
    if (budget.remaining <= 0) break;
    const before = budget.used;
    try {
      report.passes.push({ name: pass.name, ...(await pass.run(ctx, budget)) });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      ctx.logger.warn({ pass: pass.name, err: error }, 'reconcile pass failed; the next run tries again');
      report.passes.push({ name: pass.name, checked: 0, moved: 0, requests: budget.used - before, error });
    }
  }
  report.requests = budget.used;
  return report;
}

/** Runs the reconciler once, then schedules its next run `intervalSeconds` after this one started. */
export async function reconcileJob(ctx: JobContext, settings: ReconcileSettings): Promise<void> {
  if (settings.intervalSeconds === 0) return; // disabled: no next run either
  const started = ctx.clock.now();
  try {
    const report = await runReconcile(ctx, { maxRequests: settings.maxRequests });
    const moved = report.passes.reduce((n, p) => n + p.moved, 0);
    if (moved > 0) ctx.logger.info({ requests: report.requests, passes: report.passes }, 'reconciled with Genesys');
  } finally {
    await enqueue(ctx.db, jobs.reconcile(new Date(started.getTime() + settings.intervalSeconds * 1000)));
  }
}

/**
 * A worker starting makes sure the reconciler's job exists (keeping the run time of a pending one),
 * or, with the reconciler turned off, that none is left pending.
 */
export async function ensureReconcileJob(db: Kysely<DB>, settings: ReconcileSettings, now: Date): Promise<void> {
  if (settings.intervalSeconds === 0) await removeJob(db, jobKeys.reconcile);
  else await enqueue(db, jobs.reconcile(now, { ensure: true }));
}
