import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static, type TSchema } from 'typebox';
import type { Context } from '../context.js';
import { refuseEmptyPatch } from './patch.js';
import { errorResponses, IdParams } from './schemas.js';

/**
 * The admin API's configuration resources (hours, capacity rules, number rules, ...) share one shape:
 * list, get, create, update, delete, with reads open to every operator role and writes to
 * administrators. This builds those routes from a resource's schemas and service functions.
 */

export const READ_ROLES = ['administrator', 'supervisor', 'monitor', 'developer'] as const;

export interface CrudResource<TItem extends TSchema, TCreate extends TSchema, TUpdate extends TSchema> {
  /** Path below /admin/v1, e.g. `/business-hours`. */
  path: string;
  tag: string;
  /** Singular, for summaries: "business hours", "capacity rule". */
  noun: string;
  item: TItem;
  create: TCreate;
  update: TUpdate;
  list(ctx: Context): Promise<Static<TItem>[]>;
  get(ctx: Context, id: string): Promise<Static<TItem>>;
  add(ctx: Context, body: Static<TCreate>): Promise<Static<TItem>>;
  change(ctx: Context, id: string, patch: Static<TUpdate>): Promise<Static<TItem>>;
  remove(ctx: Context, id: string): Promise<void>;
}

export function crudRoutes<TItem extends TSchema, TCreate extends TSchema, TUpdate extends TSchema>(
  r: CrudResource<TItem, TCreate, TUpdate>,
): FastifyPluginAsync {
  const tags = [r.tag];
  // Generic over the resource's schemas, so the handlers see plain types; the schemas still validate
  // every request and serialize every answer.
  type Id = { Params: { id: string } };
  return async (app) => {
    await app.register(async (readers) => {
      readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
      readers.get(
        r.path,
        { schema: { tags, summary: `List ${r.noun} records`, response: { 200: Type.Object({ items: Type.Array(r.item) }), ...errorResponses(401, 403) } } },
        async (request) => ({ items: await r.list(request.ctx) }),
      );
      readers.get<Id>(
        `${r.path}/:id`,
        { schema: { tags, summary: `Get a ${r.noun}`, params: IdParams, response: { 200: r.item, ...errorResponses(400, 401, 403, 404) } } },
        async (request) => r.get(request.ctx, request.params.id),
      );
    });
    await app.register(async (writers) => {
      writers.addHook('onRequest', app.requireRoles('administrator'));
      writers.post<{ Body: Static<TCreate> }>(
        r.path,
        { schema: { tags, summary: `Create a ${r.noun}`, body: r.create, response: { 201: r.item, ...errorResponses(400, 401, 403, 409) } } },
        async (request, reply) => reply.code(201).send(await r.add(request.ctx, request.body as Static<TCreate>)),
      );
      writers.patch<Id & { Body: Static<TUpdate> }>(
        `${r.path}/:id`,
        {
          preValidation: refuseEmptyPatch,
          schema: {
            tags,
            summary: `Change a ${r.noun} (only the fields sent)`,
            params: IdParams,
            body: r.update,
            response: { 200: r.item, ...errorResponses(400, 401, 403, 404, 409) },
          },
        },
        async (request) => r.change(request.ctx, request.params.id, request.body as Static<TUpdate>),
      );
      writers.delete<Id>(
        `${r.path}/:id`,
        {
          schema: {
            tags,
            summary: `Delete a ${r.noun} (409 while a queue uses it)`,
            params: IdParams,
            response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
          },
        },
        async (request, reply) => {
          await r.remove(request.ctx, request.params.id);
          return reply.code(204).send(null);
        },
      );
    });
  };
}
