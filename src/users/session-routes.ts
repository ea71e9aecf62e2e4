import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleSession } from '../auth/caller.js';
import type { Services } from '../context.js';
import { errors } from '../errors.js';
import { assertCsrf, SESSION_COOKIE } from '../http/auth.js';
import { errorResponses } from '../http/schemas.js';
import { LoginLimiter } from './login-limit.js';
import { Providers, SessionBody, SignInBody } from './schemas.js';
import { authenticatePassword } from './service.js';
import { closeSession, hashSessionToken, openSession, resolveSession, type SessionSettings } from './sessions.js';

export interface SessionRouteOptions {
  services: Pick<Services, 'db' | 'clock'>;
  settings: SessionSettings;
  loginLimits: { perUsername: number; perIp: number; windowMs: number };
  /** Where "Sign in with Genesys Cloud" starts, when it is configured. */
  genesysStartPath: string | null;
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
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' });
}

function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' });
}

/** `/auth/v1/session` and `/auth/v1/providers` — people signing in to the console, and out. */
export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRouteOptions> = async (app, opts) => {
  const limiter = new LoginLimiter(opts.services.clock, opts.loginLimits);

  app.get(
    '/providers',
    { config: { public: true }, schema: { tags, summary: 'How people can sign in to the console', security: [], response: { 200: Providers, ...errorResponses(429) } } },
    async () => ({ password: true, genesys: opts.genesysStartPath !== null, genesysStartUrl: opts.genesysStartPath }),
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
      setSessionCookie(request, reply, token);
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
      clearSessionCookie(request, reply);
      return reply.code(204).send(null);
    },
  );
};
