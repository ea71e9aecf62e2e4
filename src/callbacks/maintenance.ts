import { systemCaller } from '../auth/caller.js';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import { enqueue, jobs } from '../jobs/catalog.js';
import { openWindow } from '../slots/engine.js';
import { toSpec } from '../hours/service.js';
import { transition } from './lifecycle.js';
import { CALLBACK_COLUMNS, lockCallback } from './queries.js';

const SYSTEM = systemCaller('maintenance');
const MAX_DAYS_AHEAD = 30;

/**
 * Immediate callbacks not handled in time are purged: after the queue's `purgeAfterMinutes`,
 * or — with `purgeAtClose` — once the business day they were requested in has ended. They become
 * COMPLETED/PURGED and are cancelled in Genesys. Callbacks an agent is on (PROCESSING) are left alone.
 */
export async function purgeCallbacks(db: Kysely<DB>, now: Date): Promise<{ purged: string[] }> {
  const candidates = await db
    .selectFrom('callbacks')
    .innerJoin('queues', 'queues.id', 'callbacks.queue_id')
    .leftJoin('business_hours as h', 'h.id', 'queues.business_hours_id')
    .select(CALLBACK_COLUMNS.map((c) => `callbacks.${c}` as const))
    .select(['queues.purge_after_minutes', 'queues.purge_at_close', 'h.timezone as h_timezone', 'h.weekly as h_weekly', 'h.exceptions as h_exceptions'])
    .where('callbacks.type', '=', 'immediate')
    .where('callbacks.state', 'in', ['QUEUED', 'ROUTING'])
    .where((eb) => eb.or([eb('queues.purge_after_minutes', 'is not', null), eb('queues.purge_at_close', '=', true)]))
    .orderBy('callbacks.created_at')
    .limit(5_000)
    .execute();

  const purged: string[] = [];
  for (const c of candidates) {
    const tooOld = c.purge_after_minutes !== null && now.getTime() - c.created_at.getTime() >= c.purge_after_minutes * 60_000;
    let dayOver = false;
    if (c.purge_at_close && c.h_timezone) {
      const closesAt = openWindow(toSpec({ timezone: c.h_timezone, weekly: c.h_weekly!, exceptions: c.h_exceptions! }), c.created_at).closesAt;
      dayOver = closesAt !== null && closesAt.getTime() <= now.getTime();
    }
    if (!tooOld && !dayOver) continue;
    const done = await db.transaction().execute(async (trx) => {
      const cb = await lockCallback(trx, c.id);
      if (!cb || (cb.state !== 'QUEUED' && cb.state !== 'ROUTING')) return false;
      await transition(trx, cb, 'COMPLETED', SYSTEM, { event: 'purged', reason: 'PURGED', detail: { rule: tooOld ? 'purgeAfterMinutes' : 'purgeAtClose' } });
      if (cb.delivery_status !== 'NOT_REQUIRED') await enqueue(trx, jobs.cancelCallback(cb.id));
      return true;
    });
    if (done) purged.push(c.id);
  }
  return { purged };
}

/** Records are kept `days` after their desired time (or creation, for immediate ones), then deleted. */
export async function applyRetention(db: Kysely<DB>, now: Date, days: number): Promise<{ deleted: number }> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  const result = await db
    .deleteFrom('callbacks')
    .where((eb) => eb(eb.fn.coalesce('desired_time', 'created_at'), '<', cutoff))
    .executeTakeFirst();
  // An idempotency answer must outlive its callback (booked up to 30 days ahead), or a replay would
  // find the callback's key taken with no answer to give.
  await db.deleteFrom('idempotent_answers').where('created_at', '<', new Date(cutoff.getTime() - MAX_DAYS_AHEAD * 86_400_000)).execute();
  await db.deleteFrom('simulated_genesys_calls').where('at', '<', cutoff).execute();
  return { deleted: Number(result.numDeletedRows) };
}
