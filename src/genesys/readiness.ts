/**
 * The Genesys line of /readyz: can the engine obtain a token with its credential? Reported apart
 * from readiness (a slow or unreachable Genesys must not take the service out of its load balancer:
 * most data actions never call Genesys, and calls that do retry on their own), so a wrong
 * credential is visible at once instead of at the first failed delivery.
 */
import { ErrorCode } from './errors.js';
import { GenesysError } from './gateway.js';

export const GENESYS_STATUSES = ['ok', 'rejected', 'unreachable', 'slow'] as const;
/**
 * ok: a token is held or was just obtained; rejected: Genesys refused the login (wrong id or secret,
 * inactive client, no role); unreachable: the login failed otherwise (network, 5xx, timeouts);
 * slow: no answer within the check's time limit yet (the login goes on; the next probe joins it).
 */
export type GenesysStatus = (typeof GENESYS_STATUSES)[number];

export interface GenesysCheckOptions {
  /** Longest a probe waits for the login (default 2 s). */
  timeoutMs?: number;
  /** How long a failed check is answered from memory, so probes do not hammer the login (default 30 s). */
  failureTtlMs?: number;
  now?: () => number;
}

function classify(err: unknown): GenesysStatus {
  if (!(err instanceof GenesysError)) return 'unreachable';
  if (err.code === ErrorCode.loginFailed || err.status === 400 || err.status === 401 || err.status === 403) return 'rejected';
  return 'unreachable';
}

/** `probe` is the gateway's checkAccess. Never rejects. */
export function createGenesysCheck(probe: () => Promise<void>, opts: GenesysCheckOptions = {}): () => Promise<GenesysStatus> {
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const failureTtlMs = opts.failureTtlMs ?? 30_000;
  const now = opts.now ?? Date.now;
  let failed: { status: GenesysStatus; until: number } | null = null;
  let inflight: Promise<GenesysStatus> | null = null;

  return async () => {
    if (failed && now() < failed.until) return failed.status;
    inflight ??= probe().then(
      () => {
        failed = null;
        return 'ok' as const;
      },
      (err: unknown) => {
        const status = classify(err);
        failed = { status, until: now() + failureTtlMs };
        return status;
      },
    ).finally(() => {
      inflight = null;
    });
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<GenesysStatus>((resolve) => {
      timer = setTimeout(() => resolve('slow'), timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([inflight, slow]);
    } finally {
      clearTimeout(timer);
    }
  };
}
