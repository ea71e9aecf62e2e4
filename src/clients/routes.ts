import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { refuseEmptyPatch } from '../http/patch.js';
import { errorResponses, IdParams } from '../http/schemas.js';
import { errors } from '../errors.js';
import { ApiClientSchema, ClientList, ClientWithSecret, CreateClientBody, RotateKeyBody, UpdateClientBody } from './schemas.js';
import * as service from './service.js';

const tags = ['clients'];

/**
 * `/admin/v1/clients` — API clients and their secrets. Administrators only (set by the parent scope);
 * a restricted administrator sees and manages only clients whose access is within its own.
 */
export const clientRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/clients',
    {
      schema: {
        tags,
        summary: 'Create an API client (its secret, or a publishable key, is returned once)',
        body: CreateClientBody,
        response: { 201: ClientWithSecret, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { kind, roles, ...rest } = request.body;
      if (kind === 'publishable') {
        const created = await service.createPublishableClient(request.ctx, { ...rest, roles }, app.secretBox);
        app.clientCache.invalidate(created.client.clientId);
        return reply.code(201).send(created);
      }
      service.refusePublishableFields(rest, 'server');
      if (roles === undefined) throw errors.validation('roles', 'a server client needs at least one role');
      const created = await service.createClient(request.ctx, { name: rest.name, roles, queues: rest.queues, active: rest.active });
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/clients',
    { schema: { tags, summary: 'List API clients', response: { 200: ClientList, ...errorResponses(401, 403) } } },
    async (request) => ({ items: await service.listClients(request.ctx) }),
  );

  app.get(
    '/clients/:id',
    {
      schema: { tags, summary: 'Get an API client', params: IdParams, response: { 200: ApiClientSchema, ...errorResponses(400, 401, 403, 404) } },
    },
    async (request) => service.getClient(request.ctx, request.params.id),
  );

  app.patch(
    '/clients/:id',
    {
      preValidation: refuseEmptyPatch,
      schema: {
        tags,
        summary: "Change a client's name, roles, queue allow-list or active flag (a publishable key's origins, limits and CAPTCHA)",
        params: IdParams,
        body: UpdateClientBody,
        response: { 200: ApiClientSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const updated = await service.updateClient(request.ctx, request.params.id, request.body, app.secretBox);
      app.clientCache.invalidate(request.params.id);
      return updated;
    },
  );

  app.post(
    '/clients/:id/rotate-secret',
    {
      schema: {
        tags,
        summary: 'Issue a new secret (returned once); tokens issued before stop working',
        params: IdParams,
        response: { 200: ClientWithSecret, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const rotated = await service.rotateSecret(request.ctx, request.params.id);
      app.clientCache.invalidate(request.params.id);
      return rotated;
    },
  );

  app.post(
    '/clients/:id/rotate-key',
    {
      schema: {
        tags,
        summary: "Issue a new publishable key (returned once); the old one keeps working for overlapSeconds",
        params: IdParams,
        body: RotateKeyBody,
        response: { 200: ClientWithSecret, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const rotated = await service.rotateKey(request.ctx, request.params.id, request.body?.overlapSeconds);
      app.clientCache.invalidate(request.params.id);
      return rotated;
    },
  );

  app.delete(
    '/clients/:id',
    {
      schema: { tags, summary: 'Delete an API client', params: IdParams, response: { 204: { type: 'null' }, ...errorResponses(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      await service.deleteClient(request.ctx, request.params.id);
      app.clientCache.invalidate(request.params.id);
      return reply.code(204).send(null);
    },
  );
};
