import { Type, type Static } from 'typebox';
import { updateBodyOf } from '../http/patch.js';
import { IsoTime, NullableUuid, Uuid, VisibleText } from '../http/schemas.js';
import { SLOT_DURATIONS } from '../slots/engine.js';
import { NOTIFICATION_TYPES } from '../vocabulary.js';

const NullableString = (max: number, description: string) => Type.Union([VisibleText(max), Type.Null()], { description });

const Throttle = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100_000, description: 'Callbacks created at most in the window' }),
    windowMinutes: Type.Integer({ minimum: 1, maximum: 1440, description: 'The trailing window, minutes' }),
  },
  { additionalProperties: false },
);

/** Every queue setting with its default. */
const settings = {
  genesysQueueId: NullableString(100, 'Genesys Cloud queue id callbacks are delivered to'),
  timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone of the queue (local times in answers)' }),
  businessHoursId: NullableUuid('Business hours; none = open around the clock'),
  immediateEnabled: Type.Boolean({ default: true }),
  scheduledEnabled: Type.Boolean({ default: true }),
  slotDurationMinutes: Type.Integer({ enum: [...SLOT_DURATIONS], default: 15, description: 'Minutes per slot (divides 60, or 120)' }),
  slotCapacity: Type.Integer({ minimum: 0, maximum: 100_000, default: 5, description: 'Scheduled callbacks per slot when no capacity rule is assigned' }),
  capacityRuleId: NullableUuid('Capacity rule overriding slotCapacity'),
  numberRuleId: NullableUuid('Number rule used to screen callback numbers'),
  prioritizationPolicyId: NullableUuid('Priority aging for callbacks waiting in this queue'),
  callbackRetryPolicyId: NullableUuid('Retries for callbacks nobody answered (a callback retry policy); none = one attempt'),
  maxDaysAhead: Type.Integer({ minimum: 1, maximum: 30, default: 30, description: 'How far ahead a callback may be scheduled' }),
  immediateBlackoutMinutes: Type.Integer({ minimum: 0, maximum: 1440, default: 0, description: 'No immediate callbacks this close to closing time' }),
  purgeAfterMinutes: Type.Union([Type.Integer({ minimum: 1, maximum: 43_200 }), Type.Null()], { default: null, description: 'Purge callbacks not handled within this time (after the request, or after the scheduled time)' }),
  purgeAtClose: Type.Boolean({ default: false, description: 'Purge callbacks not handled by the end of the business day they were due in' }),
  maxPendingPerNumber: Type.Integer({ minimum: 1, maximum: 100, default: 1, description: 'Pending callbacks one number may hold in this queue' }),
  defaultPriority: Type.Integer({ minimum: -25_000_000, maximum: 25_000_000, default: 0 }),
  scriptId: NullableString(100, 'Genesys script shown to agents'),
  defaultCountry: Type.Union([Type.String({ pattern: '^[A-Za-z]{2}$' }), Type.Null()], { default: null, description: 'ISO country for national-format numbers' }),
  immediateOfferHoursId: NullableUuid('Business hours inside the queue’s own outside which no immediate callback is offered; none = the queue’s hours alone'),
  maxEwtSeconds: Type.Union([Type.Integer({ minimum: 1, maximum: 86_400 }), Type.Null()], {
    default: null,
    description: 'No immediate callback while Genesys’ estimated wait for callbacks is above this (an unknown wait does not refuse)',
  }),
  maxWaitingCallbacks: Type.Union([Type.Integer({ minimum: 1, maximum: 100_000 }), Type.Null()], { default: null, description: 'No immediate callback while this many are queued or routing' }),
  throttles: Type.Array(Throttle, { maxItems: 5, default: [], description: 'At most `limit` callbacks created in the queue in any trailing `windowMinutes` (e.g. 50 per 10 minutes and 200 per 60)' }),
  maxPerNumberPerDay: Type.Union([Type.Integer({ minimum: 1, maximum: 100 }), Type.Null()], { default: null, description: 'Callbacks one number may get created in this queue per local day of the queue' }),
  emergencyClosed: Type.Boolean({ default: false, description: 'Closed in an emergency: nothing is offered and every create answers QUEUE_CLOSED with closedReason' }),
  closedReason: NullableString(500, 'Why the queue is closed; required in the change that sets emergencyClosed'),
  ownedCallbacksEnabled: Type.Boolean({ default: false, description: 'Creates may name an ownerAgentId: an agent-owned callback that waits for that agent' }),
  defaultOwnershipHours: Type.Integer({ minimum: 1, maximum: 720, default: 24, description: 'How long an agent owns a callback when the create names no ownershipHours (1 hour to 30 days)' }),
  ownershipExpiry: Type.Enum(['queue', 'disconnect'], { default: 'queue', description: 'At the end of ownership: queue = the callback loses its owner and routes to the queue; disconnect = it is cancelled' }),
  upcomingMinutes: Type.Union([Type.Integer({ minimum: 1, maximum: 1440 }), Type.Null()], {
    default: null,
    description: 'CALLBACK_UPCOMING threshold: sent once when an immediate callback’s estimated wait drops to this many minutes, or this many minutes before a scheduled callback’s time; null = never',
  }),
  callInGroupId: NullableUuid('Delayed call-in: callbacks of this queue are never dialed; when one’s turn comes the customer is handed a number and code of this call-in group to call (CALLBACK_READY). None = callbacks are dialed'),
  callInExpiryMinutes: Type.Integer({ minimum: 1, maximum: 1440, default: 10, description: 'Delayed call-in: how long a customer told to call has to call before the callback expires' }),
  smsSender: Type.Union([Type.String({ pattern: '^(\\+[1-9][0-9]{6,14}|[0-9]{3,8})$' }), Type.Null()], { default: null, description: 'The org’s SMS number (E.164) or short code (3–8 digits) customers are texted from; none = no SMS' }),
  smsTemplates: Type.Object(Object.fromEntries(NOTIFICATION_TYPES.map((t) => [t, Type.Optional(Type.String({ minLength: 1, maxLength: 612 }))])) as Record<(typeof NOTIFICATION_TYPES)[number], ReturnType<typeof Type.Optional<ReturnType<typeof Type.String>>>>, {
    additionalProperties: false,
    default: {},
    description: 'SMS text per notification type (a type without one is not texted); placeholders {queueName}, {localTime}, {date}, {link}, {customerName}; for CALLBACK_READY (delayed call-in) {callInNumber} and {accessCode}',
  }),
};

