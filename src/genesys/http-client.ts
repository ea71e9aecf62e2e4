/**
 * The HTTP client plugged into the SDK (`client.setHttpClient`). The SDK itself has no retry and no
 * 429 handling, and its default axios client follows HTTP(S)_PROXY; this one uses Node's fetch
 * (no proxy variables, one timeout covering connect + headers + body) and retries inside the SDK's
 * own call, so every SDK method, the login included, gets the same policy without wrapping each one.
 *
 * Contract with the SDK (ApiClient.callApi / loginClientCredentialsGrant, v262): resolve with an
 * axios-like `{ status, headers, data }`; on an HTTP error reject with something carrying
 * `response.data`, which callApi passes on as the rejection. We put the GenesysError itself there,
 * so callers receive a GenesysError and never a raw error holding the request's Authorization header.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import platformClient from 'purecloud-platform-client-v2';
import { GenesysError } from './gateway.js';
import { ErrorCode, errorFromResponse, errorFromTransport, neverSent, parseRetryAfter } from './errors.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Longest wait before one retry. A longer Retry-After is not slept on: the error goes back to the
   * caller with `retryAfterSeconds`, and the job layer reschedules instead of holding a worker. */
  maxRetryWaitMs: number;
  /** First backoff step when there is no Retry-After; doubles per retry, with jitter. */
  baseBackoffMs: number;
}

export type GatewayLog = (obj: Record<string, unknown>, msg: string) => void;

/** What the SDK hands us: an HttpRequestOptions. */
interface SdkRequest {
  url: string;
  method: string;
  headers?: Record<string, unknown>;
  params?: Record<string, unknown>;
  data?: unknown;
}

/** What the SDK reads back (the subset of an axios response it uses). */
interface SdkResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  data: unknown;
  text?: string;
}

/** A failed attempt: may it be replayed? */
type Failure = { error: GenesysError; replay: 'safe' | 'if-idempotent' | 'never' };

/**
 * Creating a callback, like sending an agentless message (SMS), has no idempotency key: after a timeout,
 * a reset or a 502/504 it may already exist, and a replay would call (or text) the customer twice. Every other call we make is idempotent
 * (GET, PATCH to a value, contact upsert by id, disconnect).
 */
function idempotent(method: string, url: URL): boolean {
  return !(method === 'POST' && /\/api\/v2\/conversations\/(callbacks|messages\/agentless)\/?$/.test(url.pathname));
}

function buildUrl(req: SdkRequest): URL {
  const url = new URL(req.url);
  for (const [k, v] of Object.entries(req.params ?? {})) {
    // The SDK has already URI-encoded the names; ours are plain words.
    if (v === undefined || v === null) continue;
    // A list (`id` of the conversation-details multi-get) travels as one comma-separated value, as the
    // Platform API documents it.
    url.searchParams.append(decodeURIComponent(k), Array.isArray(v) ? v.map(String).join(',') : String(v));
  }
  return url;
}

function buildInit(req: SdkRequest, method: string): { method: string; headers: Headers; body?: string } {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers ?? {})) {
    if (v !== undefined && v !== null) headers.set(k, String(v));
  }
  if (req.data === undefined || req.data === null || method === 'GET' || method === 'HEAD') {
    headers.delete('content-type'); // the SDK sets it on every call; a bodiless DELETE would then be rejected
    return { method, headers };
  }
  // The login sends 'grant_type=client_credentials' as a string without a content type (axios adds it).
  const form = typeof req.data === 'string';
  if (!headers.has('content-type')) headers.set('content-type', form ? 'application/x-www-form-urlencoded' : 'application/json');
  return { method, headers, body: form ? (req.data as string) : JSON.stringify(req.data) };
}

async function readResponse(res: Response): Promise<SdkResponse> {
  const text = await res.text();
  let data: unknown;
  if (text !== '' && /json/i.test(res.headers.get('content-type') ?? '')) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  return {
    status: res.status,
    statusText: res.statusText,
    headers: Object.fromEntries(res.headers.entries()),
    data,
    ...(data === undefined && text !== '' ? { text } : {}),
  };
}

export class RetryingHttpClient extends platformClient.AbstractHttpClient {
  private readonly closing = new AbortController();

