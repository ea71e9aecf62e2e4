import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import { Counter } from 'prom-client';
import { CaptchaUnavailable, findSeenToken, judge, rememberToken, siteverify, TOKEN_MEMORY_SECONDS, verifyUrl } from '../auth/captcha.js';
import { SecretBoxError, type SecretBox } from '../auth/encryption.js';
import { sha256Hex } from '../auth/secrets.js';
import type { Clock } from '../clock.js';
import type { WebConfig } from '../config.js';
import type { DB } from '../db/types.js';
import { errors } from '../errors.js';
import type { CaptchaResult } from '../vocabulary.js';

/**
 * Browsers and apps (publishable keys): CORS for the routes open to them, their rate limits and their
 * CAPTCHA. Authentication of the key itself (which routes, which origins) is in http/auth.ts.
 */

declare module 'fastify' {
  interface FastifyInstance {
    /** Seals and opens stored secrets (CAPTCHA secrets). */
    secretBox: SecretBox;
    /**
     * Whether a browser at `origin` may call `method path` across origins: the route is open to
     * browsers (config `publishable`) and `origin` is an allowed origin of some active publishable
     * key. What a preflight is answered by; routes that authenticate otherwise (a manage token) use it too.
     */
    corsOriginAllowed(origin: string | undefined, method: string, path: string): Promise<boolean>;
  }
  interface FastifyContextConfig {
    /**
     * For a route browsers call without a key (authenticated otherwise, e.g. by a manage token): the
     * origins CORS answers for a request to `path`, instead of every active key's.
     */
    corsOrigins?: (path: string) => Promise<readonly string[]>;
    /** Request headers such a route takes besides JSON (e.g. its credential's), allowed in its preflight instead of the key's. */
    corsHeaders?: readonly string[];
  }
  interface FastifyRequest {
    /** The CAPTCHA token a publishable request carried in its body, taken out before validation. */
    captchaToken: string | undefined;
  }
}

/** What a page may send: its key, JSON, its CAPTCHA token; and read back: when to retry, the correlation id. */
export const CORS_ALLOWED_HEADERS = ['x-api-key', 'content-type', 'x-captcha-token'];
export const CORS_EXPOSED_HEADERS = ['retry-after', 'inin-correlation-id'];

interface RoutePattern {
  method: string;
  re: RegExp;
  origins?: ((path: string) => Promise<readonly string[]>) | undefined;
  headers?: readonly string[] | undefined;
}

