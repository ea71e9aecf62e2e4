import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { authenticateClient } from '../clients/service.js';
import type { Services } from '../context.js';
import type { TokenClaims } from '../http/auth.js';
import { ErrorBody, errorResponses } from '../http/schemas.js';
import type { Role } from './caller.js';

/**
 * `POST /oauth/token` — OAuth 2.0 client credentials (RFC 6749 §4.4), what a Genesys
 * "User Defined (OAuth)" credential's login action calls. Errors follow RFC 6749 §5.2, not the
 * service's error shape, because OAuth clients parse them; transport errors keep the common shape.
 */

const TokenRequest = Type.Object(
  {
    grant_type: Type.Optional(Type.String({ description: 'Must be client_credentials' })),
    client_id: Type.Optional(Type.String({ description: 'When not sent with HTTP Basic' })),
    client_secret: Type.Optional(Type.String({ description: 'When not sent with HTTP Basic' })),
    scope: Type.Optional(Type.String({ description: 'Ignored: a token carries the roles of its client' })),
  },
  { additionalProperties: true },
);

const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the token expires' }),
  scope: Type.String({ description: "The client's roles, space-separated" }),
});

const OAuthError = Type.Object({
  error: Type.String({ enum: ['invalid_request', 'invalid_client', 'unsupported_grant_type'] }),
  error_description: Type.String(),
  correlationId: Type.String(),
});

/** ErrorBody without its $id, which the OpenAPI document would otherwise hoist into a def-0 reference. */
const EdgeError = Type.Object(ErrorBody.properties, { title: 'Error' });

type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type';

function basicCredentials(header: string | undefined): { id: string; secret: string } | null | 'malformed' {
  if (!header || !/^Basic\s/i.test(header)) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep < 0) return 'malformed';
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
    return { id: decodeURIComponent(decoded.slice(0, sep)), secret: decodeURIComponent(decoded.slice(sep + 1)) };
  } catch {
    return 'malformed';
  }
}

export interface TokenRouteOptions {
  services: Pick<Services, 'db' | 'clock'>;
  tokenTtlSeconds: number;
  rateLimit: { max: number; windowSeconds: number };
}

export const tokenRoutes: FastifyPluginAsyncTypebox<TokenRouteOptions> = async (app, opts) => {
  app.post(
    '/oauth/token',
    {
      attachValidation: true,
      config: {
        public: true,
        rateLimit: { max: opts.rateLimit.max, timeWindow: opts.rateLimit.windowSeconds * 1000, keyGenerator: (req) => `ip:${req.ip}` },
      },
      schema: {
        tags: ['auth'],
        summary: 'Get a bearer token with client credentials',
        description:
          'OAuth 2.0 client credentials grant. Authenticate with HTTP Basic (`client_id:client_secret`) or with ' +
          '`client_id` and `client_secret` in the body; form-encoded or JSON.',
        security: [],
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: TokenRequest,
        // OAuth errors in RFC 6749's shape; what the edge refuses (JSON, size, media type, text that
        // cannot be stored) in the service's common shape.
        response: { 200: TokenResponse, 400: Type.Union([OAuthError, EdgeError]), 401: OAuthError, ...errorResponses(413, 415, 429) },
      },
    },
    async (request, reply) => {
      reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
      const fail = (status: 400 | 401, error: OAuthErrorCode, description: string) => {
        if (status === 401 && basic) reply.header('WWW-Authenticate', 'Basic realm="callback-engine"');
        return reply.code(status).send({ error, error_description: description, correlationId: request.id });
      };
      const basic = basicCredentials(request.headers.authorization);
      if (request.validationError) return fail(400, 'invalid_request', 'The body must be a form or JSON object');
      const body = request.body ?? {};
      if (body.grant_type === undefined) return fail(400, 'invalid_request', 'grant_type is required');
      if (body.grant_type !== 'client_credentials') {
        return fail(400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported');
      }
      if (basic === 'malformed') return fail(401, 'invalid_client', 'Malformed HTTP Basic credentials');
      if (basic && (body.client_id !== undefined || body.client_secret !== undefined)) {
        return fail(400, 'invalid_request', 'Send client credentials either with HTTP Basic or in the body, not both');
      }
      const id = basic?.id ?? body.client_id;
      const secret = basic?.secret ?? body.client_secret;
      if (id === undefined || secret === undefined || id === '' || secret === '') {
        return fail(401, 'invalid_client', 'Client authentication failed');
      }
      const client = await authenticateClient(opts.services, id, secret);
      if (client === 'publishable') {
        request.log.info({ clientId: id.slice(0, 64) }, 'token refused: publishable key');
        return fail(401, 'invalid_client', 'This client is a publishable key: it gets no token; send the key itself in the x-api-key header');
      }
      if (!client) {
        request.log.info({ clientId: id.slice(0, 64) }, 'token refused');
        return fail(401, 'invalid_client', 'Client authentication failed');
      }
      const claims: TokenClaims = {
        sub: client.id,
        name: client.name,
        roles: client.roles as Role[],
        ...(client.queues && { queues: client.queues }),
        gen: client.token_generation,
      };
      const accessToken = app.jwt.sign(claims, { expiresIn: opts.tokenTtlSeconds });
      request.log.info({ clientId: client.id }, 'token issued');
      return {
        access_token: accessToken,
        token_type: 'Bearer' as const,
        expires_in: opts.tokenTtlSeconds,
        scope: client.roles.join(' '),
      };
    },
  );
};
