import { describe, it, expect } from 'vitest';
import { DateTime } from 'luxon';
import {
  MAX_RANGE_DAYS,
  WEEKDAYS,
  convertTimeslotLength,
  isOpenAt,
  openWindow,
  slotCapacityAt,
  slotContaining,
  slotsForDay,
  slotsInRange,
  spokenTime,
  validateBusinessHours,
  validateCapacityCells,
  validateInterval,
} from '../src/slots/engine.js';
import type {
  BusinessHoursSpec,
  CapacityCells,
  DateException,
  QueueSlotSpec,
  Slot,
  TimeInterval,
  Weekday,
} from '../src/slots/engine.js';

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const WORKDAYS: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];

function hours(
  timezone: string,
  days: readonly Weekday[],
  intervals: TimeInterval[],
  exceptions: DateException[] = [],
): BusinessHoursSpec {
  return { timezone, weekly: Object.fromEntries(days.map((d) => [d, intervals])), exceptions };
}
const nineToFive = (zone: string) => hours(zone, WEEKDAYS, [{ start: '09:00', end: '17:00' }]);
const allDay = (zone: string) => hours(zone, WEEKDAYS, [{ start: '00:00', end: '24:00' }]);

function queue(overrides: Partial<QueueSlotSpec> = {}): QueueSlotSpec {
  return { timezone: NY, slotDurationMinutes: 15, slotCapacity: 5, hours: null, rule: null, ...overrides };
}
const at = (iso: string) => new Date(iso);
/** 'HH:mm' of each slot's local start. */
const times = (slots: Slot[]) => slots.map((s) => s.localStart.slice(11, 16));
const capacityAtLocal = (slots: Slot[], hhmm: string) => slots.find((s) => s.localStart.slice(11, 16) === hhmm)?.capacity;
const hoursLong = (slots: Slot[]) => ((slots.at(-1) as Slot).end.getTime() - (slots[0] as Slot).start.getTime()) / 3_600_000;

function expectStrictlyIncreasing(slots: Slot[]) {
  for (let n = 1; n < slots.length; n++) {
    expect((slots[n] as Slot).start.getTime()).toBeGreaterThan((slots[n - 1] as Slot).start.getTime());
    expect((slots[n] as Slot).start.getTime()).toBeGreaterThanOrEqual((slots[n - 1] as Slot).end.getTime());
  }
}

