/**
 * Availability under a realistic booking load: `POST /actions/v1/availability` for a queue open
 * around the clock (15-minute slots, 96 a day), with an hourly capacity rule (10–40 per slot),
 * maxDaysAhead 30, and 20,000 existing bookings over those 30 days. The first 24 hours from "now"
 * are fully booked, and one slot in every twelve after that is full too, so searches have to look
 * past full slots. Two rows, each against the bare Fastify reference:
 *
 * - `maxSlots 10`: the common flow question, "the next ten slots";
 * - `days 30, maxSlots 100`: the widest answer the action gives.
 *
 * Scenario `availability` measures both in one run; `availability-10` and `availability-100` one
 * each (same setup), for shorter reruns.
 *
 * Every request's body comes from `nextAvailabilityRequest` / `nextWideAvailabilityRequest` (run in
 * the load generator's thread): one in three requests sends no `start` (now: it must walk past the
 * fully booked first day), the others a `start` spread over the 30 days, so requests look at
 * different days and different booking rows.
 *
 * The app runs on the wall clock (the harness cannot pass a clock), so the data is laid out from
 * the moment of the run: slots that exist from now on, bookings on those slots.
 */
import { benchContext } from '../context.js';
import { sql } from 'kysely';
import type autocannon from 'autocannon';
import { createRule } from '../../src/capacity/service.js';
import { createHours } from '../../src/hours/service.js';
import { findQueueWithConfig } from '../../src/queues/queries.js';
import { createQueue, slotSpecOf } from '../../src/queues/service.js';
import { slotsInRange, WEEKDAYS, type CapacityCells } from '../../src/slots/engine.js';
import type { Row, Scenario, ScenarioContext } from '../harness.js';

export const AVAILABILITY_QUEUE = 'bench-availability';
export const AVAILABILITY_ROW = 'POST /actions/v1/availability maxSlots 10';
export const AVAILABILITY_WIDE_ROW = 'POST /actions/v1/availability days 30 maxSlots 100';

const ZONE = 'America/New_York';
const MAX_DAYS_AHEAD = 30;
const TOTAL_BOOKINGS = 20_000;
/** After the fully booked first 24 hours, every FULL_EVERY-th slot is full as well. */
const FULL_EVERY = 12;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Capacity per slot for a weekday (0 = Sunday) and hour: 10…40, varying by hour and day. */
export function cellCapacity(day: number, hour: number): number {
  return 10 + ((hour * 7 + day * 11) % 31);
}

// ---------------------------------------------------------------------------------------------
// Request bodies, built per request in the load generator's worker thread.

let sent = 0;

/**
 * One in three: no start (search from now, past the full first day). Otherwise a start at a
 * pseudo-random whole hour within the next 29 days (a stride coprime to 29 × 24 visits them all).
 */
