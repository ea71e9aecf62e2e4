/**
 * Client-credentials token for one SDK client. The SDK's loginClientCredentialsGrant does no
 * caching, never checks expiry and does not retry a 401; this adds:
 * - single flight: concurrent callers share one login;
 * - refresh shortly before expiry (a minute, or half the lifetime for short-lived tokens);
 * - one re-login and one retry when an API call answers 401 (token revoked or expired early).
 */
import type platformClient from 'purecloud-platform-client-v2';
import { GenesysError } from './gateway.js';
import { ErrorCode, toGenesysError } from './errors.js';
import type { GatewayLog } from './http-client.js';

type ApiClient = InstanceType<typeof platformClient.ApiClientClass>;

export interface SessionOptions {
  /** Refresh this long before expiry (capped at half the token lifetime). */
  refreshMarginMs: number;
  now?: () => number;
  log?: GatewayLog;
}

export interface TokenSession {
  /** Runs `call` with a valid token; on a 401, logs in again once and runs it once more. */
  run<T>(what: string, call: () => Promise<T>): Promise<T>;
  /** Resolves once a valid token is held (the current one, or a new login shared with other callers). */
  ensureToken(): Promise<void>;
}

export function createTokenSession(
  client: ApiClient,
  clientId: string,
  clientSecret: string,
  opts: SessionOptions,
): TokenSession {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => undefined);
  let refreshAt = 0; // when to log in again
  let generation = 0; // which login the current token came from
  let inflight: Promise<number> | null = null;

  async function login(): Promise<number> {
    const started = now();
    let auth: { accessToken?: string; tokenExpiryTime?: number };
    try {
      auth = await client.loginClientCredentialsGrant(clientId, clientSecret);
    } catch (err) {
      // Build a fresh error: the SDK's login rejection may carry the Basic credentials.
      const e = toGenesysError(err, 'login');
      throw new GenesysError(
        `Genesys login failed (${e.status || e.code}): ${e.message}`,
        e.status,
        e.status === 400 || e.status === 401 ? ErrorCode.loginFailed : e.code,
        e.retryable,
        e.retryAfterSeconds,
      );
    }
    if (!auth.accessToken) throw new GenesysError('Genesys login answered without an access token', 0, ErrorCode.loginFailed, false);
    // The SDK computes expiry from its own clock; keep our own so a test clock works.
    const lifetimeMs = Number.isFinite(auth.tokenExpiryTime) ? Math.max(0, (auth.tokenExpiryTime ?? 0) - Date.now()) : 300_000;
    refreshAt = started + lifetimeMs - Math.min(opts.refreshMarginMs, lifetimeMs / 2);
    generation += 1;
    log({ event: 'genesys.login', expiresInSeconds: Math.round(lifetimeMs / 1000) }, 'Genesys login succeeded');
    return generation;
  }

  /** The generation of a valid token, logging in (once for all callers) if needed. */
  function ensure(): Promise<number> {
    if (generation > 0 && now() < refreshAt) return Promise.resolve(generation);
    inflight ??= login().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  return {
    async ensureToken() {
      await ensure();
    },

    async run(what, call) {
      const used = await ensure();
      try {
        return await call();
      } catch (err) {
        const e = toGenesysError(err, what);
        if (e.status !== 401) throw e;
        // Only the first caller to see a 401 on this token forces a login; the others join it.
        if (generation === used) refreshAt = 0;
        log({ event: 'genesys.unauthorized', request: what }, 'Genesys answered 401; logging in again');
        await ensure();
        try {
          return await call();
        } catch (err2) {
          throw toGenesysError(err2, what);
        }
      }
    },
  };
}
