import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/types.js';
import { addJobSql, jobs } from '../jobs/catalog.js';
import type { CallbackState, CompletionReason, HistoryEvent, NotificationType } from '../vocabulary.js';

/**
 * The notification outbox. Every lifecycle change of a callback that its customer or another system
 * cares about becomes a notification event, written by the transaction that makes the change, with
 * one delivery per target that wants it:
 *
 * - each enabled webhook subscribed to the type (or to all) and to the callback's queue (or to all);
 * - the customer's SMS, when the queue has a sender and a text for the type and the number has not opted out;
 * - the customer's app, when the callback carries a device token and push is configured.
 *
 * A `notify` job for the callback is enqueued in the same transaction when there is a delivery, so
 * the change, its notifications and the job commit or roll back together. Changes to one callback
 * are made under its row lock, so the events' `seq` is their commit order: the order receivers get them in.
 */

/** The notification a history entry makes, if any. */
export function notificationTypeOf(entry: { event: HistoryEvent; to?: CallbackState | null | undefined; reason?: string | undefined }): NotificationType | null {
  switch (entry.event) {
    case 'created':
      return 'CALLBACK_CREATED';
    case 'rescheduled':
      return 'CALLBACK_RESCHEDULED';
    case 'retry-scheduled':
      return 'CALLBACK_ATTEMPT_FAILED';
    case 'upcoming':
      return 'CALLBACK_UPCOMING';
    case 'call-in-ready':
      return 'CALLBACK_READY';
  }
  return entry.to === 'COMPLETED' ? completionNotification(entry.reason as CompletionReason | undefined) : null;
}

const COMPLETION_TYPES: Record<CompletionReason, NotificationType> = {
  HANDLED: 'CALLBACK_COMPLETED',
  NO_ANSWER: 'CALLBACK_FINAL_ATTEMPT_FAILED',
  CANCELLED_BY_CUSTOMER: 'CALLBACK_CANCELLED',
  CANCELLED_BY_ADMIN: 'CALLBACK_CANCELLED',
  // The callback ends without being served: the customer's request is gone (the reason says why).
  PURGED: 'CALLBACK_PURGED',
  EXPIRED: 'CALLBACK_PURGED',
  ABANDONED: 'CALLBACK_PURGED',
  FAILED: 'CALLBACK_PURGED',
};

function completionNotification(reason: CompletionReason | undefined): NotificationType | null {
  return reason ? COMPLETION_TYPES[reason] : null;
}

/** The push settings' key in the settings table. */
export const PUSH_SETTINGS_KEY = 'push';

/**
 * Writes the notification `type` of a callback (as it is now, in `trx`) and its deliveries; enqueues
 * the callback's notify job when there is one. One statement. `callIn`: what a READY tells the
 * customer (where to call, until when, the sealed code), in the event's data under `callIn`.
 */
export async function recordNotification(trx: Transaction<DB>, callbackId: string, type: NotificationType, callIn?: Record<string, unknown>): Promise<void> {
  await sql`
    with cb as (
      select c.id, c.queue_id, c.phone_e164, c.device_token, q.sms_sender, q.sms_templates,
        jsonb_build_object(
          'callbackId', c.id,
          'queueId', c.queue_id,
          'queueName', q.name,
          'type', c.type,
          'state', c.state,
          'completionReason', c.completion_reason,
          'scheduledTime', to_char(c.scheduled_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
          'scheduledTimeLocal', to_char(c.scheduled_time at time zone q.timezone, 'YYYY-MM-DD"T"HH24:MI:SS'),
          'timezone', q.timezone,
          'phoneNumber', c.phone_e164,
          'customerName', c.customer_name,
          'attempt', c.attempt
        ) as data
      from callbacks c join queues q on q.id = c.queue_id
      where c.id = ${callbackId}
    ),
    ev as (
      insert into notification_events (callback_id, queue_id, type, occurred_at, data)
      select cb.id, cb.queue_id, ${type}, now(), ${callIn ? sql`cb.data || jsonb_build_object('callIn', ${JSON.stringify(callIn)}::jsonb)` : sql`cb.data`} from cb
      returning id, seq, callback_id
    ),
    targets as (
      select 'webhook'::text as channel, w.id as webhook_id, 'webhook:' || w.id as target
        from webhooks w, cb
        where w.enabled
          and (cardinality(w.event_types) = 0 or ${type} = any (w.event_types))
          and (cardinality(w.queue_ids) = 0 or cb.queue_id = any (w.queue_ids))
      union all
      select 'sms', null, 'sms' from cb
        where cb.sms_sender is not null and cb.sms_templates ? ${type}
          and not exists (select 1 from message_opt_outs o where o.phone_e164 = cb.phone_e164)
      union all
      select 'push', null, 'push' from cb
        where cb.device_token is not null and exists (select 1 from settings s where s.key = ${PUSH_SETTINGS_KEY})
    ),
    deliveries as (
      insert into notification_deliveries (event_id, callback_id, seq, channel, webhook_id, target, next_attempt_at)
      select ev.id, ev.callback_id, ev.seq, t.channel, t.webhook_id, t.target, '-infinity' from ev, targets t
      returning id
    )
    select case when exists (select 1 from deliveries) then (${addJobSql(jobs.notify(callbackId))}).id end as job`.execute(trx);
}
