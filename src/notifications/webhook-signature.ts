import { createHmac, randomBytes } from 'node:crypto';

/**
 * Webhook signatures, as the Standard Webhooks specification defines them, so a receiver can verify
 * with any of its libraries (or the few lines below):
 *
 *     webhook-id:        the message's id — the same on every retry of it, the receiver's idempotency key
 *     webhook-timestamp: unix seconds when this attempt was signed
 *     webhook-signature: v1,<base64 HMAC-SHA256 over "{id}.{timestamp}.{body}">  (space-separated, one per secret)
 *
 * The secret is `whsec_` followed by base64 of 32 random bytes; the HMAC key is those bytes. While a
 * rotated-out secret is still honoured, each message carries a signature for it too, so a receiver
 * can switch secrets without losing a message. Signing the id and the timestamp with the body binds
 * them: a receiver that refuses timestamps outside REPLAY_WINDOW_SECONDS and remembers the ids it
 * accepted within it cannot be replayed to.
 */

/** How far a receiver should let a timestamp be from its own clock, either way. */
export const REPLAY_WINDOW_SECONDS = 300;

export const SIGNATURE_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

/** A new webhook secret. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** The HMAC key of a secret; throws on a value that is not one. */
function keyOf(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('a webhook secret starts with whsec_');
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  if (key.length < 24 || key.length > 64) throw new Error('a webhook secret holds 24 to 64 bytes');
  return key;
}

function mac(key: Buffer, id: string, timestamp: number, body: string): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest();
}

/**
 * The headers of one delivery attempt of `body` (the exact bytes sent) with message id `id`, signed
 * at `timestamp` (unix seconds) with each of `secrets` (the current one first).
 */
export function signatureHeaders(secrets: readonly string[], id: string, timestamp: number, body: string): Record<string, string> {
  if (secrets.length === 0) throw new Error('a webhook is signed with at least one secret');
  if (!Number.isInteger(timestamp) || timestamp < 0) throw new Error('a signature timestamp is whole unix seconds');
  return {
    [SIGNATURE_HEADERS.id]: id,
    [SIGNATURE_HEADERS.timestamp]: String(timestamp),
    [SIGNATURE_HEADERS.signature]: secrets.map((s) => `v1,${mac(keyOf(s), id, timestamp, body).toString('base64')}`).join(' '),
  };
}
