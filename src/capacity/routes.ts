import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { crudRoutes } from '../http/crud.js';
import { errorResponses, IdParams } from '../http/schemas.js';
import { CapacityCells, CapacityRule, CreateRuleBody, UpdateRuleBody } from './schemas.js';
import * as service from './service.js';

/** `/admin/v1/capacity-rules` — weekly capacity calendars assignable to queues. */
export const capacityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(
    crudRoutes({
      path: '/capacity-rules',
      tag: 'capacity-rules',
      noun: 'capacity rule',
      item: CapacityRule,
      create: CreateRuleBody,
      update: UpdateRuleBody,
      list: service.listRules,
      get: service.getRule,
      add: service.createRule,
      change: service.updateRule,
      remove: service.deleteRule,
    }),
  );
  await app.register(async (scope) => {
    const writers = scope.withTypeProvider<TypeBoxTypeProvider>();
    writers.addHook('onRequest', app.requireRoles('administrator'));
    writers.put(
      '/capacity-rules/:id/statement',
      {
        schema: {
          tags: ['capacity-rules'],
          summary: 'Replace all cells with a JSON capacity statement (cells left out become 0)',
          params: IdParams,
          body: CapacityCells,
          response: { 200: CapacityRule, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => service.replaceStatement(request.ctx, { id: request.params.id, statement: request.body }),
    );
  });
};
