import { sql, type Kysely } from 'kysely';
import type { DB, NotificationDeliveryRow, NotificationEventRow } from '../db/types.js';
import { enqueue, jobs } from '../jobs/catalog.js';
import type { NotificationDeliveryStatus } from '../vocabulary.js';
import { DEFAULT_LEASE_MS, type NotificationDeps, type NotifyContext, type SendResult } from './channels.js';
import { SENDERS } from './senders.js';

/**
 * The notify job: sends a callback's due deliveries. Deliveries to one target (a webhook, the
 * customer's SMS, the app) go one after another in the events' order; different targets in
 * parallel. A delivery is claimed with a lease before it is sent, so two jobs never send it at
 * once, and a job that dies mid-send leaves it to be taken again once the lease is past: a
 * receiver may then get it twice, with the same id (at least once, never lost).
 */

/** Rounds of sending in one job (each sends every target's next delivery). */
const MAX_ROUNDS = 50;

/** The wait before the attempt after attempt number `attempts`. */
export function backoffAfter(deps: Pick<NotificationDeps, 'backoffMs'>, attempts: number): number {
  const steps = deps.backoffMs;
  return steps[Math.min(Math.max(attempts, 1), steps.length) - 1] ?? 60_000;
}

/** Whether a delivery that has failed `attempts` times has been retried for the whole give-up period. */
export function givenUp(deps: Pick<NotificationDeps, 'backoffMs' | 'giveUpAfterMs'>, attempts: number): boolean {
  let waited = 0;
  for (let a = 1; a < attempts; a++) waited += backoffAfter(deps, a);
  return waited >= deps.giveUpAfterMs;
}

interface Claimed extends NotificationDeliveryRow {
  lease_until: Date;
}

/** Claims each target's oldest open delivery of the callback that is due and not held by another job. */
async function claimHeads(db: Kysely<DB>, callbackId: string, now: Date, leaseMs: number): Promise<Claimed[]> {
  const lease = new Date(now.getTime() + leaseMs);
  const { rows } = await sql<Claimed>`
    with heads as (
      select distinct on (target) id, next_attempt_at, lease_until
      from notification_deliveries
      where callback_id = ${callbackId} and status in ('PENDING', 'SENDING')
      order by target, seq
    )
    update notification_deliveries d
    set status = 'SENDING', lease_until = ${lease}, attempts = d.attempts + 1
    from heads h
    where d.id = h.id and h.next_attempt_at <= ${now}
      and d.status in ('PENDING', 'SENDING') and (d.lease_until is null or d.lease_until < ${now})
    returning d.*`.execute(db);
  return rows;
}

/** What a delivery becomes after an attempt. */
function outcome(deps: NotificationDeps, attempts: number, result: SendResult): NotificationDeliveryStatus {
  if (result.ok) return 'SENT';
  if (result.drop) return 'DROPPED';
  return result.retryable && !givenUp(deps, attempts + 1) ? 'PENDING' : 'FAILED';
}

async function attempt(ctx: NotifyContext, delivery: Claimed, event: NotificationEventRow): Promise<void> {
  const started = performance.now();
  let result: SendResult;
  try {
    result = await SENDERS[delivery.channel](ctx, { delivery, event });
  } catch (err) {
    result = { ok: false, retryable: true, statusCode: null, error: (err instanceof Error ? err.message : String(err)).slice(0, 500) };
  }
  const latencyMs = Math.round(performance.now() - started);
  const now = ctx.clock.now();
  const status = outcome(ctx.notifications, delivery.attempts, result);
  const error = result.ok ? null : result.error;
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('notification_attempts')
      .values({ delivery_id: delivery.id, webhook_id: delivery.webhook_id, channel: delivery.channel, at: now, ok: result.ok, status_code: result.statusCode, latency_ms: latencyMs, error })
      .execute();
    // Only while this job's claim holds: a job that outlived its lease leaves the delivery to its new holder.
    await trx
      .updateTable('notification_deliveries')
      .set({
        status,
        lease_until: null,
        last_error: error,
        ...(status === 'SENT' && { sent_at: now }),
        ...(status === 'PENDING' && { next_attempt_at: new Date(now.getTime() + backoffAfter(ctx.notifications, delivery.attempts)) }),
      })
      .where('id', '=', delivery.id)
      .where('status', '=', 'SENDING')
      .where('lease_until', '=', delivery.lease_until)
      .execute();
    if (delivery.webhook_id) await recordWebhookHealth(trx, delivery.webhook_id, now, result);
  });
  const log = { deliveryId: delivery.id, channel: delivery.channel, type: event.type, callbackId: event.callback_id, attempt: delivery.attempts, status, statusCode: result.statusCode, latencyMs };
  if (result.ok) ctx.logger.debug(log, 'notification sent');
  else ctx.logger.info({ ...log, error }, 'notification not sent');
}

