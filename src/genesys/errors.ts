/**
 * Turning whatever failed into a GenesysError. The SDK rejects with many shapes (axios errors whose
 * config holds the client secret, plain `{ message, code, status }` bodies, bare strings for missing
 * arguments), so nothing it throws is passed on as is: only the fields below, with credentials
 * scrubbed from every message.
 */
import { GenesysError } from './gateway.js';

/** Statuses where Genesys did not do the work and asks to come back: safe to retry. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Our own codes; Genesys' codes (`not.found`, `bad.request`, ...) pass through when it sends one. */
export const ErrorCode = {
  timeout: 'timeout',
  network: 'network_error',
  /** The request may have been carried out (timeout, reset or 502/504 on a non-idempotent call). */
  outcomeUnknown: 'outcome_unknown',
  invalidArgument: 'invalid_argument',
  loginFailed: 'login_failed',
  closed: 'closed',
  unexpected: 'unexpected_error',
} as const;

const MAX_MESSAGE = 300;
const REDACTED = '[redacted]';

/** Credentials this process holds (the Genesys client secret, in the forms it travels in), taken out wherever they appear. */
const knownSecrets = new Set<string>();

/** Short values would redact ordinary words; a real client secret is far longer. */
const MIN_KNOWN_SECRET = 8;

export function redactEverywhere(clientId: string, clientSecret: string): void {
  if (clientSecret.length < MIN_KNOWN_SECRET) return;
  knownSecrets.add(clientSecret);
  knownSecrets.add(encodeURIComponent(clientSecret));
  knownSecrets.add(Buffer.from(`${clientId}:${clientSecret}`).toString('base64'));
}

const CREDENTIAL_KEYS = 'access_token|refresh_token|id_token|client_secret|password|api[_-]?key|authorization|token|secret';
/** `"client_secret": "any \"quoted\" text"` in JSON. */
const JSON_CREDENTIAL = new RegExp(`("(?:${CREDENTIAL_KEYS})"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*"`, 'gi');
/** `client_secret=…` in a form or query string, `access_token: …` in prose. */
const LOOSE_CREDENTIAL = new RegExp(`\\b((?:${CREDENTIAL_KEYS})\\s*[:=]\\s*)(?!\\[redacted\\]|Bearer\\b|Basic\\b)[^"&\\s,;}]+`, 'gi');
/** An Authorization header's value. */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
/** A JWT wherever it stands. */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/**
 * Takes out anything that looks like a credential, and the credentials we hold. The one redaction:
 * every message built from something Genesys or the SDK said goes through it before it is stored or logged.
 */
export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets) out = out.split(secret).join(REDACTED);
  return out
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(JSON_CREDENTIAL, `$1${REDACTED}"`)
    .replace(LOOSE_CREDENTIAL, `$1${REDACTED}`);
}

function clip(text: string): string {
  const one = redact(text.replace(/\s+/g, ' ').trim());
  return one.length > MAX_MESSAGE ? `${one.slice(0, MAX_MESSAGE)}…` : one;
}

/** Genesys codes are dotted words (`not.found`, `bad.request`); anything else is not kept. */
function safeCode(code: string | undefined, status: number): string {
  const c = code === undefined ? undefined : redact(code);
  return c !== undefined && /^[A-Za-z0-9_.-]{1,80}$/.test(c) ? c : `http_${status}`;
}

/** Retry-After in seconds (Genesys sends seconds; the HTTP-date form is accepted too). */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** From an HTTP answer: Genesys bodies carry `message`/`code`, OAuth bodies `error`/`description`. */
export function errorFromResponse(
  what: string,
  status: number,
  body: unknown,
  retryAfterSeconds: number | undefined,
): GenesysError {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = safeCode(str(b.code) ?? str(b.error), status);
  const detail =
    str(b.message) ?? str(b.error_description) ?? str(b.description) ?? (typeof body === 'string' ? body : '');
  return new GenesysError(
    clip(`Genesys ${what} answered ${status} ${code}${detail ? `: ${detail}` : ''}`),
    status,
    code,
    RETRY_STATUSES.has(status),
    retryAfterSeconds,
  );
}

