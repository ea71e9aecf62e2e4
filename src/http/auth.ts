import { timingSafeEqual } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { clientCaller, userCaller, type Caller, type ConsoleSession, type Role } from '../auth/caller.js';
import { contextFor, type Context, type Services } from '../context.js';
import { errors } from '../errors.js';

export interface TokenClaims {
  sub: string;
  name: string;
  roles: Role[];
  queues?: string[];
  /** The client's token generation when the token was issued; a secret rotation moves it on. */
  gen?: number;
  iat?: number;
  exp?: number;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims;
    user: TokenClaims;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a token (health, metrics, docs, the token endpoint). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** Who is asking: set by authentication; null on public routes. */
    caller: Caller | null;
    /** The context services are called with; only on authenticated routes. */
    ctx: Context;
    /** The console session the request came with (cookie), when it was authenticated by one. */
    consoleSession: ConsoleSession | null;
  }
  interface FastifyInstance {
    /** onRequest hook for a scope: the caller must hold one of these roles. */
    requireRoles(...roles: Role[]): onRequestHookHandler;
    clientCache: ClientCache;
  }
}

/** A client's state as authentication needs it. */
export interface ClientState {
  active: boolean;
  name: string;
  roles: string[];
  queues: string[] | null;
  tokens_not_before: Date;
  token_generation: number;
}

interface CachedClient {
  active: boolean;
  name: string;
  roles: Role[];
  queues: string[] | null;
  tokensNotBefore: number;
  tokenGeneration: number;
}

/**
 * A short-lived view of clients' state, so that every request does not read the database, yet a
 * deactivated, deleted or rotated client loses access within `ttlMs` on every replica (and at once
 * on the replica that made the change).
 */
export class ClientCache {
  private readonly entries = new Map<string, { value: CachedClient | null; expires: number }>();
  constructor(
    private readonly findClient: (id: string) => Promise<ClientState | undefined>,
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 10_000,
  ) {}

  async get(id: string): Promise<CachedClient | null> {
    const now = Date.now();
    const hit = this.entries.get(id);
    if (hit !== undefined && hit.expires > now) return hit.value;
    const row = await this.findClient(id);
    const value: CachedClient | null = row
      ? {
          active: row.active,
          name: row.name,
          roles: row.roles as Role[],
          queues: row.queues,
          tokensNotBefore: row.tokens_not_before.getTime(),
          tokenGeneration: row.token_generation,
        }
      : null;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(id, { value, expires: now + this.ttlMs });
    return value;
  }

  invalidate(id: string): void {
    this.entries.delete(id);
  }
}

/**
 * A token is revoked when its client's secret was rotated after it was issued. The generation is
 * exact; `iat` has one-second granularity, so it only decides for tokens issued before tokens
 * carried a generation.
 */
function revokedByRotation(claims: TokenClaims, client: Pick<CachedClient, 'tokensNotBefore' | 'tokenGeneration'>): boolean {
  if (claims.gen !== undefined) return claims.gen !== client.tokenGeneration;
  return client.tokenGeneration > 0 || (claims.iat ?? 0) * 1000 < Math.floor(client.tokensNotBefore / 1000) * 1000;
}

export interface AuthOptions {
  services: Services;
  findClient: (id: string) => Promise<ClientState | undefined>;
  jwtSecret: string;
  previousSecrets: string[];
  /** The live console session a cookie's value names, or null (see users/sessions.ts). */
  findSession: (token: string) => Promise<ConsoleSession | null>;
}

/** The console's session cookie. */
export const SESSION_COOKIE = 'cbe_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Only the admin API and the session endpoints take the cookie; data actions and events stay
 * token-only, so a browser can never be made to call them with a person's session.
 */
function acceptsCookie(routeUrl: string | undefined): boolean {
  return routeUrl !== undefined && (routeUrl.startsWith('/admin/v1/') || routeUrl.startsWith('/auth/v1/'));
}

