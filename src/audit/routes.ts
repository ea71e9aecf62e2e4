import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses, IsoTime, PageLimit } from '../http/schemas.js';
import { ACTOR_KINDS } from '../vocabulary.js';
import { listAudit } from './service.js';

const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: IsoTime,
  actor: Type.String({ description: "The acting client's or person's id, or the service itself (worker, maintenance, cli, demo)" }),
  actorName: Type.Union([Type.String(), Type.Null()], { description: "The actor's name when it acted (null on entries older than names that could not be recovered)" }),
  actorKind: Type.Union([Type.Enum(ACTOR_KINDS), Type.Null()], { description: 'An API client, a person (console user) or the service itself (null on entries older than the kind)' }),
  action: Type.String(),
  entity: Type.String(),
  entityId: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
  correlationId: Type.Union([Type.String(), Type.Null()]),
});

const AuditQuery = Type.Object({
  entity: Type.Optional(Type.String({ maxLength: 64 })),
  entityId: Type.Optional(Type.String({ maxLength: 200 })),
  actor: Type.Optional(Type.String({ maxLength: 200 })),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'nextCursor of the previous page' })),
  limit: PageLimit,
});

/** `/admin/v1/audit` — who changed what, newest first; a restricted caller reads only entries of entities in its scope. */
export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Read the audit log (newest first, cursor paging)',
        querystring: AuditQuery,
        response: {
          200: Type.Object({ items: Type.Array(AuditEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { entity, entityId, actor, cursor, limit } = request.query;
      return listAudit(request.ctx, { entity, entityId, actor, limit, before: cursor === undefined ? undefined : Number(cursor) });
    },
  );
};