/** From a fetch failure without an HTTP answer. */
export function errorFromTransport(what: string, err: unknown, timeoutMs: number): GenesysError {
  const e = err as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (e?.name === 'TimeoutError') {
    return new GenesysError(`Genesys ${what} timed out after ${timeoutMs} ms`, 0, ErrorCode.timeout, true);
  }
  const cause = str(e?.cause?.code) ?? str(e?.cause?.message) ?? str(e?.message) ?? 'unknown';
  return new GenesysError(clip(`Genesys ${what} failed: ${cause}`), 0, ErrorCode.network, true);
}

/** A fetch failure where the connection never opened, so the request cannot have been carried out. */
export function neverSent(fetchError: unknown): boolean {
  const code = (fetchError as { cause?: { code?: unknown } } | null)?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

/** Anything at all → GenesysError, for the boundary of every gateway method. */
export function toGenesysError(err: unknown, what: string): GenesysError {
  if (err instanceof GenesysError) return err;
  // Missing required SDK arguments are thrown as bare strings.
  if (typeof err === 'string') return new GenesysError(clip(`Genesys ${what}: ${err}`), 0, ErrorCode.invalidArgument, false);
  if (typeof err === 'object' && err !== null) {
    const o = err as Record<string, unknown>;
    // A plain Genesys error body (`{ message, code, status }`) that reached us without our HTTP client.
    if (typeof o.status === 'number' && (str(o.code) || str(o.message))) return errorFromResponse(what, o.status, o, undefined);
    // Deliberately not reading o.config / o.request / o.response.config: they hold credentials.
    const name = str(o.name) ?? 'Error';
    const message = str(o.message) ?? '';
    return new GenesysError(clip(`Genesys ${what} failed: ${name} ${message}`), 0, ErrorCode.unexpected, false);
  }
  return new GenesysError(`Genesys ${what} failed`, 0, ErrorCode.unexpected, false);
}

/**
 * What a job does after a Genesys call failed, decided here for every job (delivery, cancel and
 * reschedule, campaign dialing, preview re-submission):
 * - `outcome-unknown`: the request may have been carried out (no answer to a call that is not safe
 *   to repeat). A job whose call creates something asks Genesys before sending it again; a job whose
 *   call is idempotent (cancel, reschedule, adding a contact by id) simply tries again.
 * - `retry`: Genesys did not do the work and may later — 429, 5xx, timeouts, network errors, a closed
 *   gateway — or our own credentials failed (401, a failed login: the session already logged in again
 *   once; fixed credentials let the job through before its attempts run out), or the failure is not
 *   Genesys' at all (our database, a bug).
 * - `give-up`: Genesys refused this request (400, 403, 404, 409, ...; arguments the SDK refused):
 *   sending it again cannot change the answer.
 */
export type FailureClass = 'retry' | 'give-up' | 'outcome-unknown';

/** `attempt`: the job's attempt (graphile-worker's job row); its last attempt gives up whatever failed. */
export function classifyFailure(err: unknown, attempt?: { attempts: number; max_attempts: number }): FailureClass {
  if (attempt !== undefined && attempt.attempts >= attempt.max_attempts) return 'give-up';
  if (!(err instanceof GenesysError)) return 'retry';
  if (err.code === ErrorCode.outcomeUnknown) return 'outcome-unknown';
  if (err.retryable || err.status >= 500 || err.status === 401 || err.code === ErrorCode.loginFailed) return 'retry';
  return 'give-up';
}

/** Genesys answered that the thing asked about does not exist (404): gone already, for a cancel or a track. */
export function isNotFound(err: unknown): boolean {
  return err instanceof GenesysError && err.status === 404;
}

/** A failure as a job records it. */
export function describeFailure(err: unknown): string {
  return err instanceof GenesysError ? `${err.status} ${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
}
