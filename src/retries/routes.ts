import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { crudRoutes, READ_ROLES } from '../http/crud.js';
import { errorResponses, IdParams, PageLimit } from '../http/schemas.js';
import { CreateRetryPolicyBody, PreviewContact, PreviewRetrySettings, RetryPolicy, UpdateRetryPolicyBody } from './schemas.js';
import * as service from './service.js';

const tags = ['preview-retries'];

/** `/admin/v1/retry-policies`, `/admin/v1/preview-contacts`, `/admin/v1/settings/preview-retries`. */
export const retryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(
    crudRoutes({
      path: '/retry-policies',
      tag: 'preview-retries',
      noun: 'retry policy',
      item: RetryPolicy,
      create: CreateRetryPolicyBody,
      update: UpdateRetryPolicyBody,
      list: service.listRetryPolicies,
      get: service.getRetryPolicy,
      add: service.createRetryPolicy,
      change: service.updateRetryPolicy,
      remove: service.deleteRetryPolicy,
    }),
  );
  await app.register(async (scope) => {
    const readers = scope.withTypeProvider<TypeBoxTypeProvider>();
    readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
    readers.get(
      '/preview-contacts',
      {
        schema: {
          tags,
          summary: 'Accepted preview contacts, most recent first, with their retries',
          querystring: Type.Object({ phone: Type.Optional(Type.String({ maxLength: 40 })), limit: PageLimit }),
          response: { 200: Type.Object({ items: Type.Array(PreviewContact) }), ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => service.listPreviewContacts(request.ctx, request.query),
    );
    readers.get(
      '/preview-contacts/:id',
      { schema: { tags, summary: 'A preview contact with its retries', params: IdParams, response: { 200: PreviewContact, ...errorResponses(400, 401, 403, 404) } } },
      async (request) => service.getPreviewContact(request.ctx, request.params.id),
    );
    readers.get(
      '/settings/preview-retries',
      { schema: { tags, summary: 'Which user.end events count as a closed preview, and where the wrap-up is', response: { 200: PreviewRetrySettings, ...errorResponses(401, 403) } } },
      async (request) => service.getPreviewSettings(request.ctx),
    );
  });
  await app.register(async (scope) => {
    const writers = scope.withTypeProvider<TypeBoxTypeProvider>();
    writers.addHook('onRequest', app.requireRoles('administrator'));
    writers.put(
      '/settings/preview-retries',
      { schema: { tags, summary: 'Change the preview-retry criteria', body: PreviewRetrySettings, response: { 200: PreviewRetrySettings, ...errorResponses(400, 401, 403) } } },
      async (request) => service.savePreviewSettings(request.ctx, request.body),
    );
  });
};
