import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { SecretBox } from '../auth/encryption.js';
import { errorResponses } from '../http/schemas.js';
import type { FcmSender } from './fcm.js';
import { PushSettings, PushSettingsBody, PushTestBody, PushTestResult } from './push-schemas.js';
import { deletePushSettings, getPushSettings, savePushSettings, testPush } from './push-settings.js';

const tags = ['notifications'];

export interface PushRouteOptions {
  secretBox: SecretBox;
  fcm: FcmSender;
}

/** `/admin/v1/settings/push` (administrators): the Firebase service account, masked, and a test send. */
export const pushSettingsRoutes: FastifyPluginAsyncTypebox<PushRouteOptions> = async (app, opts) => {
  app.addHook('onRequest', app.requireRoles('administrator'));
  app.get(
    '/settings/push',
    { schema: { tags, summary: 'The push notification credential (Firebase service account), its key masked', response: { 200: PushSettings, ...errorResponses(401, 403) } } },
    async (request) => getPushSettings(request.ctx),
  );
  app.put(
    '/settings/push',
    {
      schema: {
        tags,
        summary: 'Set the Firebase service account push notifications are sent with (FCM HTTP v1)',
        body: PushSettingsBody,
        response: { 200: PushSettings, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => savePushSettings(request.ctx, opts.secretBox, request.body),
  );
  app.delete(
    '/settings/push',
    { schema: { tags, summary: 'Remove the push credential: no more push notifications', response: { 204: Type.Null(), ...errorResponses(401, 403) } } },
    async (request, reply) => {
      await deletePushSettings(request.ctx);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/settings/push/test',
    {
      schema: {
        tags,
        summary: 'Send a test push notification to a device now, with the stored credential',
        body: PushTestBody,
        response: { 200: PushTestResult, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => testPush(request.ctx, opts.secretBox, opts.fcm, request.body),
  );
};
