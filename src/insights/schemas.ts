import { Type, type Static } from 'typebox';
import { IdParams, IsoTime, Nullable, Uuid } from '../http/schemas.js';
import { SLOT_DURATIONS } from '../slots/engine.js';

export const QueueOverviewItem = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    genesysQueueId: Nullable(Type.String()),
    timezone: Type.String(),
    open: Type.Boolean({ description: 'Open now (business hours)' }),
    closesAt: Nullable(IsoTime, 'When open: the coming close (null: open around the clock)'),
    nextOpen: Nullable(IsoTime, 'The next opening after now (after the coming close, when open)'),
    waitingCallbacks: Type.Integer({ description: 'Callbacks waiting in the queue (as queue-status counts them)' }),
    scheduledToday: Type.Integer({ description: 'Callbacks scheduled for the rest of today (queue time zone)' }),
    ewtSeconds: Nullable(Type.Integer(), 'Genesys estimated wait for callbacks; null when Genesys is not configured or cannot tell'),
    immediateEnabled: Type.Boolean(),
    scheduledEnabled: Type.Boolean(),
    offerImmediate: Type.Boolean(),
    offerScheduled: Type.Boolean(),
    throttled: Type.Boolean({ description: 'A throttle of the queue is reached (creates answer THROTTLED)' }),
    closedReason: Nullable(Type.String(), 'Why the queue is closed in an emergency; null when it is not'),
    slotDurationMinutes: Type.Integer(),
    slotCapacity: Type.Integer(),
    businessHoursId: Nullable(Uuid),
    capacityRuleId: Nullable(Uuid),
    numberRuleId: Nullable(Uuid),
    prioritizationPolicyId: Nullable(Uuid),
  },
  { title: 'QueueOverview' },
);
export const QueueOverview = Type.Object({ items: Type.Array(QueueOverviewItem), at: IsoTime });

export const UtilizationQuery = Type.Object(
  { days: Type.Integer({ minimum: 1, maximum: 31, default: 14, description: 'Local days from today (1 to 31)' }) },
  { additionalProperties: false },
);
export const UtilizationSlot = Type.Object({
  start: IsoTime,
  localStart: Type.String({ description: 'Local start with its offset, in the grid zone' }),
  capacity: Type.Integer(),
  booked: Type.Integer(),
});
export const Utilization = Type.Object(
  {
    queueId: Uuid,
    queueName: Type.String(),
    timezone: Type.String({ description: 'The grid zone: the business hours’ zone, or the queue’s' }),
    slotDurationMinutes: Type.Integer(),
    days: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), slots: Type.Array(UtilizationSlot) })),
  },
  { title: 'Utilization' },
);

export const PreviewParams = IdParams;
export const PreviewQuery = Type.Object(
  {
    date: Type.String({ format: 'date', description: 'Local date YYYY-MM-DD' }),
    slotDurationMinutes: Type.Integer({ enum: [...SLOT_DURATIONS], default: 15, description: 'Slot length of the grid' }),
  },
  { additionalProperties: false },
);
export type PreviewQuery = Static<typeof PreviewQuery>;
export const HoursPreview = Type.Object(
  {
    date: Type.String({ format: 'date' }),
    timezone: Type.String(),
    weekday: Type.String(),
    intervals: Type.Array(Type.Object({ start: Type.String(), end: Type.String() }), { description: 'Open intervals of the date (its exception, recurring rule or holiday, or its weekday)' }),
    exception: Type.Boolean({ description: 'A date exception decides this date' }),
    special: Type.Union(
      [
        Type.Object({
          source: Type.Enum(['exception', 'recurring', 'calendar']),
          name: Type.Union([Type.String(), Type.Null()]),
          calendar: Type.Union([Type.String(), Type.Null()]),
        }),
        Type.Null(),
      ],
      { description: 'What decides the date when it is not its weekday: an exception, a recurring rule or a public holiday' },
    ),
    offsetTransitions: Type.Array(IsoTime, { description: 'UTC-offset changes (DST) during the date' }),
    slots: Type.Array(Type.Object({ start: IsoTime, end: IsoTime, localStart: Type.String() })),
  },
  { title: 'HoursPreview' },
);

export const GenesysStatus = Type.Object(
  {
    gateway: Type.Enum(['sdk', 'simulated'], { description: 'sdk: the real Platform API; simulated: the embedded default (calls are recorded, not sent)' }),
    lastErrors: Type.Array(
      Type.Object({
        callbackId: Uuid,
        queueName: Type.String(),
        deliveryStatus: Type.String(),
        deliveryAttempts: Type.Integer(),
        error: Type.String(),
        at: IsoTime,
      }),
      { description: 'Latest delivery errors Genesys answered, newest first (at most 50)' },
    ),
  },
  { title: 'GenesysStatus' },
);

export const ConversionQuery = Type.Object(
  { to: Type.Enum(['hour', 'halfHour'], { description: 'The timeslot length to convert to' }) },
  { additionalProperties: false },
);
const CellList = Type.Array(Type.Object({ day: Type.String(), cell: Type.String(), capacity: Type.Integer() }));
export const ConversionPreview = Type.Object(
  {
    from: Type.String(),
    to: Type.String(),
    cells: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer()), { description: 'The cells the rule would have after the change' }),
    kept: CellList,
    added: Type.Array(Type.Object({ day: Type.String(), cell: Type.String(), capacity: Type.Integer() }), { description: 'Half-hour cells copied from their hour' }),
    dropped: Type.Array(Type.Object({ day: Type.String(), cell: Type.String(), capacity: Type.Integer() }), { description: 'Half-hour cells the hourly rule loses' }),
  },
  { title: 'CapacityConversionPreview' },
);
