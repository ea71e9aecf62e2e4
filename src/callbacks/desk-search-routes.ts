import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { READ_ROLES } from '../http/crud.js';
import { errorResponses } from '../http/schemas.js';
import { EXPORT_MAX_ROWS, FindFilter, FindQuery } from './desk-search-schemas.js';
import { exportCallbacks, findCallbacks } from './desk-search.js';
import { CallbackPage } from './desk-schemas.js';

const tags = ['callbacks'];

/** `/admin/v1/callbacks/search` and `/export`: what the console's callbacks page lists and downloads. */
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
  readers.get(
    '/callbacks/export',
    {
      schema: {
        tags,
        summary: `The callbacks a search finds, as CSV (newest first, at most ${EXPORT_MAX_ROWS.toLocaleString('en-US')} rows; X-Truncated: true when there were more)`,
        querystring: FindFilter,
        produces: ['text/csv'],
        response: { 200: { description: 'CSV, one callback a row', content: { 'text/csv': { schema: Type.String() } } }, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { csv, rows, truncated } = await exportCallbacks(request.ctx, request.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', 'attachment; filename="callbacks.csv"')
        .header('X-Rows', String(rows))
        .header('X-Truncated', String(truncated))
        .send(csv);
    },
  );
};