describe('capacity rules [003]', () => {
  it('office opening 7:50 with 15-minute slots and 10 for 7:30–8:30: first slot 8:00, 7:45 is not a slot', () => {
    const spec = queue({
      hours: hours(NY, WORKDAYS, [{ start: '07:50', end: '18:00' }]),
      rule: { timeslotLength: 'halfHour', cells: { monday: { '07:30': 10, '08:00': 10 } } },
    });
    const slots = slotsForDay(spec, '2030-03-04'); // Monday
    expect(slots[0]?.localStart).toBe('2030-03-04T08:00:00-05:00');
    expect(times(slots)).not.toContain('07:45');
    expect(isOpenAt(spec.hours, at('2030-03-04T07:45:00-05:00'))).toBe(false);
    expect(slotContaining(spec, at('2030-03-04T07:55:00-05:00'))).toBeNull();
    expect(capacityAtLocal(slots, '08:00')).toBe(10);
    expect(capacityAtLocal(slots, '08:15')).toBe(10);
    expect(capacityAtLocal(slots, '08:30')).toBe(0); // no cell from 8:30 → 0, still listed as open
  });

  describe('the "March" rule: Mon–Fri 08:00–18:00, flat 5, 15-minute slots', () => {
    const cells: CapacityCells = Object.fromEntries(
      WORKDAYS.map((d) => [
        d,
        { '08:00': 10, '09:00': 10, '10:00': 10, '11:00': 10, '12:00': 15, '13:00': 15, '14:00': 10, '15:00': 10, '16:00': 10, '17:00': 10 },
      ]),
    );
    const flat = queue({ hours: hours(NY, WORKDAYS, [{ start: '08:00', end: '18:00' }]) });
    const march = { ...flat, rule: { timeslotLength: 'hour' as const, cells } };

    it('each slot gets the value of the cell its start falls in, per slot not per hour', () => {
      const slots = slotsForDay(march, '2030-03-05');
      const expected = { '08:00': 10, '11:45': 10, '12:00': 15, '13:45': 15, '14:00': 10, '17:45': 10 };
      for (const [hhmm, capacity] of Object.entries(expected)) expect(capacityAtLocal(slots, hhmm)).toBe(capacity);
      expect(slotCapacityAt(march, at('2030-03-05T12:30:00-05:00'))).toBe(15);
    });

    it('has 40 slots every weekday, 08:00 to 17:45, and none on the weekend', () => {
      for (const date of ['2030-03-04', '2030-03-05', '2030-03-06', '2030-03-07', '2030-03-08']) {
        const slots = slotsForDay(march, date);
        expect(slots).toHaveLength(40);
        expect(times(slots)[0]).toBe('08:00');
        expect(times(slots)[39]).toBe('17:45');
        expect(slots[39]?.end.toISOString()).toBe(new Date(`${date}T18:00:00-05:00`).toISOString());
      }
      expect(slotsForDay(march, '2030-03-09')).toEqual([]);
      expect(slotsForDay(march, '2030-03-03')).toEqual([]);
    });

    it('without the rule every slot has the flat capacity 5', () => {
      const slots = slotsForDay(flat, '2030-03-05');
      expect(slots).toHaveLength(40);
      expect(new Set(slots.map((s) => s.capacity))).toEqual(new Set([5]));
    });
  });

  it('a rule value of 5 with 15-minute slots allows 5 in each of 09:00, 09:15, 09:30, 09:45, overriding flat 3', () => {
    const spec = queue({ slotCapacity: 3, rule: { timeslotLength: 'hour', cells: { monday: { '09:00': 5 } } } });
    for (const m of ['00', '15', '30', '45']) {
      expect(slotCapacityAt(spec, at(`2030-03-04T09:${m}:00-05:00`))).toBe(5);
    }
    expect(slotCapacityAt(spec, at('2030-03-04T10:00:00-05:00'))).toBe(0);
  });

  it('a missing cell or a missing day reads as capacity 0', () => {
    const spec = queue({ rule: { timeslotLength: 'halfHour', cells: { monday: { '09:00': 8 } } } });
    expect(slotCapacityAt(spec, at('2030-03-04T09:30:00-05:00'))).toBe(0);
    expect(slotCapacityAt(spec, at('2030-03-05T09:00:00-05:00'))).toBe(0);
    expect(slotCapacityAt(spec, at('2030-03-04T09:15:00-05:00'))).toBe(8);
  });

  it('the rule is read in the business-hours zone, not the queue zone', () => {
    const spec = queue({
      timezone: 'UTC',
      hours: allDay(BERLIN),
      rule: { timeslotLength: 'hour', cells: { monday: { '09:00': 7 } } },
    });
    expect(slotCapacityAt(spec, at('2030-03-04T09:00:00+01:00'))).toBe(7);
    expect(slotCapacityAt(spec, at('2030-03-04T09:00:00Z'))).toBe(0);
    expect(slotsForDay(spec, '2030-03-04')[0]?.localStart).toBe('2030-03-04T00:00:00+01:00');
  });

  it('with no hours the queue is open around the clock on the queue-zone grid', () => {
    const slots = slotsForDay(queue({ timezone: 'UTC' }), '2030-03-04');
    expect(slots).toHaveLength(96);
    expect(slots[0]?.localStart).toBe('2030-03-04T00:00:00+00:00');
  });
});

describe('convertTimeslotLength [003]', () => {
  const halfHourly: CapacityCells = { monday: { '09:00': 8, '09:30': 10, '10:00': 8, '10:30': 10 } };

  it('half-hourly → hourly keeps the :00 values and drops the :30 ones', () => {
    expect(convertTimeslotLength(halfHourly, 'halfHour', 'hour')).toEqual({ monday: { '09:00': 8, '10:00': 8 } });
  });

  it('hourly → half-hourly copies each hour to its :30 cell (the round trip gives 8, 8, 8, 8)', () => {
    const hourly = convertTimeslotLength(halfHourly, 'halfHour', 'hour');
    expect(convertTimeslotLength(hourly, 'hour', 'halfHour')).toEqual({
      monday: { '09:00': 8, '09:30': 8, '10:00': 8, '10:30': 8 },
    });
  });

  it('changes what a 9:30 slot gets, and leaves the input untouched', () => {
    const before = queue({ rule: { timeslotLength: 'halfHour', cells: halfHourly } });
    const after = queue({ rule: { timeslotLength: 'hour', cells: convertTimeslotLength(halfHourly, 'halfHour', 'hour') } });
    const nineThirty = at('2030-03-04T09:30:00-05:00');
    expect(slotCapacityAt(before, nineThirty)).toBe(10);
    expect(slotCapacityAt(after, nineThirty)).toBe(8);
    expect(halfHourly.monday?.['09:30']).toBe(10);
    expect(convertTimeslotLength(halfHourly, 'halfHour', 'halfHour')).toEqual(halfHourly);
  });
});

