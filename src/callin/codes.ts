import { createHmac, hkdfSync, randomInt } from 'node:crypto';

/**
 * Access codes are short (4–12 digits), so a plain hash of one is guessed from a copy of the
 * database in moments: a request keeps only HMAC-SHA256 over `v1:{dnis}:{code}`, base64url, with a
 * key derived (HKDF-SHA256) from SECRETS_ENCRYPTION_KEY, or from the token signing secret when that
 * is unset. With the DNIS in it, one code on two numbers gives two different values.
 */
export interface CodeHasher {
  hash(dnis: string, code: string): string;
}

const INFO = 'callback-engine call-in access codes v1';

export function createCodeHasher(material: string): CodeHasher {
  if (material.length < 32) throw new Error('the access-code key material must be at least 32 characters');
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(material, 'utf8'), Buffer.alloc(0), INFO, 32));
  return { hash: (dnis, code) => createHmac('sha256', key).update(`v1:${dnis}:${code}`, 'utf8').digest('base64url') };
}

/** A random code of `length` digits (leading zeros kept), from the CSPRNG. */
export function randomCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += String(randomInt(10));
  return code;
}
