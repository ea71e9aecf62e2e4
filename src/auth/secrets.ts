import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Client secrets are stored only as salted scrypt hashes: `scrypt$N$r$p$salt$hash` (base64url).
 * Verification runs scrypt (slow on purpose, off the event loop) and compares in constant time.
 */

const N = 16_384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function scrypt(secret: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(secret, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, KEY_LENGTH, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A hash of a random secret nobody knows: verifying against it costs what a real check costs. */
const decoyHash = hashSecret(generateSecret());

export async function verifySecret(secret: string, stored: string | undefined): Promise<boolean> {
  const target = stored ?? (await decoyHash);
  const [scheme, n, r, p, saltB64, keyB64] = target.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64url');
  const actual = await scrypt(secret, Buffer.from(saltB64, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected) && stored !== undefined;
}

/**
 * Publishable keys are public by design (they ship in a web page or an app), yet a database dump
 * alone must not list working keys: they are stored as SHA-256 (fast, so every request can look its
 * key up; the key's 192 random bits make a slow hash unnecessary) with a short hint to show them masked.
 */
export const PUBLISHABLE_KEY_PREFIX = 'pk_';

export function generatePublishableKey(): string {
  return `${PUBLISHABLE_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** How a key is shown after its creation: the prefix and its last four characters. */
export function maskKey(key: string): string {
  return `${PUBLISHABLE_KEY_PREFIX}…${key.slice(-4)}`;
}

/** How a stored secret (a CAPTCHA secret) is shown: its last four characters at most, never more than a quarter of it. */
export function maskSecret(secret: string): string {
  const shown = Math.min(4, Math.floor(secret.length / 4));
  return `…${shown > 0 ? secret.slice(-shown) : ''}`;
}