describe('DST', () => {
  const changes = [
    { zone: BERLIN, spring: '2030-03-31', fall: '2030-10-27', skipped: '02', repeated: '02' },
    { zone: NY, spring: '2030-03-10', fall: '2030-11-03', skipped: '02', repeated: '01' },
  ];
  // The days either side of the Berlin and New York changes.
  const AROUND_CHANGES = ['2030-03-30', '2030-04-01', '2030-10-26', '2030-10-28', '2030-03-09', '2030-03-11', '2030-11-02', '2030-11-04'];
  for (const { zone, spring, fall, skipped, repeated } of changes) {
    describe(zone, () => {
      it('a 09:00–17:00 day is 8 hours and 32 slots on both sides of each change', () => {
        const spec = queue({ hours: nineToFive(zone) });
        for (const date of [spring, fall, ...AROUND_CHANGES]) {
          const slots = slotsForDay(spec, date);
          expect(slots, `${zone} ${date}`).toHaveLength(32);
          expect(hoursLong(slots)).toBe(8);
          expect(times(slots)[0]).toBe('09:00');
        }
      });

      it('a 00:00–24:00 day has 92 slots on the spring day and 100 on the fall day', () => {
        const spec = queue({ hours: allDay(zone) });
        expect(slotsForDay(spec, spring)).toHaveLength(92);
        expect(slotsForDay(spec, fall)).toHaveLength(100);
        expect(slotsForDay(spec, '2030-06-15')).toHaveLength(96);
        expect(hoursLong(slotsForDay(spec, spring))).toBe(23);
        expect(hoursLong(slotsForDay(spec, fall))).toBe(25);
      });

      it('slots in the skipped hour do not exist', () => {
        const slots = slotsForDay(queue({ hours: allDay(zone) }), spring);
        expect(times(slots).filter((t) => t.startsWith(`${skipped}:`))).toEqual([]);
        const before = slots.find((s) => times([s])[0] === '01:45') as Slot;
        expect(before.end.getTime()).toBe(before.start.getTime() + 15 * 60_000);
        expect(slots[slots.indexOf(before) + 1]?.start).toEqual(before.end);
        expectStrictlyIncreasing(slots);
      });

      it('repeated-hour slots are distinct instants, strictly increasing', () => {
        const slots = slotsForDay(queue({ hours: allDay(zone) }), fall);
        const inRepeat = slots.filter((s) => times([s])[0]?.startsWith(`${repeated}:`));
        expect(inRepeat).toHaveLength(8);
        expect(times(inRepeat)).toEqual(['00', '15', '30', '45', '00', '15', '30', '45'].map((m) => `${repeated}:${m}`));
        expect(new Set(inRepeat.map((s) => s.start.getTime())).size).toBe(8);
        expect(new Set(inRepeat.map((s) => s.localStart)).size).toBe(8);
        expectStrictlyIncreasing(slots);
        for (let n = 1; n < slots.length; n++) expect(slots[n]?.start).toEqual(slots[n - 1]?.end);
      });
    });
  }

  it('in the New York repeated hour 01:00 and 01:15 exist with both offsets, and contain the right instants', () => {
    const spec = queue({ hours: allDay(NY) });
    const local = slotsForDay(spec, '2030-11-03').map((s) => s.localStart);
    for (const t of ['01:00', '01:15']) {
      expect(local).toContain(`2030-11-03T${t}:00-04:00`);
      expect(local).toContain(`2030-11-03T${t}:00-05:00`);
    }
    expect(slotContaining(spec, at('2030-11-03T01:20:00-05:00'))?.localStart).toBe('2030-11-03T01:15:00-05:00');
    expect(slotContaining(spec, at('2030-11-03T01:20:00-04:00'))?.localStart).toBe('2030-11-03T01:15:00-04:00');
  });

  it('a 120-minute slot straddling a spring gap is cut at the next grid instant so slots never overlap', () => {
    const slots = slotsForDay(queue({ slotDurationMinutes: 120, hours: allDay('Europe/London') }), '2030-03-31');
    expect(times(slots).slice(0, 2)).toEqual(['00:00', '02:00']);
    expect(slots[0]?.end).toEqual(slots[1]?.start);
    expectStrictlyIncreasing(slots);
  });

  it('slotsInRange walks local dates across a change, ordered and without duplicates', () => {
    const spec = queue({ hours: nineToFive(NY) });
    const slots = slotsInRange(spec, at('2030-11-02T00:00:00-04:00'), at('2030-11-05T00:00:00-05:00'));
    expect(slots).toHaveLength(96);
    expectStrictlyIncreasing(slots);
    expect(slots[32]?.localStart).toBe('2030-11-03T09:00:00-05:00');
  });
});

