import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { READ_ROLES } from '../http/crud.js';
import { errorResponses } from '../http/schemas.js';
import { reportOffer } from './offers.js';
import { EXPORT_PRODUCES, EXPORT_RESPONSE, sendExport } from './export-routes.js';
import { SummaryExportQuery } from './export-schemas.js';
import { summaryExport } from './export-summary.js';
import { OfferInput, OfferOutput, Summary } from './schemas.js';
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
          querystring: SummaryExportQuery,
          produces: ['application/json', ...EXPORT_PRODUCES],
          response: {
            200: { description: 'The summary (JSON), or with `format` its rows as a file', content: { 'application/json': { schema: Summary }, ...EXPORT_RESPONSE.content } },
            ...errorResponses(400, 401, 403, 404),
          },
        },
      },
      async (request, reply) => {
        const { format, ...query } = request.query;
        const answer = await summary(request.ctx, query, settings);
        return format === undefined ? answer : sendExport(reply, summaryExport(answer, format));
      },
    );
  };

/** `POST /actions/v1/offers`: a flow reports what it offered the caller and what the caller chose. */
export const offerActionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/offers',
    {
      schema: {
        tags: ['data-actions'],
        summary: 'Record what the caller was offered (IMMEDIATE, SCHEDULED, BOTH) and chose (ACCEPTED, DECLINED, NO_INPUT), once per conversation',
        body: OfferInput,
        response: { 200: OfferOutput, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => reportOffer(request.ctx, request.body),
  );
};
