import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { READ_ROLES } from '../http/crud.js';
import { errorResponses } from '../http/schemas.js';
import type { ExportBody } from './csv.js';
import { exportCallbacks } from './export.js';
import { CallbackExportQuery } from './export-schemas.js';

const tags = ['callbacks'];

/** The OpenAPI answer of an export route. */
export const EXPORT_RESPONSE = {
  description: 'The file, streamed: CSV (text/csv) or NDJSON (application/x-ndjson), as `format` asks',
  content: { 'text/csv': { schema: Type.String() }, 'application/x-ndjson': { schema: Type.String() } },
};
export const EXPORT_PRODUCES = ['text/csv', 'application/x-ndjson'];

/** Sends an export as an attachment; the HTTP layer aborts the connection if the stream fails midway. */
export function sendExport(reply: FastifyReply, body: ExportBody) {
  return reply.type(body.contentType).header('Content-Disposition', body.disposition).header('Cache-Control', 'no-store').send(body.stream);
}

/** `GET /admin/v1/callbacks/export`: the desk's filter as a file, for every role that reads the desk. */
export const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const readers = app.withTypeProvider<TypeBoxTypeProvider>();
  readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
  readers.get(
    '/callbacks/export',
    {
      schema: {
        tags,
        summary: 'The callbacks the desk filter finds, as a CSV or NDJSON file (newest first, every row, streamed; X-Rows: how many matched when it began)',
        querystring: CallbackExportQuery,
        produces: EXPORT_PRODUCES,
        response: { 200: EXPORT_RESPONSE, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const body = await exportCallbacks(request.ctx, request.query);
      return sendExport(reply.header('X-Rows', String(body.rows)).header('X-Truncated', 'false'), body);
    },
  );
};
