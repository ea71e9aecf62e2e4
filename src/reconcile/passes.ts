import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import { enqueue, jobKeys, jobs, removeJob } from '../jobs/catalog.js';
import type { JobContext } from '../jobs/context.js';
import { Budget } from './budget.js';
import { reconcileCampaignCallbacks } from '../campaigns/reconcile.js';
import { reconcileCallbacks } from './callbacks-pass.js';
import { recordReconcileRun } from './last-run.js';
import { pollUpcoming } from './upcoming-pass.js';
import { callInPass } from '../callin/delayed.js';
import type { NotificationDeps } from '../notifications/channels.js';

/**
 * The reconciler: each run goes through these passes in order, all spending one request budget.
 * A pass reads Genesys for the records it owns and moves them to what Genesys shows (the upcoming
 * pass: sends CALLBACK_UPCOMING to callbacks whose wait Genesys shows below their queue's threshold).
 */
/** A run's context: the job's, with what sending notifications needs when the worker has it (delayed call-in hands out codes). */
export type ReconcileContext = JobContext & { notifications?: NotificationDeps | undefined };

export interface ReconcilePass {
  name: string;
  run(ctx: ReconcileContext, budget: Budget): Promise<{ checked: number; moved: number; requests: number }>;
}

export const RECONCILE_PASSES: readonly ReconcilePass[] = [
  // First: what it sends is time-bound, and with nothing waiting it spends nothing (the others get it all).
  { name: 'upcoming', run: pollUpcoming },
  // Delayed call-in: whose turn it is to be told to call (READY).
  { name: 'call-in', run: callInPass },
  { name: 'callbacks', run: reconcileCallbacks },
  {
    name: 'campaign-callbacks',
    run: async (ctx, budget) => {
      const before = budget.used;
      return { ...(await reconcileCampaignCallbacks(ctx, budget)), requests: budget.used - before };
    },
  },
];

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
 * One run. First every pass gets its share of the budget (what is left, split among the passes still
 * to run, so a long backlog of one kind cannot starve the other); then what is left goes, in order, to
 * the passes that used up their share. A pass that fails (Genesys unreachable, a refusal) is logged
 * and the next one still runs; nothing it did not read is changed.
 */
export async function runReconcile(ctx: ReconcileContext, input: { maxRequests: number; passes?: readonly ReconcilePass[] }): Promise<RunReport> {
  const budget = new Budget(input.maxRequests, ctx.clock.now());
  const passes = input.passes ?? RECONCILE_PASSES;
  const byName = new Map<string, RunReport['passes'][number]>();
  const run = async (pass: ReconcilePass, share: Budget): Promise<void> => {
    const entry = byName.get(pass.name) ?? { name: pass.name, checked: 0, moved: 0, requests: 0 };
    byName.set(pass.name, entry);
    try {
      const r = await pass.run(ctx, share);
      entry.checked += r.checked;
      entry.moved += r.moved;
      entry.requests += r.requests;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      ctx.logger.warn({ pass: pass.name, err: error }, 'reconcile pass failed; the next run tries again');
      entry.requests += share.used;
      entry.error = error;
    }
  };
  const wantMore: ReconcilePass[] = [];
  for (const [i, pass] of passes.entries()) {
    if (budget.remaining <= 0) break;
    const share = budget.share(Math.ceil(budget.remaining / (passes.length - i)));
    await run(pass, share);
    if (share.remaining === 0 && byName.get(pass.name)?.error === undefined) wantMore.push(pass);
  }
  for (const pass of wantMore) {
    if (budget.remaining <= 0) break;
    await run(pass, budget.share(budget.remaining));
  }
  return { requests: budget.used, passes: [...byName.values()] };
}

/** Runs the reconciler once, then schedules its next run `intervalSeconds` after this one started. */
export async function reconcileJob(ctx: ReconcileContext, settings: ReconcileSettings): Promise<void> {
  if (settings.intervalSeconds === 0) return; // disabled: no next run either
  const started = ctx.clock.now();
  try {
    const report = await runReconcile(ctx, { maxRequests: settings.maxRequests });
    const moved = report.passes.reduce((n, p) => n + p.moved, 0);
    await recordReconcileRun(ctx.db, ctx.clock.now(), { requests: report.requests, moved });
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