function patternOf(url: string): RegExp {
  const escaped = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

export interface WebCorsOptions {
  config: WebConfig;
  activeOrigins: () => Promise<Set<string>>;
}

/** CORS: registered before authentication, so a refused key's answer is still readable by the page. */
async function webCorsPlugin(app: FastifyInstance, opts: WebCorsOptions) {
  const open: RoutePattern[] = [];
  app.addHook('onRoute', (route) => {
    if (!route.config?.publishable && !route.config?.corsOrigins) return;
    for (const method of [route.method].flat()) open.push({ method: method.toUpperCase(), re: patternOf(route.url), origins: route.config.corsOrigins, headers: route.config.corsHeaders });
  });
  const methodsOf = (path: string) => [...new Set(open.filter((r) => r.re.test(path)).map((r) => r.method))];
  const headersOf = (path: string) => open.find((r) => r.re.test(path) && r.headers !== undefined)?.headers ?? CORS_ALLOWED_HEADERS;

  async function corsOriginAllowed(origin: string | undefined, method: string, path: string): Promise<boolean> {
    if (origin === undefined || origin === 'null') return false;
    const bare = path.split('?')[0]!;
    const route = open.find((r) => r.method === method.toUpperCase() && r.re.test(bare));
    if (route === undefined) return false;
    if (route.origins !== undefined) return (await route.origins(bare)).includes(origin);
    return (await opts.activeOrigins()).has(origin);
  }
  app.decorate('corsOriginAllowed', corsOriginAllowed);

  await app.register(cors, {
    hook: 'onRequest',
    delegator: async (request: FastifyRequest) => {
      const origin = request.headers.origin;
      const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
      const method = preflight ? String(request.headers['access-control-request-method']) : request.method;
      const config = request.routeOptions.config;
      const allowed = preflight || config.publishable || config.corsOrigins ? await corsOriginAllowed(origin, method, request.url) : false;
      if (!allowed) return { origin: false };
      return {
        origin: origin!,
        methods: methodsOf(request.url.split('?')[0]!),
        allowedHeaders: [...headersOf(request.url.split('?')[0]!)],
        exposedHeaders: CORS_EXPOSED_HEADERS,
        maxAge: opts.config.corsMaxAgeSeconds,
        credentials: false,
      };
    },
  });
}

export const webCors = fp(webCorsPlugin, { name: 'web-cors' });

export interface WebGuardOptions {
  config: WebConfig;
  db: Kysely<DB>;
  clock: Clock;
  secretBox: SecretBox;
}

/** The key's rate limits and CAPTCHA, after authentication (registered after @fastify/rate-limit). */
async function webGuardPlugin(app: FastifyInstance, opts: WebGuardOptions) {
  const { config } = opts;
  app.decorate('secretBox', opts.secretBox);
  app.decorateRequest('captchaToken', undefined);
  const captchaChecks = new Counter({
    name: 'captcha_verifications_total',
    help: 'CAPTCHA checks of publishable-key requests, by key (client name) and result',
    labelNames: ['key', 'result'],
    registers: [app.metrics],
  });

  const perKey = app.createRateLimit({
    keyGenerator: (req: FastifyRequest) => `pk:${req.caller!.id}`,
    max: (req: FastifyRequest) => req.publishableClient?.rateLimitPerKey ?? config.rateLimitPerKey,
    timeWindow: config.rateLimitWindowSeconds * 1000,
    // The app-wide limiter lets publishable callers through to these; these count them.
    allowList: () => false,
  });
  const perIp = app.createRateLimit({
    keyGenerator: (req: FastifyRequest) => `pk:${req.caller!.id}:ip:${req.ip}`,
    max: (req: FastifyRequest) => req.publishableClient?.rateLimitPerIp ?? config.rateLimitPerIp,
    timeWindow: config.rateLimitWindowSeconds * 1000,
    allowList: () => false,
  });

  // The token travels in the body as captchaToken (or in X-Captcha-Token): taken out before the
  // route's schema, which knows nothing of it.
  app.addHook('preValidation', async (request) => {
    if (request.caller?.channel !== 'publishable') return;
    const body = request.body as Record<string, unknown> | null | undefined;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || !('captchaToken' in body)) return;
    const token = body.captchaToken;
    delete body.captchaToken;
    if (typeof token !== 'string' || token === '' || token.length > 4096) throw errors.validation('captchaToken', 'captchaToken must be a non-empty string of at most 4096 characters');
    request.captchaToken = token;
  });

  app.addHook('preHandler', async (request) => {
    const client = request.publishableClient;
    if (request.caller?.channel !== 'publishable' || client === null) return;
    // The per-IP limit first: one visitor's burst does not use up the whole site's allowance.
    for (const limit of [perIp, perKey]) {
      const res = await limit(request);
      if (!res.isAllowed && res.isExceeded) throw errors.rateLimited(Math.max(1, res.ttlInSeconds));
    }
    if (client.captcha === null) return;
    const settings = client.captcha;
    const count = (result: CaptchaResult) => captchaChecks.inc({ key: client.name, result });
    const header = request.headers['x-captcha-token'];
    const token = request.captchaToken ?? (typeof header === 'string' && header !== '' ? header : undefined);
    if (token === undefined) {
      count('missing');
      throw errors.captchaRequired();
    }
    const tokenHash = sha256Hex(`${request.caller.id}:${token}`);
    const fingerprint = fingerprintOf(request);
    const now = opts.clock.now();
    const isRetry = (seen: { fingerprint: string; accepted_at: Date }) =>
      seen.fingerprint === fingerprint && now.getTime() - seen.accepted_at.getTime() < config.captchaRetrySeconds * 1000;
    const refuseReplay = () => {
      count('reused');
      return errors.captchaFailed('This CAPTCHA token was already used: solve the CAPTCHA again', { reason: 'reused' });
    };
    const seen = await findSeenToken(opts.db, tokenHash);
    if (seen) {
      if (isRetry(seen)) return count('retried');
      throw refuseReplay();
    }
    let secret: string;
    try {
      secret = opts.secretBox.decrypt(settings.secretCiphertext);
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      request.log.error({ key: client.name }, 'the CAPTCHA secret of a publishable key cannot be decrypted');
      count('unavailable');
      throw errors.unavailable('The CAPTCHA cannot be checked now');
    }
    let answer;
    try {
      answer = await siteverify(verifyUrl(settings.provider, config.captchaVerifyBaseUrl), { secret, response: token, remoteip: request.ip }, config.captchaVerifyTimeoutMs);
    } catch (err) {
      if (!(err instanceof CaptchaUnavailable)) throw err;
      request.log.warn({ key: client.name, provider: settings.provider, reason: err.message }, 'CAPTCHA provider unavailable');
      count('unavailable');
      throw errors.unavailable('The CAPTCHA cannot be checked now: retry shortly');
    }
    const hostnames = settings.hostnames ?? [...new Set(client.origins.map((o) => new URL(o).hostname))];
    const verdict = judge(settings, hostnames, answer);
    if (verdict.result !== 'passed') {
      // A racing retry of the same request may have been accepted meanwhile (the provider then says "duplicate").
      const winner = await findSeenToken(opts.db, tokenHash);
      if (winner && isRetry(winner)) return count('retried');
      if (winner) throw refuseReplay();
      count(verdict.result);
      throw errors.captchaFailed(`The CAPTCHA was not accepted: ${verdict.reason}`, { reason: verdict.result });
    }
    const keep = Math.max(TOKEN_MEMORY_SECONDS, config.captchaRetrySeconds);
    if (await rememberToken(opts.db, { token_hash: tokenHash, client_id: request.caller.id, fingerprint }, now, keep)) return count('passed');
    const winner = await findSeenToken(opts.db, tokenHash);
    if (winner && isRetry(winner)) return count('retried');
    throw refuseReplay();
  });
}

/**
 * What makes a retry "the same request": its idempotency key when it has one, else its route and body.
 * A token accepted for one request passes again only for that request, within CAPTCHA_RETRY_SECONDS.
 */
function fingerprintOf(request: FastifyRequest): string {
  const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
  const body = request.body as Record<string, unknown> | undefined;
  const idem = body && typeof body === 'object' && typeof body.idempotencyKey === 'string' ? body.idempotencyKey : undefined;
  return idem !== undefined ? `idem:${sha256Hex(`${route}\n${idem}`)}` : `body:${sha256Hex(`${route}\n${canonical(body ?? null)}`)}`;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const webGuard = fp(webGuardPlugin, { name: 'web-guard', dependencies: ['metrics', 'auth'] });
