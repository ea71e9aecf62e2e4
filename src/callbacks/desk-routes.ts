import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { READ_ROLES } from '../http/crud.js';
import { errorResponses, IdParams } from '../http/schemas.js';
import * as desk from './desk.js';
import {
  BulkCancelBody,
  BulkCancelReport,
  CallbackPage,
  CallbackWithHistory,
  CreateOutput,
  DeskCancelOutput,
  DeskQuery,
  DeskRescheduleBody,
  RecreateBody,
  RescheduleOutput,
} from './desk-schemas.js';
import { createCallback } from './create.js';
import { CreateInput } from './schemas.js';
import { cancelById, reschedule } from './service.js';

const tags = ['callbacks'];

/** `/admin/v1/callbacks` — supervisors and administrators act; monitors and developers read. */
export const deskRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(async (scope) => {
    const readers = scope.withTypeProvider<TypeBoxTypeProvider>();
    readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
    readers.get(
      '/callbacks',
      { schema: { tags, summary: 'Search callbacks (newest first, pages of at most 250)', querystring: DeskQuery, response: { 200: CallbackPage, ...errorResponses(400, 401, 403) } } },
      async (request) => desk.listCallbacks(request.ctx, request.query),
    );
    readers.get(
      '/callbacks/:id',
      { schema: { tags, summary: 'A callback with its history', params: IdParams, response: { 200: CallbackWithHistory, ...errorResponses(400, 401, 403, 404) } } },
      async (request) => desk.getCallback(request.ctx, request.params.id),
    );
  });

  await app.register(async (scope) => {
    const writers = scope.withTypeProvider<TypeBoxTypeProvider>();
    writers.addHook('onRequest', app.requireRoles('administrator', 'supervisor'));
    // The console's "create a callback": the data action's body, checks and outcomes (one service
    // function), for a person or client operating the desk; the queue allow-list applies as there.
    writers.post(
      '/callbacks',
      {
        schema: {
          tags,
          summary: 'Create an immediate or scheduled callback (as POST /actions/v1/callbacks/create: same body, checks and outcomes)',
          body: CreateInput,
          response: { 200: CreateOutput, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => createCallback(request.ctx, request.body),
    );
    writers.post(
      '/callbacks/:id/cancel',
      {
        schema: {
          tags,
          summary: 'Cancel a callback (not one an agent is handling; 409 for an agent-owned one within 15 minutes of its time)',
          params: IdParams,
          response: { 200: DeskCancelOutput, ...errorResponses(400, 401, 403, 409) },
        },
      },
      async (request) => cancelById(request.ctx, request.params.id, 'CANCELLED_BY_ADMIN', undefined, 'conflict'),
    );
    writers.post(
      '/callbacks/bulk-cancel',
      {
        schema: {
          tags,
          summary: 'Cancel many callbacks, by ids or "all in this filter" (a queue, a time range, or all: true); PROCESSING ones are skipped; dryRun only reports',
          body: BulkCancelBody,
          response: { 200: BulkCancelReport, ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => desk.bulkCancel(request.ctx, request.body),
    );
    writers.post(
      '/callbacks/:id/reschedule',
      {
        schema: {
          tags,
          summary: 'Move a scheduled callback (409 for an agent-owned one within 15 minutes of its time)',
          params: IdParams,
          body: DeskRescheduleBody,
          response: { 200: RescheduleOutput, ...errorResponses(400, 401, 403, 409) },
        },
      },
      async (request) => reschedule(request.ctx, { callbackId: request.params.id, ...request.body }, 'conflict'),
    );
    writers.post(
      '/callbacks/:id/recreate',
      {
        schema: {
          tags,
          summary: 'Create a completed callback again (same queue, number, name and data)',
          params: IdParams,
          body: RecreateBody,
          response: { 200: CreateOutput, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => desk.recreate(request.ctx, request.params.id, request.body),
    );
  });
};
