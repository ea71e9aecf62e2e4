import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../http/schemas.js';
import { EVENT_ACTIONS } from '../vocabulary.js';
import { MAX_JSON_DATA } from './normalize.js';
import * as events from './service.js';

const Scalar = Type.Union([Type.String({ maxLength: 2_000 }), Type.Number(), Type.Boolean(), Type.Null()]);
// Event fields as Genesys sends them: primitives, and the odd list of primitives (callbackNumbers).
const Primitive = Type.Union([Scalar, Type.Array(Scalar, { maxItems: 100 })]);
const common = {
  conversationId: Type.Optional(Type.String({ maxLength: 200 })),
  participantId: Type.Optional(Type.String({ maxLength: 200 })),
  sessionId: Type.Optional(Type.String({ maxLength: 200 })),
  eventTime: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 64 })], { description: 'Epoch milliseconds or ISO-8601' })),
  jsonData: Type.Optional(Type.String({ maxLength: MAX_JSON_DATA, description: 'The whole event as JSON text (trigger data format Json)' })),
};
/** Flat like every data-action input; other top-level fields of the event are accepted as they come. */
const eventBody = (fields: Record<string, ReturnType<typeof Type.Optional>>, description: string) =>
  Type.Object({ ...common, ...fields }, { additionalProperties: Primitive, description });

const str = (description: string) => Type.Optional(Type.String({ maxLength: 200, description }));

const AcdStart = eventBody(
  { mediaType: str('CALLBACK starts aging'), queueId: str('Genesys queue id'), routingPriority: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 20 })])), callbackScheduledTime: str('') },
  'v2.detail.events.conversation.{id}.acd.start',
);
const AcdEnd = eventBody({ acdOutcome: str('ANSWERED, ABANDON or FLOW_OUT'), queueId: str('') }, 'v2.detail.events.conversation.{id}.acd.end');
const UserEnd = eventBody(
  {
    disconnectType: str('CLIENT, ENDPOINT, SYSTEM, ...'),
    mediaType: str(''),
    provider: str(''),
    direction: str(''),
    callbackNumber: str('One number (TopLevelPrimitives drops the callbackNumbers array)'),
    callbackNumbers: str('Or the numbers as text'),
    queueId: str(''),
    userId: str(''),
  },
  'v2.detail.events.conversation.{id}.user.end',
);
const PreviewAccepted = eventBody(
  { phoneNumber: str('The previewed number'), contactId: str('Contact id in the list'), contactListId: str(''), campaignId: str(''), queueId: str('Genesys queue id of the preview campaign') },
  'A preview offered to an agent was accepted',
);

const Answer = (actions: keyof typeof EVENT_ACTIONS) => Type.Object({ accepted: Type.Boolean(), action: Type.String({ enum: [...EVENT_ACTIONS[actions]] }), message: Type.String() });
const UserEndAnswer = Type.Object({
  accepted: Type.Boolean(),
  action: Type.String({ enum: [...EVENT_ACTIONS.userEnd] }),
  message: Type.String(),
  retryAt: Type.String({ description: 'When the contact is re-submitted (UTC), "" otherwise' }),
  lastResult: Type.String(),
});

const tags = ['events'];
const errorsOf = errorResponses(400, 401, 403, 429);

/** `/events/v1/*` — what trigger workflows forward. Every event is processed once. */
export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/conversation-acd-start',
    { schema: { tags, summary: 'acd.start: start priority aging for a callback (mediaType CALLBACK)', body: AcdStart, response: { 200: Answer('acdStart'), ...errorsOf } } },
    async (request) => ({ accepted: true, ...(await events.acdStart(request.ctx, request.body)) }),
  );
  app.post(
    '/conversation-acd-end',
    { schema: { tags, summary: 'acd.end: stop aging; answered → PROCESSING, abandoned → COMPLETED', body: AcdEnd, response: { 200: Answer('acdEnd'), ...errorsOf } } },
    async (request) => ({ accepted: true, ...(await events.acdEnd(request.ctx, request.body)) }),
  );
  app.post(
    '/conversation-user-end',
    { schema: { tags, summary: 'user.end: retry a closed preview by its wrap-up; complete handled callbacks', body: UserEnd, response: { 200: UserEndAnswer, ...errorsOf } } },
    async (request) => ({ accepted: true, retryAt: '', lastResult: '', ...(await events.userEnd(request.ctx, request.body)) }),
  );
  app.post(
    '/preview-accepted',
    { schema: { tags, summary: 'Record an accepted preview contact (number, contact, list)', body: PreviewAccepted, response: { 200: Answer('previewAccepted'), ...errorsOf } } },
    async (request) => ({ accepted: true, ...(await events.previewAccepted(request.ctx, request.body)) }),
  );
};
