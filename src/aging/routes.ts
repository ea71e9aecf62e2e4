import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { AgingTrackRow, DB } from '../db/types.js';
import { crudRoutes, READ_ROLES } from '../http/crud.js';
import { errors } from '../errors.js';
import { errorResponses, PageLimit } from '../http/schemas.js';
import { isoUtc, isoUtcOrNull } from '../time.js';
import { policies } from './policies.js';
import { CreatePolicyBody, Policy, Track, UpdatePolicyBody } from './schemas.js';

function toTrack(r: AgingTrackRow) {
  return {
    conversationId: r.conversation_id,
    queueId: r.queue_id,
    policyId: r.policy_id,
    status: r.status,
    startedAt: isoUtcOrNull(r.started_at)!,
    basePriority: r.base_priority,
    steps: r.steps,
    currentPriority: r.current_priority,
    stopReason: r.stop_reason,
    lastCheckAt: isoUtcOrNull(r.last_check_at),
    nextCheckAt: isoUtcOrNull(r.next_check_at),
  };
}

/** `/admin/v1/prioritization-policies` and `/admin/v1/aging-tracks`. */
export const agingRoutes =
  (db: Kysely<DB>): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(
      crudRoutes({
        path: '/prioritization-policies',
        tag: 'priority-aging',
        noun: 'prioritization policy',
        item: Policy,
        create: CreatePolicyBody,
        update: UpdatePolicyBody,
        list: (ctx) => policies.list(ctx.db),
        get: (ctx, id) => policies.get(ctx.db, id),
        add: (ctx, body) => policies.create(ctx.db, body, ctx.caller),
        change: (ctx, id, patch) => policies.update(ctx.db, id, patch, ctx.caller),
        remove: (ctx, id) => policies.remove(ctx.db, id, ctx.caller),
      }),
    );
    await app.register(async (scope) => {
      const readers = scope.withTypeProvider<TypeBoxTypeProvider>();
      readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
      readers.get(
        '/aging-tracks',
        {
          schema: {
            tags: ['priority-aging'],
            summary: 'Priority-aging tracks, most recent first',
            querystring: Type.Object({ status: Type.Optional(Type.Enum(['ACTIVE', 'STOPPED'])), limit: PageLimit }),
            response: { 200: Type.Object({ items: Type.Array(Track) }), ...errorResponses(400, 401, 403) },
          },
        },
        async (request) => {
          let q = db.selectFrom('aging_tracks').selectAll().orderBy('created_at', 'desc').limit(request.query.limit);
          if (request.query.status) q = q.where('status', '=', request.query.status);
          return { items: (await q.execute()).map(toTrack) };
        },
      );
      readers.get(
        '/aging-tracks/:conversationId',
        {
          schema: {
            tags: ['priority-aging'],
            summary: 'A track with every priority it set',
            params: Type.Object({ conversationId: Type.String({ maxLength: 200 }) }),
            response: { 200: Track, ...errorResponses(400, 401, 403, 404) },
          },
        },
        async (request) => {
          const row = await db.selectFrom('aging_tracks').selectAll().where('conversation_id', '=', request.params.conversationId).executeTakeFirst();
          if (!row) throw errors.notFound('Aging track', request.params.conversationId);
          const steps = await db.selectFrom('aging_steps').selectAll().where('conversation_id', '=', row.conversation_id).orderBy('id').execute();
          return { ...toTrack(row), history: steps.map((s) => ({ at: isoUtc(s.at), step: s.step, priority: s.priority, scheduledFor: s.scheduled_for ? isoUtc(s.scheduled_for) : null })) };
        },
      );
    });
  };