const Name = VisibleText(100, 'Unique; flows name the queue by it');

export const CreateQueueBody = Type.Object(
  {
    name: Name,
    timezone: settings.timezone,
    ...Object.fromEntries(Object.entries(settings).filter(([k]) => k !== 'timezone').map(([k, v]) => [k, Type.Optional(v)])),
  } as { name: typeof Name; timezone: typeof settings.timezone } & { [K in Exclude<keyof typeof settings, 'timezone'>]: ReturnType<typeof Type.Optional<(typeof settings)[K]>> },
  { additionalProperties: false, examples: [{ name: 'Billing', timezone: 'America/New_York', genesysQueueId: 'billing-genesys-queue', slotDurationMinutes: 30, defaultCountry: 'US' }] },
);
export type CreateQueueBody = Static<typeof CreateQueueBody>;

export const UpdateQueueBody = updateBodyOf(CreateQueueBody, { examples: [{ slotCapacity: 8, immediateBlackoutMinutes: 30 }] });
export type UpdateQueueBody = Static<typeof UpdateQueueBody>;

export const Queue = Type.Object({ id: Uuid, name: Type.String(), ...settings, createdAt: IsoTime, updatedAt: IsoTime }, { title: 'Queue' });
export type Queue = Static<typeof Queue>;