describe('agrees with a brute-force scan of real instants in zones with unusual changes', () => {
  // Santiago skips a midnight and repeats 23:00; Lord Howe shifts by 30 minutes; Beirut falls back
  // across midnight; Havana repeats midnight-to-01:00.
  const cases = [
    { zone: 'America/Santiago', dates: ['2030-04-06', '2030-04-07', '2030-09-07', '2030-09-08'] },
    { zone: 'Australia/Lord_Howe', dates: ['2030-04-07', '2030-10-06'] },
    { zone: 'Asia/Beirut', dates: ['2030-03-31', '2030-10-26', '2030-10-27'] },
    { zone: 'America/Havana', dates: ['2030-03-10', '2030-11-03'] },
    { zone: BERLIN, dates: ['2030-03-31', '2030-10-27'] },
    { zone: 'Asia/Kolkata', dates: ['2030-03-31'] },
  ];
  const patchy: TimeInterval[] = [
    { start: '00:00', end: '00:40' },
    { start: '01:00', end: '02:15' },
    { start: '02:45', end: '03:00' },
    { start: '22:50', end: '24:00' },
  ];
  const halfHourCells = Object.fromEntries(
    Array.from({ length: 48 }, (_, n) => [`${String(Math.floor(n / 2)).padStart(2, '0')}:${n % 2 ? '30' : '00'}`, n]),
  );
  const rule = { timeslotLength: 'halfHour' as const, cells: Object.fromEntries(WEEKDAYS.map((d) => [d, halfHourCells])) };

  it('slotsForDay returns exactly the open grid instants of the date, with slotCapacityAt capacities', () => {
    for (const { zone, dates } of cases) {
      for (const slotDurationMinutes of [15, 20, 60, 120]) {
        const spec = queue({ timezone: 'UTC', slotDurationMinutes, hours: hours(zone, WEEKDAYS, patchy), rule });
        for (const date of dates) {
          const expected: string[] = [];
          const from = Date.parse(`${date}T00:00:00Z`) - 16 * 3_600_000;
          for (let t = from; t < from + 56 * 3_600_000; t += 5 * 60_000) {
            const local = DateTime.fromMillis(t, { zone });
            const onGrid = local.toISODate() === date && (local.hour * 60 + local.minute) % slotDurationMinutes === 0;
            if (onGrid && isOpenAt(spec.hours, new Date(t))) expected.push(`${new Date(t).toISOString()} ${slotCapacityAt(spec, new Date(t))}`);
          }
          const slots = slotsForDay(spec, date);
          expect(slots.map((s) => `${s.start.toISOString()} ${s.capacity}`), `${zone} ${date} ${slotDurationMinutes}`).toEqual(expected);
          expectStrictlyIncreasing(slots);
          for (const s of slots) expect(DateTime.fromISO(s.localStart).toMillis()).toBe(s.start.getTime());
        }
      }
    }
  });

  it('openWindow finds the same next change as a minute-by-minute scan', () => {
    for (const { zone, dates } of cases) {
      const h = hours(zone, WEEKDAYS, patchy);
      for (const date of dates) {
        for (const hhmm of ['22:55', '23:30', '00:20', '00:50', '01:30', '02:20', '02:50', '12:00']) {
          const start = DateTime.fromISO(`${date}T${hhmm}`, { zone }).toJSDate();
          const open = isOpenAt(h, start);
          let change: Date | null = null;
          for (let k = 1; k <= 2 * 24 * 60 && !change; k++) {
            const t = new Date(start.getTime() + k * 60_000);
            if (isOpenAt(h, t) !== open) change = t;
          }
          const window = openWindow(h, start);
          expect(window.open).toBe(open);
          expect(open ? window.closesAt : window.nextOpenAt, `${zone} ${date} ${hhmm}`).toEqual(change);
        }
      }
    }
  });
});

