import { isUtf8 } from 'node:buffer';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errors } from '../errors.js';
import { READ_ROLES } from '../http/crud.js';
import { refuseEmptyPatch } from '../http/patch.js';
import { errorResponses, IdParams } from '../http/schemas.js';
import * as groups from './groups.js';
import {
  CallInGroup,
  CallInRequestPage,
  CallInRequestQuery,
  CreateCallInGroupBody,
  DnisCsvBody,
  DnisImportQuery,
  DnisImportResult,
  DnisPage,
  DnisQuery,
  ReplaceDnisBody,
  UpdateCallInGroupBody,
} from './group-schemas.js';
import { listCallInRequests } from './records.js';

const tags = ['call-in'];

/** A whole pool (10,000 numbers with their descriptions) is larger than the service's default body limit. */
const POOL_BODY_LIMIT = 2 * 1024 * 1024;

/** What a PATCH may not change, named rather than refused as an unknown field. */
async function refuseFixedFields(request: FastifyRequest): Promise<void> {
  const body = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  if ('name' in body) throw errors.validation('name', 'name cannot be changed once the group is created');
  if ('dnis' in body) throw errors.validation('dnis', 'the DNIS pool is replaced with PUT /admin/v1/call-in-groups/{id}/dnis (or imported from CSV), not with PATCH');
}

const CSV_RESPONSE = { description: 'The pool as CSV (text/csv): number,description, with a header line', content: { 'text/csv': { schema: Type.String() } } };

/**
 * `/admin/v1/call-in-groups` (every operator role reads; administrators change) and the Call-In
 * tab's records, `/admin/v1/call-in/requests` (read as the groups are).
 */
export const callInGroupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(async (scope) => {
    const readers = scope.withTypeProvider<TypeBoxTypeProvider>();
    readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
    readers.get(
      '/call-in-groups',
      { schema: { tags, summary: 'List Click-To-Call-In groups', response: { 200: Type.Object({ items: Type.Array(CallInGroup) }), ...errorResponses(401, 403) } } },
      async (request) => ({ items: await groups.listCallInGroups(request.ctx) }),
    );
    readers.get(
      '/call-in-groups/:id',
      { schema: { tags, summary: 'Get a Click-To-Call-In group (with its DNIS count)', params: IdParams, response: { 200: CallInGroup, ...errorResponses(400, 401, 403, 404) } } },
      async (request) => groups.getCallInGroup(request.ctx, request.params.id),
    );
    readers.get(
      '/call-in-groups/:id/dnis',
      { schema: { tags, summary: "A group's DNIS pool, by number, a page at a time", params: IdParams, querystring: DnisQuery, response: { 200: DnisPage, ...errorResponses(400, 401, 403, 404) } } },
      async (request) => groups.listGroupDnis(request.ctx, request.params.id, request.query),
    );
    readers.get(
      '/call-in-groups/:id/dnis/export',
      {
        schema: {
          tags,
          summary: "A group's DNIS pool as a CSV file the import reads back",
          params: IdParams,
          produces: ['text/csv'],
          response: { 200: CSV_RESPONSE, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { filename, csv } = await groups.exportGroupDnis(request.ctx, request.params.id);
        return reply.type('text/csv; charset=utf-8').header('Content-Disposition', `attachment; filename="${filename}"`).header('Cache-Control', 'no-store').send(csv);
      },
    );
    readers.get(
      '/call-in/requests',
      {
        schema: {
          tags,
          summary: 'The Call-In tab: call-in requests (the 5,000 newest the filter matches, pages of up to 500, by creation time)',
          querystring: CallInRequestQuery,
          response: { 200: CallInRequestPage, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => listCallInRequests(request.ctx, request.query),
    );
  });

  await app.register(async (scope) => {
    const writers = scope.withTypeProvider<TypeBoxTypeProvider>();
    writers.addHook('onRequest', app.requireRoles('administrator'));
    // The import's body: CSV as UTF-8 text (invalid bytes are refused, not replaced).
    writers.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: POOL_BODY_LIMIT }, (_request, body: Buffer, done) => {
      if (!isUtf8(body)) return done(errors.validation('body', 'the file is not UTF-8 text'), undefined);
      return done(null, body.toString('utf8'));
    });
    writers.post(
      '/call-in-groups',
      {
        bodyLimit: POOL_BODY_LIMIT,
        schema: { tags, summary: 'Create a Click-To-Call-In group with its DNIS pool', body: CreateCallInGroupBody, response: { 201: CallInGroup, ...errorResponses(400, 401, 403, 409) } },
      },
      async (request, reply) => reply.code(201).send(await groups.createCallInGroup(request.ctx, request.body)),
    );
    writers.patch(
      '/call-in-groups/:id',
      {
        preValidation: [refuseEmptyPatch, refuseFixedFields],
        schema: {
          tags,
          summary: 'Change a group’s settings (only the fields sent; the name never changes, the pool has its own routes)',
          params: IdParams,
          body: UpdateCallInGroupBody,
          response: { 200: CallInGroup, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => groups.updateCallInGroup(request.ctx, request.params.id, request.body),
    );
    writers.delete(
      '/call-in-groups/:id',
      {
        schema: {
          tags,
          summary: 'Delete a group (409 while it has pending requests not expired yet)',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await groups.deleteCallInGroup(request.ctx, request.params.id);
        return reply.code(204).send(null);
      },
    );
    writers.put(
      '/call-in-groups/:id/dnis',
      {
        bodyLimit: POOL_BODY_LIMIT,
        schema: { tags, summary: "Replace a group's DNIS pool", params: IdParams, body: ReplaceDnisBody, response: { 200: CallInGroup, ...errorResponses(400, 401, 403, 404) } },
      },
      async (request) => groups.replaceGroupDnis(request.ctx, request.params.id, request.body),
    );
    writers.post(
      '/call-in-groups/:id/dnis/import',
      {
        schema: {
          tags,
          summary: "Import a group's DNIS pool from CSV (text/csv; replaces the pool, or mode=append adds to it; one bad line refuses the whole file)",
          params: IdParams,
          querystring: DnisImportQuery,
          consumes: ['text/csv'],
          body: DnisCsvBody,
          response: { 200: DnisImportResult, ...errorResponses(400, 401, 403, 404, 413, 415) },
        },
      },
      async (request) => groups.importGroupDnis(request.ctx, request.params.id, request.body, request.query.mode),
    );
  });
};
