import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql, type Kysely } from 'kysely';
import { Type } from 'typebox';
import type { DB } from '../db/types.js';
import { GENESYS_STATUSES, type GenesysStatus } from '../genesys/readiness.js';
import { ErrorBody } from '../http/schemas.js';

const Health = Type.Object({ status: Type.String() });
const Ready = Type.Object({
  status: Type.String({ enum: ['ready', 'unready'] }),
  checks: Type.Object({
    database: Type.String({ enum: ['ok', 'down'] }),
    worker: Type.String({ enum: ['ok', 'down', 'elsewhere'], description: 'The job worker in this process (elsewhere: WORKER_ENABLED=false)' }),
  }),
  genesys: Type.Optional(
    Type.String({
      enum: [...GENESYS_STATUSES],
      description:
        'Only with Genesys credentials configured: can the engine obtain a token (ok; rejected: wrong credential, inactive client or no role; unreachable; slow: no answer within 2 s). Never makes the service unready.',
    }),
  ),
});

export interface OpsOptions {
  db: Kysely<DB>;
  workerHealthy?: (() => boolean) | undefined;
  /** The Genesys token check (genesys/readiness.ts); absent without Genesys credentials. */
  genesysCheck?: (() => Promise<GenesysStatus>) | undefined;
}

const DB_CHECK_TIMEOUT_MS = 2_000;

export const opsRoutes: FastifyPluginAsyncTypebox<OpsOptions> = async (app, opts) => {
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
        summary: 'Readiness: the database answers and the job worker runs (and, reported apart, whether Genesys grants a token)',
        security: [],
        response: { 200: Ready, 503: Ready },
      },
    },
    async (request, reply) => {
      const genesys = opts.genesysCheck?.();
      let database: 'ok' | 'down' = 'ok';
      try {
        await Promise.race([
          sql`select 1`.execute(opts.db),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), DB_CHECK_TIMEOUT_MS).unref()),
        ]);
      } catch (err) {
        request.log.warn({ err: (err as Error).message }, 'database not ready');
        database = 'down';
      }
      const worker = opts.workerHealthy === undefined ? 'elsewhere' : opts.workerHealthy() ? 'ok' : 'down';
      const ready = database === 'ok' && worker !== 'down';
      const body = { status: ready ? 'ready' : 'unready', checks: { database, worker } } as const;
      return reply.code(ready ? 200 : 503).send(genesys ? { ...body, genesys: await genesys } : body);
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
