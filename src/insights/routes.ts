import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { READ_ROLES } from '../http/crud.js';
import { errorResponses, IdParams } from '../http/schemas.js';
import { ConversionPreview, ConversionQuery, GenesysStatus, HoursPreview, PreviewQuery, QueueOverview, Utilization, UtilizationQuery } from './schemas.js';
import { conversionPreview, genesysStatus, hoursPreview, queueOverview, utilization } from './service.js';

/** Read-only views every operator role may open; queue allow-lists apply as everywhere. */
export const insightRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const readers = app.withTypeProvider<TypeBoxTypeProvider>();
  readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
  readers.get(
    '/queues/overview',
    {
      schema: {
        tags: ['queues'],
        summary: 'Every queue with its state now: open, closes at, next open, waiting and scheduled-today callbacks, estimated wait, switches, assigned configuration',
        response: { 200: QueueOverview, ...errorResponses(401, 403) },
      },
    },
    async (request) => queueOverview(request.ctx),
  );
  readers.get(
    '/queues/:id/utilization',
    {
      schema: {
        tags: ['queues'],
        summary: "Booked against capacity for each open slot of the queue's coming days (today first, 14 days unless told)",
        params: IdParams,
        querystring: UtilizationQuery,
        response: { 200: Utilization, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => utilization(request.ctx, request.params.id, request.query.days),
  );
  readers.get(
    '/business-hours/:id/preview',
    {
      schema: {
        tags: ['business-hours'],
        summary: 'The slot grid one local date of these hours produces (DST-aware: offset changes of the date are listed)',
        params: IdParams,
        querystring: PreviewQuery,
        response: { 200: HoursPreview, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => hoursPreview(request.ctx, request.params.id, request.query),
  );
  readers.get(
    '/capacity-rules/:id/conversion',
    {
      schema: {
        tags: ['capacity-rules'],
        summary: "Preview of changing the rule's timeslot length (hour ↔ half hour): the cells it would keep, add and drop; nothing is saved",
        params: IdParams,
        querystring: ConversionQuery,
        response: { 200: ConversionPreview, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => conversionPreview(request.ctx, request.params.id, request.query.to),
  );
  readers.get(
    '/genesys/status',
    {
      schema: {
        tags: ['genesys'],
        summary: 'The Genesys gateway this service runs (sdk or simulated) and the latest delivery errors',
        response: { 200: GenesysStatus, ...errorResponses(401, 403) },
      },
    },
    async (request) => genesysStatus(request.ctx),
  );
};
