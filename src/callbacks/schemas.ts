import { Type, type Static } from 'typebox';
import { EXAMPLE_PHONE, EXAMPLE_QUEUE, EXAMPLE_TIME, NOT_FOR_FLOWS } from '../http/schemas.js';
import { QueueInput } from '../queues/resolve.js';
import { CALLBACK_STATES, DEVICE_PLATFORMS } from '../vocabulary.js';
import { CREATE_OUTCOMES } from './answers.js';

const Phone = Type.String({ minLength: 1, maxLength: 1_000, description: 'E.164, national format, or a tel: URI (Genesys ANI)' });
const Time = (description: string) => Type.String({ minLength: 1, maxLength: 64, description });
const Zone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone: for desiredTime without an offset, and for the local times in the answer' });
const Id = Type.String({ format: 'uuid', description: 'Callback id' });
const Utc = Type.String({ description: 'UTC ISO-8601 ("" when not applicable)' });
const Strings = (description: string) => Type.Array(Type.String(), { description });

export const CreateInput = Type.Object(
  {
    ...QueueInput,
    phoneNumber: Phone,
    customerName: Type.Optional(Type.String({ maxLength: 200 })),
    desiredTime: Type.Optional(Time('When to call back; absent = immediate callback')),
    timezone: Type.Optional(Zone),
    priority: Type.Optional(Type.Integer({ minimum: -25_000_000, maximum: 25_000_000, description: 'Routing priority (default: the queue’s)' })),
    waitedSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 86_400, description: 'Seconds the caller already waited before asking for a callback: age-mode priority aging counts from that earlier moment' }),
    ),
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Replays of the same key on the same queue get the first answer' })),
    conversationId: Type.Optional(Type.String({ maxLength: 100, description: 'The IVR conversation asking, for the record' })),
    acceptNearest: Type.Optional(Type.Boolean({ description: 'If the slot is full, book the nearest later free slot instead' })),
    defaultCountry: Type.Optional(Type.String({ maxLength: 10, description: 'ISO country for a national-format number' })),
    userData: Type.Optional(Type.String({ maxLength: 65_536, description: 'JSON text of a flat string map (≤ 50 keys, values ≤ 1,024 chars), passed to Genesys as participant data' })),
    skills: Type.Optional(Type.String({ maxLength: 4_000, description: 'Comma-separated Genesys routing skills, names or ids (≤ 20); names are resolved to ids' })),
    language: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Genesys routing language, name or id' })),
    preferredAgentIds: Type.Optional(Type.String({ maxLength: 2_000, description: 'Comma-separated Genesys user ids of preferred agents (≤ 20)' })),
    ownerAgentId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Genesys user id of the agent who owns the callback (the queue must take agent-owned callbacks)' })),
    ownershipHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720, description: 'How long the owner keeps it (1 hour to 30 days; default: the queue’s defaultOwnershipHours), from the scheduled time (or now)' })),
    callerId: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'The number the customer sees when called back' })),
    callerIdName: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The name the customer sees when called back' })),
    scriptId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Genesys script for the agent (overrides the queue’s scriptId)' })),
    routingLabel: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Genesys routing label' })),
    preserveOriginal: Type.Optional(
      Type.Boolean({ description: 'With conversationId: take the skills, language and priority the IVR conversation has in Genesys (where the create names none)' }),
    ),
    deviceToken: Type.Optional(Type.String({ minLength: 1, maxLength: 4_096, description: 'The customer’s app: its FCM registration token, for push notifications about this callback (never answered)' })),
    devicePlatform: Type.Optional(Type.String({ enum: [...DEVICE_PLATFORMS], description: 'With deviceToken: the app’s platform' })),
  },
  {
    additionalProperties: false,
    examples: [{ queue: EXAMPLE_QUEUE, phoneNumber: EXAMPLE_PHONE, customerName: 'Ada Lovelace', desiredTime: EXAMPLE_TIME, timezone: 'America/New_York', userData: '{"reason":"billing"}' }],
  },
);
export type CreateInput = Static<typeof CreateInput>;

const CallbackFields = {
  callbackId: Type.String(),
  state: Type.String({ description: `${CALLBACK_STATES.slice(0, -1).join(', ')} or ${CALLBACK_STATES.at(-1)} ("" if none)` }),
  scheduledTime: Utc,
  scheduledTimeLocal: Type.String(),
  phoneE164: Type.String(),
};

/** Shared by open-for and queue-status. */
export const ImmediateOfferOpenForSeconds = Type.Integer({
  description: 'Immediate offer hours: -1 when the queue has none, 0 outside them (or outside business hours), else seconds until they (or the business hours) close',
});
export const ClosedReason = Type.String({ description: 'Why the queue is closed in an emergency ("" when it is not)' });

