import type { SecretBox } from '../auth/encryption.js';

/**
 * What a CALLBACK_READY (delayed call-in) tells the customer, from the event's `callIn` data: the
 * number to call, until when, and the access code — kept sealed in the event, opened only to write
 * the customer's own message (SMS, push). A webhook gets the number and time, never the code.
 */
export interface CallInNotice {
  toPhoneNumber: string;
  expiresAt: string;
  /** "" when the group uses no codes. */
  accessCode: string;
}

function sealedOf(data: Record<string, unknown>): { toPhoneNumber: string; expiresAt: string; accessCodeSealed: string } | null {
  const callIn = data.callIn;
  if (!callIn || typeof callIn !== 'object') return null;
  const { toPhoneNumber, expiresAt, accessCodeSealed } = callIn as Record<string, unknown>;
  return typeof toPhoneNumber === 'string' && typeof expiresAt === 'string' ? { toPhoneNumber, expiresAt, accessCodeSealed: typeof accessCodeSealed === 'string' ? accessCodeSealed : '' } : null;
}

export function callInNotice(data: Record<string, unknown>, secrets: SecretBox): CallInNotice | null {
  const sealed = sealedOf(data);
  if (!sealed) return null;
  return { toPhoneNumber: sealed.toPhoneNumber, expiresAt: sealed.expiresAt, accessCode: sealed.accessCodeSealed ? secrets.decrypt(sealed.accessCodeSealed) : '' };
}

/** The event's data as a webhook receives it: the call-in number and time without the (sealed) code. */
export function withoutCode(data: Record<string, unknown>): Record<string, unknown> {
  const sealed = sealedOf(data);
  if (!sealed) return data;
  return { ...data, callIn: { toPhoneNumber: sealed.toPhoneNumber, expiresAt: sealed.expiresAt } };
}