describe('grid alignment and lookup', () => {
  const spec = queue({ hours: hours(NY, WORKDAYS, [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }]) });

  it('slotContaining finds the open slot around an instant and null during a lunch break', () => {
    expect(slotContaining(spec, at('2030-03-04T09:07:00-05:00'))?.localStart).toBe('2030-03-04T09:00:00-05:00');
    expect(slotContaining(spec, at('2030-03-04T12:30:00-05:00'))).toBeNull();
    expect(times(slotsForDay(spec, '2030-03-04')).filter((t) => t.startsWith('12:'))).toEqual([]);
    expect(slotsForDay(spec, '2030-03-04')).toHaveLength(32);
  });

  it('refuses a slot duration outside 5,10,15,20,30,60,120 and a date that does not exist', () => {
    expect(() => slotsForDay({ ...spec, slotDurationMinutes: 7 }, '2030-03-04')).toThrow(
      new RangeError('slot duration must be one of 5, 10, 15, 20, 30, 60, 120 minutes, got 7'),
    );
    expect(() => slotsForDay(spec, '2030-02-30')).toThrow(RangeError);
  });

  it('slotsInRange includes a slot starting at `from`, excludes one starting at `to`, and reaches the last local date', () => {
    const got = slotsInRange(spec, at('2030-03-04T16:45:00-05:00'), at('2030-03-05T08:30:00-05:00'));
    expect(got.map((s) => s.localStart)).toEqual([
      '2030-03-04T16:45:00-05:00',
      '2030-03-05T08:00:00-05:00',
      '2030-03-05T08:15:00-05:00',
    ]);
  });

  it('slotsInRange answers no slots for an empty or inverted range', () => {
    expect(slotsInRange(spec, at('2030-03-04T09:00:00-05:00'), at('2030-03-04T09:00:00-05:00'))).toEqual([]);
    expect(slotsInRange(spec, at('2030-03-05T00:00:00Z'), at('2030-03-04T00:00:00Z'))).toEqual([]);
  });

  it(`slotsInRange walks at most ${MAX_RANGE_DAYS} days and refuses a longer range`, () => {
    const from = at('2030-01-01T00:00:00Z');
    const limit = new Date(from.getTime() + MAX_RANGE_DAYS * 86_400_000);
    expect(slotsInRange(spec, from, limit).length).toBeGreaterThan(0);
    expect(() => slotsInRange(spec, from, new Date(limit.getTime() + 1))).toThrow(new RangeError(`range longer than ${MAX_RANGE_DAYS} days`));
  });
});

