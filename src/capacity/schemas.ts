import { Type, type Static } from 'typebox';
import { updateBodyOf } from '../http/patch.js';
import { IsoTime, Uuid, VisibleText } from '../http/schemas.js';
import { QueueRef } from '../hours/schemas.js';
import { WEEKDAYS } from '../slots/engine.js';

const DayCells = Type.Record(Type.String({ pattern: '^([01][0-9]|2[0-3]):(00|30)$' }), Type.Integer({ minimum: 0, maximum: 100_000 }), {
  description: "Cell start 'HH:00' (hourly) or 'HH:00'/'HH:30' (half-hourly) → scheduled callbacks allowed per slot",
});

/** A capacity statement: weekday → cell → capacity. Cells not listed have capacity 0. */
export const CapacityCells = Type.Object(
  Object.fromEntries(WEEKDAYS.map((d) => [d, Type.Optional(DayCells)])) as Record<(typeof WEEKDAYS)[number], ReturnType<typeof Type.Optional<typeof DayCells>>>,
  {
    additionalProperties: false,
    description: 'Weekly calendar, Sunday to Saturday; read in the queue’s business-hours time zone',
    examples: [{ monday: { '08:00': 10, '09:00': 10, '12:00': 15, '13:00': 15, '14:00': 10 } }],
  },
);

const TimeslotLength = Type.Enum(['hour', 'halfHour'], { description: 'Cell length of the calendar (not the slot duration)' });
const Name = VisibleText(100, 'Unique; cannot be changed after creation');

export const CreateRuleBody = Type.Object(
  { name: Name, timeslotLength: TimeslotLength, cells: Type.Optional(CapacityCells) },
  { additionalProperties: false, examples: [{ name: 'Weekday mornings', timeslotLength: 'hour', cells: { monday: { '09:00': 4, '10:00': 4, '11:00': 4 } } }] },
);
export type CreateRuleBody = Static<typeof CreateRuleBody>;

export const UpdateRuleBody = updateBodyOf(Type.Omit(CreateRuleBody, ['name']), {
  description:
    'Cells sent are merged into the rule cell by cell. Changing timeslotLength converts the existing cells first ' +
    '(hourly→half-hourly copies each HH:00 value to HH:30; half-hourly→hourly keeps HH:00 and drops HH:30).',
  examples: [{ cells: { tuesday: { '09:00': 6 } } }],
});
export type UpdateRuleBody = Static<typeof UpdateRuleBody>;

export const CapacityRule = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    timeslotLength: TimeslotLength,
    cells: CapacityCells,
    queues: Type.Array(QueueRef, { description: 'Queues this rule is assigned to' }),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { title: 'CapacityRule' },
);
