import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AvailabilityOutput } from '../availability/schemas.js';
import { customerCaller } from '../auth/caller.js';
import type { SecretBox } from '../auth/encryption.js';
import type { WebConfig } from '../config.js';
import type { Services } from '../context.js';
import { errors } from '../errors.js';
import { errorResponses, IdParams } from '../http/schemas.js';
import type { LinkSigner } from './link.js';
import { PublicAvailabilityQuery, PublicCancelOutput, PublicRescheduleInput, PublicRescheduleOutput, PublicStatusOutput, StatusQuery } from './schemas.js';
import * as selfService from './service.js';
import { findManageTokenOf } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** On /public/v1: the callback its manage token (or signed link) opened. */
    managed: selfService.Managed | null;
  }
}

export interface SelfServiceOptions {
  services: Services;
  signer: LinkSigner;
  secretBox: SecretBox;
  web: WebConfig;
}

/** The header a page sends its manage token in (never the URL). */
export const MANAGE_TOKEN_HEADER = 'x-manage-token';

const tags = ['self-service'];
const security = [{ manageToken: [] }];
const UUID_RE = /^\/public\/v1\/callbacks\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/i;

/**
 * `/public/v1/callbacks/:id` — a customer's own callback, with the manage token its create answered
 * (X-Manage-Token) or, to read it, a signed self-service link. No API token: every failure is a 404.
 * CORS answers the origins of the publishable key that created the callback; limits are that key's.
 */
export const selfServiceRoutes: FastifyPluginAsyncTypebox<SelfServiceOptions> = async (app, opts) => {
  const { services, web } = opts;
  const clientOf = async (id: string) => {
    const c = await app.clientCache.get(id);
    return c === null ? null : { active: c.active, name: c.name, kind: c.kind, origins: c.origins };
  };
  const corsOrigins = async (path: string): Promise<readonly string[]> => {
    const id = UUID_RE.exec(path)?.[1];
    const token = id === undefined ? undefined : await findManageTokenOf(services.db, id.toLowerCase());
    const client = token === undefined ? null : await clientOf(token.client_id);
    return client && client.active && client.kind === 'publishable' ? client.origins : [];
  };

  // The creating key's limits (its own, else the service's), per key and per client IP, counted apart from the key's own calls.
  const perIp = app.createRateLimit({
    keyGenerator: (req: FastifyRequest) => `self-service:${req.managed?.token?.client_id ?? 'link'}:ip:${req.ip}`,
    max: async (req: FastifyRequest) => (req.managed?.token ? (await app.clientCache.get(req.managed.token.client_id))?.rateLimitPerIp : null) ?? web.rateLimitPerIp,
    timeWindow: web.rateLimitWindowSeconds * 1000,
  });
  const perKey = app.createRateLimit({
    keyGenerator: (req: FastifyRequest) => `self-service:${req.managed?.token?.client_id ?? 'link'}`,
    max: async (req: FastifyRequest) => (req.managed?.token ? (await app.clientCache.get(req.managed.token.client_id))?.rateLimitPerKey : null) ?? web.rateLimitPerKey,
    timeWindow: web.rateLimitWindowSeconds * 1000,
  });

  app.decorateRequest('managed', null);
  app.addHook('preHandler', async (request) => {
    const { id } = request.params as { id: string };
    const header = request.headers[MANAGE_TOKEN_HEADER];
    const query = (request.query ?? {}) as { exp?: number; sig?: string };
    const credential: selfService.Credential | null =
      typeof header === 'string' && header !== ''
        ? { token: header }
        : request.method === 'GET' && request.routeOptions.url === '/public/v1/callbacks/:id' && query.exp !== undefined && query.sig !== undefined
          ? { link: { exp: query.exp, sig: query.sig } }
          : null;
    const managed = await selfService.authenticateManage({ db: services.db, signer: opts.signer, clientOf }, id, credential, services.clock.now());
    request.managed = managed;
    request.caller = customerCaller(
      managed.callback,
      { clientId: managed.token?.client_id ?? 'signed-link', clientName: managed.client?.name ?? 'a signed link', keyId: managed.token?.key_id ?? null },
      request.id,
    );
    for (const limit of [perIp, perKey]) {
      const res = await limit(request);
      if (!res.isAllowed && res.isExceeded) throw errors.rateLimited(Math.max(1, res.ttlInSeconds));
    }
  });

  const config = { public: true, corsOrigins, corsHeaders: ['content-type', MANAGE_TOKEN_HEADER] };
  const managed = (request: FastifyRequest) => request.managed!;

  app.get(
    '/public/v1/callbacks/:id',
    {
      config,
      schema: { tags, security, summary: 'A customer’s callback: state, time, place in the queue, estimated wait', params: IdParams, querystring: StatusQuery, response: { 200: PublicStatusOutput, ...errorResponses(400, 404, 429) } },
    },
    async (request) => selfService.status(request.ctx, managed(request).callback),
  );
  app.post(
    '/public/v1/callbacks/:id/cancel',
    { config, schema: { tags, security, summary: 'Cancel one’s callback (CANCELLED_BY_CUSTOMER)', params: IdParams, response: { 200: PublicCancelOutput, ...errorResponses(400, 404, 429) } } },
    async (request) => selfService.cancel(request.ctx, managed(request)),
  );
  app.post(
    '/public/v1/callbacks/:id/reschedule',
    { config, schema: { tags, security, summary: 'Move one’s scheduled callback to another slot', params: IdParams, body: PublicRescheduleInput, response: { 200: PublicRescheduleOutput, ...errorResponses(400, 404, 429) } } },
    async (request) => selfService.move(request.ctx, managed(request), request.body),
  );
  app.get(
    '/public/v1/callbacks/:id/availability',
    { config, schema: { tags, security, summary: 'Free slots of the callback’s queue, to reschedule to', params: IdParams, querystring: PublicAvailabilityQuery, response: { 200: AvailabilityOutput, ...errorResponses(400, 404, 429) } } },
    async (request) => selfService.availability(request.ctx, managed(request), request.query),
  );
};
