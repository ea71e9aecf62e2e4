import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookSlot } from '../src/slots/bookings.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

// Monday 2030-03-04, 06:00 in New York (EST, -05:00).
const clock = new TestClock(new Date('2030-03-04T11:00:00Z'));
let t: TestApp;
let actions: { authorization: string };
let make: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await buildTestApp({ clock });
  actions = (await authHeader(t, ['actions'])).headers;
  make = factories(t.database.db);
});
afterAll(async () => t.close());

const ask = (url: string, payload: object, headers = actions) => t.app.inject({ method: 'POST', url: `/actions/v1/${url}`, headers, payload });
const weekdays = (intervals: { start: string; end: string }[]) =>
  Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, intervals]));

describe('POST /actions/v1/availability', () => {
  it('seed 003: an office opening at 7:50 with 15-minute slots and 10 for 7:30–8:30 offers 8:00 first, 10 places at 8:00 and 8:15', async () => {
    clock.set('2030-03-04T11:00:00Z');
    const hours = await make.hours({ weekly: weekdays([{ start: '07:50', end: '18:00' }]) });
    const rule = await make.rule({ timeslotLength: 'halfHour', cells: { monday: { '07:30': 10, '08:00': 10 } } });
    const queue = await make.queue({ businessHoursId: hours.id, capacityRuleId: rule.id });
    const res = await ask('availability', { queue: queue.name, days: 1, maxSlots: 5 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.firstSlotLocal).toBe('2030-03-04T08:00:00-05:00');
    expect(body.firstSlot).toBe('2030-03-04T13:00:00Z');
    expect(body.slotsLocal).toEqual(['2030-03-04T08:00:00-05:00', '2030-03-04T08:15:00-05:00']);
    expect(body.remaining).toEqual([10, 10]);
    expect(body.slotCount).toBe(2);
    expect(body.firstSlotSpoken).toBe('Monday, March 4 at 8:00 AM');
  });

  it('seed 003 "March": a rule of 10/15/10 overrides the flat 5 for every 15-minute slot, 8:00–18:00 on weekdays', async () => {
    clock.set('2030-03-04T11:00:00Z');
    const hours = await make.hours({ weekly: weekdays([{ start: '08:00', end: '18:00' }]) });
    const cells = Object.fromEntries(
      ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [
        d,
        { '08:00': 10, '09:00': 10, '10:00': 10, '11:00': 10, '12:00': 15, '13:00': 15, '14:00': 10, '15:00': 10, '16:00': 10, '17:00': 10 },
      ]),
    );
    const march = await make.rule({ name: `March-${Math.random()}`, timeslotLength: 'hour', cells });
    const withRule = await make.queue({ businessHoursId: hours.id, slotCapacity: 5, capacityRuleId: march.id });
    const flat = await make.queue({ businessHoursId: hours.id, slotCapacity: 5 });

    const body = (await ask('availability', { queueId: withRule.id, days: 1, maxSlots: 100 })).json();
    expect(body.slotCount).toBe(40);
    const at = (local: string) => body.remaining[body.slotsLocal.indexOf(`2030-03-04T${local}:00-05:00`)];
    expect([at('08:00'), at('11:45'), at('12:00'), at('13:45'), at('14:00'), at('17:45')]).toEqual([10, 10, 15, 15, 10, 10]);

    const flatBody = (await ask('availability', { queueId: flat.id, days: 1, maxSlots: 100 })).json();
    expect(flatBody.slotCount).toBe(40);
    expect(new Set(flatBody.remaining)).toEqual(new Set([5]));
  });

  it('does not offer full slots or slots already started, and shows places left', async () => {
    clock.set('2030-03-04T13:07:00Z'); // 08:07 local
    const hours = await make.hours({ weekly: weekdays([{ start: '08:00', end: '18:00' }]) });
    const queue = await make.queue({ businessHoursId: hours.id, slotCapacity: 2 });
    await bookSlot(t.database.db, queue.id, new Date('2030-03-04T13:15:00Z'), 2); // 08:15 full
    await bookSlot(t.database.db, queue.id, new Date('2030-03-04T13:15:00Z'), 2);
    await bookSlot(t.database.db, queue.id, new Date('2030-03-04T13:30:00Z'), 2); // 08:30 one left
    const body = (await ask('availability', { queue: queue.name, maxSlots: 2 })).json();
    expect(body.slots).toEqual(['2030-03-04T13:30:00Z', '2030-03-04T13:45:00Z']);
    expect(body.remaining).toEqual([1, 2]);
  });

  it('answers in the requested time zone, honours start and end, and stops at the queue’s maxDaysAhead', async () => {
    clock.set('2030-03-04T11:00:00Z');
    const hours = await make.hours({ weekly: weekdays([{ start: '09:00', end: '10:00' }]) });
    const queue = await make.queue({ businessHoursId: hours.id, maxDaysAhead: 2, timezone: 'America/New_York' });
    const body = (await ask('availability', { queue: queue.name, timezone: 'Europe/London', maxSlots: 100, days: 30 })).json();
    // Monday and Tuesday only (2 days ahead), 4 slots each.
    expect(body.slotCount).toBe(8);
    expect(body.firstSlotLocal).toBe('2030-03-04T14:00:00Z'.replace('Z', '+00:00'));
    expect(body.timezone).toBe('Europe/London');
    const windowed = (await ask('availability', { queue: queue.name, start: '2030-03-05T09:30', end: '2030-03-05T10:00', maxSlots: 100 })).json();
    expect(windowed.slotsLocal).toEqual(['2030-03-05T09:30:00-05:00', '2030-03-05T09:45:00-05:00']);
  });

  it('is correct across DST: a Berlin 09:00–17:00 day has 32 slots on the spring-forward Sunday', async () => {
    clock.set('2030-03-30T12:00:00Z');
    const all = Object.fromEntries(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((d) => [d, [{ start: '09:00', end: '17:00' }]]));
    const hours = await make.hours({ timezone: 'Europe/Berlin', weekly: all });
    const queue = await make.queue({ businessHoursId: hours.id, timezone: 'Europe/Berlin' });
    const body = (await ask('availability', { queue: queue.name, start: '2030-03-31T00:00', days: 1, maxSlots: 100 })).json();
    expect(body.slotCount).toBe(32);
    expect(body.slotsLocal[0]).toBe('2030-03-31T09:00:00+02:00');
    expect(body.slots[0]).toBe('2030-03-31T07:00:00Z');
  });

  it('offers nothing when scheduled callbacks are disabled; every output key is present', async () => {
    clock.set('2030-03-04T11:00:00Z');
    const queue = await make.queue({ scheduledEnabled: false });
    const body = (await ask('availability', { queue: queue.name })).json();
    expect(body).toEqual({ slotCount: 0, slots: [], slotsLocal: [], remaining: [], firstSlot: '', firstSlotLocal: '', firstSlotSpoken: '', timezone: 'America/New_York' });
  });

  it.each([
    [{ days: 0 }, 'days'],
    [{ days: 31 }, 'days'],
    [{ maxSlots: 0 }, 'maxSlots'],
    [{ maxSlots: 101 }, 'maxSlots'],
    [{ start: 'next tuesday' }, 'start'],
    [{ end: '2030-13-45T99:00' }, 'end'],
    [{ timezone: 'Moon/Base' }, 'timezone'],
    [{ unknownInput: 1 }, 'unknownInput'],
  ])('refuses %j with 400 naming %s', async (input, field) => {
    const queue = await make.queue();
    const res = await ask('availability', { queue: queue.name, ...input });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'VALIDATION_FAILED', field });
  });

  it('answers 404 for an unknown queue, 400 without one, 403 outside the allow-list and for a non-actions role', async () => {
    expect((await ask('availability', { queue: 'No such queue' })).statusCode).toBe(404);
    expect((await ask('availability', {})).json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'queue' });
    const queue = await make.queue();
    const { headers: limited } = await authHeader(t, ['actions'], { queues: ['Somewhere else'] });
    expect((await ask('availability', { queue: queue.name }, limited)).statusCode).toBe(403);
    const { headers: admin } = await authHeader(t, ['administrator']);
    expect((await ask('availability', { queue: queue.name }, admin)).statusCode).toBe(403);
  });
});

