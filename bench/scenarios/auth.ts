/**
 * Authenticated request cost: `GET /admin/v1/clients/{id}` with an administrator's bearer token,
 * against the bare Fastify reference at the same rate. Each request goes through JWT verification,
 * the client-state cache, the per-client rate limiter, the role check, one primary-key read and
 * response serialization — the fixed cost every authenticated endpoint pays.
 */
import { benchContext } from '../context.js';
import { createClient } from '../../src/clients/service.js';
import type { Scenario } from '../harness.js';

export const AUTH_ROW = 'GET /admin/v1/clients/:id';

export const auth: Scenario = {
  name: 'auth',
  description: 'authenticated request cost: GET /admin/v1/clients/{id} (JWT, client cache, rate limit, one read) vs bare Fastify',
  defaultRate: 500,
  async run(ctx) {
    const { harness } = ctx;
    ctx.log('starting PostgreSQL and the app');
    const database = await harness.startBenchDatabase();
    ctx.defer(database.stop);
    const bench = await harness.startBenchApp(database.url);
    ctx.defer(bench.close);

    const authorization = await harness.makeToken(bench.app, bench.db, ['administrator']);
    const { client } = await createClient(benchContext(bench.db), { name: 'bench-target', roles: ['monitor'] });
    const url = `${bench.baseUrl}/admin/v1/clients/${client.clientId}`;
    const headers = { authorization };
    await harness.probe(url, { headers });

    const bare = await ctx.bare();
    const target = await ctx.measure({ name: AUTH_ROW, url, headers });
    return [bare, target];
  },
};
