import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { crudRoutes, READ_ROLES } from '../http/crud.js';
import { errorResponses, PageLimit } from '../http/schemas.js';
import * as policies from './policies.js';
import { CreatePolicyBody, Policy, Track, UpdatePolicyBody } from './schemas.js';
import { getTrack, listTracks } from './tracks.js';

/** `/admin/v1/prioritization-policies` and `/admin/v1/aging-tracks`. */
export const agingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(
    crudRoutes({
      path: '/prioritization-policies',
      tag: 'priority-aging',
      noun: 'prioritization policy',
      item: Policy,
      create: CreatePolicyBody,
      update: UpdatePolicyBody,
      list: policies.listPolicies,
      get: policies.getPolicy,
      add: policies.createPolicy,
      change: policies.updatePolicy,
      remove: policies.deletePolicy,
    }),
  );
  await app.register(async (scope) => {
    const readers = scope.withTypeProvider<TypeBoxTypeProvider>();
    readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
    readers.get(
      '/aging-tracks',
      {
        schema: {
          tags: ['priority-aging'],
          summary: 'Priority-aging tracks, most recent first',
          querystring: Type.Object({ status: Type.Optional(Type.Enum(['ACTIVE', 'STOPPED'])), limit: PageLimit }),
          response: { 200: Type.Object({ items: Type.Array(Track) }), ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => listTracks(request.ctx, request.query),
    );
    readers.get(
      '/aging-tracks/:conversationId',
      {
        schema: {
          tags: ['priority-aging'],
          summary: 'A track with every priority it set',
          params: Type.Object({ conversationId: Type.String({ maxLength: 200 }) }),
          response: { 200: Track, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => getTrack(request.ctx, request.params.conversationId),
    );
  });
};
