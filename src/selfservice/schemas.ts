import { Type, type Static } from 'typebox';
import { CancelOutput, RescheduleOutput } from '../callbacks/schemas.js';
import { EXAMPLE_TIME } from '../http/schemas.js';
import { CALLBACK_STATES, COMPLETION_REASONS } from '../vocabulary.js';

const Zone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone: for desiredTime without an offset, and for the local times in the answer (default: the queue’s)' });

/** The query a signed self-service link carries; nothing else may be in a GET's query. */
export const StatusQuery = Type.Object(
  {
    exp: Type.Optional(Type.Integer({ minimum: 0, maximum: 4_102_444_800, description: 'Signed link: when it stops working (Unix seconds)' })),
    sig: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Signed link: HMAC-SHA256 of the callback id and exp (base64url)' })),
  },
  { additionalProperties: false },
);
export type StatusQuery = Static<typeof StatusQuery>;

export const PublicStatusOutput = Type.Object({
  callbackId: Type.String(),
  type: Type.String({ enum: ['immediate', 'scheduled'] }),
  state: Type.String({ enum: [...CALLBACK_STATES] }),
  completionReason: Type.String({ description: `${COMPLETION_REASONS.join(', ')}; "" until completed` }),
  scheduledTime: Type.String({ description: 'UTC ISO-8601 ("" for an immediate callback)' }),
  scheduledTimeLocal: Type.String({ description: 'The same in the queue’s zone, with its offset' }),
  timezone: Type.String({ description: 'The queue’s zone' }),
  queueName: Type.String(),
  position: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
    description: 'While waiting (QUEUED, ROUTING): place among the queue’s waiting callbacks, 1 = next (priority, then longest waiting); null otherwise',
  }),
  ewtSeconds: Type.Integer({ description: 'While waiting: the queue’s estimated wait for callbacks from Genesys; -1 when unknown or not waiting' }),
  canCancel: Type.Boolean({ description: 'SCHEDULED, QUEUED or ROUTING: a cancel would succeed now' }),
  canReschedule: Type.Boolean({ description: 'A scheduled callback not yet due: a reschedule may move it' }),
});

export const PublicCancelOutput = CancelOutput;

export const PublicRescheduleInput = Type.Object(
  {
    desiredTime: Type.String({ minLength: 1, maxLength: 64, description: 'The new time (a slot start from the availability)' }),
    timezone: Type.Optional(Zone),
    acceptNearest: Type.Optional(Type.Boolean({ description: 'If the slot is full, take the nearest later free slot' })),
  },
  { additionalProperties: false, examples: [{ desiredTime: EXAMPLE_TIME, acceptNearest: true }] },
);
export type PublicRescheduleInput = Static<typeof PublicRescheduleInput>;
export const PublicRescheduleOutput = RescheduleOutput;

export const PublicAvailabilityQuery = Type.Object(
  {
    start: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Earliest slot start, ISO-8601 (default now)' })),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 30, description: 'Days to search from start' })),
    maxSlots: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
    timezone: Type.Optional(Zone),
  },
  { additionalProperties: false },
);
export type PublicAvailabilityQuery = Static<typeof PublicAvailabilityQuery>;
