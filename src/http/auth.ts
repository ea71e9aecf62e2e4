import { timingSafeEqual } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { clientCaller, publishableCaller, userCaller, type Caller, type ConsoleSession, type Role } from '../auth/caller.js';
import { sha256Hex } from '../auth/secrets.js';
import type { StoredCaptcha } from '../db/types.js';
import { contextFor, type Context, type Services } from '../context.js';
import { errors } from '../errors.js';
import { UUID_RE } from '../ids.js';

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
    /**
     * Open to browsers and apps: a publishable key (x-api-key) may call it, and CORS answers the
     * origins of active publishable keys (http/web.ts). Every other route refuses a publishable key.
     */
    publishable?: boolean;
  }
  interface FastifyRequest {
    /** Who is asking: set by authentication; null on public routes. */
    caller: Caller | null;
    /** The context services are called with; only on authenticated routes. */
    ctx: Context;
    /** The publishable client a key request authenticated as (its CAPTCHA and limits), else null. */
    publishableClient: CachedClient | null;
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
  kind: 'server' | 'publishable';
  origins: string[] | null;
  allow_no_origin: boolean;
  rate_limit_per_key: number | null;
  rate_limit_per_ip: number | null;
  captcha: StoredCaptcha | null;
}

export interface CachedClient {
  active: boolean;
  name: string;
  roles: Role[];
  queues: string[] | null;
  tokensNotBefore: number;
  tokenGeneration: number;
  kind: 'server' | 'publishable';
  origins: string[];
  allowNoOrigin: boolean;
  rateLimitPerKey: number | null;
  rateLimitPerIp: number | null;
  captcha: StoredCaptcha | null;
}

/** A publishable key as its SHA-256 finds it. */
export interface KeyState {
  id: string;
  client_id: string;
  expires_at: Date | null;
}

/** What the client cache reads from the database (injected: the HTTP layer knows no feature). */
export interface ClientSources {
  findClient: (id: string) => Promise<ClientState | undefined>;
  findKey?: (keyHash: string) => Promise<KeyState | undefined>;
  /** The origins of every active publishable key. */
  activeOrigins?: () => Promise<string[]>;
}

/**
 * A short-lived view of clients' state, so that every request does not read the database, yet a
 * deactivated, deleted or rotated client loses access within `ttlMs` on every replica (and at once
 * on the replica that made the change).
 */
export class ClientCache {
  private readonly entries = new Map<string, { value: CachedClient | null; expires: number }>();
  private readonly keys = new Map<string, { value: KeyState | null; expires: number }>();
  private origins: { value: Set<string>; expires: number } | null = null;
  private readonly sources: ClientSources;
  constructor(
    sources: ClientSources | ((id: string) => Promise<ClientState | undefined>),
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 10_000,
  ) {
    this.sources = typeof sources === 'function' ? { findClient: sources } : sources;
  }

  /** A publishable key by its SHA-256 (null: no such key), cached like clients. */
  async key(keyHash: string): Promise<KeyState | null> {
    const now = Date.now();
    const hit = this.keys.get(keyHash);
    if (hit !== undefined && hit.expires > now) return hit.value;
    const value = (await this.sources.findKey?.(keyHash)) ?? null;
    if (this.keys.size >= this.maxEntries) this.keys.clear();
    this.keys.set(keyHash, { value, expires: now + this.ttlMs });
    return value;
  }

  /** The origins of every active publishable key, what CORS preflights are answered for. */
  async activeOrigins(): Promise<Set<string>> {
    const now = Date.now();
    if (this.origins !== null && this.origins.expires > now) return this.origins.value;
    const value = new Set((await this.sources.activeOrigins?.()) ?? []);
    this.origins = { value, expires: now + this.ttlMs };
    return value;
  }

