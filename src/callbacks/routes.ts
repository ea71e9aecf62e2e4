import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GenesysGateway } from '../genesys/gateway.js';
import { errorResponses } from '../http/schemas.js';
import { manageTokenFor } from '../selfservice/service.js';
import { createCallback } from './create.js';
import {
  CancelInput,
  CancelOutput,
  CreateInput,
  CreateOutput,
  LookupInput,
  LookupOutput,
  QueueStatusInput,
  QueueStatusOutput,
  RescheduleInput,
  RescheduleOutput,
} from './schemas.js';
import * as service from './service.js';

const tags = ['data-actions'];
const errorsOf = errorResponses(400, 401, 403, 404, 429);

/** `/actions/v1/callbacks/*` and `/actions/v1/queue-status` — the IVR's callback conversation. */
export const callbackActionRoutes =
  (gateway: GenesysGateway): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/callbacks/create',
      { config: { publishable: true }, schema: { tags, summary: 'Create an immediate or scheduled callback', body: CreateInput, response: { 200: CreateOutput, ...errorsOf } } },
      async (request) => {
        const answer = await createCallback(request.ctx, request.body);
        // A customer's page gets the token that manages the callback it created (self-service).
        const manageToken = await manageTokenFor(request.ctx, app.secretBox, answer);
        return manageToken === undefined ? answer : { ...answer, manageToken };
      },
    );
    app.post(
      '/callbacks/lookup',
      { schema: { tags, summary: 'Find the pending callback of a number', body: LookupInput, response: { 200: LookupOutput, ...errorsOf } } },
      async (request) => service.lookup(request.ctx, request.body),
    );
    app.post(
      '/callbacks/cancel',
      { schema: { tags, summary: 'Cancel a callback (by id, or a number’s soonest in a queue)', body: CancelInput, response: { 200: CancelOutput, ...errorsOf } } },
      async (request) => service.cancelFromFlow(request.ctx, request.body),
    );
    app.post(
      '/callbacks/reschedule',
      { schema: { tags, summary: 'Move a scheduled callback to another time', body: RescheduleInput, response: { 200: RescheduleOutput, ...errorsOf } } },
      async (request) => service.reschedule(request.ctx, request.body),
    );
    app.post(
      '/queue-status',
      { config: { publishable: true }, schema: { tags, summary: 'What to offer now: immediate, scheduled, estimated wait', body: QueueStatusInput, response: { 200: QueueStatusOutput, ...errorsOf } } },
      async (request) => service.queueStatus(request.ctx, request.body),
    );
  };