describe('business hours and exceptions', () => {
  const office = (exceptions: DateException[] = []) =>
    hours(NY, WORKDAYS, [{ start: '08:00', end: '18:00' }], exceptions);

  it('an interval contains its start and not its end', () => {
    const h = office();
    expect(isOpenAt(h, at('2030-03-04T07:59:59.999-05:00'))).toBe(false);
    expect(isOpenAt(h, at('2030-03-04T08:00:00-05:00'))).toBe(true);
    expect(isOpenAt(h, at('2030-03-04T17:59:59-05:00'))).toBe(true);
    expect(isOpenAt(h, at('2030-03-04T18:00:00-05:00'))).toBe(false);
    expect(isOpenAt(null, at('2030-03-09T03:00:00Z'))).toBe(true);
  });

  it('a holiday closed all day overrides the weekday', () => {
    const spec = queue({ hours: office([{ date: '2030-07-04', closed: true, intervals: [] }]) });
    expect(isOpenAt(spec.hours, at('2030-07-04T12:00:00-04:00'))).toBe(false);
    expect(slotsForDay(spec, '2030-07-04')).toEqual([]);
    expect(slotsForDay(spec, '2030-07-05')).toHaveLength(40);
  });

  it('a special-hours exception replaces the weekday intervals', () => {
    const spec = queue({
      hours: office([{ date: '2030-12-24', closed: false, intervals: [{ start: '09:00', end: '12:00' }] }]),
    });
    expect(isOpenAt(spec.hours, at('2030-12-24T08:30:00-05:00'))).toBe(false);
    expect(isOpenAt(spec.hours, at('2030-12-24T11:59:00-05:00'))).toBe(true);
    expect(isOpenAt(spec.hours, at('2030-12-24T12:00:00-05:00'))).toBe(false);
    expect(times(slotsForDay(spec, '2030-12-24'))).toHaveLength(12);
    expect(openWindow(spec.hours, at('2030-12-24T10:00:00-05:00')).closesAt).toEqual(at('2030-12-24T12:00:00-05:00'));
  });

  it('openWindow follows adjacent intervals across midnight', () => {
    const h: BusinessHoursSpec = {
      timezone: NY,
      weekly: {
        monday: [{ start: '00:00', end: '24:00' }],
        tuesday: [{ start: '00:00', end: '08:00' }, { start: '08:00', end: '09:30' }, { start: '10:00', end: '17:00' }],
      },
      exceptions: [],
    };
    expect(openWindow(h, at('2030-03-04T23:00:00-05:00'))).toEqual({
      open: true,
      closesAt: at('2030-03-05T09:30:00-05:00'),
      nextOpenAt: null,
    });
    expect(openWindow(h, at('2030-03-05T09:45:00-05:00'))).toEqual({
      open: false,
      closesAt: null,
      nextOpenAt: at('2030-03-05T10:00:00-05:00'),
    });
  });

  it('openWindow stops at a closed exception and skips it when looking for the next opening', () => {
    const h = office([{ date: '2030-07-05', closed: true, intervals: [] }]);
    expect(openWindow(h, at('2030-07-04T17:30:00-04:00')).closesAt).toEqual(at('2030-07-04T18:00:00-04:00'));
    expect(openWindow(h, at('2030-07-04T19:00:00-04:00')).nextOpenAt).toEqual(at('2030-07-08T08:00:00-04:00'));
    const always = hours(NY, WEEKDAYS, [{ start: '00:00', end: '24:00' }], [{ date: '2030-07-04', closed: true, intervals: [] }]);
    expect(openWindow(always, at('2030-07-02T12:00:00-04:00')).closesAt).toEqual(at('2030-07-04T00:00:00-04:00'));
  });

  it('nextOpenAt over a weekend is Monday morning in local time', () => {
    expect(openWindow(office(), at('2030-03-08T18:30:00-05:00'))).toEqual({
      open: false,
      closesAt: null,
      nextOpenAt: at('2030-03-11T08:00:00-04:00'), // DST began on the Sunday
    });
  });

  it('openWindow answers null beyond its horizon and for a queue without hours', () => {
    expect(openWindow(allDay(NY), at('2030-03-04T12:00:00Z'))).toEqual({ open: true, closesAt: null, nextOpenAt: null });
    expect(openWindow(hours(NY, [], []), at('2030-03-04T12:00:00Z')).nextOpenAt).toBeNull();
    expect(openWindow(null, at('2030-03-04T12:00:00Z'))).toEqual({ open: true, closesAt: null, nextOpenAt: null });
  });

  it('a boundary inside the skipped hour takes effect at the jump', () => {
    const closing = hours(BERLIN, ['sunday'], [{ start: '01:00', end: '02:30' }]);
    expect(openWindow(closing, at('2030-03-31T01:30:00+01:00')).closesAt).toEqual(at('2030-03-31T01:00:00Z'));
    const opening = hours(BERLIN, ['sunday'], [{ start: '02:30', end: '05:00' }]);
    expect(openWindow(opening, at('2030-03-31T00:00:00+01:00')).nextOpenAt).toEqual(at('2030-03-31T03:00:00+02:00'));
  });
});

