import { sql, type Kysely } from 'kysely';
import type { DB, StoredCaptcha } from '../db/types.js';
import type { CaptchaProvider, CaptchaResult } from '../vocabulary.js';

/**
 * Server-side CAPTCHA checks for publishable keys. Every provider has a "siteverify" endpoint taking
 * a form POST of `secret`, `response` (the token the page got) and `remoteip`, answering JSON with
 * `success`, `hostname`, `error-codes`; reCAPTCHA v3 adds `score` and `action`, Turnstile `action`.
 */
export const VERIFY_URLS: Record<CaptchaProvider, string> = {
  'recaptcha-v3': 'https://www.google.com/recaptcha/api/siteverify',
  'recaptcha-v2': 'https://www.google.com/recaptcha/api/siteverify',
  hcaptcha: 'https://api.hcaptcha.com/siteverify',
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
};

/** The provider's URL, or its path on `baseUrl` (CAPTCHA_VERIFY_BASE_URL: tests, egress proxies). */
export function verifyUrl(provider: CaptchaProvider, baseUrl: string | undefined): string {
  const real = new URL(VERIFY_URLS[provider]);
  return baseUrl === undefined ? real.href : `${baseUrl}${real.pathname}`;
}

export interface SiteverifyAnswer {
  success?: unknown;
  hostname?: unknown;
  score?: unknown;
  action?: unknown;
  'error-codes'?: unknown;
}

/** The provider could not be asked (down, timed out, answered something that is not a verdict): 503, never a refusal. */
export class CaptchaUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptchaUnavailable';
  }
}

export async function siteverify(url: string, fields: Record<string, string>, timeoutMs: number): Promise<SiteverifyAnswer> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(fields).toString(),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    throw new CaptchaUnavailable(`the CAPTCHA provider did not answer (${(err as Error).name})`);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new CaptchaUnavailable(`the CAPTCHA provider answered HTTP ${res.status}`);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new CaptchaUnavailable('the CAPTCHA provider answered something that is not JSON');
  }
  if (body === null || typeof body !== 'object' || typeof (body as SiteverifyAnswer).success !== 'boolean') {
    throw new CaptchaUnavailable('the CAPTCHA provider answered without a verdict');
  }
  return body as SiteverifyAnswer;
}

/** What a provider's verdict means for this key: passed, or the first check it fails. */
export function judge(settings: StoredCaptcha, allowedHostnames: readonly string[], answer: SiteverifyAnswer): { result: CaptchaResult; reason: string } {
  const codes = Array.isArray(answer['error-codes']) ? answer['error-codes'].map(String) : [];
  if (answer.success !== true) {
    const reused = codes.includes('timeout-or-duplicate') || codes.includes('invalid-or-already-seen-response');
    return { result: reused ? 'reused' : 'failed', reason: `the provider refused the token${codes.length > 0 ? ` (${codes.join(', ')})` : ''}` };
  }
  const hostname = typeof answer.hostname === 'string' ? answer.hostname.toLowerCase() : undefined;
  if (hostname === undefined || !allowedHostnames.includes(hostname)) {
    return { result: 'wrong_hostname', reason: `the token was solved on ${hostname ?? 'an unnamed host'}, not on a site of this key` };
  }
  if (settings.action !== undefined && answer.action !== settings.action) {
    return { result: 'wrong_action', reason: `the token was made for action "${String(answer.action ?? '')}", not "${settings.action}"` };
  }
  if (settings.provider === 'recaptcha-v3') {
    const score = typeof answer.score === 'number' ? answer.score : -1;
    if (score < (settings.minScore ?? 0.5)) return { result: 'low_score', reason: `the score ${score < 0 ? 'is missing' : score} is below ${settings.minScore ?? 0.5}` };
  }
  return { result: 'passed', reason: 'ok' };
}

// --- single use ------------------------------------------------------------------------------

/** How long an accepted token is remembered: longer than any provider keeps one valid (reCAPTCHA 2 min, Turnstile 5 min). */
export const TOKEN_MEMORY_SECONDS = 600;

export interface SeenToken {
  fingerprint: string;
  accepted_at: Date;
}

export async function findSeenToken(db: Kysely<DB>, tokenHash: string): Promise<SeenToken | undefined> {
  return db.selectFrom('captcha_tokens').select(['fingerprint', 'accepted_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
}

/**
 * Records an accepted token; false when another request recorded it first (a race). Tokens past
 * their memory are swept on the way, a few at a time.
 */
export async function rememberToken(db: Kysely<DB>, row: { token_hash: string; client_id: string; fingerprint: string }, now: Date, keepSeconds: number): Promise<boolean> {
  await sql`delete from captcha_tokens where token_hash in (select token_hash from captcha_tokens where expires_at < ${now} limit 100)`.execute(db);
  const inserted = await db
    .insertInto('captcha_tokens')
    .values({ ...row, accepted_at: now, expires_at: new Date(now.getTime() + keepSeconds * 1000) })
    .onConflict((oc) => oc.column('token_hash').doNothing())
    .returning('token_hash')
    .executeTakeFirst();
  return inserted !== undefined;
}