function sameToken(sent: string | string[] | undefined, expected: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A write made with a session cookie carries the session's CSRF token in X-CSRF-Token: another site
 * can make a browser send the cookie (SameSite=Strict already stops most of that), never read the token.
 */
export function assertCsrf(method: string, headers: Record<string, string | string[] | undefined>, session: ConsoleSession): void {
  if (!SAFE_METHODS.has(method) && !sameToken(headers[CSRF_HEADER], session.csrfToken)) throw errors.csrf();
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function authPlugin(app: FastifyInstance, opts: AuthOptions) {
  await app.register(fastifyCookie);
  await app.register(fastifyJwt, { secret: opts.jwtSecret, sign: { algorithm: 'HS256' }, verify: { algorithms: ['HS256'] } });
  const cache = new ClientCache(opts.findClient);
  app.decorate('clientCache', cache);
  app.decorateRequest('caller', null);
  app.decorateRequest('consoleSession', null);
  app.decorateRequest('ctx', {
    getter(this: FastifyRequest): Context {
      const caller = this.caller;
      if (caller === null) throw new Error(`${this.routeOptions.url ?? this.url} has no caller: it is public`);
      return contextFor(opts.services, caller);
    },
  });

  function verify(token: string): TokenClaims {
    try {
      return app.jwt.verify<TokenClaims>(token);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'FAST_JWT_EXPIRED') throw errors.unauthorized('The token has expired');
      // During a signing-key rotation, tokens signed with a previous key stay valid until they expire.
      if (code === 'FAST_JWT_INVALID_SIGNATURE') {
        for (const key of opts.previousSecrets) {
          try {
            return app.jwt.verify<TokenClaims>(token, { key });
          } catch {
            // try the next key
          }
        }
      }
      throw errors.unauthorized('The token is invalid');
    }
  }

  async function authenticate(request: FastifyRequest): Promise<void> {
    if (request.is404 || request.routeOptions.config.public || request.routeOptions.url?.startsWith('/docs') || request.routeOptions.url?.startsWith('/console')) return;
    const header = request.headers.authorization;
    // A bearer token decides when one is sent; the cookie is only the console's way in.
    if (header === undefined && acceptsCookie(request.routeOptions.url)) {
      const token = request.cookies[SESSION_COOKIE];
      if (token === undefined || token === '') throw errors.unauthorized();
      const session = await opts.findSession(token);
      if (!session) throw errors.unauthorized('The console session has ended (signed out, idle too long or expired): sign in again');
      assertCsrf(request.method, request.headers, session);
      request.consoleSession = session;
      request.caller = userCaller(session.user, request.id);
      return;
    }
    const match = header ? BEARER.exec(header) : null;
    if (!match) throw errors.unauthorized();
    const claims = verify(match[1]!);
    if (typeof claims.sub !== 'string' || !UUID_RE.test(claims.sub)) throw errors.unauthorized('The token is invalid');
    let client = await cache.get(claims.sub);
    // A token newer than the cached client: the rotation happened on another replica since we cached it.
    if (client && claims.gen !== undefined && claims.gen > client.tokenGeneration) {
      cache.invalidate(claims.sub);
      client = await cache.get(claims.sub);
    }
    if (!client || !client.active) throw errors.unauthorized('The client is inactive or no longer exists');
    if (revokedByRotation(claims, client)) throw errors.unauthorized('The token was revoked by a secret rotation');
    // Authorize with the client's current roles: a role removed by an administrator takes effect at once.
    request.caller = clientCaller({ id: claims.sub, name: client.name, roles: client.roles, queues: client.queues }, request.id);
  }
  app.addHook('onRequest', authenticate);

  app.decorate('requireRoles', (...roles: Role[]): onRequestHookHandler => {
    const allowed = new Set<Role>(roles);
    return async (request) => {
      const caller = request.caller;
      if (!caller) throw errors.unauthorized();
      if (!caller.roles.some((r) => allowed.has(r))) {
        throw errors.forbidden(`This needs one of the roles: ${roles.join(', ')}`);
      }
    };
  });
}

export default fp(authPlugin, { name: 'auth' });
