import type { NotificationEventRow } from '../db/types.js';
import { isoUtc } from '../time.js';
import type { ChannelSender, SendResult } from './channels.js';
import { signatureHeaders } from './webhook-signature.js';
import { withoutCode } from './call-in-notice.js';

/**
 * Webhook deliveries: a signed JSON POST. The body is
 *
 *     { "id": <delivery id>, "type": "CALLBACK_…", "time": <when it happened, UTC>, "eventId": <the event's id>, "callback": { …public fields } }
 *
 * and `webhook-id` carries the same id on every retry of it: the receiver's idempotency key.
 * Any 2xx is success; anything else (redirects are not followed), and no answer within the
 * timeout, is retried with backoff.
 */

export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Whoever reads the receiver's logs can tell what is calling. */
const USER_AGENT = 'callback-engine-webhooks/1';

export interface WebhookTarget {
  url: string;
  /** The current secret first, then a rotated-out one still honoured. */
  secrets: readonly string[];
}

/** POSTs `body` (the exact bytes signed) to the target, signed with message id `messageId`. */
export async function postWebhook(target: WebhookTarget, messageId: string, body: string, opts: { now?: Date; timeoutMs?: number } = {}): Promise<SendResult & { latencyMs: number }> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  const timestamp = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...signatureHeaders(target.secrets, messageId, timestamp, body) },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
    });
    // The answer's body is not wanted, only read so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status, latencyMs: latency() };
    return { ok: false, retryable: true, statusCode: res.status, error: `HTTP ${res.status}`, latencyMs: latency() };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const error = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${(opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS) / 1000} s` : (cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err)));
    return { ok: false, retryable: true, statusCode: null, error: error.slice(0, 500), latencyMs: latency() };
  }
}

/** The body of a notification's webhook delivery `deliveryId`. */
export function webhookBody(deliveryId: string, event: Pick<NotificationEventRow, 'id' | 'type' | 'occurred_at' | 'data'>): string {
  return JSON.stringify({ id: deliveryId, type: event.type, time: isoUtc(new Date(event.occurred_at)), eventId: event.id, callback: withoutCode(event.data) });
}

/** Sends a webhook delivery: to its webhook's URL, signed with its secrets; a disabled or deleted webhook's deliveries are dropped. */
export const webhookSender: ChannelSender = async (ctx, { delivery, event }) => {
  const webhook = delivery.webhook_id ? await ctx.db.selectFrom('webhooks').selectAll().where('id', '=', delivery.webhook_id).executeTakeFirst() : undefined;
  if (!webhook || !webhook.enabled) return { ok: false, retryable: false, drop: true, statusCode: null, error: 'the webhook is disabled or deleted' };
  const now = ctx.clock.now();
  const secrets = [ctx.notifications.secrets.decrypt(webhook.secret_sealed)];
  if (webhook.previous_secret_sealed && webhook.previous_secret_expires_at && webhook.previous_secret_expires_at > now) secrets.push(ctx.notifications.secrets.decrypt(webhook.previous_secret_sealed));
  const { latencyMs: _latency, ...result } = await postWebhook({ url: webhook.url, secrets }, delivery.id, webhookBody(delivery.id, event), { now });
  return result;
};
