import { JWT } from 'google-auth-library';

/**
 * Mobile push through Firebase Cloud Messaging's HTTP v1 API: `POST
 * {FCM}/v1/projects/{projectId}/messages:send` with an OAuth access token of the deployment's service
 * account. google-auth-library signs the service account's assertion, exchanges it for the token and
 * renews it; the token is kept per credential, not asked for each message.
 */

export interface PushCredential {
  projectId: string;
  clientEmail: string;
  /** The service account's PEM private key. */
  privateKey: string;
}

export interface PushMessage {
  /** The device's registration token. */
  token: string;
  title: string;
  body: string;
  /** FCM data values are strings. */
  data: Record<string, string>;
}

/**
 * What came of a send. `dropToken`: FCM says the registration token is no longer valid (the app was
 * uninstalled, or the token belongs to another project) — never send to it again, nor retry.
 * `retryable`: worth another attempt later (FCM overloaded, a network failure, a credential that may
 * be fixed).
 */
export type PushResult =
  | { ok: true; messageName: string; statusCode: number }
  | { ok: false; dropToken: boolean; retryable: boolean; statusCode: number | null; error: string };

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const FCM_ORIGIN = 'https://fcm.googleapis.com';
const GOOGLE_TOKEN_ORIGIN = 'https://oauth2.googleapis.com';

/** Where the Google endpoints are: the real ones, or (tests) a server standing in for both. */
export interface FcmEndpoints {
  /** Replaces https://fcm.googleapis.com and https://oauth2.googleapis.com (e.g. http://127.0.0.1:PORT). */
  origin?: string | undefined;
}

/** The error codes FCM answers for a registration token that will never work again. */
const DEAD_TOKEN_CODES = new Set(['UNREGISTERED', 'SENDER_ID_MISMATCH']);

interface FcmErrorBody {
  error?: { status?: string; message?: string; details?: { '@type'?: string; errorCode?: string }[] };
}

function classify(statusCode: number, body: FcmErrorBody | undefined): PushResult {
  const err = body?.error;
  const fcmCode = err?.details?.find((d) => d['@type']?.endsWith('google.firebase.fcm.v1.FcmError'))?.errorCode;
  const code = fcmCode ?? err?.status ?? `HTTP ${statusCode}`;
  const error = `${code}: ${err?.message ?? 'no message'}`.slice(0, 500);
  // INVALID_ARGUMENT about the token itself is as final as UNREGISTERED; about the message it is ours to fix.
  const badToken = DEAD_TOKEN_CODES.has(code) || statusCode === 404 || (code === 'INVALID_ARGUMENT' && /token/i.test(err?.message ?? ''));
  const retryable = !badToken && (statusCode === 429 || statusCode >= 500 || statusCode === 401 || statusCode === 403);
  return { ok: false, dropToken: badToken, retryable, statusCode, error };
}

export class FcmSender {
  private readonly clients = new Map<string, JWT>();

  constructor(private readonly endpoints: FcmEndpoints = {}) {}

  /** One auth client per credential (its token is renewed by the library, shortly before expiry). */
  private clientFor(credential: PushCredential): JWT {
    const key = `${credential.clientEmail}\n${credential.privateKey}`;
    let client = this.clients.get(key);
    if (!client) {
      client = new JWT({ email: credential.clientEmail, key: credential.privateKey, scopes: [FCM_SCOPE] });
      const origin = this.endpoints.origin;
      if (origin) {
        client.transporter.interceptors.request.add({
          resolved: async (options) => {
            const url = String(options.url);
            for (const real of [FCM_ORIGIN, GOOGLE_TOKEN_ORIGIN]) if (url.startsWith(real)) options.url = new URL(origin + url.slice(real.length));
            return options;
          },
        });
      }
      this.clients.clear(); // one deployment, one credential: a changed credential replaces the old client
      this.clients.set(key, client);
    }
    return client;
  }

  async send(credential: PushCredential, message: PushMessage): Promise<PushResult> {
    const client = this.clientFor(credential);
    const url = `${FCM_ORIGIN}/v1/projects/${encodeURIComponent(credential.projectId)}/messages:send`;
    const payload = { message: { token: message.token, notification: { title: message.title, body: message.body }, data: message.data } };
    try {
      const res = await client.request<{ name: string }>({ url, method: 'POST', data: payload, timeout: 10_000, validateStatus: () => true, retry: false });
      if (res.status >= 200 && res.status < 300) return { ok: true, messageName: res.data.name, statusCode: res.status };
      return classify(res.status, res.data as unknown as FcmErrorBody);
    } catch (err) {
      // No answer, or the token exchange refused: the credential or the network, never the device's token.
      const response = (err as { response?: { status?: number } }).response;
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, dropToken: false, retryable: true, statusCode: response?.status ?? null, error: message.slice(0, 500) };
    }
  }
}
