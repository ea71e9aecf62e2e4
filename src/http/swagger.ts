import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import pkg from '../../package.json' with { type: 'json' };

export const OPENAPI_TAGS = [
  { name: 'data-actions', description: 'Called by Genesys Architect flows through Web Services data actions (role actions)' },
  { name: 'events', description: 'Conversation events forwarded by trigger workflows (role events)' },
  { name: 'callbacks', description: 'The operator’s callback desk' },
  { name: 'priority-aging', description: 'Raising the priority of waiting callbacks over time' },
  { name: 'preview-retries', description: 'Retrying preview-dialer contacts by wrap-up' },
  { name: 'campaigns', description: 'Always-running campaigns for automated callbacks' },
  { name: 'queues', description: 'Callback queues' },
  { name: 'genesys', description: 'What the simulated Genesys gateway was asked' },
  { name: 'business-hours', description: 'Weekly hours with date exceptions' },
  { name: 'capacity-rules', description: 'Weekly capacity calendars' },
  { name: 'number-rules', description: 'Number screening: permitted countries, blocked patterns and number types' },
  { name: 'auth', description: 'OAuth 2.0 client-credentials tokens' },
  { name: 'clients', description: 'API clients (administrators)' },
  { name: 'audit', description: 'Audit log of configuration changes' },
  { name: 'operations', description: 'Health, readiness and metrics' },
];

/** OpenAPI 3 document built from the route schemas; must be registered before the routes. */
async function swaggerPlugin(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Callback engine for Genesys Cloud',
        version: pkg.version,
        description:
          'Data actions for Genesys Architect (`/actions/v1`), event webhooks for trigger workflows (`/events/v1`) ' +
          'and the operators\' admin API (`/admin/v1`). Get a token with `POST /oauth/token` (client credentials), ' +
          'then send `Authorization: Bearer <token>`. Every error body is `{ error, message, correlationId }`.',
      },
      tags: OPENAPI_TAGS,
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          oauth2: {
            type: 'oauth2',
            flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: {} } },
          },
        },
      },
      security: [{ bearerAuth: [] }, { oauth2: [] }],
    },
  });
}

export default fp(swaggerPlugin, { name: 'swagger' });
