import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { READ_ROLES } from '../http/crud.js';
import { errorResponses, IsoTime, PageLimit } from '../http/schemas.js';
import { isoUtc } from '../time.js';

const Call = Type.Object({ id: Type.Integer(), at: IsoTime, operation: Type.String(), request: Type.Unknown(), response: Type.Unknown() });

/** `/admin/v1/genesys/simulated-calls` — with no Genesys credentials, what would have been sent. */
export const simulatedCallRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(async (scope) => {
    const readers = scope.withTypeProvider<TypeBoxTypeProvider>();
    readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
    readers.get(
      '/genesys/simulated-calls',
      {
        schema: {
          tags: ['genesys'],
          summary: 'Calls the simulated Genesys gateway recorded (newest first)',
          querystring: Type.Object({
            operation: Type.Optional(Type.String({ maxLength: 64 })),
            limit: PageLimit,
          }),
          response: { 200: Type.Object({ items: Type.Array(Call) }), ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => {
        let q = app.db.selectFrom('simulated_genesys_calls').selectAll().orderBy('id', 'desc').limit(request.query.limit);
        if (request.query.operation) q = q.where('operation', '=', request.query.operation);
        const rows = await q.execute();
        return { items: rows.map((r) => ({ id: Number(r.id), at: isoUtc(r.at), operation: r.operation, request: r.request, response: r.response ?? null })) };
      },
    );
  });
};