  async get(id: string): Promise<CachedClient | null> {
    const now = Date.now();
    const hit = this.entries.get(id);
    if (hit !== undefined && hit.expires > now) return hit.value;
    const row = await this.sources.findClient(id);
    const value: CachedClient | null = row
      ? {
          active: row.active,
          name: row.name,
          roles: row.roles as Role[],
          queues: row.queues,
          tokensNotBefore: row.tokens_not_before.getTime(),
          tokenGeneration: row.token_generation,
          kind: row.kind,
          origins: row.origins ?? [],
          allowNoOrigin: row.allow_no_origin,
          rateLimitPerKey: row.rate_limit_per_key,
          rateLimitPerIp: row.rate_limit_per_ip,
          captcha: row.captcha,
        }
      : null;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(id, { value, expires: now + this.ttlMs });
    return value;
  }

  /** A client changed here: its state, the keys (a rotation may have ended one) and the origins are read again. */
  invalidate(id: string): void {
    this.entries.delete(id);
    this.keys.clear();
    this.origins = null;
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
  findKey?: (keyHash: string) => Promise<KeyState | undefined>;
  activeOrigins?: () => Promise<string[]>;
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

async function authPlugin(app: FastifyInstance, opts: AuthOptions) {
  await app.register(fastifyCookie);
  await app.register(fastifyJwt, { secret: opts.jwtSecret, sign: { algorithm: 'HS256' }, verify: { algorithms: ['HS256'] } });
  const cache = new ClientCache({ findClient: opts.findClient, findKey: opts.findKey, activeOrigins: opts.activeOrigins });
  app.decorate('clientCache', cache);
  app.decorateRequest('caller', null);
  app.decorateRequest('consoleSession', null);
  app.decorateRequest('publishableClient', null);
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

  /**
   * A publishable key (x-api-key, no Authorization): known, not expired by a rotation, of an active
   * publishable client, on a route open to keys, from one of the key's origins (or without an Origin
   * when the key allows that). A refused origin answers without CORS headers, so the page reads nothing.
   */
  async function authenticateKey(request: FastifyRequest, reply: FastifyReply, sent: string | string[]): Promise<void> {
    if (typeof sent !== 'string' || sent === '') throw errors.unauthorized('The x-api-key header must hold one publishable key');
    if (!request.routeOptions.config.publishable) throw errors.forbidden('A publishable key may call only the routes open to browsers and apps');
    const key = await cache.key(sha256Hex(sent));
    if (!key || (key.expires_at !== null && key.expires_at.getTime() <= opts.services.clock.now().getTime())) throw errors.unauthorized('The API key is unknown, expired or revoked');
    const client = await cache.get(key.client_id);
    if (!client || !client.active || client.kind !== 'publishable' || client.queues === null) throw errors.unauthorized('The API key is unknown, expired or revoked');
    const origin = request.headers.origin;
    if (origin === undefined ? !client.allowNoOrigin : !client.origins.includes(origin)) {
      for (const name of Object.keys(reply.getHeaders())) if (name.toLowerCase().startsWith('access-control-')) reply.removeHeader(name);
      throw errors.originNotAllowed(origin === undefined ? 'This key is for web pages: the request must carry an allowed Origin' : `The origin ${origin} is not allowed for this key`);
    }
    request.caller = publishableCaller({ id: key.client_id, name: client.name, queues: client.queues }, { keyId: key.id, origin: origin ?? null }, request.id);
    request.publishableClient = client;
  }

  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    // The CORS preflight catch-all (OPTIONS *): the CORS plugin answered it, or it is not found.
    if (request.routeOptions.url === '*' && request.method === 'OPTIONS') return;
    const apiKey = request.headers['x-api-key'];
    // A publishable key reaches only the routes open to it: public ones included, whatever else it may carry.
    if (apiKey !== undefined && !request.is404 && !request.routeOptions.config.publishable) {
      throw errors.forbidden('A publishable key may call only the routes open to browsers and apps');
    }
    if (request.is404 || request.routeOptions.config.public || request.routeOptions.url?.startsWith('/docs') || request.routeOptions.url?.startsWith('/console')) return;
    const header = request.headers.authorization;
    if (header === undefined && apiKey !== undefined) return authenticateKey(request, reply, apiKey);
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
