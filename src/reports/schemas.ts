import { Type, type Static } from 'typebox';
import { CREATE_OUTCOMES } from '../callbacks/answers.js';
import { EXAMPLE_QUEUE, IsoTime, Nullable, TimeFilter, Uuid } from '../http/schemas.js';
import { QueueInput } from '../queues/resolve.js';
import { COMPLETION_REASONS, OFFER_KINDS, OFFER_OUTCOMES, OFFER_RESULTS, REPORT_GROUPINGS } from '../vocabulary.js';

/** The longest range a summary covers, and the longest one grouped by hour. */
export const MAX_SUMMARY_DAYS = 800;
export const MAX_HOURLY_DAYS = 31;

// --- POST /actions/v1/offers

export const OfferInput = Type.Object(
  {
    ...QueueInput,
    conversationId: Type.String({ minLength: 1, maxLength: 100, description: 'The IVR conversation the offer was made in (Call.ConversationId)' }),
    offered: Type.String({ enum: [...OFFER_KINDS], description: 'What the flow offered: IMMEDIATE, SCHEDULED or BOTH' }),
    result: Type.String({ enum: [...OFFER_RESULTS], description: 'What the caller chose: ACCEPTED, DECLINED or NO_INPUT' }),
  },
  { additionalProperties: false, examples: [{ queue: EXAMPLE_QUEUE, conversationId: '0b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4', offered: 'BOTH', result: 'ACCEPTED' }] },
);
export type OfferInput = Static<typeof OfferInput>;

export const OfferOutput = Type.Object(
  {
    outcome: Type.String({ enum: [...OFFER_OUTCOMES], description: 'RECORDED, UPDATED (a stronger result replaced a weaker one), ALREADY_RECORDED (the same report again) or KEPT (nothing changed)' }),
    message: Type.String(),
    conversationId: Type.String(),
    queueName: Type.String({ description: 'The queue the offer is recorded in ("" when it is one the caller may not see)' }),
    offered: Type.String({ description: 'The recorded offer ("" when hidden)' }),
    result: Type.String({ description: 'The recorded result ("" when hidden)' }),
    reportedAt: Type.String({ description: 'When the offer was first reported (UTC, "" when hidden)' }),
  },
  { title: 'OfferAnswer' },
);
export type OfferOutput = Static<typeof OfferOutput>;

// --- GET /admin/v1/reports/summary

export const SummaryQuery = Type.Object(
  {
    from: Type.Optional(TimeFilter('Start of the period, inclusive (default: 7 days before `to`)')),
    to: Type.Optional(TimeFilter('End of the period, exclusive (default: now)')),
    queue: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        maxItems: 100,
        description: 'Queues to cover, by name, id or Genesys queue id (repeat the parameter for several); default: every queue the caller may use',
      }),
    ),
    groupBy: Type.String({ enum: [...REPORT_GROUPINGS], default: 'queue', description: 'One row per queue, per local day, or per local hour' }),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "IANA zone of the day and hour groups (default: each queue's own zone)" })),
  },
  { additionalProperties: false },
);
export type SummaryQuery = Static<typeof SummaryQuery>;

const Count = (description: string) => Type.Integer({ minimum: 0, description });
const Rate = (description: string) => Nullable(Type.Number({ minimum: 0 }), `${description} (null when there is nothing to divide by)`);
const countsOf = <K extends string>(keys: readonly K[], description: string) =>
  Type.Object(Object.fromEntries(keys.map((k) => [k, Type.Integer({ minimum: 0 })])) as Record<K, ReturnType<typeof Type.Integer>>, { description });

export const REFUSAL_OUTCOMES = CREATE_OUTCOMES.filter((o) => o !== 'CREATED');

/** One row of a summary: plain figures with the same keys on every row (an exporter's columns). */
export const SummaryRow = Type.Object(
  {
    group: Type.String({ description: 'The queue name, the local date (YYYY-MM-DD) or the local hour (YYYY-MM-DDTHH:00); "total" on the totals row' }),
    queueId: Nullable(Uuid, 'groupBy=queue: the queue'),
    queueName: Nullable(Type.String(), 'groupBy=queue: the queue'),
    offers: Count('Offers reported (POST /actions/v1/offers, or implied by a create with a conversationId)'),
    offersAccepted: Count('Offers whose caller accepted'),
    offersDeclined: Count('Offers whose caller declined'),
    offersNoInput: Count('Offers the caller did not answer'),
    offeredImmediate: Count('Offers of an immediate callback only'),
    offeredScheduled: Count('Offers of a scheduled callback only'),
    offeredBoth: Count('Offers of both'),
    acceptanceRate: Rate('offersAccepted / offers'),
    created: Count('Callbacks created'),
    createdImmediate: Count('Immediate callbacks created'),
    createdScheduled: Count('Scheduled callbacks created'),
    refused: Count('Create requests refused (answered with an outcome other than CREATED)'),
    refusals: countsOf(REFUSAL_OUTCOMES, 'Refused create requests by outcome'),
    completed: Count('Callbacks completed in the period'),
    completedByReason: countsOf(COMPLETION_REASONS, 'Completed callbacks by completion reason'),
    handled: Count('Completed HANDLED'),
    handledRate: Rate('handled / completed'),
    abandoned: Count('Completed ABANDONED'),
    purged: Count('Completed PURGED'),
    expired: Count('Completed EXPIRED'),
    noAnswer: Count('Completed NO_ANSWER'),
    connects: Count('Agent connects (an agent alerted on the callback: user.start) in the period'),
    connectWaitMedianSeconds: Nullable(Type.Number(), 'Median wait from the callback being due (created; scheduled time; retry time) to the agent connect'),
    connectWaitP90Seconds: Nullable(Type.Number(), '90th percentile of the same waits'),
    retries: Count('Retries (attempts after the first) of the callbacks completed HANDLED'),
    retriesPerHandled: Rate('retries / handled'),
    slotsBooked: Count('Places booked in the slots starting in the period'),
    slotsCapacity: Count('Capacity of the open slots starting in the period'),
    slotUtilization: Rate('slotsBooked / slotsCapacity'),
  },
  { title: 'ReportSummaryRow' },
);
export type SummaryRow = Static<typeof SummaryRow>;

export const Summary = Type.Object(
  {
    from: IsoTime,
    to: IsoTime,
    groupBy: Type.String({ enum: [...REPORT_GROUPINGS] }),
    timezone: Nullable(Type.String(), "The zone of the day and hour groups; null: each queue's own"),
    queues: Type.Array(Type.Object({ id: Uuid, name: Type.String(), timezone: Type.String() }), { description: 'The queues covered' }),
    rows: Type.Array(SummaryRow, { description: 'One row per group (queues by name, days and hours in order)' }),
    totals: SummaryRow,
    rolledUpThrough: Nullable(Type.String({ format: 'date' }), 'The last local day read from the daily rollups (older records are deleted); null: every figure is from live records'),
  },
  { title: 'ReportSummary' },
);
export type Summary = Static<typeof Summary>;
