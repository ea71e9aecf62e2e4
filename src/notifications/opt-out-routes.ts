import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { READ_ROLES } from '../http/crud.js';
import { errorResponses } from '../http/schemas.js';
import { OptOut, OptOutActionAnswer, OptOutActionInput, OptOutPage, OptOutQuery, PhoneParams, PutOptOutBody } from './opt-out-schemas.js';
import { deleteOptOut, getOptOut, listOptOuts, messageOptOut, putOptOut } from './opt-outs.js';

const tags = ['notifications'];

/**
 * `/admin/v1/message-opt-outs`: the numbers never texted. Every operator role reads; administrators
 * add (a restricted one too: adding only stops texts) and remove (unrestricted only: the list serves every queue).
 */
export const optOutRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(async (scope) => {
    const readers = scope.withTypeProvider<TypeBoxTypeProvider>();
    readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
    readers.get(
      '/message-opt-outs',
      { schema: { tags, summary: 'List the SMS opt-out list (by number, cursor paging)', querystring: OptOutQuery, response: { 200: OptOutPage, ...errorResponses(400, 401, 403) } } },
      async (request) => listOptOuts(request.ctx, request.query),
    );
    readers.get(
      '/message-opt-outs/:phone',
      { schema: { tags, summary: "A number's opt-out entry (404: the number is texted)", params: PhoneParams, response: { 200: OptOut, ...errorResponses(400, 401, 403, 404) } } },
      async (request) => getOptOut(request.ctx, request.params.phone),
    );
  });
  await app.register(async (scope) => {
    const writers = scope.withTypeProvider<TypeBoxTypeProvider>();
    writers.addHook('onRequest', app.requireRoles('administrator'));
    writers.put(
      '/message-opt-outs/:phone',
      {
        schema: {
          tags,
          summary: 'Put a number on the do-not-message list (idempotent; 201 when it was not on the list)',
          params: PhoneParams,
          body: PutOptOutBody,
          response: { 200: OptOut, 201: OptOut, ...errorResponses(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const { created, entry } = await putOptOut(request.ctx, request.params.phone, request.body ?? {});
        return reply.code(created ? 201 : 200).send(entry);
      },
    );
    writers.delete(
      '/message-opt-outs/:phone',
      { schema: { tags, summary: 'Take a number off the opt-out list (texts already dropped stay dropped)', params: PhoneParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } } },
      async (request, reply) => {
        await deleteOptOut(request.ctx, request.params.phone);
        return reply.code(204).send(null);
      },
    );
  });
};

/** `POST /actions/v1/messages/opt-out`: an inbound message flow passes on the customer's STOP or START. */
export const optOutActionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/messages/opt-out',
    {
      schema: {
        tags: ['data-actions'],
        summary: "Act on a customer's SMS reply: STOP opts the number out of texts, START opts it back in",
        body: OptOutActionInput,
        response: { 200: OptOutActionAnswer, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => messageOptOut(request.ctx, request.body),
  );
};
