import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { DB } from '../db/types.js';
import { crudRoutes, READ_ROLES } from '../http/crud.js';
import { errors } from '../errors.js';
import { errorResponses, IdParams, PageLimit } from '../http/schemas.js';
import { isoUtc, isoUtcOrNull } from '../time.js';
import { CreateRetryPolicyBody, PreviewContact, PreviewRetrySettings, RetryPolicy, UpdateRetryPolicyBody } from './schemas.js';
import * as service from './service.js';

const tags = ['preview-retries'];

async function previewContact(db: Kysely<DB>, id: string) {
  const p = await db.selectFrom('preview_contacts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!p) throw errors.notFound('Preview contact', id);
  const retries = await db.selectFrom('retry_attempts').selectAll().where('preview_contact_id', '=', id).orderBy('attempt').execute();
  return {
    id: p.id,
    phoneDigits: p.phone_digits,
    contactId: p.contact_id,
    contactListId: p.contact_list_id,
    campaignId: p.campaign_id,
    conversationId: p.conversation_id,
    acceptedAt: isoUtcOrNull(p.accepted_at)!,
    attempts: p.attempts,
    retries: retries.map((r) => ({ attempt: r.attempt, lastResult: r.last_result, waitSeconds: r.wait_seconds, retryAt: isoUtcOrNull(r.retry_at), status: r.status, error: r.error, submittedAt: isoUtcOrNull(r.submitted_at) })),
  };
}

/** `/admin/v1/retry-policies`, `/admin/v1/preview-contacts`, `/admin/v1/settings/preview-retries`. */
export const retryRoutes =
  (db: Kysely<DB>): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(
      crudRoutes({
        path: '/retry-policies',
        tag: 'preview-retries',
        noun: 'retry policy',
        item: RetryPolicy,
        create: CreateRetryPolicyBody,
        update: UpdateRetryPolicyBody,
        list: (ctx) => service.retryPolicies.list(ctx.db),
        get: (ctx, id) => service.retryPolicies.get(ctx.db, id),
        add: (ctx, body) => service.retryPolicies.create(ctx.db, body, ctx.caller),
        change: (ctx, id, patch) => service.retryPolicies.update(ctx.db, id, patch, ctx.caller),
        remove: (ctx, id) => service.retryPolicies.remove(ctx.db, id, ctx.caller),
      }),
    );
    await app.register(async (scope) => {
      const readers = scope.withTypeProvider<TypeBoxTypeProvider>();
      readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
      readers.get(
        '/preview-contacts',
        {
          schema: {
            tags,
            summary: 'Accepted preview contacts, most recent first, with their retries',
            querystring: Type.Object({ phone: Type.Optional(Type.String({ maxLength: 40 })), limit: PageLimit }),
            response: { 200: Type.Object({ items: Type.Array(PreviewContact) }), ...errorResponses(400, 401, 403) },
          },
        },
        async (request) => {
          let q = db.selectFrom('preview_contacts').select('id').orderBy('accepted_at', 'desc').limit(request.query.limit);
          if (request.query.phone) q = q.where('phone_digits', '=', request.query.phone.replace(/\D/g, ''));
          const ids = await q.execute();
          return { items: await Promise.all(ids.map((r) => previewContact(db, r.id))) };
        },
      );
      readers.get(
        '/preview-contacts/:id',
        { schema: { tags, summary: 'A preview contact with its retries', params: IdParams, response: { 200: PreviewContact, ...errorResponses(400, 401, 403, 404) } } },
        async (request) => previewContact(db, request.params.id),
      );
      readers.get(
        '/settings/preview-retries',
        { schema: { tags, summary: 'Which user.end events count as a closed preview, and where the wrap-up is', response: { 200: PreviewRetrySettings, ...errorResponses(401, 403) } } },
        async () => service.previewSettings(db),
      );
    });
    await app.register(async (scope) => {
      const writers = scope.withTypeProvider<TypeBoxTypeProvider>();
      writers.addHook('onRequest', app.requireRoles('administrator'));
      writers.put(
        '/settings/preview-retries',
        { schema: { tags, summary: 'Change the preview-retry criteria', body: PreviewRetrySettings, response: { 200: PreviewRetrySettings, ...errorResponses(400, 401, 403) } } },
        async (request) => service.savePreviewSettings(db, request.body, request.ctx.caller),
      );
    });
  };
