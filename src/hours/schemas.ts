import { Type, type Static } from 'typebox';
import { updateBodyOf } from '../http/patch.js';
import { IsoTime, Uuid, VisibleText } from '../http/schemas.js';
import { WEEKDAYS } from '../slots/engine.js';

const Hhmm = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$', description: "Local time 'HH:mm'; '24:00' only as an end" });
export const Interval = Type.Object({ start: Hhmm, end: Hhmm }, { additionalProperties: false });

export const Weekly = Type.Object(
  Object.fromEntries(WEEKDAYS.map((d) => [d, Type.Optional(Type.Array(Interval, { maxItems: 48 }))])) as Record<
    (typeof WEEKDAYS)[number],
    ReturnType<typeof Type.Optional<ReturnType<typeof Type.Array<typeof Interval>>>>
  >,
  { additionalProperties: false, description: 'Open intervals per weekday, in the hours’ time zone; a missing day is closed' },
);

export const DateException = Type.Object(
  {
    date: Type.String({ format: 'date', description: 'YYYY-MM-DD (local)' }),
    closed: Type.Boolean({ default: false, description: 'Closed all day' }),
    intervals: Type.Array(Interval, { maxItems: 48, default: [], description: 'Special hours replacing the weekday’s' }),
  },
  { additionalProperties: false },
);

const Name = VisibleText(100);
const Zone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin' });

export const CreateHoursBody = Type.Object(
  { name: Name, timezone: Zone, weekly: Weekly, exceptions: Type.Optional(Type.Array(DateException, { maxItems: 2000 })) },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'Office hours',
        timezone: 'America/New_York',
        weekly: Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, [{ start: '09:00', end: '17:00' }]])),
        exceptions: [{ date: '2030-12-25', closed: true, intervals: [] }],
      },
    ],
  },
);
export type CreateHoursBody = Static<typeof CreateHoursBody>;

export const UpdateHoursBody = updateBodyOf(CreateHoursBody, { examples: [{ exceptions: [{ date: '2030-12-24', closed: false, intervals: [{ start: '09:00', end: '12:00' }] }] }] });
export type UpdateHoursBody = Static<typeof UpdateHoursBody>;

export const QueueRef = Type.Object({ id: Uuid, name: Type.String() });

export const BusinessHours = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    timezone: Type.String(),
    weekly: Weekly,
    exceptions: Type.Array(DateException),
    queues: Type.Array(QueueRef, { description: 'Queues using these hours' }),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { title: 'BusinessHours' },
);
