import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { crudRoutes, READ_ROLES } from '../http/crud.js';
import { errorResponses, IdParams } from '../http/schemas.js';
import * as desk from './desk.js';
import { CampaignCallbackPage, CampaignCallbackView, CampaignCallbackWithHistory, CampaignCancelInput, CampaignCancelOutput, CampaignDeskQuery } from './desk-schemas.js';
import { Campaign, CampaignCallbackInput, CampaignCallbackOutput, CreateCampaignBody, UpdateCampaignBody } from './schemas.js';
import * as service from './service.js';

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
          response: { 200: Type.Object({ items: Type.Array(CampaignCallbackView) }), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => ({ items: await service.listCampaignCallbacks(request.ctx, request.params.id, 250) }),
    );
    readers.get(
      '/campaign-callbacks',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Search campaign callbacks of every campaign (newest first, pages of at most 250)',
          querystring: CampaignDeskQuery,
          response: { 200: CampaignCallbackPage, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => desk.listDesk(request.ctx, request.query),
    );
    readers.get(
      '/campaign-callbacks/:id',
      { schema: { tags: ['campaigns'], summary: 'A campaign callback with its history', params: IdParams, response: { 200: CampaignCallbackWithHistory, ...errorResponses(400, 401, 403, 404) } } },
      async (request) => desk.getDesk(request.ctx, request.params.id),
    );
  });
  await app.register(async (scope) => {
    const writers = scope.withTypeProvider<TypeBoxTypeProvider>();
    writers.addHook('onRequest', app.requireRoles('administrator', 'supervisor'));
    writers.post(
      '/campaign-callbacks/:id/cancel',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Cancel a campaign callback (its contact is removed from the list)',
          params: IdParams,
          response: { 200: CampaignCancelOutput, ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => desk.cancelCampaignCallback(request.ctx, request.params.id, 'CANCELLED_BY_ADMIN'),
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
  app.post(
    '/campaign-callbacks/cancel',
    {
      schema: {
        tags: ['data-actions'],
        summary: 'Cancel an automated campaign callback (its contact is removed from the list)',
        body: CampaignCancelInput,
        response: { 200: CampaignCancelOutput, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => desk.cancelFromFlow(request.ctx, request.body),
  );
};
