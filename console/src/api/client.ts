import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/**
 * The one way the console talks to the service: openapi-fetch typed from the service's OpenAPI
 * document, same origin, with the session cookie. Writes carry the session's CSRF token; a 401 on
 * any call means the session is over (signed out, expired, idle) and the app shows the sign-in page.
 */

let csrfToken: string | null = null;
let onSessionLost: (() => void) | null = null;
/** When the service last answered a call of this session (an answer other than 401 keeps it alive). */
let lastAnswerAt = Date.now();

export function lastActivity(): number {
  return lastAnswerAt;
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function whenSessionLost(handler: () => void): void {
  onSessionLost = handler;
}

const session: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken !== null) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status !== 401) lastAnswerAt = Date.now();
    else if (!new URL(request.url).pathname.startsWith('/auth/')) onSessionLost?.();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(session);

/** An error answer of the API: its code, message and (for a bad input) the field at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | undefined,
  ) {
    super(message);
  }
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's data, or an ApiError carrying the API's own message and field. */
export async function ok<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: string; code?: string; message?: string; field?: string };
  throw new ApiError(response.status, body.error ?? body.code ?? String(response.status), body.message ?? response.statusText, body.field);
}
