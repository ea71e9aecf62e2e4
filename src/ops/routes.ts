import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { ErrorBody } from '../http/schemas.js';

const Health = Type.Object({ status: Type.String() });
const Ready = Type.Object({
  status: Type.String({ enum: ['ready', 'unready'] }),
  checks: Type.Object({ database: Type.String({ enum: ['ok', 'down'] }) }),
});

const DB_CHECK_TIMEOUT_MS = 2_000;

export const opsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    {
      config: { public: true, rateLimit: false },
      schema: { tags: ['operations'], summary: 'Liveness: the process is up', security: [], response: { 200: Health } },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { public: true, rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database answers',
        security: [],
        response: { 200: Ready, 503: Ready },
      },
    },
    async (request, reply) => {
      let database: 'ok' | 'down' = 'ok';
      try {
        await Promise.race([
          sql`select 1`.execute(app.db),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), DB_CHECK_TIMEOUT_MS).unref()),
        ]);
      } catch (err) {
        request.log.warn({ err: (err as Error).message }, 'database not ready');
        database = 'down';
      }
      const ready = database === 'ok';
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unready', checks: { database } });
    },
  );

  app.get(
    '/metrics',
    {
      config: { public: true, rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        security: [],
        produces: ['text/plain'],
        response: { 200: Type.String(), 500: ErrorBody },
      },
    },
    async (_request, reply) => {
      reply.type(app.metrics.contentType);
      return app.metrics.metrics();
    },
  );
};