describe('POST /actions/v1/open-for', () => {
  it('answers seconds until close, the next opening, and no immediate offer inside the blackout', async () => {
    const hours = await make.hours({ weekly: weekdays([{ start: '07:50', end: '18:00' }]) });
    const queue = await make.queue({ businessHoursId: hours.id, immediateBlackoutMinutes: 45 });
    clock.set('2030-03-04T22:30:00Z'); // Monday 17:30
    const late = (await ask('open-for', { queue: queue.name })).json();
    expect(late).toMatchObject({ open: true, openForSeconds: 1800, closesAt: '2030-03-04T23:00:00Z', offerImmediate: false, immediateEnabled: true });
    expect(late.nextOpenTimeLocal).toBe('2030-03-05T07:50:00-05:00');

    const early = (await ask('open-for', { queue: queue.name, at: '2030-03-04T10:00' })).json();
    expect(early).toMatchObject({ open: true, openForSeconds: 8 * 3600, offerImmediate: true });
  });

  it('answers closed with 0 seconds and the next opening over a weekend or a holiday', async () => {
    const hours = await make.hours({ weekly: weekdays([{ start: '09:00', end: '17:00' }]), exceptions: [{ date: '2030-03-11', closed: true, intervals: [] }] });
    const queue = await make.queue({ businessHoursId: hours.id });
    clock.set('2030-03-09T15:00:00Z'); // Saturday
    const body = (await ask('open-for', { queue: queue.name })).json();
    expect(body).toMatchObject({ open: false, openForSeconds: 0, closesAt: '', offerImmediate: false });
    expect(body.nextOpenTimeLocal).toBe('2030-03-12T09:00:00-04:00'); // Monday is a holiday; DST began on the 10th
    expect(body.nextOpenTimeSpoken).toBe('Tuesday, March 12 at 9:00 AM');
  });
});
