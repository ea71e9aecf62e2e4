import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findHours } from '../src/hours/queries.js';
import { toSpec } from '../src/hours/service.js';
import { calendarHolidays, recurringDate, slotsForDay, slotsInRange, specialDay, type BusinessHoursSpec, type RecurringRule } from '../src/slots/engine.js';
import { holidayCacheSizes } from '../src/slots/holidays.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { WEEKDAYS_9_TO_5 } from './helpers/factories.js';

/** Business hours' special days: recurring yearly rules, public-holiday calendars, and their precedence. */

const clock = new TestClock(new Date('2027-01-04T12:00:00Z'));
let t: TestApp;
let admin: { authorization: string };
let actions: { authorization: string };
let monitor: { authorization: string };
beforeAll(async () => {
  t = await buildTestApp({ clock });
  admin = (await authHeader(t, ['administrator'])).headers;
  actions = (await authHeader(t, ['actions'])).headers;
  monitor = (await authHeader(t, ['monitor'])).headers;
});
afterAll(async () => t.close());

let n = 0;
const post = (url: string, payload: object, headers = admin) => t.app.inject({ method: 'POST', url, headers, payload });
const patch = (url: string, payload: object) => t.app.inject({ method: 'PATCH', url, headers: admin, payload });
const get = (url: string, headers = admin) => t.app.inject({ method: 'GET', url, headers });

