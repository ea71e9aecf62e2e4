import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { refuseEmptyPatch } from '../http/patch.js';
import { errorResponses, IdParams } from '../http/schemas.js';
import { listMappings, replaceMappings } from './genesys-sign-in.js';
import { CreateUserBody, ReplaceMappingsBody, SetPasswordBody, SignInMappingList, UpdateUserBody, UserList, UserSchema, UserWithPassword } from './schemas.js';
import * as service from './service.js';

const tags = ['users'];

/**
 * `/admin/v1/users` — people's accounts for the console. Administrators only (set by the parent
 * scope); a restricted administrator sees and manages only accounts whose access is within its own.
 */
export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/users',
    {
      schema: {
        tags,
        summary: 'Create a person account (a generated password is answered once)',
        body: CreateUserBody,
        response: { 201: UserWithPassword, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createUser(request.ctx, request.body)),
  );

  app.get('/users', { schema: { tags, summary: 'List person accounts', response: { 200: UserList, ...errorResponses(401, 403) } } }, async (request) => ({
    items: await service.listUsers(request.ctx),
  }));

  app.get(
    '/users/:id',
    { schema: { tags, summary: 'Get a person account', params: IdParams, response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => service.getUser(request.ctx, request.params.id),
  );

  app.patch(
    '/users/:id',
    {
      preValidation: refuseEmptyPatch,
      schema: {
        tags,
        summary: "Change a person's username, display name, roles, queue allow-list or disabled flag (access changes and disabling sign them out)",
        params: IdParams,
        body: UpdateUserBody,
        response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => service.updateUser(request.ctx, request.params.id, request.body),
  );

  app.post(
    '/users/:id/password',
    {
      schema: {
        tags,
        summary: "Set a person's password (generated and answered once when none is sent); signs them out",
        params: IdParams,
        body: SetPasswordBody,
        response: { 200: UserWithPassword, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => service.setPassword(request.ctx, request.params.id, request.body?.password),
  );

  app.delete(
    '/users/:id',
    { schema: { tags, summary: 'Delete a person account (signs them out)', params: IdParams, response: { 204: { type: 'null' }, ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await service.deleteUser(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/genesys-sign-in/mappings',
    { schema: { tags, summary: 'Which Genesys groups and roles give which access on "Sign in with Genesys Cloud"', response: { 200: SignInMappingList, ...errorResponses(401, 403) } } },
    async (request) => ({ items: await listMappings(request.ctx) }),
  );

  app.put(
    '/genesys-sign-in/mappings',
    {
      schema: {
        tags,
        summary: 'Replace the Genesys sign-in mapping table (unrestricted administrators)',
        description:
          'Each row maps a Genesys group id or role id to engine roles and a queue allow-list. A person signing in gets the union of every row ' +
          'matching one of their groups or roles (every queue if any matching row has no allow-list); no match, no access.',
        body: ReplaceMappingsBody,
        response: { 200: SignInMappingList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({ items: await replaceMappings(request.ctx, request.body.items) }),
  );
};
