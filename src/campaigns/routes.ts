import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { DB } from '../db/types.js';
import { crudRoutes, READ_ROLES } from '../http/crud.js';
import { errorResponses, IdParams, IsoTime } from '../http/schemas.js';
import { isoUtc } from '../http/time-input.js';
import { Campaign, CampaignCallbackInput, CampaignCallbackOutput, CreateCampaignBody, UpdateCampaignBody } from './schemas.js';
import * as service from './service.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const CampaignCallback = Type.Object({
  id: Type.String(),
  state: Type.String(),
  phoneE164: Type.String(),
  fullName: Nullable(Type.String()),
  dialAt: IsoTime,
  priority: Type.Boolean(),
  contactId: Type.String(),
  deliveryStatus: Type.String(),
  deliveryError: Nullable(Type.String()),
  createdAt: IsoTime,
});

/** `/admin/v1/campaigns` — always-running campaigns that automated callbacks are added to. */
export const campaignRoutes =
  (db: Kysely<DB>): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(
      crudRoutes({
        path: '/campaigns',
        tag: 'campaigns',
        noun: 'campaign',
        item: Campaign,
        create: CreateCampaignBody,
        update: UpdateCampaignBody,
        list: (ctx) => service.campaigns.list(ctx.db),
        get: (ctx, id) => service.campaigns.get(ctx.db, id),
        add: (ctx, body) => service.campaigns.create(ctx.db, body, ctx.caller),
        change: (ctx, id, patch) => service.campaigns.update(ctx.db, id, patch, ctx.caller),
        remove: (ctx, id) => service.campaigns.remove(ctx.db, id, ctx.caller),
      }),
    );
    await app.register(async (scope) => {
      const readers = scope.withTypeProvider<TypeBoxTypeProvider>();
      readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
      readers.get(
        '/campaigns/:id/callbacks',
        {
          schema: {
            tags: ['campaigns'],
            summary: 'The campaign’s callbacks, newest first (at most 250)',
            params: IdParams,
            response: { 200: Type.Object({ items: Type.Array(CampaignCallback) }), ...errorResponses(400, 401, 403) },
          },
        },
        async (request) => {
          const rows = await db.selectFrom('campaign_callbacks').selectAll().where('campaign_id', '=', request.params.id).orderBy('created_at', 'desc').limit(250).execute();
          return {
            items: rows.map((r) => ({
              id: r.id,
              state: r.state,
              phoneE164: r.phone_e164,
              fullName: r.full_name,
              dialAt: isoUtc(new Date(r.dial_at)),
              priority: r.priority,
              contactId: r.contact_id,
              deliveryStatus: r.delivery_status,
              deliveryError: r.delivery_error,
              createdAt: isoUtc(r.created_at),
            })),
          };
        },
      );
    });
  };

/** `POST /actions/v1/campaign-callbacks` — an automated callback dialed by an agentless campaign after a delay. */
export const campaignActionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/campaign-callbacks',
    {
      schema: {
        tags: ['data-actions'],
        summary: 'Schedule an automated callback through an always-running campaign',
        body: CampaignCallbackInput,
        response: { 200: CampaignCallbackOutput, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => service.requestCampaignCallback(app.db, request.body, request.ctx.caller, app.clock.now(), request.ctx.caches.numberRules),
  );
};
