import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleSession } from '../auth/caller.js';
import type { Services } from '../context.js';
import { errors } from '../errors.js';
import { assertCsrf, SESSION_COOKIE } from '../http/auth.js';
import { errorResponses } from '../http/schemas.js';
import { LoginLimiter } from './login-limit.js';
import type { GenesysSignInConfig } from '../config.js';
import { finishSignIn, SIGN_IN_REQUEST_TTL_MS, SignInRefused, startSignIn } from './genesys-sign-in.js';
import { GenesysCallbackQuery, Providers, SessionBody, SignInBody } from './schemas.js';
import { authenticatePassword } from './service.js';
import { closeSession, hashSessionToken, openSession, resolveSession, type SessionSettings } from './sessions.js';

export interface SessionRouteOptions {
  services: Pick<Services, 'db' | 'clock'>;
  settings: SessionSettings;
  loginLimits: { perUsername: number; perIp: number; windowMs: number };
  /** SameSite of the session cookie (CONSOLE_COOKIE_SAMESITE). */
  sameSite: 'strict' | 'lax' | 'none';
  /** "Sign in with Genesys Cloud", when configured. */
  genesys: GenesysSignInConfig | undefined;
  /** PUBLIC_BASE_URL: the callback Genesys redirects to is under it (register it on the OAuth client). */
  publicBaseUrl: string;
}

const GENESYS_START = '/auth/v1/genesys/start';
const GENESYS_CALLBACK = '/auth/v1/genesys/callback';
/** Binds a Genesys sign-in to the browser that started it; Lax, as the callback is a navigation from Genesys' login. */
const SIGN_IN_COOKIE = 'cbe_genesys_sign_in';

