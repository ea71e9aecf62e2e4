import { Type, type Static } from 'typebox';
import { EXAMPLE_QUEUE, EXAMPLE_TIME, IsoTime, Nullable, PageLimit, TimeFilter, Uuid } from '../http/schemas.js';
import { QueueInput } from '../queues/resolve.js';
import { ACTOR_KINDS, ATTEMPT_OUTCOMES, CALLBACK_STATES, DELIVERY_STATUSES } from '../vocabulary.js';
import { CreateOutput, RescheduleOutput } from './schemas.js';

const State = Type.Enum(CALLBACK_STATES);
const Delivery = Type.Enum(DELIVERY_STATUSES);

export const DeskFilter = Type.Object(
  {
    state: Type.Optional(State),
    queue: QueueInput.queue,
    queueId: Type.Optional(Uuid),
    from: Type.Optional(TimeFilter('Scheduled (or created, for immediate) at or after')),
    to: Type.Optional(TimeFilter('...and before')),
    phone: Type.Optional(Type.String({ maxLength: 40, description: 'E.164 number (digits are enough)' })),
    deliveryStatus: Type.Optional(Delivery),
  },
  { additionalProperties: false },
);
export type DeskFilter = Static<typeof DeskFilter>;

export const DeskQuery = Type.Object(
  {
    ...DeskFilter.properties,
    limit: PageLimit,
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

export const CallbackView = Type.Object(
  {
    id: Uuid,
    queueId: Uuid,
    queueName: Type.String(),
    type: Type.Enum(['immediate', 'scheduled']),
    state: State,
    completionReason: Nullable(Type.String()),
    phoneE164: Type.String(),
    customerName: Nullable(Type.String()),
    desiredTime: Nullable(IsoTime),
    scheduledTime: Nullable(IsoTime),
    priority: Type.Integer(),
    ivrConversationId: Nullable(Type.String()),
    genesysConversationId: Nullable(Type.String({ description: 'The current attempt’s conversation (earlier attempts’ are in `attempts`)' })),
    attempt: Type.Integer({ minimum: 1, description: 'The current attempt (1-based): more than 1 once a callback retry policy tried again' }),
    deliveryStatus: Delivery,
    deliveryAttempts: Type.Integer(),
    deliveryError: Nullable(Type.String()),
    userData: Type.Record(Type.String(), Type.String()),
    idempotencyKey: Nullable(Type.String()),
    createdBy: Type.String(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    completedAt: Nullable(IsoTime),
    hasDevice: Type.Boolean({ description: 'Whether the customer’s app registered for push notifications (the token itself is never shown)' }),
    routing: Type.Object(
      {
        skills: Type.Array(Type.String(), { description: 'Genesys routing skill ids (a name not resolved yet stays a name until delivery)' }),
        language: Nullable(Type.String({ description: 'Genesys routing language id (or a name not resolved yet)' })),
        preferredAgentIds: Type.Array(Type.String()),
        label: Nullable(Type.String()),
        ownerAgentId: Nullable(Type.String({ description: 'The agent who owns the callback (agent-owned callbacks)' })),
        ownershipEndsAt: Nullable(IsoTime),
        callerId: Nullable(Type.String()),
        callerIdName: Nullable(Type.String()),
        scriptId: Nullable(Type.String({ description: 'The callback’s own script (else the queue’s)' })),
      },
      { description: 'What the callback was created with for routing in Genesys' },
    ),
  },
  { title: 'Callback' },
);

export const HistoryEntry = Type.Object({
  at: IsoTime,
  actor: Type.String(),
  actorKind: Nullable(Type.Enum(ACTOR_KINDS), 'An API client, a person (console user) or the service itself (null on entries older than the kind)'),
  actorName: Nullable(Type.String({ description: "The actor's name when it acted (null on entries older than names that could not be recovered)" })),
  event: Type.String(),
  fromState: Nullable(Type.String()),
  toState: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  detail: Type.Unknown(),
});

export const AttemptEntry = Type.Object({
  attempt: Type.Integer(),
  conversationId: Nullable(Type.String()),
  startedAt: IsoTime,
  endedAt: IsoTime,
  wrapUpCode: Nullable(Type.String()),
  outcome: Type.String({ enum: [...ATTEMPT_OUTCOMES] }),
  source: Type.String({ description: 'What ended it: wrapup, user.end, ...' }),
  retryAt: Nullable(IsoTime),
});

export const CallbackWithHistory = Type.Object(
  { ...CallbackView.properties, history: Type.Array(HistoryEntry), attempts: Type.Array(AttemptEntry, { description: 'Ended attempts, first first (a queue with a callback retry policy records them)' }) },
  { title: 'CallbackWithHistory' },
);
export const CallbackPage = Type.Object({ items: Type.Array(CallbackView), nextCursor: Nullable(Type.String()) });

export const BulkCancelBody = Type.Object(
  {
    ids: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 1_000 })),
    filter: Type.Optional(DeskFilter),
    all: Type.Optional(Type.Boolean({ description: 'true: cancel with a filter naming no queue and no time range (every queue, any time)' })),
    dryRun: Type.Optional(Type.Boolean({ description: 'true: cancel nothing, answer the report a real run would give' })),
  },
  {
    additionalProperties: false,
    description: 'Either ids, or a filter ("all in this filter", at most 10,000) naming a queue or a time range (from/to), or with "all": true',
    examples: [{ filter: { queue: EXAMPLE_QUEUE, state: 'SCHEDULED' }, dryRun: true }],
  },
);
export type BulkCancelBody = Static<typeof BulkCancelBody>;

export const BulkCancelReport = Type.Object({
  dryRun: Type.Boolean({ description: 'true: nothing was cancelled; cancelled and cancelledIds are what a real run would cancel' }),
  matched: Type.Integer(),
  cancelled: Type.Integer(),
  cancelledIds: Type.Array(Uuid),
  skipped: Type.Array(Type.Object({ callbackId: Type.String(), reason: Type.String({ enum: ['NOT_CANCELLABLE', 'ALREADY_COMPLETED', 'NOT_FOUND', 'FORBIDDEN'] }) })),
});

export const DeskCancelOutput = Type.Object({ outcome: Type.String(), callbackId: Type.String(), message: Type.String() });
export const DeskRescheduleBody = Type.Object(
  { desiredTime: Type.String({ minLength: 1, maxLength: 64 }), timezone: Type.Optional(Type.String({ maxLength: 64 })), acceptNearest: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, examples: [{ desiredTime: EXAMPLE_TIME, acceptNearest: true }] },
);
export const RecreateBody = Type.Object(
  { desiredTime: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Absent: an immediate callback' })), timezone: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false, examples: [{ desiredTime: EXAMPLE_TIME }] },
);
export { CreateOutput, RescheduleOutput };