/**
 * A webhook's health: a success clears its failure streak; a failure starts one, and a streak as
 * long as the webhook's `disable_after_days` disables it (its pending deliveries are dropped).
 */
async function recordWebhookHealth(db: Kysely<DB>, webhookId: string, now: Date, result: SendResult): Promise<void> {
  if (result.ok) {
    await db.updateTable('webhooks').set({ failing_since: null }).where('id', '=', webhookId).where('failing_since', 'is not', null).execute();
    return;
  }
  const webhook = await db
    .updateTable('webhooks')
    .set({ failing_since: sql`coalesce(failing_since, ${now})` })
    .where('id', '=', webhookId)
    .where('enabled', '=', true)
    .returning(['failing_since', 'disable_after_days'])
    .executeTakeFirst();
  if (!webhook?.failing_since || now.getTime() - webhook.failing_since.getTime() < webhook.disable_after_days * 86_400_000) return;
  const reason = `Every delivery failed for ${webhook.disable_after_days} day${webhook.disable_after_days === 1 ? '' : 's'} (last: ${result.error})`.slice(0, 500);
  await db.updateTable('webhooks').set({ enabled: false, disabled_at: now, disabled_reason: reason, updated_at: now }).where('id', '=', webhookId).execute();
  await db
    .updateTable('notification_deliveries')
    .set({ status: 'DROPPED', lease_until: null, last_error: 'the webhook was disabled' })
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'PENDING')
    .execute();
}

/** When the callback's notifications next need a job: each target's next delivery, due or held. */
async function nextRun(db: Kysely<DB>, callbackId: string): Promise<Date | null> {
  const row = await sql<{ at: Date | null }>`
    select min(greatest(next_attempt_at, coalesce(lease_until, '-infinity'))) as at from (
      select distinct on (target) next_attempt_at, lease_until
      from notification_deliveries
      where callback_id = ${callbackId} and status in ('PENDING', 'SENDING')
      order by target, seq
    ) heads`.execute(db);
  return row.rows[0]?.at ?? null;
}

/** The `notify` job. */
export async function notifyCallback(ctx: NotifyContext, payload: { callbackId: string }): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const claimed = await claimHeads(ctx.db, payload.callbackId, ctx.clock.now(), ctx.notifications.leaseMs ?? DEFAULT_LEASE_MS);
    if (claimed.length === 0) break;
    const events = await ctx.db.selectFrom('notification_events').selectAll().where('id', 'in', [...new Set(claimed.map((d) => d.event_id))]).execute();
    const byId = new Map(events.map((e) => [e.id, e]));
    await Promise.all(claimed.map((d) => attempt(ctx, d, byId.get(d.event_id)!)));
  }
  const at = await nextRun(ctx.db, payload.callbackId);
  if (at) await enqueue(ctx.db, jobs.notifyRetry(payload.callbackId, at < ctx.clock.now() ? ctx.clock.now() : at));
}

/** The sweep (every minute): a job for every callback with a delivery due and not held — whatever became of its job. */
export async function sweepNotifications(ctx: NotifyContext, limit = 1_000): Promise<{ callbacks: number }> {
  const now = ctx.clock.now();
  const rows = await ctx.db
    .selectFrom('notification_deliveries')
    .select('callback_id')
    .distinct()
    .where('status', 'in', ['PENDING', 'SENDING'])
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .limit(limit)
    .execute();
  for (const { callback_id } of rows) await enqueue(ctx.db, jobs.notify(callback_id));
  return { callbacks: rows.length };
}
