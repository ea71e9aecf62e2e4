import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../http/schemas.js';
import { EVENT_ACTIONS } from '../vocabulary.js';
import { MAX_JSON_DATA } from './normalize.js';
import { ACD_END, ACD_START, flatFields, OUTBOUND, USER_END, USER_START, WRAPUP, type EventTopic, type TopicField } from './topics.js';
import * as events from './service.js';

const Scalar = Type.Union([Type.String({ maxLength: 2_000 }), Type.Number(), Type.Boolean(), Type.Null()]);
// Event fields as Genesys sends them: primitives, and the odd list of primitives (callbackNumbers).
const Primitive = Type.Union([Scalar, Type.Array(Scalar, { maxItems: 100 })]);

const str = (description = '') => Type.Optional(Type.String({ maxLength: 200, ...(description && { description }) }));

/** A topic field as a flat input, with the topic's type (a time: epoch milliseconds or ISO text). */
function input(field: TopicField) {
  const description = field.description ?? '';
  switch (field.type) {
    case 'string':
      return str(description);
    case 'integer':
      return Type.Optional(Type.Integer(description ? { description } : {}));
    case 'boolean':
      return Type.Optional(Type.Boolean(description ? { description } : {}));
    case 'time':
      return Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 64 })], { description: description || 'Epoch milliseconds or ISO-8601', examples: [1769706000000] }));
    case 'strings':
      throw new Error(`${field.name}: a list cannot be a flat input`);
  }
}

const jsonData = Type.Optional(Type.String({ maxLength: MAX_JSON_DATA, description: 'The whole event as JSON text (trigger data format Json)' }));

/**
 * Flat like every data-action input: the topic's own fields with its types (so a TopLevelPrimitives
 * workflow maps them 1:1), `jsonData`, and our aliases; other fields are accepted as they come.
 */
function eventBody(topic: EventTopic, aliases: Record<string, ReturnType<typeof Type.Optional>> = {}) {
  const fields = Object.fromEntries(flatFields(topic).map((x) => [x.name, input(x)]));
  return Type.Object({ ...fields, jsonData, ...aliases }, { additionalProperties: Primitive, description: topic.topic });
}

const AcdStart = eventBody(ACD_START);
const AcdEnd = eventBody(ACD_END);
const UserStart = eventBody(USER_START);
const UserEnd = eventBody(USER_END, {
  callbackNumber: str('One number (TopLevelPrimitives drops the callbackNumbers array)'),
  callbackNumbers: str('Or the numbers as text (the list itself arrives in jsonData)'),
});
const PreviewAccepted = eventBody(OUTBOUND, {
  phoneNumber: str('Alias of addressTo: the previewed number'),
  contactId: str('Alias of outboundContactId'),
  contactListId: str('Alias of outboundContactListId'),
  campaignId: str('Alias of outboundCampaignId'),
  queueId: str('Genesys queue id of the preview campaign (the topic has none: else the queue of the campaign using the contact list)'),
});

const Wrapup = eventBody(WRAPUP);

const Answer = (actions: keyof typeof EVENT_ACTIONS) => Type.Object({ accepted: Type.Boolean(), action: Type.String({ enum: [...EVENT_ACTIONS[actions]] }), message: Type.String() });
const UserStartAnswer = Type.Object({
  accepted: Type.Boolean(),
  action: Type.String({ enum: [...EVENT_ACTIONS.userStart] }),
  message: Type.String(),
  callbackId: Type.String({ description: 'Our callback moved to ROUTING, "" when none moved' }),
});
const UserEndAnswer = Type.Object({
  accepted: Type.Boolean(),
  action: Type.String({ enum: [...EVENT_ACTIONS.userEnd] }),
  message: Type.String(),
  retryAt: Type.String({ description: 'When the contact is re-submitted (UTC), "" otherwise' }),
  lastResult: Type.String(),
});

const WrapupAnswer = Type.Object({
  accepted: Type.Boolean(),
  action: Type.String({ enum: [...EVENT_ACTIONS.wrapup] }),
  message: Type.String(),
  callbackId: Type.String({ description: 'Our callback whose attempt ended, "" when none' }),
  attempt: Type.Integer({ description: 'The attempt that ended (1-based), 0 when none' }),
  maxAttempts: Type.Integer({ description: 'Attempts its queue’s callback retry policy allows, 0 without one' }),
  retryAt: Type.String({ description: 'When the next attempt is made (UTC), "" otherwise' }),
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
    '/conversation-user-start',
    { schema: { tags, summary: 'user.start: an agent alerted on a queued callback (userId, mediaType CALLBACK) → ROUTING', body: UserStart, response: { 200: UserStartAnswer, ...errorsOf } } },
    async (request) => ({ accepted: true, callbackId: '', ...(await events.userStart(request.ctx, request.body)) }),
  );
  app.post(
    '/conversation-user-end',
    { schema: { tags, summary: 'user.end: retry a closed preview by its wrap-up; complete handled callbacks', body: UserEnd, response: { 200: UserEndAnswer, ...errorsOf } } },
    async (request) => ({ accepted: true, retryAt: '', lastResult: '', ...(await events.userEnd(request.ctx, request.body)) }),
  );
  app.post(
    '/conversation-wrapup',
    {
      schema: {
        tags,
        summary: 'wrapup: a no-answer code retries the callback after its policy’s wait (NO_ANSWER at the last attempt); any other code completes it as HANDLED',
        body: Wrapup,
        response: { 200: WrapupAnswer, ...errorsOf },
      },
    },
    async (request) => ({ accepted: true, callbackId: '', attempt: 0, maxAttempts: 0, retryAt: '', ...(await events.wrapup(request.ctx, request.body)) }),
  );
  app.post(
    '/preview-accepted',
    { schema: { tags, summary: 'outbound: record a preview contact (outboundContactId, outboundContactListId, addressTo)', body: PreviewAccepted, response: { 200: Answer('previewAccepted'), ...errorsOf } } },
    async (request) => ({ accepted: true, ...(await events.previewAccepted(request.ctx, request.body)) }),
  );
};
