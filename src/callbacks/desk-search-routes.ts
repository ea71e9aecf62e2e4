import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { READ_ROLES } from '../http/crud.js';
import { errorResponses } from '../http/schemas.js';
import { FindQuery } from './desk-search-schemas.js';
import { findCallbacks } from './desk-search.js';
import { CallbackPage } from './desk-schemas.js';

const tags = ['callbacks'];

/** `/admin/v1/callbacks/search`: what the console's callbacks page lists (its export is in reports/export-routes.ts). */
export const deskSearchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const readers = app.withTypeProvider<TypeBoxTypeProvider>();
  readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
  readers.get(
    '/callbacks/search',
    {
      schema: {
        tags,
        summary: 'Find callbacks: several states, queues and delivery statuses at once, a type, a time range and a search text (newest first, pages of at most 250)',
        querystring: FindQuery,
        response: { 200: CallbackPage, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => findCallbacks(request.ctx, request.query),
  );
};