export const CreateOutput = Type.Object({
  outcome: Type.String({ enum: [...CREATE_OUTCOMES] }),
  created: Type.Boolean(),
  replayed: Type.Boolean({ description: 'True when this repeats the first answer to the idempotency key' }),
  ...CallbackFields,
  alternativeSlots: Strings('Up to 3 free slots nearest the desired time (UTC), on refusals about time'),
  alternativeSlotsLocal: Strings('The same, local'),
  message: Type.String(),
  closedReason: ClosedReason,
  manageToken: Type.Optional(
    Type.String({
      description: 'Only for a create through a publishable key that created the callback (also on its replay): the customer’s token for /public/v1/callbacks/{callbackId}',
      [NOT_FOR_FLOWS]: true,
    }),
  ),
});

export const LookupInput = Type.Object(
  { ...QueueInput, phoneNumber: Phone, defaultCountry: Type.Optional(Type.String({ maxLength: 10 })), timezone: Type.Optional(Zone) },
  { additionalProperties: false, examples: [{ queue: EXAMPLE_QUEUE, phoneNumber: EXAMPLE_PHONE }] },
);
export type LookupInput = Static<typeof LookupInput>;
export const LookupOutput = Type.Object({ found: Type.Boolean(), count: Type.Integer({ description: 'Pending callbacks of this number' }), ...CallbackFields });

export const CancelInput = Type.Object(
  { callbackId: Type.Optional(Id), ...QueueInput, phoneNumber: Type.Optional(Phone), defaultCountry: Type.Optional(Type.String({ maxLength: 10 })) },
  {
    additionalProperties: false,
    description: 'callbackId, or queue + phoneNumber (cancels that number’s soonest pending callback)',
    examples: [{ queue: EXAMPLE_QUEUE, phoneNumber: EXAMPLE_PHONE }],
  },
);
export type CancelInput = Static<typeof CancelInput>;
export const CancelOutput = Type.Object({
  outcome: Type.String({ enum: ['CANCELLED', 'NOT_FOUND', 'NOT_CANCELLABLE', 'ALREADY_COMPLETED'] }),
  callbackId: Type.String(),
  message: Type.String(),
});

export const RescheduleInput = Type.Object(
  { callbackId: Id, desiredTime: Time('The new time'), timezone: Type.Optional(Zone), acceptNearest: Type.Optional(Type.Boolean()) },
  // Put the callbackId of a created callback here; an unknown id answers outcome NOT_FOUND.
  { additionalProperties: false, examples: [{ callbackId: '00000000-0000-4000-8000-000000000000', desiredTime: EXAMPLE_TIME, acceptNearest: true }] },
);
export type RescheduleInput = Static<typeof RescheduleInput>;
export const RescheduleOutput = Type.Object({
  outcome: Type.String({ enum: [...CREATE_OUTCOMES.filter((o) => !['CREATED', 'DUPLICATE', 'INVALID_NUMBER', 'COUNTRY_NOT_PERMITTED', 'BLOCKED_PATTERN', 'BLOCKED_NUMBER_TYPE', 'IMMEDIATE_DISABLED', 'QUEUE_CLOSED', 'WAIT_TOO_LONG', 'QUEUE_FULL', 'THROTTLED', 'NUMBER_LIMIT'].includes(o)), 'RESCHEDULED', 'NOT_FOUND', 'NOT_RESCHEDULABLE'] }),
  ...CallbackFields,
  alternativeSlots: Strings('Up to 3 free slots nearest the desired time (UTC)'),
  alternativeSlotsLocal: Strings('The same, local'),
  message: Type.String(),
});

export const QueueStatusInput = Type.Object({ ...QueueInput }, { additionalProperties: false, examples: [{ queue: EXAMPLE_QUEUE }] });
export const QueueStatusOutput = Type.Object({
  immediateEnabled: Type.Boolean(),
  scheduledEnabled: Type.Boolean(),
  offerImmediate: Type.Boolean({
    description: 'Immediate enabled and a create would take one now: open, not within the blackout before closing, inside the immediate offer hours, the estimated wait not above maxEwtSeconds, fewer waiting than maxWaitingCallbacks, not throttled, not closed in an emergency',
  }),
  offerScheduled: Type.Boolean({ description: 'Scheduled enabled, at least one free slot ahead, not throttled, not closed in an emergency' }),
  ewtSeconds: Type.Integer({ description: 'Estimated wait for callbacks from Genesys; -1 when unknown' }),
  waitingCallbacks: Type.Integer({ description: 'Callbacks queued or routing now' }),
  scheduledToday: Type.Integer({ description: 'Scheduled callbacks still to come today (queue’s zone)' }),
  immediateOfferOpenForSeconds: ImmediateOfferOpenForSeconds,
  throttled: Type.Boolean({ description: 'A throttle of the queue is reached: creates answer THROTTLED now' }),
  closedReason: ClosedReason,
});