const HTML_REFUSAL = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page a refused Genesys sign-in lands on: what happened, in words, and the way back. No script, nothing from elsewhere. */
function refusalPage(reason: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in refused</title></head><body>
<main><h1>Sign in with Genesys Cloud: refused</h1><p>${escapeHtml(message)}</p><p>Reason: <code>${escapeHtml(reason)}</code></p>
<p><a href="/console/">Back to the sign-in page</a></p></main></body></html>`;
}

const tags = ['console'];

/** What the console reads of its session: who, with which access, the CSRF token, when it ends. */
export function sessionAnswer(session: ConsoleSession, settings: SessionSettings) {
  return {
    username: session.user.username,
    name: session.user.name,
    kind: 'user' as const,
    roles: [...session.user.roles],
    queues: session.user.queues === null ? null : [...session.user.queues],
    csrfToken: session.csrfToken,
    method: session.method,
    idleTimeoutSeconds: Math.round(settings.idleMs / 1000),
    expiresAt: session.expiresAt.toISOString(),
    idleExpiresAt: session.idleExpiresAt.toISOString(),
  };
}

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends
 * it), Secure whenever the request came over HTTPS (X-Forwarded-Proto counts only with TRUST_PROXY).
 * No Max-Age: the browser forgets it when it closes; the server ends it at its idle or absolute limit.
 */
function sessionCookieOptions(request: FastifyRequest, sameSite: SessionRouteOptions['sameSite']) {
  // SameSite=None is only kept by browsers on a Secure cookie.
  return { httpOnly: true, sameSite, path: '/', secure: sameSite === 'none' || request.protocol === 'https' } as const;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, sameSite: SessionRouteOptions['sameSite']): void {
  reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(request, sameSite));
}

function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, sameSite: SessionRouteOptions['sameSite']): void {
  reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(request, sameSite));
}

/** `/auth/v1/session` and `/auth/v1/providers` — people signing in to the console, and out. */
export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRouteOptions> = async (app, opts) => {
  const limiter = new LoginLimiter(opts.services.clock, opts.loginLimits);

  app.get(
    '/providers',
    { config: { public: true }, schema: { tags, summary: 'How people can sign in to the console', security: [], response: { 200: Providers, ...errorResponses(429) } } },
    async () => ({ password: true, genesys: opts.genesys !== undefined, genesysStartUrl: opts.genesys ? GENESYS_START : null }),
  );

  app.post(
    '/session',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Sign in with a username and password (sets the session cookie)',
        description:
          'Answers the session with its CSRF token and sets the `cbe_session` cookie (HttpOnly, SameSite=Strict, Secure over HTTPS). ' +
          'A wrong password, an unknown username and a disabled account all answer 401 INVALID_CREDENTIALS. Repeated failures per username or per IP answer 429 with Retry-After.',
        security: [],
        body: SignInBody,
        response: { 200: SessionBody, ...errorResponses(400, 401, 415, 429) },
      },
    },
    async (request, reply) => {
      reply.header('Cache-Control', 'no-store');
      const { username, password } = request.body;
      const wait = limiter.blocked(username, request.ip);
      if (wait !== null) throw errors.rateLimited(wait);
      const user = await authenticatePassword(opts.services, username, password);
      if (!user) {
        limiter.failed(username, request.ip);
        request.log.info({ username: username.slice(0, 200) }, 'console sign-in refused');
        throw errors.invalidCredentials();
      }
      limiter.succeeded(username);
      const { token, session } = await openSession(opts.services, user, 'password', opts.settings);
      setSessionCookie(request, reply, token, opts.sameSite);
      request.log.info({ userId: user.id }, 'console sign-in');
      return sessionAnswer(session, opts.settings);
    },
  );

  app.get(
    '/session',
    {
      schema: {
        tags,
        summary: 'The signed-in person and the session (slides the idle timeout)',
        security: [{ consoleSession: [] }],
        response: { 200: SessionBody, ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      reply.header('Cache-Control', 'no-store');
      if (!request.consoleSession) throw errors.unauthorized('No console session: sign in with POST /auth/v1/session');
      return sessionAnswer(request.consoleSession, opts.settings);
    },
  );

  app.delete(
    '/session',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Sign out: the session ends server side and the cookie is cleared',
        description: 'Needs X-CSRF-Token while the session is live; without a live session it only clears the cookie.',
        security: [{ consoleSession: [] }],
        response: { 204: { type: 'null' }, ...errorResponses(403) },
      },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) {
        const session = await resolveSession(opts.services, token, opts.settings);
        if (session) {
          assertCsrf(request.method, request.headers, session);
          await closeSession(opts.services, session.idHash);
          request.log.info({ userId: session.user.id }, 'console sign-out');
        } else {
          await closeSession(opts.services, hashSessionToken(token));
        }
      }
      clearSessionCookie(request, reply, opts.sameSite);
      return reply.code(204).send(null);
    },
  );

  const redirectUri = `${opts.publicBaseUrl}${GENESYS_CALLBACK}`;
  const notConfigured = () => errors.notFound('Sign in with Genesys Cloud is not configured (GENESYS_LOGIN_CLIENT_ID)');

  app.get(
    '/genesys/start',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Sign in with Genesys Cloud: redirects to the org\'s Genesys login (authorization code with PKCE)',
        security: [],
        response: { 302: { type: 'null', description: 'To login.<region>/oauth/authorize' }, ...errorResponses(404, 429) },
      },
    },
    async (request, reply) => {
      if (!opts.genesys) throw notConfigured();
      const { url, browserNonce } = await startSignIn(opts.services, opts.genesys, redirectUri);
      reply.setCookie(SIGN_IN_COOKIE, browserNonce, { httpOnly: true, sameSite: 'lax', path: '/auth/v1/genesys', maxAge: SIGN_IN_REQUEST_TTL_MS / 1000, secure: request.protocol === 'https' });
      return reply.header('Cache-Control', 'no-store').redirect(url, 302);
    },
  );

  app.get(
    '/genesys/callback',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Where Genesys Cloud sends the browser back: opens the session and redirects to /console/',
        description:
          'Checks the state against this browser\'s attempt, exchanges the code with the PKCE verifier, reads the person (GET /api/v2/users/me?expand=groups,authorization) ' +
          'and maps their groups and roles to engine access. A refusal (state mismatch, expired, Genesys refused, no mapping, disabled) is an HTML page saying why.',
        security: [],
        querystring: GenesysCallbackQuery,
        response: {
          302: { type: 'null', description: 'Signed in: to /console/' },
          ...errorResponses(400, 404, 429),
          403: HTML_REFUSAL('No mapping gives access, or the account is disabled (an HTML page saying which)'),
          409: HTML_REFUSAL('An account of that username exists here and is not linked to this Genesys user'),
          502: HTML_REFUSAL('Genesys Cloud refused the code exchange or did not say who signed in'),
        },
      },
    },
    async (request, reply) => {
      if (!opts.genesys) throw notConfigured();
      const { code, state, error } = request.query;
      reply.header('Cache-Control', 'no-store').clearCookie(SIGN_IN_COOKIE, { path: '/auth/v1/genesys' });
      const refuse = (status: number, reason: string, message: string) => {
        request.log.info({ reason }, 'Genesys sign-in refused');
        return (reply as FastifyReply).code(status).type('text/html; charset=utf-8').send(refusalPage(reason, message));
      };
      if (error !== undefined) return refuse(400, 'GENESYS_REFUSED', `Genesys Cloud did not sign you in (${error}).`);
      if (code === undefined) throw errors.validation('code', 'code is required');
      if (state === undefined) throw errors.validation('state', 'state is required');
      try {
        const { token, session, user } = await finishSignIn(opts.services, opts.genesys, opts.settings, { code, state, browserNonce: request.cookies[SIGN_IN_COOKIE], redirectUri });
        setSessionCookie(request, reply, token, opts.sameSite);
        request.log.info({ userId: user.id, method: session.method }, 'console sign-in');
        return reply.redirect('/console/', 302);
      } catch (err) {
        if (err instanceof SignInRefused) return refuse(err.status, err.reason, err.message);
        throw err;
      }
    },
  );
};
