import { systemCaller } from '../auth/caller.js';
import type { Kysely } from 'kysely';
import type { CallbackState, DB } from '../db/types.js';
import type { BusinessMetrics } from '../ops/business-metrics.js';
import { openWindow } from '../slots/engine.js';
import { toSpec } from '../hours/service.js';
import { deleteCompletedCampaignCallbacksBefore } from '../campaigns/queries.js';
import { applyReportRetention, DEFAULT_REPORT_RETENTION_DAYS, rollUpReports } from '../reports/rollup.js';
import { cancelLocked } from './cancel.js';
import { deleteCallbacksBefore, deleteIdempotentAnswersBefore, lockCallback, purgeCandidates } from './queries.js';

const SYSTEM = systemCaller('maintenance');
const MAX_DAYS_AHEAD = 30;

/**
 * Callbacks not handled in time are purged: after the queue's `purgeAfterMinutes` counted from
 * their request (immediate ones) or their scheduled time (scheduled ones), or — with
 * `purgeAtClose` — once the business day they were due in has ended. They become COMPLETED/PURGED
 * and are cancelled in Genesys, as any cancel is. Callbacks an agent is on (PROCESSING) are left alone.
 */
export async function purgeCallbacks(db: Kysely<DB>, now: Date, metrics: BusinessMetrics): Promise<{ purged: string[] }> {
  const by = { caller: SYSTEM, caches: { metrics } };
  const candidates = await purgeCandidates(db, 5_000, now);
  const purged: string[] = [];
  for (const c of candidates) {
    const due = c.type === 'scheduled' && c.scheduled_time ? c.scheduled_time : c.created_at;
    const tooOld = c.purge_after_minutes !== null && now.getTime() - due.getTime() >= c.purge_after_minutes * 60_000;
    let dayOver = false;
    if (c.purge_at_close && c.h_timezone) {
      const closesAt = openWindow(toSpec({ id: c.h_id!, timezone: c.h_timezone, weekly: c.h_weekly!, exceptions: c.h_exceptions!, recurring: c.h_recurring!, holiday_calendars: c.h_holiday_calendars!, revision: c.h_revision! }), due).closesAt;
      dayOver = closesAt !== null && closesAt.getTime() <= now.getTime();
    }
    if (!tooOld && !dayOver) continue;
    const done = await db.transaction().execute(async (trx) => {
      const cb = await lockCallback(trx, c.id);
      if (!cb || !PURGEABLE.includes(cb.state)) return false;
      const outcome = await cancelLocked(trx, cb, by, now, { reason: 'PURGED', event: 'purged', detail: { rule: tooOld ? 'purgeAfterMinutes' : 'purgeAtClose' } });
      return outcome === 'CANCELLED';
    });
    if (done) purged.push(c.id);
  }
  return { purged };
}

/** What a purge may end: every state before an agent is on it. */
const PURGEABLE: readonly CallbackState[] = ['SCHEDULED', 'QUEUED', 'ROUTING'];

/**
 * Records are kept `days` after their desired time (or creation, for immediate ones) and after their
 * completion (or last change), then deleted. Every day they are deleted from is rolled up first
 * (reports/rollup.ts); the rollups are kept `reportDays` longer.
 */
export async function applyRetention(db: Kysely<DB>, now: Date, days: number, reportDays = DEFAULT_REPORT_RETENTION_DAYS): Promise<{ deleted: number }> {
  await rollUpReports(db, now, { retentionDays: days, reportRetentionDays: reportDays });
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  // Campaign callbacks by their completion time: a pending one is still to be dialed or to expire.
  const deleted = (await deleteCallbacksBefore(db, cutoff)) + (await deleteCompletedCampaignCallbacksBefore(db, cutoff));
  // An idempotency answer must outlive its callback (booked up to 30 days ahead), or a replay would
  // find the callback's key taken with no answer to give.
  await deleteIdempotentAnswersBefore(db, new Date(cutoff.getTime() - MAX_DAYS_AHEAD * 86_400_000));
  await db.deleteFrom('simulated_genesys_calls').where('at', '<', cutoff).execute();
  await applyReportRetention(db, cutoff, reportDays);
  return { deleted };
}
