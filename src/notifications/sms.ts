import { DateTime } from 'luxon';
import { GenesysError } from '../genesys/gateway.js';
import { selfServiceLink } from '../selfservice/link.js';
import type { ChannelSender } from './channels.js';
import { callInNotice } from './call-in-notice.js';

/** The placeholders an SMS template may use. */
export const SMS_PLACEHOLDERS = ['queueName', 'localTime', 'date', 'link', 'customerName', 'callInNumber', 'accessCode'] as const;
export type SmsPlaceholder = (typeof SMS_PLACEHOLDERS)[number];
/** Four concatenated GSM-7 SMS segments (4 × 153 characters). */
export const SMS_TEMPLATE_MAX = 612;

/** The placeholders in `template` that are not known ones (empty: the template is valid). */
export function unknownPlaceholders(template: string): string[] {
  const found = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');
  return found.filter((p) => !(SMS_PLACEHOLDERS as readonly string[]).includes(p));
}

export interface SmsValues {
  queueName: string;
  /** The time the callback is for (scheduled time, else now), shown in `timezone`. */
  time: Date;
  timezone: string;
  link: string;
  customerName: string | null;
  /** CALLBACK_READY (delayed call-in): the number to call and the code; "" otherwise. */
  callInNumber?: string;
  accessCode?: string;
}

/** The text of a template: each known placeholder replaced, local time and date in the queue's zone (e.g. "2:30 PM", "Friday, December 4, 2026"). */
export function renderSmsTemplate(template: string, v: SmsValues): string {
  const local = DateTime.fromJSDate(v.time, { zone: v.timezone }).setLocale('en-US');
  const values: Record<SmsPlaceholder, string> = {
    queueName: v.queueName,
    localTime: local.toLocaleString(DateTime.TIME_SIMPLE),
    date: local.toLocaleString(DateTime.DATE_HUGE),
    link: v.link,
    customerName: v.customerName ?? '',
    callInNumber: v.callInNumber ?? '',
    accessCode: v.accessCode ?? '',
  };
  return template.replace(/\{([^{}]*)\}/g, (whole, name: string) =>
    (SMS_PLACEHOLDERS as readonly string[]).includes(name) ? values[name as SmsPlaceholder] : whole,
  );
}

/**
 * Sends one SMS delivery: the callback and its queue as they are now, the opt-out list checked again
 * (a STOP may have come after the delivery was queued), the queue's template for the event type.
 * The delivery id cannot travel to Genesys (the agentless request has no reference field).
 */
export const smsSender: ChannelSender = async (ctx, out) => {
  const row = await ctx.db
    .selectFrom('callbacks as c')
    .innerJoin('queues as q', 'q.id', 'c.queue_id')
    .select(['c.id', 'c.phone_e164', 'c.customer_name', 'c.scheduled_time', 'q.name as queue_name', 'q.timezone', 'q.sms_sender', 'q.sms_templates'])
    .where('c.id', '=', out.event.callback_id)
    .executeTakeFirst();
  if (!row) return { ok: false, drop: true, retryable: false, statusCode: null, error: 'callback gone' };
  const template = row.sms_templates[out.event.type];
  if (!row.sms_sender || !template) return { ok: false, drop: true, retryable: false, statusCode: null, error: 'no SMS sender or template' };
  const optedOut = await ctx.db.selectFrom('message_opt_outs').select('phone_e164').where('phone_e164', '=', row.phone_e164).executeTakeFirst();
  if (optedOut) return { ok: false, drop: true, retryable: false, statusCode: null, error: 'opted out' };

  const now = ctx.clock.now();
  const callIn = callInNotice(out.event.data ?? {}, ctx.notifications.secrets);
  const textBody = renderSmsTemplate(template, {
    callInNumber: callIn?.toPhoneNumber ?? '',
    accessCode: callIn?.accessCode ?? '',
    queueName: row.queue_name,
    time: row.scheduled_time ?? now,
    timezone: row.timezone,
    link: selfServiceLink({ id: row.id }, { baseUrl: ctx.notifications.publicBaseUrl, signer: ctx.notifications.links, now }),
    customerName: row.customer_name,
  });
  try {
    await ctx.gateway.sendAgentlessMessage({ fromAddress: row.sms_sender, toAddress: row.phone_e164, textBody, referenceId: out.delivery.id });
    return { ok: true, statusCode: 200 };
  } catch (err) {
    if (err instanceof GenesysError) {
      return { ok: false, retryable: err.retryable, statusCode: err.status || null, error: err.message };
    }
    return { ok: false, retryable: true, statusCode: null, error: err instanceof Error ? err.message : String(err) };
  }
};