  constructor(
    timeoutMs: number,
    private readonly policy: RetryPolicy,
    private readonly log: GatewayLog = () => undefined,
  ) {
    super();
    this.setTimeout(timeoutMs);
  }

  override setHttpsAgent(agent: unknown): void {
    if (agent) throw new Error('RetryingHttpClient uses fetch: a custom https agent (mTLS) is not supported');
  }

  override enableHooks(): void {
    throw new Error('RetryingHttpClient does not support SDK pre/post hooks');
  }

  /** Abort in-flight requests and retry waits (shutdown). */
  close(): void {
    this.closing.abort();
  }

  override async request(req: SdkRequest): Promise<SdkResponse> {
    const method = req.method.toUpperCase();
    const url = buildUrl(req);
    const what = `${method} ${url.pathname}`;
    const init = buildInit(req, method);
    const canReplay = idempotent(method, url);

    for (let retry = 0; ; retry++) {
      const outcome = await this.attempt(url, init, what);
      if (!('replay' in outcome)) return outcome;
      const { error, replay } = outcome;
      const mayRetry = replay === 'safe' || (replay === 'if-idempotent' && canReplay);
      if (!mayRetry) throw replay === 'if-idempotent' ? outcomeUnknown(error) : withResponse(error);
      if (retry >= this.policy.maxRetries) throw withResponse(error);

      const delayMs =
        error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : this.backoffMs(retry);
      if (delayMs > this.policy.maxRetryWaitMs) throw withResponse(error);
      this.log(
        { event: 'genesys.retry', request: what, status: error.status, code: error.code, retry: retry + 1, delayMs },
        'Genesys request failed; retrying',
      );
      try {
        await sleep(delayMs, undefined, { signal: this.closing.signal });
      } catch {
        throw closed(what);
      }
    }
  }

  private async attempt(url: URL, init: ReturnType<typeof buildInit>, what: string): Promise<SdkResponse | Failure> {
    let res: Response;
    let response: SdkResponse;
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(this.timeout), this.closing.signal]);
      res = await fetch(url, { ...init, signal, redirect: 'error' });
      response = await readResponse(res);
    } catch (err) {
      if (this.closing.signal.aborted) throw closed(what);
      const error = errorFromTransport(what, err, this.timeout);
      return { error, replay: neverSent(err) ? 'safe' : 'if-idempotent' };
    }
    if (res.ok) return response;
    const error = errorFromResponse(
      what,
      res.status,
      response.data ?? response.text,
      parseRetryAfter(res.headers.get('retry-after')),
    );
    // 429 and 503 mean "not done, come back"; after a 502/504 the backend may have done it.
    if (res.status === 429 || res.status === 503) return { error, replay: 'safe' };
    if (res.status === 502 || res.status === 504) return { error, replay: 'if-idempotent' };
    return { error, replay: 'never' };
  }

  /** Exponential backoff with jitter (50–100 % of the step) so parallel callers spread out. */
  private backoffMs(retry: number): number {
    const step = Math.min(this.policy.maxRetryWaitMs, this.policy.baseBackoffMs * 2 ** retry);
    return Math.round(step * (0.5 + Math.random() * 0.5));
  }
}

function outcomeUnknown(error: GenesysError): GenesysError {
  return withResponse(
    new GenesysError(
      `${error.message} (not retried: the callback may have been created)`,
      error.status,
      ErrorCode.outcomeUnknown,
      true,
      error.retryAfterSeconds,
    ),
  );
}

function closed(what: string): GenesysError {
  return new GenesysError(`Genesys ${what} aborted: gateway closed`, 0, ErrorCode.closed, true);
}

/**
 * callApi rejects with `error.response.data` when `error.response` exists: pointing it at the error
 * itself makes the SDK reject with our GenesysError. Non-enumerable, so logging/serializing it
 * shows only the GenesysError's own fields.
 */
function withResponse(error: GenesysError): GenesysError {
  if (error.status > 0) {
    Object.defineProperty(error, 'response', {
      value: { status: error.status, statusText: '', headers: {}, data: error },
      enumerable: false,
    });
  }
  return error;
}