async function hours(body: object): Promise<{ id: string }> {
  const res = await post('/admin/v1/business-hours', { name: `holiday-hours-${++n}`, timezone: 'America/New_York', weekly: WEEKDAYS_9_TO_5, ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}
async function queueWith(hoursId: string, extra: object = {}): Promise<string> {
  const name = `holiday-queue-${++n}`;
  const res = await post('/admin/v1/queues', { name, timezone: 'America/New_York', businessHoursId: hoursId, slotCapacity: 1, ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return name;
}
const openFor = async (queue: string, at: string) => (await post('/actions/v1/open-for', { queue, at }, actions)).json();
const preview = async (id: string, year: number) => {
  const res = await get(`/admin/v1/business-hours/${id}/holidays?year=${year}`, monitor);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { dates: { date: string; source: string; name: string | null; calendar: string | null; closed: boolean; intervals: unknown[]; overrides: { source: string; name: string | null }[] }[] };
};
const rule = (r: Partial<RecurringRule>): RecurringRule => ({ name: 'rule', month: 1, closed: true, intervals: [], ...r });

describe('recurring rules fall on their dates every year', () => {
  const years = (r: Partial<RecurringRule>) => [2026, 2027, 2028, 2029].map((y) => recurringDate(rule(r), y));

  it('a fixed date, the nth and the last weekday of a month', () => {
    expect(years({ month: 7, day: 4 })).toEqual(['2026-07-04', '2027-07-04', '2028-07-04', '2029-07-04']);
    expect(years({ month: 11, weekday: 'thursday', nth: 4 })).toEqual(['2026-11-26', '2027-11-25', '2028-11-23', '2029-11-22']);
    expect(years({ month: 5, weekday: 'monday', nth: -1 })).toEqual(['2026-05-25', '2027-05-31', '2028-05-29', '2029-05-28']);
    expect(years({ month: 3, weekday: 'sunday', nth: 2 })).toEqual(['2026-03-08', '2027-03-14', '2028-03-12', '2029-03-11']);
  });

  it('a year without the date skips the rule: 29 February, a fifth Friday', () => {
    expect(years({ month: 2, day: 29 })).toEqual([null, null, '2028-02-29', null]);
    expect(years({ month: 1, weekday: 'friday', nth: 5 })).toEqual(['2026-01-30', '2027-01-29', null, null]);
  });
});

describe('public-holiday calendars (date-holidays data)', () => {
  it('US 2027: Thanksgiving, and Independence Day on the Sunday with its substitute Monday', () => {
    const us = calendarHolidays({ country: 'US' }, 2027);
    expect(us.get('2027-11-25')).toBe('Thanksgiving Day');
    expect(us.get('2027-07-04')).toBe('Independence Day');
    expect(us.get('2027-07-05')).toBe('Independence Day (substitute day)');
    // Observances are not public holidays: the day after Thanksgiving stays a working day by default.
    expect(us.has('2027-11-26')).toBe(false);
    expect(calendarHolidays({ country: 'US', types: ['public', 'observance'] }, 2027).get('2027-11-26')).toBe('Day after Thanksgiving Day');
  });

  it('a closed US public holiday: open-for is closed on Thanksgiving 2027 and next opens Friday 09:00', async () => {
    const h = await hours({ holidayCalendars: [{ country: 'US' }] });
    const queue = await queueWith(h.id);
    const thanksgiving = await openFor(queue, '2027-11-25T15:00:00Z');
    expect(thanksgiving).toMatchObject({ open: false, nextOpenTime: '2027-11-26T14:00:00Z' });
    // The substitute Monday of Independence Day is closed too; the Wednesday before Thanksgiving is open.
    expect((await openFor(queue, '2027-07-05T15:00:00Z')).open).toBe(false);
    expect((await openFor(queue, '2027-11-24T15:00:00Z')).open).toBe(true);
    const days = (await preview(h.id, 2027)).dates;
    expect(days.find((d) => d.date === '2027-11-25')).toMatchObject({ source: 'calendar', name: 'Thanksgiving Day', calendar: 'US', closed: true, overrides: [] });
    expect(days.find((d) => d.date === '2027-07-05')).toMatchObject({ source: 'calendar', name: 'Independence Day (substitute day)' });
  });

  it('a state holiday closes only that state’s hours (César Chávez Day, California)', async () => {
    const ca = await hours({ timezone: 'America/Los_Angeles', holidayCalendars: [{ country: 'US', state: 'CA' }] });
    const us = await hours({ timezone: 'America/Los_Angeles', holidayCalendars: [{ country: 'US' }] });
    const caQueue = await queueWith(ca.id);
    const usQueue = await queueWith(us.id);
    expect((await openFor(caQueue, '2027-03-31T18:00:00Z')).open).toBe(false);
    expect((await openFor(usQueue, '2027-03-31T18:00:00Z')).open).toBe(true);
    expect((await preview(ca.id, 2027)).dates.find((d) => d.date === '2027-03-31')).toMatchObject({ source: 'calendar', calendar: 'US-CA', name: 'César Chávez Day' });
  });
});

describe('precedence: exception > recurring rule > holiday calendar > weekly', () => {
  const spec: BusinessHoursSpec = {
    timezone: 'America/New_York',
    weekly: WEEKDAYS_9_TO_5,
    exceptions: [{ date: '2028-11-23', closed: false, intervals: [{ start: '10:00', end: '11:00' }] }],
    recurring: [rule({ name: 'Thanksgiving short day', month: 11, weekday: 'thursday', nth: 4, closed: false, intervals: [{ start: '08:00', end: '10:00' }] })],
    holidayCalendars: [{ country: 'US' }],
  };

  it('each source wins over the weaker ones on its date', () => {
    expect(specialDay(spec, '2027-11-25')).toMatchObject({ source: 'recurring', intervals: [{ start: '08:00', end: '10:00' }], overrides: [{ source: 'calendar', name: 'Thanksgiving Day' }] });
    expect(specialDay(spec, '2028-11-23')).toMatchObject({
      source: 'exception',
      intervals: [{ start: '10:00', end: '11:00' }],
      overrides: [{ source: 'recurring', name: 'Thanksgiving short day' }, { source: 'calendar', name: 'Thanksgiving Day' }],
    });
    expect(specialDay(spec, '2027-12-24')).toMatchObject({ source: 'calendar', closed: true });
    expect(specialDay(spec, '2027-12-22')).toBeNull();
    // The cached year set answers the same as the per-date lookup.
    const keyed = { ...spec, cacheKey: 'precedence-test:1' };
    for (const date of ['2027-11-25', '2028-11-23', '2027-12-24', '2027-12-22']) expect(specialDay(keyed, date)).toEqual(specialDay(spec, date));
  });

  it('an exception opens a public holiday: open 09:00–12:00 on Thanksgiving, closing at noon', async () => {
    const h = await hours({ holidayCalendars: [{ country: 'US' }], exceptions: [{ date: '2027-11-25', closed: false, intervals: [{ start: '09:00', end: '12:00' }] }] });
    const queue = await queueWith(h.id);
    expect(await openFor(queue, '2027-11-25T15:00:00Z')).toMatchObject({ open: true, closesAt: '2027-11-25T17:00:00Z' });
    expect((await openFor(queue, '2027-11-25T17:30:00Z')).open).toBe(false);
    const day = (await preview(h.id, 2027)).dates.find((d) => d.date === '2027-11-25');
    expect(day).toMatchObject({ source: 'exception', name: null, closed: false, overrides: [{ source: 'calendar', name: 'Thanksgiving Day' }] });
  });

  it('a recurring rule over a calendar holiday, and the preview lists each source in date order', async () => {
    const h = await hours({
      holidayCalendars: [{ country: 'US' }],
      recurring: [
        { name: 'Independence short day', month: 7, day: 5, closed: false, intervals: [{ start: '09:00', end: '11:00' }] },
        { name: 'Company day', month: 6, day: 15, closed: true, intervals: [] },
      ],
      exceptions: [{ date: '2027-06-15', closed: false, intervals: [{ start: '13:00', end: '14:00' }] }],
    });
    const queue = await queueWith(h.id);
    expect(await openFor(queue, '2027-07-05T13:30:00Z')).toMatchObject({ open: true, closesAt: '2027-07-05T15:00:00Z' });
    expect((await openFor(queue, '2028-06-15T15:00:00Z')).open).toBe(false);
    expect((await openFor(queue, '2027-06-15T17:30:00Z')).open).toBe(true);
    const days = (await preview(h.id, 2027)).dates;
    expect(days.map((d) => d.date)).toEqual([...days.map((d) => d.date)].sort());
    expect(days.find((d) => d.date === '2027-07-05')).toMatchObject({ source: 'recurring', name: 'Independence short day', overrides: [{ source: 'calendar' }] });
    expect(days.find((d) => d.date === '2027-06-15')).toMatchObject({ source: 'exception', overrides: [{ source: 'recurring', name: 'Company day' }] });
    expect(days.filter((d) => d.source === 'calendar').map((d) => d.date)).toContain('2027-11-25');
    // Another year: the rules move with it, exceptions stay on their date.
    const next = (await preview(h.id, 2028)).dates;
    expect(next.find((d) => d.date === '2028-06-15')).toMatchObject({ source: 'recurring', closed: true });
    expect(next.find((d) => d.date === '2028-11-23')).toMatchObject({ source: 'calendar', name: 'Thanksgiving Day' });
  });

  it('a change takes effect at once, even within the same instant (the cached special dates follow the hours’ revision)', async () => {
    const h = await hours({});
    const queue = await queueWith(h.id);
    expect((await openFor(queue, '2027-11-25T15:00:00Z')).open).toBe(true);
    // The app clock stands still: updated_at does not change, the revision does.
    expect((await patch(`/admin/v1/business-hours/${h.id}`, { holidayCalendars: [{ country: 'US' }] })).statusCode).toBe(200);
    expect((await openFor(queue, '2027-11-25T15:00:00Z')).open).toBe(false);
    const changed = await patch(`/admin/v1/business-hours/${h.id}`, { recurring: [{ name: 'Open Thanksgiving', month: 11, weekday: 'thursday', nth: 4, closed: false, intervals: [{ start: '09:00', end: '17:00' }] }] });
    expect(changed.json()).toMatchObject({ holidayCalendars: [{ country: 'US' }], recurring: [{ name: 'Open Thanksgiving', nth: 4 }] });
    expect((await openFor(queue, '2027-11-25T15:00:00Z')).open).toBe(true);
    const row = await t.database.db.selectFrom('business_hours').select(['revision', 'updated_at']).where('id', '=', h.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ revision: 2, updated_at: clock.now() });
  });
});

describe('slots honour special days', () => {
  it('availability skips a public holiday and offers the special hours of a recurring rule', async () => {
    const h = await hours({
      holidayCalendars: [{ country: 'US' }],
      recurring: [{ name: 'Black Friday', month: 11, weekday: 'friday', nth: 4, closed: false, intervals: [{ start: '10:00', end: '11:00' }] }],
    });
    const queue = await queueWith(h.id, { slotDurationMinutes: 30 });
    clock.set('2027-11-20T12:00:00Z');
    const res = await post('/actions/v1/availability', { queue, start: '2027-11-25T00:00:00', days: 2, maxSlots: 10 }, actions);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().slotsLocal).toEqual(['2027-11-26T10:00:00-05:00', '2027-11-26T10:30:00-05:00']);
  });

  it('DST switch days with a recurring rule in force: America/New_York (availability) and Europe/London (engine)', async () => {
    const ny = await hours({
      weekly: {},
      recurring: [
        { name: 'Spring night', month: 3, weekday: 'sunday', nth: 2, closed: false, intervals: [{ start: '01:00', end: '04:00' }] },
        { name: 'Fall night', month: 11, weekday: 'sunday', nth: 1, closed: false, intervals: [{ start: '00:00', end: '03:00' }] },
      ],
    });
    const queue = await queueWith(ny.id, { slotDurationMinutes: 60 });
    clock.set('2027-03-10T12:00:00Z');
    const spring = await post('/actions/v1/availability', { queue, start: '2027-03-13T00:00:00', days: 3, maxSlots: 10 }, actions);
    // 02:00 does not exist on 14 March 2027: the rule's 01:00–04:00 gives 01:00 EST and 03:00 EDT only.
    expect(spring.json().slotsLocal).toEqual(['2027-03-14T01:00:00-05:00', '2027-03-14T03:00:00-04:00']);
    clock.set('2027-11-01T12:00:00Z');
    const fall = await post('/actions/v1/availability', { queue, start: '2027-11-06T00:00:00', days: 3, maxSlots: 10 }, actions);
    // 01:00 happens twice on 7 November 2027: two slots.
    expect(fall.json().slotsLocal).toEqual(['2027-11-07T00:00:00-04:00', '2027-11-07T01:00:00-04:00', '2027-11-07T01:00:00-05:00', '2027-11-07T02:00:00-05:00']);

    const london = await hours({
      timezone: 'Europe/London',
      weekly: {},
      holidayCalendars: [{ country: 'GB', state: 'ENG' }],
      recurring: [
        { name: 'Clocks forward', month: 3, weekday: 'sunday', nth: -1, closed: false, intervals: [{ start: '00:00', end: '03:00' }] },
        { name: 'Clocks back', month: 10, weekday: 'sunday', nth: -1, closed: false, intervals: [{ start: '00:00', end: '03:00' }] },
      ],
    });
    const spec = toSpec((await findHours(t.database.db, london.id))!);
    const slots = (date: string, minutes: number) => slotsForDay({ timezone: 'Europe/London', slotDurationMinutes: minutes, slotCapacity: 1, hours: spec, rule: null }, date).map((s) => s.localStart);
    for (const [year, forward, back] of [[2027, '2027-03-28', '2027-10-31'], [2028, '2028-03-26', '2028-10-29']] as const) {
      expect(slots(forward, 30), String(year)).toEqual([`${forward}T00:00:00+00:00`, `${forward}T00:30:00+00:00`, `${forward}T02:00:00+01:00`, `${forward}T02:30:00+01:00`]);
      expect(slots(back, 60), String(year)).toEqual([`${back}T00:00:00+01:00`, `${back}T01:00:00+01:00`, `${back}T01:00:00+00:00`, `${back}T02:00:00+00:00`]);
    }
    // A weekday English bank holiday closes the (here empty) weekly hours; Easter Monday 2027 is one.
    expect(specialDay(spec, '2027-03-29')).toMatchObject({ source: 'calendar', name: 'Easter Monday', calendar: 'GB-ENG' });
  });
});

describe('special dates are worked out once per configuration and year', () => {
  it('a year of slot lookups adds one special-date set per year and one expansion per calendar year', () => {
    const hours: BusinessHoursSpec = { timezone: 'America/New_York', weekly: WEEKDAYS_9_TO_5, exceptions: [], holidayCalendars: [{ country: 'FR' }], cacheKey: 'cache-test:0' };
    const before = holidayCacheSizes();
    const slots = slotsInRange({ timezone: 'America/New_York', slotDurationMinutes: 15, slotCapacity: 1, hours, rule: null }, new Date('2031-01-01T05:00:00Z'), new Date('2031-12-31T05:00:00Z'));
    const after = holidayCacheSizes();
    // The walk starts a day early, in 2030: two years of each.
    expect(after.specialYears - before.specialYears).toBe(2);
    expect(after.calendars - before.calendars).toBe(2);
    // Bastille Day 2031 (a Monday) is closed; the Tuesday after has its 32 weekday slots.
    const on = (date: string) => slots.filter((s) => s.localStart.startsWith(date)).length;
    expect([on('2031-07-14'), on('2031-07-15')]).toEqual([0, 32]);
  });
});

describe('validation names the field', () => {
  const weekly = WEEKDAYS_9_TO_5;
  it.each([
    [{ recurring: [rule({ name: 'ok', month: 1, day: 1 }), rule({ name: 'bad nth', month: 5, weekday: 'monday', nth: 0 })] }, 'recurring[1].nth'],
    [{ recurring: [rule({ month: 2, day: 30 })] }, 'recurring[0].day'],
    [{ recurring: [rule({ month: 4, day: 31 })] }, 'recurring[0].day'],
    [{ recurring: [rule({ month: 13, day: 1 })] }, 'recurring[0].month'],
    [{ recurring: [rule({ month: 5, day: 1, weekday: 'monday', nth: 1 })] }, 'recurring[0]'],
    [{ recurring: [rule({ month: 5 })] }, 'recurring[0]'],
    [{ recurring: [rule({ month: 5, weekday: 'monday' })] }, 'recurring[0].nth'],
    [{ recurring: [rule({ month: 5, weekday: 'funday' as never, nth: 1 })] }, 'recurring[0].weekday'],
    [{ recurring: [rule({ month: 5, day: 1, closed: true, intervals: [{ start: '09:00', end: '10:00' }] })] }, 'recurring[0].intervals'],
    [{ recurring: [rule({ month: 5, day: 1, closed: false, intervals: [{ start: '10:00', end: '09:00' }] })] }, 'recurring[0].intervals[0]'],
    [{ recurring: [rule({ month: 5, day: 1 }), rule({ month: 5, day: 1 })] }, 'recurring[1]'],
    [{ holidayCalendars: [{ country: 'XX' }] }, 'holidayCalendars[0].country'],
    [{ holidayCalendars: [{ country: 'US', state: 'ZZ' }] }, 'holidayCalendars[0].state'],
    [{ holidayCalendars: [{ country: 'US' }, { country: 'DE', state: 'BY', region: 'NOPE' }] }, 'holidayCalendars[1].region'],
    [{ holidayCalendars: [{ country: 'DE', region: 'A' }] }, 'holidayCalendars[0].region'],
    [{ holidayCalendars: [{ country: 'US', types: ['holy'] }] }, 'holidayCalendars[0].types[0]'],
    [{ holidayCalendars: [{ country: 'US' }, { country: 'US' }] }, 'holidayCalendars[1]'],
  ])('%j → 400 naming %s, on create and on change', async (body, field) => {
    const created = await post('/admin/v1/business-hours', { name: `bad-${++n}`, timezone: 'America/New_York', weekly, ...body });
    expect(created.statusCode, created.body).toBe(400);
    expect(created.json().field).toBe(field);
    const h = await hours({});
    const changed = await patch(`/admin/v1/business-hours/${h.id}`, body);
    expect(changed.statusCode, changed.body).toBe(400);
    expect(changed.json().field).toBe(field);
  });

  it('a rule a year lacks is accepted (skipped that year), and a valid region is', async () => {
    const h = await hours({
      recurring: [rule({ name: 'Leap day', month: 2, day: 29 }), rule({ name: 'Fifth Friday', month: 1, weekday: 'friday', nth: 5 })],
      holidayCalendars: [{ country: 'DE', state: 'BY', region: 'A', types: ['public', 'bank'] }],
    });
    expect((await preview(h.id, 2027)).dates.filter((d) => d.source === 'recurring').map((d) => d.date)).toEqual(['2027-01-29']);
    expect((await preview(h.id, 2028)).dates.filter((d) => d.source === 'recurring').map((d) => d.date)).toEqual(['2028-02-29']);
    // Augsburg's own holiday (Augsburger Friedensfest, 8 August) comes from the region.
    expect((await preview(h.id, 2027)).dates.find((d) => d.date === '2027-08-08')).toMatchObject({ source: 'calendar', calendar: 'DE-BY-A' });
  });
});

describe('preview routes', () => {
  it('the holidays preview wants a year and known hours', async () => {
    const h = await hours({});
    expect((await get(`/admin/v1/business-hours/${h.id}/holidays`)).json().field).toBe('year');
    expect((await get(`/admin/v1/business-hours/${h.id}/holidays?year=abc`)).statusCode).toBe(400);
    expect((await get('/admin/v1/business-hours/00000000-0000-4000-8000-000000000000/holidays?year=2027')).statusCode).toBe(404);
    expect((await preview(h.id, 2027)).dates).toEqual([]);
  });

  it('the calendar lists: countries, and a country’s states with their regions; an unknown country is 400', async () => {
    const all = (await get('/admin/v1/holiday-calendars', monitor)).json();
    expect(all.types).toEqual(['public', 'bank', 'school', 'optional', 'observance']);
    expect(all.countries).toContainEqual({ code: 'US', name: 'United States of America' });
    expect(all.states).toBeUndefined();
    const us = (await get('/admin/v1/holiday-calendars?country=us', monitor)).json();
    expect(us.country).toBe('US');
    expect(us.states).toContainEqual({ code: 'CA', name: 'California', regions: [{ code: 'LA', name: 'Los Angeles' }] });
    expect(us.states).toContainEqual({ code: 'NY', name: 'New York', regions: [] });
    const de = (await get('/admin/v1/holiday-calendars?country=DE', monitor)).json();
    expect(de.states.find((s: { code: string }) => s.code === 'BY').regions).toContainEqual({ code: 'A', name: 'Stadt Augsburg' });
    const bad = await get('/admin/v1/holiday-calendars?country=XX', monitor);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('country');
  });

  it('the date preview names the special day deciding a date', async () => {
    const h = await hours({ holidayCalendars: [{ country: 'US' }] });
    const res = (await get(`/admin/v1/business-hours/${h.id}/preview?date=2027-11-25`)).json();
    expect(res).toMatchObject({ intervals: [], exception: false, special: { source: 'calendar', name: 'Thanksgiving Day', calendar: 'US' }, slots: [] });
    expect((await get(`/admin/v1/business-hours/${h.id}/preview?date=2027-11-24`)).json().special).toBeNull();
  });
});
