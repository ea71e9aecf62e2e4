import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * The signed self-service link a message (SMS, e-mail) carries:
 *
 *     PUBLIC_BASE_URL/public/v1/callbacks/{callbackId}?exp={unix seconds}&sig={signature}
 *
 * `sig` is HMAC-SHA256 over `v1:{callbackId}:{exp}`, base64url, with a key derived (HKDF-SHA256) from
 * SECRETS_ENCRYPTION_KEY, or from the token signing secret when that is unset. The link reads the
 * callback's status until `exp` (and while the manage token could still read it); it changes nothing:
 * cancelling and rescheduling need the manage token. It carries no token, so a logged or forwarded
 * link gives away one callback's status, for a while, and nothing more.
 */
export interface LinkSigner {
  sign(callbackId: string, exp: number): string;
  verify(callbackId: string, exp: number, sig: string): boolean;
}

const INFO = 'callback-engine self-service links v1';

export function createLinkSigner(material: string): LinkSigner {
  if (material.length < 32) throw new Error('the link signing key material must be at least 32 characters');
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(material, 'utf8'), Buffer.alloc(0), INFO, 32));
  const mac = (callbackId: string, exp: number) => createHmac('sha256', key).update(`v1:${callbackId.toLowerCase()}:${exp}`, 'utf8').digest();
  return {
    sign: (callbackId, exp) => mac(callbackId, exp).toString('base64url'),
    verify(callbackId, exp, sig) {
      const expected = mac(callbackId, exp);
      const sent = Buffer.from(sig, 'base64url');
      return sent.length === expected.length && timingSafeEqual(sent, expected);
    },
  };
}

/** How long a link reads by default: a week. */
export const LINK_DEFAULT_SECONDS = 7 * 86_400;

/** The self-service link of a callback, valid until `expiresAt` (default: a week from `now`). */
export function selfServiceLink(
  callback: { id: string },
  opts: { baseUrl: string; signer: LinkSigner; now: Date; expiresAt?: Date },
): string {
  const exp = Math.floor((opts.expiresAt ?? new Date(opts.now.getTime() + LINK_DEFAULT_SECONDS * 1000)).getTime() / 1000);
  const query = new URLSearchParams({ exp: String(exp), sig: opts.signer.sign(callback.id, exp) });
  return `${opts.baseUrl.replace(/\/+$/, '')}/public/v1/callbacks/${encodeURIComponent(callback.id)}?${query.toString()}`;
}

export type LinkCheck = 'valid' | 'expired' | 'bad-signature';

/** Whether a link's `exp` and `sig` were made for this callback and are still in time (checked at `now`). */
export function checkSelfServiceLink(signer: LinkSigner, callbackId: string, exp: number, sig: string, now: Date): LinkCheck {
  if (!signer.verify(callbackId, exp, sig)) return 'bad-signature';
  return exp * 1000 <= now.getTime() ? 'expired' : 'valid';
}
