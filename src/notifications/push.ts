import { SecretBoxError } from '../auth/encryption.js';
import { isoUtc } from '../time.js';
import type { NotificationType } from '../vocabulary.js';
import type { ChannelSender, NotifyContext, Outgoing, SendResult } from './channels.js';
import { loadPushCredential } from './push-settings.js';
import { callInNotice, type CallInNotice } from './call-in-notice.js';

/**
 * The push channel: one FCM HTTP v1 message to the device of the callback's customer, with the
 * deployment's service account (`/admin/v1/settings/push`). The message's data carries
 * `notificationId` — the delivery's id, the same for every attempt, so the app can ignore a repeat —
 * the type and the callback's public fields. A token FCM calls dead is cleared from the callback and
 * the delivery dropped: it is never tried again.
 */

/** What the customer reads, per type; `when` is the scheduled time, local to the callback. */
const TEXTS: Record<NotificationType, (when: string | null) => { title: string; body: string }> = {
  CALLBACK_CREATED: (when) => ({ title: 'Callback booked', body: when ? `We will call you back on ${when}.` : 'We will call you back shortly.' }),
  CALLBACK_RESCHEDULED: (when) => ({ title: 'Callback moved', body: when ? `Your callback is now on ${when}.` : 'Your callback has a new time.' }),
  CALLBACK_UPCOMING: () => ({ title: 'Your callback is coming up', body: 'We will call you in a few minutes. Keep your phone close.' }),
  CALLBACK_READY: () => ({ title: 'We are ready for your call', body: 'An agent is ready for you: call us now.' }),
  CALLBACK_PURGED: () => ({ title: 'Callback request closed', body: 'Your callback request has expired. Ask for a new one if you still need us.' }),
  CALLBACK_ATTEMPT_FAILED: () => ({ title: 'We missed you', body: 'We could not reach you. We will try again.' }),
  CALLBACK_FINAL_ATTEMPT_FAILED: () => ({ title: 'We could not reach you', body: 'We tried to call you back without success. Ask for a new callback if you still need one.' }),
  CALLBACK_COMPLETED: () => ({ title: 'Callback completed', body: 'Thank you for talking with us.' }),
  CALLBACK_CANCELLED: () => ({ title: 'Callback cancelled', body: 'Your callback has been cancelled.' }),
};

/** The scheduled time as a person reads it in the callback's zone ("Dec 5, 2026, 9:00 AM"), or null. */
function localWhen(data: Record<string, unknown>): string | null {
  const utc = typeof data.scheduledTime === 'string' && data.scheduledTime !== '' ? new Date(data.scheduledTime) : null;
  if (!utc || Number.isNaN(utc.getTime())) return null;
  const timeZone = typeof data.timezone === 'string' && data.timezone !== '' ? data.timezone : 'UTC';
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(utc);
  } catch {
    return `${isoUtc(utc)}`;
  }
}

/** Keys FCM reserves in a message's data. */
const RESERVED = (key: string) => key === 'from' || key === 'notification' || key === 'message_type' || /^(google|gcm)/i.test(key);

/** The message's data: FCM takes only strings; the notification's own keys win over the event's. */
export function pushData(out: Outgoing, callIn?: CallInNotice | null): Record<string, string> {
  const data: Record<string, string> = {};
  const eventData = out.event.data ?? {};
  for (const [key, value] of Object.entries(eventData)) {
    if (RESERVED(key) || value === null || value === undefined || typeof value === 'object') continue;
    data[key] = String(value);
  }
  return {
    ...data,
    notificationId: out.delivery.id,
    type: out.event.type,
    callbackId: out.event.callback_id,
    state: typeof eventData.state === 'string' ? eventData.state : '',
    scheduledTime: typeof eventData.scheduledTime === 'string' ? eventData.scheduledTime : '',
    ...(callIn && { callInNumber: callIn.toPhoneNumber, accessCode: callIn.accessCode, callInExpiresAt: callIn.expiresAt }),
  };
}

export function pushText(out: Outgoing, callIn?: CallInNotice | null): { title: string; body: string } {
  if (out.event.type === 'CALLBACK_READY' && callIn) {
    const until = localWhen({ scheduledTime: callIn.expiresAt, timezone: out.event.data?.timezone });
    return { title: 'We are ready for your call', body: `Call ${callIn.toPhoneNumber}${callIn.accessCode ? ` and enter ${callIn.accessCode}` : ''}${until ? ` before ${until}` : ''}.` };
  }
  return TEXTS[out.event.type](localWhen(out.event.data ?? {}));
}

const drop = (error: string): SendResult => ({ ok: false, drop: true, retryable: false, statusCode: null, error });

export const pushSender: ChannelSender = async (ctx: NotifyContext, out: Outgoing): Promise<SendResult> => {
  let credential;
  try {
    credential = await loadPushCredential(ctx.db, ctx.notifications.secrets);
  } catch (err) {
    // Sealed with other key material: an administrator saving the credential again fixes it.
    if (err instanceof SecretBoxError) return { ok: false, retryable: true, statusCode: null, error: `The push credential cannot be read: ${err.message}` };
    throw err;
  }
  if (!credential) return drop('Push notifications are not configured (/admin/v1/settings/push)');
  const callback = await ctx.db.selectFrom('callbacks').select(['device_token']).where('id', '=', out.event.callback_id).executeTakeFirst();
  const token = callback?.device_token ?? null;
  if (token === null) return drop(callback ? 'The callback has no device token (none was given, or FCM said it is no longer valid)' : 'The callback no longer exists');

  const callIn = callInNotice(out.event.data ?? {}, ctx.notifications.secrets);
  const result = await ctx.notifications.fcm.send(credential, { token, ...pushText(out, callIn), data: pushData(out, callIn) });
  if (result.ok) return { ok: true, statusCode: result.statusCode };
  if (result.dropToken) {
    // Only this token: a token given since (none today, but cheap to respect) stays.
    await ctx.db.updateTable('callbacks').set({ device_token: null }).where('id', '=', out.event.callback_id).where('device_token', '=', token).execute();
    ctx.logger.info({ callbackId: out.event.callback_id, deliveryId: out.delivery.id, statusCode: result.statusCode }, 'push: device token no longer valid, cleared');
    return { ok: false, drop: true, retryable: false, statusCode: result.statusCode, error: `The device token is no longer valid: ${result.error}` };
  }
  return { ok: false, retryable: result.retryable, statusCode: result.statusCode, error: result.error };
};
