import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import { crudRoutes, READ_ROLES } from '../http/crud.js';
import { errorResponses, IdParams } from '../http/schemas.js';
import { CreateNumberRuleBody, NumberCheckInput, NumberRule, ScreeningAnswer, TestNumberBody, UpdateNumberRuleBody } from './schemas.js';
import * as service from './service.js';

/** `/admin/v1/number-rules` — permitted countries, blocked patterns and number types. */
export const numberRuleRoutes =
  (db: Kysely<DB>): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(
      crudRoutes({
        path: '/number-rules',
        tag: 'number-rules',
        noun: 'number rule',
        item: NumberRule,
        create: CreateNumberRuleBody,
        update: UpdateNumberRuleBody,
        list: (ctx) => service.listNumberRules(ctx.db),
        get: (ctx, id) => service.getNumberRule(ctx.db, id),
        add: (ctx, body) => service.createNumberRule(ctx.db, body, ctx.caller, ctx.caches.numberRules),
        change: (ctx, id, patch) => service.updateNumberRule(ctx.db, id, patch, ctx.caller, ctx.caches.numberRules),
        remove: (ctx, id) => service.deleteNumberRule(ctx.db, id, ctx.caller),
      }),
    );
    await app.register(async (scope) => {
      const readers = scope.withTypeProvider<TypeBoxTypeProvider>();
      readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
      readers.post(
        '/number-rules/:id/test',
        {
          schema: {
            tags: ['number-rules'],
            summary: 'Try a number against a rule (same answer as the numbers/check data action)',
            params: IdParams,
            body: TestNumberBody,
            response: { 200: ScreeningAnswer, ...errorResponses(400, 401, 403, 404) },
          },
        },
        async (request) => service.testNumber(request.ctx.db, request.ctx.caches.numberRules, request.params.id, request.body.phoneNumber, request.body.defaultCountry),
      );
    });
  };

/** `POST /actions/v1/numbers/check` — screen a caller-entered number in one call. */
export const numberCheckRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/numbers/check',
    {
      schema: {
        tags: ['data-actions'],
        summary: 'Screen a phone number for a queue or a rule (E.164, country, type, outcome)',
        body: NumberCheckInput,
        response: { 200: ScreeningAnswer, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => service.checkNumber(request.ctx, request.body),
  );
};
