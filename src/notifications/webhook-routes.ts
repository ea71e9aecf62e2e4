import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { READ_ROLES } from '../http/crud.js';
import { refuseEmptyPatch } from '../http/patch.js';
import { errorResponses, IdParams } from '../http/schemas.js';
import * as admin from './webhook-admin.js';
import {
  CallbackNotifications,
  CreatedWebhook,
  CreateWebhookBody,
  DeliveriesQuery,
  DeliveryPage,
  RotatedSecret,
  TestSendResult,
  UpdateWebhookBody,
  Webhook,
} from './webhook-schemas.js';

const tags = ['webhooks'];

/**
 * `/admin/v1/webhooks` (every operator role reads; administrators change, rotate and test) and a
 * callback's notifications (`/admin/v1/callbacks/:id/notifications`, read as the callback is).
 */
export const webhookRoutes: FastifyPluginAsyncTypebox<admin.WebhookAdminDeps> = async (app, deps) => {
  await app.register(async (scope) => {
    const readers = scope.withTypeProvider<TypeBoxTypeProvider>();
    readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
    readers.get('/webhooks', { schema: { tags, summary: 'List webhooks', response: { 200: Type.Object({ items: Type.Array(Webhook) }), ...errorResponses(401, 403) } } }, async (request) => ({
      items: await admin.listWebhooks(request.ctx, deps),
    }));
    readers.get('/webhooks/:id', { schema: { tags, summary: 'Get a webhook', params: IdParams, response: { 200: Webhook, ...errorResponses(400, 401, 403, 404) } } }, async (request) =>
      admin.getWebhook(request.ctx, deps, request.params.id),
    );
    readers.get(
      '/webhooks/:id/deliveries',
      { schema: { tags, summary: "A webhook's delivery log: its attempts, newest first", params: IdParams, querystring: DeliveriesQuery, response: { 200: DeliveryPage, ...errorResponses(400, 401, 403, 404) } } },
      async (request) => admin.webhookDeliveries(request.ctx, request.params.id, request.query),
    );
    readers.get(
      '/callbacks/:id/notifications',
      { schema: { tags: ['callbacks'], summary: "A callback's notifications and their deliveries", params: IdParams, response: { 200: CallbackNotifications, ...errorResponses(400, 401, 403, 404) } } },
      async (request) => admin.callbackNotifications(request.ctx, request.params.id),
    );
  });
  await app.register(async (scope) => {
    const writers = scope.withTypeProvider<TypeBoxTypeProvider>();
    writers.addHook('onRequest', app.requireRoles('administrator'));
    writers.post(
      '/webhooks',
      { schema: { tags, summary: 'Create a webhook (its secret is answered this once)', body: CreateWebhookBody, response: { 201: CreatedWebhook, ...errorResponses(400, 401, 403, 409) } } },
      async (request, reply) => reply.code(201).send(await admin.createWebhook(request.ctx, deps, request.body)),
    );
    writers.patch(
      '/webhooks/:id',
      {
        preValidation: refuseEmptyPatch,
        schema: { tags, summary: 'Change a webhook (only the fields sent; enabled: true clears its failure state)', params: IdParams, body: UpdateWebhookBody, response: { 200: Webhook, ...errorResponses(400, 401, 403, 404, 409) } },
      },
      async (request) => admin.updateWebhook(request.ctx, deps, request.params.id, request.body),
    );
    writers.delete('/webhooks/:id', { schema: { tags, summary: 'Delete a webhook', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } } }, async (request, reply) => {
      await admin.deleteWebhook(request.ctx, request.params.id);
      return reply.code(204).send(null);
    });
    writers.post(
      '/webhooks/:id/rotate-secret',
      { schema: { tags, summary: 'A new signing secret (answered this once); the previous one is still signed with for 24 hours', params: IdParams, response: { 200: RotatedSecret, ...errorResponses(400, 401, 403, 404) } } },
      async (request) => admin.rotateWebhookSecret(request.ctx, deps, request.params.id),
    );
    writers.post(
      '/webhooks/:id/test',
      { schema: { tags, summary: 'Send a WEBHOOK_TEST message now and answer what the receiver said', params: IdParams, response: { 200: TestSendResult, ...errorResponses(400, 401, 403, 404) } } },
      async (request) => admin.testWebhook(request.ctx, deps, request.params.id),
    );
  });
};
