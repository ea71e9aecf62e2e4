import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../http/schemas.js';
import { AvailabilityInput, AvailabilityOutput, OpenForInput, OpenForOutput } from './schemas.js';
import * as service from './service.js';

const tags = ['data-actions'];

/** `/actions/v1/availability`, `/actions/v1/open-for` — what Architect asks before offering callbacks. */
export const availabilityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/availability',
    {
      config: { publishable: true },
      schema: {
        tags,
        summary: 'Bookable slots of a queue (UTC, local and spoken)',
        body: AvailabilityInput,
        response: { 200: AvailabilityOutput, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => service.availability(request.ctx, request.body),
  );

  app.post(
    '/open-for',
    {
      config: { publishable: true },
      schema: {
        tags,
        summary: 'Is the queue open, for how long, and when does it open next',
        body: OpenForInput,
        response: { 200: OpenForOutput, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => service.openFor(request.ctx, request.body),
  );
};
