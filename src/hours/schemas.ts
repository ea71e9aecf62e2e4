import { Type, type Static } from 'typebox';
import { updateBodyOf } from '../http/patch.js';
import { IsoTime, Uuid, VisibleText } from '../http/schemas.js';
import { HOLIDAY_TYPES, WEEKDAYS } from '../slots/engine.js';

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

export const RecurringRule = Type.Object(
  {
    name: VisibleText(100),
    month: Type.Integer({ minimum: 1, maximum: 12, description: 'Month 1..12' }),
    day: Type.Optional(Type.Integer({ minimum: 1, maximum: 31, description: 'A fixed day of the month (29 February: leap years only)' })),
    weekday: Type.Optional(Type.Enum(WEEKDAYS, { description: 'With nth: the nth such weekday of the month' })),
    nth: Type.Optional(Type.Integer({ minimum: -1, maximum: 5, description: '1..5, or -1 for the last; a year without a fifth one skips the rule' })),
    closed: Type.Boolean({ default: false, description: 'Closed all day' }),
    intervals: Type.Array(Interval, { maxItems: 48, default: [], description: 'Special hours replacing the weekday’s' }),
  },
  { additionalProperties: false, description: 'Every year: a fixed date (month, day) or the nth/last weekday of a month (month, weekday, nth)' },
);

export const HolidayCalendar = Type.Object(
  {
    country: Type.String({ minLength: 2, maxLength: 3, description: 'ISO 3166-1 alpha-2 country code, e.g. US (GET /admin/v1/holiday-calendars lists them)' }),
    state: Type.Optional(Type.String({ minLength: 1, maxLength: 10, description: 'State or province code, e.g. CA' })),
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 10, description: 'Region of the state' })),
    types: Type.Optional(
      Type.Array(Type.Enum(HOLIDAY_TYPES), { minItems: 1, maxItems: HOLIDAY_TYPES.length, description: 'Holiday types that close the day (default: public)' }),
    ),
  },
  { additionalProperties: false, description: 'Public holidays of a country, state or region (date-holidays data): each closes the day unless an exception or recurring rule says otherwise' },
);

const Name = VisibleText(100);
const Zone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin' });

export const CreateHoursBody = Type.Object(
  {
    name: Name,
    timezone: Zone,
    weekly: Weekly,
    exceptions: Type.Optional(Type.Array(DateException, { maxItems: 2000, description: 'Per-date overrides: they win over recurring rules and holiday calendars' })),
    recurring: Type.Optional(Type.Array(RecurringRule, { maxItems: 200, description: 'Yearly special days: they win over holiday calendars' })),
    holidayCalendars: Type.Optional(Type.Array(HolidayCalendar, { maxItems: 10, description: 'Public-holiday calendars: a holiday closes the day' })),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'Office hours',
        timezone: 'America/New_York',
        weekly: Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, [{ start: '09:00', end: '17:00' }]])),
        exceptions: [{ date: '2030-11-28', closed: false, intervals: [{ start: '09:00', end: '12:00' }] }],
        recurring: [
          { name: 'Company day', month: 6, day: 15, closed: true, intervals: [] },
          { name: 'Short Friday', month: 11, weekday: 'friday', nth: -1, closed: false, intervals: [{ start: '09:00', end: '13:00' }] },
        ],
        holidayCalendars: [{ country: 'US', state: 'NY' }],
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
    recurring: Type.Array(RecurringRule),
    holidayCalendars: Type.Array(HolidayCalendar),
    queues: Type.Array(QueueRef, { description: 'Queues using these hours' }),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { title: 'BusinessHours' },
);

const Source = Type.Union([Type.Literal('exception'), Type.Literal('recurring'), Type.Literal('calendar')], {
  description: 'exception (per-date override) > recurring (yearly rule) > calendar (public holiday)',
});

export const HolidaysQuery = Type.Object(
  { year: Type.Integer({ minimum: 1970, maximum: 2200, description: 'The year to list (local dates)' }) },
  { additionalProperties: false },
);

export const SpecialDates = Type.Object(
  {
    id: Uuid,
    year: Type.Integer(),
    timezone: Type.String(),
    dates: Type.Array(
      Type.Object({
        date: Type.String({ format: 'date' }),
        weekday: Type.String(),
        source: Source,
        name: Type.Union([Type.String(), Type.Null()], { description: 'The recurring rule’s or holiday’s name' }),
        calendar: Type.Union([Type.String(), Type.Null()], { description: 'The holiday’s calendar, e.g. US-CA' }),
        closed: Type.Boolean(),
        intervals: Type.Array(Interval),
        overrides: Type.Array(
          Type.Object({ source: Source, name: Type.Union([Type.String(), Type.Null()]), calendar: Type.Union([Type.String(), Type.Null()]) }),
          { description: 'Weaker special days of the same date this one replaces' },
        ),
      }),
      { description: 'Every special date of the year in force, in date order' },
    ),
  },
  { title: 'SpecialDates' },
);

export const CalendarsQuery = Type.Object(
  { country: Type.Optional(Type.String({ minLength: 2, maxLength: 3, description: 'List this country’s states (and their regions)' })) },
  { additionalProperties: false },
);

const Named = Type.Object({ code: Type.String(), name: Type.String() });

export const HolidayCalendars = Type.Object(
  {
    types: Type.Array(Type.String(), { description: 'Holiday types a calendar may close on' }),
    countries: Type.Array(Named, { description: 'Every country with a holiday calendar' }),
    country: Type.Optional(Type.String()),
    states: Type.Optional(Type.Array(Type.Object({ code: Type.String(), name: Type.String(), regions: Type.Array(Named) }), { description: 'The asked country’s states' })),
  },
  { title: 'HolidayCalendars' },
);