describe('validation', () => {
  const valid = () => hours(NY, WORKDAYS, [{ start: '08:00', end: '12:00' }, { start: '12:00', end: '24:00' }]);

  it('accepts touching intervals, 24:00 as an end and real exceptions', () => {
    const h = valid();
    h.exceptions = [{ date: '2030-02-28', closed: false, intervals: [{ start: '10:00', end: '11:00' }] }];
    expect(validateBusinessHours(h)).toBeNull();
  });

  it('names the day when intervals overlap', () => {
    const h = valid();
    h.weekly.monday = [{ start: '09:00', end: '12:00' }, { start: '08:00', end: '09:30' }];
    expect(validateBusinessHours(h)).toEqual({ field: 'weekly.monday', message: 'intervals 08:00–09:30 and 09:00–12:00 overlap' });
  });

  it('rejects inverted, empty and malformed intervals, and 24:00 as a start', () => {
    expect(validateInterval({ start: '17:00', end: '09:00' })).toMatch(/ends before it starts/);
    expect(validateInterval({ start: '09:00', end: '09:00' })).toMatch(/empty/);
    expect(validateInterval({ start: '24:00', end: '24:00' })).toMatch(/start/);
    for (const bad of ['9:00', '25:00', '12:60', '']) expect(validateInterval({ start: bad, end: '24:00' })).not.toBeNull();
    expect(validateInterval({ start: '09:00', end: '24:01' })).toMatch(/end/);
    const h = valid();
    h.weekly.tuesday = [{ start: '17:00', end: '09:00' }];
    expect(validateBusinessHours(h)?.field).toBe('weekly.tuesday[0]');
  });

  it('rejects an unknown zone, an unknown weekday and exception problems, naming the field', () => {
    expect(validateBusinessHours({ ...valid(), timezone: 'Mars/Olympus' })?.field).toBe('timezone');
    expect(validateBusinessHours({ ...valid(), weekly: { funday: [] } as never })?.field).toBe('weekly.funday');
    const ex = (exceptions: DateException[]) => validateBusinessHours({ ...valid(), exceptions })?.field;
    expect(ex([{ date: '2030-02-30', closed: true, intervals: [] }])).toBe('exceptions[0].date');
    expect(ex([{ date: '2030-12-25', closed: true, intervals: [] }, { date: '2030-12-25', closed: true, intervals: [] }])).toBe('exceptions[1].date');
    expect(ex([{ date: '2030-12-24', closed: false, intervals: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '13:00' }] }])).toBe('exceptions[0].intervals');
    expect(ex([{ date: '2030-12-24', closed: true, intervals: [{ start: '09:00', end: '12:00' }] }])).toBe('exceptions[0].intervals');
  });

  it('checks capacity cells against the timeslot length and the value range', () => {
    expect(validateCapacityCells({ monday: { '09:00': 0, '10:00': 100_000 } }, 'hour')).toBeNull();
    expect(validateCapacityCells({ monday: { '09:30': 5 } }, 'halfHour')).toBeNull();
    expect(validateCapacityCells({ monday: { '09:30': 5 } }, 'hour')?.field).toBe('cells.monday.09:30');
    expect(validateCapacityCells({ monday: { '09:15': 5 } }, 'halfHour')?.field).toBe('cells.monday.09:15');
    expect(validateCapacityCells({ funday: {} } as never, 'hour')?.field).toBe('cells.funday');
    for (const bad of [-1, 1.5, 100_001]) {
      expect(validateCapacityCells({ friday: { '09:00': bad } }, 'hour')?.field).toBe('cells.friday.09:00');
    }
  });
});

describe('spokenTime', () => {
  const now = at('2030-01-15T12:00:00Z');

  it('speaks the same instant in two zones', () => {
    expect(spokenTime(at('2030-03-05T14:15:00Z'), NY, now)).toBe('Tuesday, March 5 at 9:15 AM');
    expect(spokenTime(at('2030-03-05T14:15:00Z'), BERLIN, now)).toBe('Tuesday, March 5 at 3:15 PM');
    expect(spokenTime(at('2026-03-03T09:15:00-05:00'), NY, at('2026-01-01T12:00:00Z'))).toBe('Tuesday, March 3 at 9:15 AM');
  });

  it('says 12:00 PM for noon and 12:00 AM for midnight', () => {
    expect(spokenTime(at('2030-03-05T12:00:00-05:00'), NY, now)).toBe('Tuesday, March 5 at 12:00 PM');
    expect(spokenTime(at('2030-03-05T00:00:00+01:00'), BERLIN, now)).toBe('Tuesday, March 5 at 12:00 AM');
  });

  it('adds the year only when it differs from the current year in that zone', () => {
    expect(spokenTime(at('2031-01-02T15:00:00Z'), NY, now)).toBe('Thursday, January 2, 2031 at 10:00 AM');
    expect(spokenTime(at('2031-01-01T03:00:00Z'), NY, now)).toBe('Tuesday, December 31 at 10:00 PM');
  });
});
