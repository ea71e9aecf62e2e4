import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { READ_ROLES } from '../http/crud.js';
import { errorResponses } from '../http/schemas.js';
import { Summary, SummaryQuery } from './schemas.js';
import { summary, type ReportSettings } from './service.js';

/** `/admin/v1/reports/*`: read by every operator role that reads the callback desk; allow-lists apply. */
export const reportRoutes =
  (settings: ReportSettings): FastifyPluginAsyncTypebox =>
  async (app) => {
    const readers = app.withTypeProvider<TypeBoxTypeProvider>();
    readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
    readers.get(
      '/reports/summary',
      {
        schema: {
          tags: ['reports'],
          summary: 'Offers, creations, refusals, completions, connect waits, retries and slot utilization of a period, by queue, local day or local hour',
          querystring: SummaryQuery,
          response: { 200: Summary, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => summary(request.ctx, request.query, settings),
    );
  };
