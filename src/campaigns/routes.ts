import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { crudRoutes, READ_ROLES } from '../http/crud.js';
import { errorResponses, IdParams, IsoTime, Nullable } from '../http/schemas.js';
import { Campaign, CampaignCallbackInput, CampaignCallbackOutput, CreateCampaignBody, UpdateCampaignBody } from './schemas.js';
import * as service from './service.js';

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

/** `/admin/v1/campaigns` — always-running campaigns that automated callbacks are added to, scoped by their queue. */
export const campaignRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(
    crudRoutes({
      path: '/campaigns',
      tag: 'campaigns',
      noun: 'campaign',
      item: Campaign,
      create: CreateCampaignBody,
      update: UpdateCampaignBody,
      list: service.listCampaigns,
      get: service.getCampaign,
      add: service.createCampaign,
      change: service.updateCampaign,
      remove: service.deleteCampaign,
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
          response: { 200: Type.Object({ items: Type.Array(CampaignCallback) }), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => ({ items: await service.listCampaignCallbacks(request.ctx, request.params.id, 250) }),
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
    async (request) => service.requestCampaignCallback(request.ctx, request.body),
  );
};