function availabilityBody(extra: Record<string, unknown>): string {
  const n = sent++;
  const body: Record<string, unknown> = { queue: AVAILABILITY_QUEUE, ...extra };
  if (n % 3 !== 0) {
    const hours = (n * 7919) % ((MAX_DAYS_AHEAD - 1) * 24);
    const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    body.start = new Date(hour + hours * HOUR_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return JSON.stringify(body);
}

/** autocannon `setupRequest` hook for the `maxSlots 10` row. */
export function nextAvailabilityRequest(request: autocannon.Request): autocannon.Request {
  request.body = availabilityBody({ maxSlots: 10 });
  return request;
}

/** autocannon `setupRequest` hook for the `days 30, maxSlots 100` row. */
export function nextWideAvailabilityRequest(request: autocannon.Request): autocannon.Request {
  request.body = availabilityBody({ days: 30, maxSlots: 100 });
  return request;
}

// ---------------------------------------------------------------------------------------------

interface AvailabilityAnswer {
  slotCount: number;
  slots: string[];
  remaining: number[];
  firstSlot: string;
  firstSlotSpoken: string;
}

type Variant = 'narrow' | 'wide';

const ROWS: Record<Variant, { name: string; hook: string }> = {
  narrow: { name: AVAILABILITY_ROW, hook: 'nextAvailabilityRequest' },
  wide: { name: AVAILABILITY_WIDE_ROW, hook: 'nextWideAvailabilityRequest' },
};

const SETUP = '15-min slots around the clock, hourly capacity rule 10–40, 30 days, 20,000 bookings (first 24 h full)';

function availabilityScenario(name: string, description: string, variants: Variant[]): Scenario {
  return {
    name,
    description,
    defaultRate: 200,
    goals: Object.fromEntries(variants.map((v) => [ROWS[v].name, { maxP99Ms: 20 }])),
    run: (ctx) => runAvailability(ctx, variants),
  };
}

/** Both rows in one run, against one bare reference. */
export const availability = availabilityScenario('availability', `POST /actions/v1/availability, ${SETUP}: maxSlots 10, and days 30 + maxSlots 100`, ['narrow', 'wide']);
/** The `maxSlots 10` row alone. */
export const availability10 = availabilityScenario('availability-10', `POST /actions/v1/availability maxSlots 10 only (setup as availability)`, ['narrow']);
/** The `days 30, maxSlots 100` row alone. */
export const availability100 = availabilityScenario('availability-100', `POST /actions/v1/availability days 30 + maxSlots 100 only (setup as availability)`, ['wide']);

async function runAvailability(ctx: ScenarioContext, variants: Variant[]): Promise<Row[]> {
  const { harness } = ctx;
  ctx.log('starting PostgreSQL and the app');
  const database = await harness.startBenchDatabase();
  ctx.defer(database.stop);
  const bench = await harness.startBenchApp(database.url);
  ctx.defer(bench.close);
  const db = bench.db;

  // Open every day 00:00–24:00; hourly capacity cells 10–40 on every hour of every day.
  const allDay = [{ start: '00:00', end: '24:00' }];
  const hours = await createHours(benchContext(db), { name: 'bench-always-open', timezone: ZONE, weekly: Object.fromEntries(WEEKDAYS.map((d) => [d, allDay])), exceptions: [] });
  const cells: CapacityCells = Object.fromEntries(
    WEEKDAYS.map((d, day) => [d, Object.fromEntries(Array.from({ length: 24 }, (_, h) => [`${String(h).padStart(2, '0')}:00`, cellCapacity(day, h)]))]),
  );
  const rule = await createRule(benchContext(db), { name: 'bench-hourly-10-40', timeslotLength: 'hour', cells });
  const queue = await createQueue(
    benchContext(db),
    {
      name: AVAILABILITY_QUEUE,
      timezone: ZONE,
      businessHoursId: hours.id,
      capacityRuleId: rule.id,
      slotDurationMinutes: 15,
      maxDaysAhead: MAX_DAYS_AHEAD,
      scheduledEnabled: true,
    },
  );

  // The slots the app will offer, computed by the engine from the stored configuration.
  const config = await findQueueWithConfig(db, { queue: AVAILABILITY_QUEUE });
  if (!config) throw new Error('bench queue not found after creation');
  const now = Date.now();
  const fullUntil = now + DAY_MS;
  const slots = slotsInRange(slotSpecOf(config), new Date(now), new Date(now + MAX_DAYS_AHEAD * DAY_MS));
  const bookings = planBookings(slots, fullUntil);
  await sql`
    insert into slot_bookings (queue_id, slot_start, booked)
    select ${queue.id}::uuid, b.slot_start, b.booked
    from unnest(${bookings.map((b) => b.start.toISOString())}::timestamptz[], ${bookings.map((b) => b.booked)}::int[]) as b(slot_start, booked)
    where b.booked > 0`.execute(db);
  await sql`analyze slot_bookings`.execute(db);
  const check = await sql<{ rows: string; total: string; full: string; fullBooked: string }>`
    select count(*) as rows, sum(booked) as total, count(*) filter (where booked >= capacity) as full,
      coalesce(sum(booked) filter (where booked >= capacity), 0) as "fullBooked"
    from slot_bookings join unnest(${bookings.map((b) => b.start.toISOString())}::timestamptz[], ${bookings.map((b) => b.capacity)}::int[]) as c(slot_start, capacity) using (slot_start)
    where queue_id = ${queue.id}::uuid`.execute(db);
  const stats = check.rows[0]!;
  if (Number(stats.total) !== TOTAL_BOOKINGS) throw new Error(`expected ${TOTAL_BOOKINGS} bookings, the table holds ${stats.total}`);
  ctx.log(
    `${slots.length} slots over ${MAX_DAYS_AHEAD} days (capacity ${slots.reduce((a, s) => a + s.capacity, 0)}); ` +
      `${stats.rows} booking rows, ${stats.total} bookings, ${stats.full} full slots holding ${stats.fullBooked} (all of the first 24 h, then 1 in ${FULL_EVERY})`,
  );

  const authorization = await harness.makeToken(bench.app, db, ['actions']);
  const url = `${bench.baseUrl}/actions/v1/availability`;
  const headers = { authorization };

  // Probes: from now the first free slot lies past the full first day; 10 and 100 slots come back.
  const narrow = JSON.parse(await harness.probe(url, { method: 'POST', headers, body: { queue: AVAILABILITY_QUEUE, maxSlots: 10 } })) as AvailabilityAnswer;
  if (narrow.slotCount !== 10 || Date.parse(narrow.firstSlot) < fullUntil) {
    throw new Error(`unexpected availability answer: ${JSON.stringify(narrow).slice(0, 400)}`);
  }
  ctx.log(`probe: first slot ${narrow.firstSlot} ("${narrow.firstSlotSpoken}"), remaining ${narrow.remaining.join(',')}`);
  const wide = JSON.parse(
    await harness.probe(url, { method: 'POST', headers, body: { queue: AVAILABILITY_QUEUE, days: 30, maxSlots: 100, start: new Date(now + 10 * DAY_MS).toISOString() } }),
  ) as AvailabilityAnswer;
  if (wide.slotCount !== 100) throw new Error(`unexpected availability answer: ${JSON.stringify(wide).slice(0, 400)}`);

  const bare = await ctx.bare();
  const rows = [bare];
  for (const v of variants) {
    rows.push(
      await ctx.measure({
        name: ROWS[v].name,
        url,
        method: 'POST',
        headers,
        body: { queue: AVAILABILITY_QUEUE, maxSlots: 10 }, // replaced per request by the hook
        setupRequest: { module: import.meta.url, export: ROWS[v].hook },
      }),
    );
  }
  return rows;
}

interface PlannedBooking {
  start: Date;
  capacity: number;
  booked: number;
}

/**
 * Booking counters summing to exactly TOTAL_BOOKINGS: every slot starting before `fullUntil` is
 * full, and every FULL_EVERY-th slot after it; what is left is spread over the other slots in
 * proportion to their capacity, each kept below its capacity (so only the planned slots are full).
 */
function planBookings(slots: { start: Date; capacity: number }[], fullUntil: number): PlannedBooking[] {
  const plan = slots.map((s, i) => {
    const full = s.start.getTime() < fullUntil || i % FULL_EVERY === FULL_EVERY - 1;
    return { start: s.start, capacity: s.capacity, booked: full ? s.capacity : 0, full };
  });
  let left = TOTAL_BOOKINGS - plan.reduce((a, p) => a + p.booked, 0);
  const open = plan.filter((p) => !p.full);
  const room = open.reduce((a, p) => a + p.capacity - 1, 0);
  if (left < 0 || left > room) throw new Error(`cannot place ${TOTAL_BOOKINGS} bookings: ${left} left for ${room} places`);
  const share = left;
  for (const p of open) {
    p.booked = Math.floor((share * (p.capacity - 1)) / room);
    left -= p.booked;
  }
  for (let i = 0; left > 0; i = (i + 1) % open.length) {
    const p = open[i]!;
    if (p.booked < p.capacity - 1) {
      p.booked++;
      left--;
    }
  }
  return plan.map(({ start, capacity, booked }) => ({ start, capacity, booked }));
}
