import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeNumber } from '../src/numbers/screening.js';
import { bookSlot, releaseSlot } from '../src/slots/bookings.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

// Monday 2030-03-04, 10:00 in New York (EST, -05:00); the factories' hours are 09:00–17:00 on weekdays.
const MONDAY_10AM = '2030-03-04T15:00:00Z';
const clock = new TestClock(new Date(MONDAY_10AM));
let t: TestApp;
let actions: { authorization: string };
let admin: { authorization: string };
let clientId: string;
let make: ReturnType<typeof factories>;
beforeAll(async () => {
  // A pool as large as a busy deployment's, so the racing requests really run at the same time.
  t = await buildTestApp({ clock, env: { DATABASE_POOL_MAX: '50' } });
  const a = await authHeader(t, ['actions']);
  actions = a.headers;
  clientId = a.client.clientId;
  admin = (await authHeader(t, ['administrator'])).headers;
  make = factories(t.database.db);
});
afterAll(async () => t.close());

const ANSWER_KEYS = [
  'alternativeSlots',
  'alternativeSlotsLocal',
  'callbackId',
  'closedReason',
  'created',
  'message',
  'outcome',
  'phoneE164',
  'replayed',
  'scheduledTime',
  'scheduledTimeLocal',
  'state',
];

type Answer = {
  outcome: string;
  created: boolean;
  replayed: boolean;
  callbackId: string;
  state: string;
  scheduledTime: string;
  scheduledTimeLocal: string;
  phoneE164: string;
  alternativeSlots: string[];
  alternativeSlotsLocal: string[];
  message: string;
};

const post = (payload: object, headers = actions) => t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers, payload });

/** A 200 answer with every key present (Architect branches on them). */
async function create(payload: object, headers = actions): Promise<Answer> {
  const res = await post(payload, headers);
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json() as Answer;
  expect(Object.keys(body).sort()).toEqual(ANSWER_KEYS);
  return body;
}

// Valid US numbers (the White House exchange: libphonenumber accepts all 10,000 of them).
let phoneSeq = 0;
const nextPhone = () => `+1202456${String(phoneSeq++ % 10_000).padStart(4, '0')}`;
const US = '+12024561111';
const GB_FIXED = '+442079460958';
const GB_PREMIUM = '+449098790000';
const INVALID = '+15555551234';

async function hoursQueue(o: Parameters<typeof make.queue>[0] = {}) {
  const hours = await make.hours();
  return make.queue({ businessHoursId: hours.id, ...o });
}

async function booked(queueId: string, slotStart: string): Promise<number> {
  const row = await t.database.db.selectFrom('slot_bookings').select('booked').where('queue_id', '=', queueId).where('slot_start', '=', new Date(slotStart)).executeTakeFirst();
  return row?.booked ?? 0;
}

async function callbacksOf(queueId: string) {
  return t.database.db.selectFrom('callbacks').selectAll().where('queue_id', '=', queueId).execute();
}

/** graphile-worker 0.16's `jobs` view has no payload: read it from the private table. */
async function jobsFor(callbackId: string) {
  const { rows } = await sql<{ task: string; payload: { callbackId: string }; key: string | null }>`
    select t.identifier as task, j.payload, j.key
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    where j.payload->>'callbackId' = ${callbackId}`.execute(t.database.db);
  return rows;
}

async function jobCountForQueue(queueId: string, task: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    join callbacks c on c.id::text = j.payload->>'callbackId'
    where t.identifier = ${task} and c.queue_id = ${queueId}`.execute(t.database.db);
  return Number(rows[0]!.n);
}

/** Free slots as the availability action sees them, to check alternatives against. */
async function freeSlotsOf(queueName: string, start: string, days = 2): Promise<string[]> {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/availability', headers: actions, payload: { queue: queueName, start, days, maxSlots: 100 } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().slots as string[];
}

/** Alternatives are free, in the future, sorted, at most 3, and no free slot is nearer than the farthest one. */
function expectNearestFree(alternatives: string[], free: string[], around: string) {
  const now = clock.now().getTime();
  const ms = (s: string) => new Date(s).getTime();
  expect(alternatives.length).toBeGreaterThan(0);
  expect(alternatives.length).toBeLessThanOrEqual(3);
  expect([...alternatives].sort((a, b) => ms(a) - ms(b))).toEqual(alternatives);
  for (const a of alternatives) {
    expect(free, `${a} is free`).toContain(a);
    expect(ms(a)).toBeGreaterThan(now);
  }
  const dist = (s: string) => Math.abs(ms(s) - ms(around));
  const farthest = Math.max(...alternatives.map(dist));
  const nearer = free.filter((f) => !alternatives.includes(f) && ms(f) > now && dist(f) < farthest);
  expect(nearer, 'no free slot is nearer than an alternative').toEqual([]);
}

describe('POST /actions/v1/callbacks/create — outcomes', () => {
  it('creates a scheduled callback at the desired time: SCHEDULED, slot counter +1, history "created", delivery job in the same commit', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ defaultPriority: 7 });
    const body = await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00', customerName: 'Ada', conversationId: 'conv-1' });
    expect(body).toMatchObject({
      outcome: 'CREATED',
      created: true,
      replayed: false,
      state: 'SCHEDULED',
      scheduledTime: '2030-03-05T15:00:00Z',
      scheduledTimeLocal: '2030-03-05T10:00:00-05:00',
      phoneE164: US,
      alternativeSlots: [],
      alternativeSlotsLocal: [],
    });
    expect(body.callbackId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(1);

    const row = await t.database.db.selectFrom('callbacks').selectAll().where('id', '=', body.callbackId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ type: 'scheduled', state: 'SCHEDULED', phone_e164: US, customer_name: 'Ada', ivr_conversation_id: 'conv-1', priority: 7, created_by: clientId, completion_reason: null });
    expect(row.desired_time?.toISOString()).toBe('2030-03-05T15:00:00.000Z');
    expect(row.slot_start?.toISOString()).toBe('2030-03-05T15:00:00.000Z');

    const history = await t.database.db.selectFrom('callback_history').selectAll().where('callback_id', '=', body.callbackId).execute();
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ event: 'created', to_state: 'SCHEDULED', actor: clientId });

    expect(await jobsFor(body.callbackId)).toEqual([{ task: 'deliver-callback', payload: { callbackId: body.callbackId }, key: `deliver:${body.callbackId}` }]);
    // The public view lists it too.
    const { rows } = await sql<{ task_identifier: string }>`select task_identifier from graphile_worker.jobs where key = ${`deliver:${body.callbackId}`}`.execute(t.database.db);
    expect(rows).toEqual([{ task_identifier: 'deliver-callback' }]);
  });

  it('creates an immediate callback when the queue is open: QUEUED, no scheduled time, no slot booked, delivery job enqueued', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const body = await create({ queue: queue.name, phoneNumber: US, priority: 3 });
    expect(body).toMatchObject({ outcome: 'CREATED', created: true, state: 'QUEUED', scheduledTime: '', scheduledTimeLocal: '', phoneE164: US });
    const [row] = await callbacksOf(queue.id);
    expect(row).toMatchObject({ id: body.callbackId, type: 'immediate', state: 'QUEUED', slot_start: null, scheduled_time: null, priority: 3 });
    expect(await t.database.db.selectFrom('slot_bookings').select('booked').where('queue_id', '=', queue.id).execute()).toEqual([]);
    expect((await jobsFor(body.callbackId)).map((j) => j.task)).toEqual(['deliver-callback']);
    const history = await t.database.db.selectFrom('callback_history').select(['event', 'to_state']).where('callback_id', '=', body.callbackId).execute();
    expect(history).toEqual([{ event: 'created', to_state: 'QUEUED' }]);
  });

  it('refuses an immediate callback on a queue that takes none (IMMEDIATE_DISABLED), and a scheduled one likewise (SCHEDULED_DISABLED)', async () => {
    clock.set(MONDAY_10AM);
    const noImmediate = await hoursQueue({ immediateEnabled: false });
    expect(await create({ queue: noImmediate.name, phoneNumber: US })).toMatchObject({ outcome: 'IMMEDIATE_DISABLED', created: false, callbackId: '', state: '' });
    expect((await create({ queue: noImmediate.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' })).outcome).toBe('CREATED');

    const noScheduled = await hoursQueue({ scheduledEnabled: false });
    const refused = await create({ queue: noScheduled.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    expect(refused).toMatchObject({ outcome: 'SCHEDULED_DISABLED', created: false, alternativeSlots: [] });
    expect((await create({ queue: noScheduled.name, phoneNumber: US })).outcome).toBe('CREATED');
    expect(await callbacksOf(noScheduled.id)).toHaveLength(1);
  });

  it('refuses an immediate callback while the queue is closed (QUEUE_CLOSED) with the first slots after now as alternatives', async () => {
    clock.set('2030-03-04T11:00:00Z'); // Monday 06:00, closed until 09:00
    const queue = await hoursQueue();
    const body = await create({ queue: queue.name, phoneNumber: US });
    expect(body).toMatchObject({ outcome: 'QUEUE_CLOSED', created: false, callbackId: '' });
    expect(body.alternativeSlots).toEqual(['2030-03-04T14:00:00Z', '2030-03-04T14:15:00Z', '2030-03-04T14:30:00Z']);
    expect(body.alternativeSlotsLocal).toEqual(['2030-03-04T09:00:00-05:00', '2030-03-04T09:15:00-05:00', '2030-03-04T09:30:00-05:00']);
    expect(await callbacksOf(queue.id)).toHaveLength(0);
  });

  it('refuses an immediate callback within immediateBlackoutMinutes of closing (QUEUE_CLOSED), and takes one just before the blackout', async () => {
    const queue = await hoursQueue({ immediateBlackoutMinutes: 30 });
    clock.set('2030-03-04T21:40:00Z'); // 16:40, 20 minutes before closing
    const late = await create({ queue: queue.name, phoneNumber: US });
    expect(late.outcome).toBe('QUEUE_CLOSED');
    expect(late.message).toMatch(/closes in 20 minutes/);
    clock.set('2030-03-04T21:29:00Z'); // 16:29, 31 minutes before closing
    expect((await create({ queue: queue.name, phoneNumber: US })).outcome).toBe('CREATED');
  });

  it('open-for and queue-status offer no immediate callback exactly immediateBlackoutMinutes before closing', async () => {
    const queue = await hoursQueue({ immediateBlackoutMinutes: 30 });
    clock.set('2030-03-04T21:30:00Z'); // 16:30, exactly 30 minutes before closing
    const ask = async (url: string) => (await t.app.inject({ method: 'POST', url: `/actions/v1/${url}`, headers: actions, payload: { queue: queue.name } })).json();
    expect(await ask('open-for')).toMatchObject({ open: true, openForSeconds: 1800, offerImmediate: false });
    expect(await ask('queue-status')).toMatchObject({ offerImmediate: false });
  });

  // The blackout rule is the same in create, open-for and queue-status.
  it('agrees with open-for at the blackout boundary: exactly immediateBlackoutMinutes before closing is QUEUE_CLOSED', async () => {
    const queue = await hoursQueue({ immediateBlackoutMinutes: 30 });
    clock.set('2030-03-04T21:30:00Z');
    expect((await create({ queue: queue.name, phoneNumber: US })).outcome).toBe('QUEUE_CLOSED');
  });

  it('refuses a desired time that has passed (IN_THE_PAST) with the free slots nearest now', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    for (const desiredTime of ['2030-03-04T09:30', MONDAY_10AM]) {
      const body = await create({ queue: queue.name, phoneNumber: US, desiredTime });
      expect(body).toMatchObject({ outcome: 'IN_THE_PAST', created: false, callbackId: '', scheduledTime: '' });
      // 10:00 started at now: the next ones are 10:15, 10:30, 10:45.
      expect(body.alternativeSlots).toEqual(['2030-03-04T15:15:00Z', '2030-03-04T15:30:00Z', '2030-03-04T15:45:00Z']);
    }
    expect(await callbacksOf(queue.id)).toHaveLength(0);
  });

  it('refuses a desired time beyond maxDaysAhead (TOO_FAR_AHEAD) with the last free slots inside the horizon', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ maxDaysAhead: 2 });
    // The horizon is Wednesday 10:00; Wednesday 11:00 is beyond it.
    const body = await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-06T11:00' });
    expect(body.outcome).toBe('TOO_FAR_AHEAD');
    expect(body.alternativeSlots).toEqual(['2030-03-06T14:15:00Z', '2030-03-06T14:30:00Z', '2030-03-06T14:45:00Z']);
    expect((await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-06T09:45' })).outcome).toBe('CREATED');
  });

  it('refuses a time the queue is closed (OUTSIDE_HOURS) with the nearest free slots, and a time whose capacity is 0', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const evening = await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T18:00' });
    expect(evening.outcome).toBe('OUTSIDE_HOURS');
    expect(evening.alternativeSlots).toEqual(['2030-03-05T21:15:00Z', '2030-03-05T21:30:00Z', '2030-03-05T21:45:00Z']);
    expectNearestFree(evening.alternativeSlots, await freeSlotsOf(queue.name, '2030-03-05T00:00'), '2030-03-05T23:00:00Z');
    expect((await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-09T10:00' })).outcome).toBe('OUTSIDE_HOURS'); // Saturday

    // A rule with capacity only 10:00–11:00 on Tuesday: 11:00 is open but takes no callbacks.
    const rule = await make.rule({ timeslotLength: 'hour', cells: { tuesday: { '10:00': 2 } } });
    const ruled = await hoursQueue({ capacityRuleId: rule.id });
    const zero = await create({ queue: ruled.name, phoneNumber: US, desiredTime: '2030-03-05T11:00' });
    expect(zero.outcome).toBe('OUTSIDE_HOURS');
    expect(zero.alternativeSlots).toEqual(['2030-03-05T15:15:00Z', '2030-03-05T15:30:00Z', '2030-03-05T15:45:00Z']);
    const none = await hoursQueue({ slotCapacity: 0 });
    const noneBody = await create({ queue: none.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    expect(noneBody).toMatchObject({ outcome: 'OUTSIDE_HOURS', alternativeSlots: [] });
    expect(await callbacksOf(none.id)).toHaveLength(0);
  });

  it('screens the number with the queue’s rule: INVALID_NUMBER, COUNTRY_NOT_PERMITTED, BLOCKED_NUMBER_TYPE, BLOCKED_PATTERN — none creates anything', async () => {
    clock.set(MONDAY_10AM);
    const rule = (await t.app.inject({ method: 'POST', url: '/admin/v1/number-rules', headers: admin, payload: { name: `r-${Math.random()}`, permittedCountries: ['GB'], blockedPatterns: ['^44207946'], blockedNumberTypes: ['PREMIUM_RATE'] } })).json();
    const queue = await hoursQueue({ numberRuleId: rule.id });
    const cases: [string, string, string][] = [
      [INVALID, 'INVALID_NUMBER', ''],
      [US, 'COUNTRY_NOT_PERMITTED', US],
      [GB_PREMIUM, 'BLOCKED_NUMBER_TYPE', GB_PREMIUM],
      [GB_FIXED, 'BLOCKED_PATTERN', GB_FIXED],
    ];
    for (const [phoneNumber, outcome, phoneE164] of cases) {
      for (const desiredTime of [undefined, '2030-03-05T10:00']) {
        const body = await create({ queue: queue.name, phoneNumber, ...(desiredTime && { desiredTime }) });
        expect(body).toMatchObject({ outcome, created: false, callbackId: '', state: '', phoneE164, alternativeSlots: [], alternativeSlotsLocal: [] });
      }
    }
    expect(await callbacksOf(queue.id)).toHaveLength(0);
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(0);
    // A permitted mobile passes the same rule.
    expect((await create({ queue: queue.name, phoneNumber: '07400 123456' })).phoneE164).toBe('+447400123456');
  });

  it('refuses a second pending callback of a number in a queue (DUPLICATE, maxPendingPerNumber 1) and answers the existing one', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ defaultCountry: 'US' });
    const first = await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    const again = await create({ queue: queue.name, phoneNumber: '(202) 456-1111', desiredTime: '2030-03-05T11:00' });
    expect(again).toMatchObject({
      outcome: 'DUPLICATE',
      created: false,
      replayed: false,
      callbackId: first.callbackId,
      state: 'SCHEDULED',
      scheduledTime: '2030-03-05T15:00:00Z',
      phoneE164: US,
      alternativeSlots: [],
    });
    const immediate = await create({ queue: queue.name, phoneNumber: `tel:${US}` });
    expect(immediate).toMatchObject({ outcome: 'DUPLICATE', callbackId: first.callbackId });
    expect(await booked(queue.id, '2030-03-05T16:00:00Z')).toBe(0);
    expect(await callbacksOf(queue.id)).toHaveLength(1);
    // Another queue is not a duplicate; maxPendingPerNumber 2 allows a second one.
    const other = await hoursQueue({ maxPendingPerNumber: 2 });
    expect((await create({ queue: other.name, phoneNumber: US })).outcome).toBe('CREATED');
    expect((await create({ queue: other.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' })).outcome).toBe('CREATED');
    expect((await create({ queue: other.name, phoneNumber: US, desiredTime: '2030-03-05T11:00' })).outcome).toBe('DUPLICATE');
  });

  it('refuses a full slot (SLOT_FULL) with the 3 free slots nearest the desired time, and books nothing', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ slotCapacity: 1 });
    // Tuesday 09:15, 09:30, 10:00 and 10:15 are full; 09:45 (15 min away), 10:30 (30) and 10:45 (45) are the nearest free.
    for (const local of ['09:15', '09:30', '10:00', '10:15']) {
      expect((await create({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: `2030-03-05T${local}` })).outcome).toBe('CREATED');
    }
    const body = await create({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-05T10:00' });
    expect(body).toMatchObject({ outcome: 'SLOT_FULL', created: false, callbackId: '', scheduledTime: '' });
    expect(body.alternativeSlots).toEqual(['2030-03-05T14:45:00Z', '2030-03-05T15:30:00Z', '2030-03-05T15:45:00Z']);
    expect(body.alternativeSlotsLocal).toEqual(['2030-03-05T09:45:00-05:00', '2030-03-05T10:30:00-05:00', '2030-03-05T10:45:00-05:00']);
    expectNearestFree(body.alternativeSlots, await freeSlotsOf(queue.name, '2030-03-05T00:00'), '2030-03-05T15:00:00Z');
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(1);
    expect(await callbacksOf(queue.id)).toHaveLength(4);
  });

  it('with acceptNearest books the nearest LATER free slot of a full one, even when an earlier one is nearer', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ slotCapacity: 1 });
    for (const local of ['10:00', '10:15']) await create({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: `2030-03-05T${local}` });
    const body = await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00', acceptNearest: true });
    expect(body).toMatchObject({ outcome: 'CREATED', created: true, state: 'SCHEDULED', scheduledTime: '2030-03-05T15:30:00Z', scheduledTimeLocal: '2030-03-05T10:30:00-05:00', alternativeSlots: [] });
    expect(await booked(queue.id, '2030-03-05T15:30:00Z')).toBe(1);
    expect(await booked(queue.id, '2030-03-05T14:45:00Z')).toBe(0); // 09:45 is nearer but earlier: not taken
    const row = await t.database.db.selectFrom('callbacks').selectAll().where('id', '=', body.callbackId).executeTakeFirstOrThrow();
    expect(row.slot_start?.toISOString()).toBe('2030-03-05T15:30:00.000Z');
    expect(row.desired_time?.toISOString()).toBe('2030-03-05T15:00:00.000Z');
    // A free slot with acceptNearest is simply booked.
    expect((await create({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-05T11:00', acceptNearest: true })).scheduledTime).toBe('2030-03-05T16:00:00Z');
  });

  it('with acceptNearest answers SLOT_FULL when no later slot within the horizon has room', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ slotCapacity: 1, maxDaysAhead: 1 });
    // The horizon is Tuesday 10:00: Tuesday 09:45 is the last slot. Fill it.
    await create({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-05T09:45' });
    const body = await create({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-05T09:45', acceptNearest: true });
    expect(body).toMatchObject({ outcome: 'SLOT_FULL', created: false, callbackId: '' });
    expect(body.alternativeSlots).toEqual(['2030-03-05T14:00:00Z', '2030-03-05T14:15:00Z', '2030-03-05T14:30:00Z']);
    expect(await callbacksOf(queue.id)).toHaveLength(1);
  });

  it('reads a desiredTime without an offset in `timezone`, else in the queue’s hours zone; an offset always wins', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ maxPendingPerNumber: 10 });
    const london = await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T15:00', timezone: 'Europe/London' });
    expect(london).toMatchObject({ outcome: 'CREATED', scheduledTime: '2030-03-05T15:00:00Z', scheduledTimeLocal: '2030-03-05T15:00:00+00:00' });
    const local = await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:15' });
    expect(local).toMatchObject({ scheduledTime: '2030-03-05T15:15:00Z', scheduledTimeLocal: '2030-03-05T10:15:00-05:00' });
    const offset = await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:30:00-05:00', timezone: 'Asia/Tokyo' });
    expect(offset).toMatchObject({ scheduledTime: '2030-03-05T15:30:00Z', scheduledTimeLocal: '2030-03-06T00:30:00+09:00' });
    // 10:00 in London is 05:00 in New York: closed.
    expect((await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00', timezone: 'Europe/London' })).outcome).toBe('OUTSIDE_HOURS');
  });

  it.each([
    [{ desiredTime: 'tomorrow at ten' }, 'desiredTime'],
    [{ desiredTime: '2030-02-30T10:00' }, 'desiredTime'],
    [{ timezone: 'Moon/Base' }, 'timezone'],
    [{ phoneNumber: undefined }, 'phoneNumber'],
    [{ priority: 1.5 }, 'priority'],
    [{ acceptNearest: 'maybe' }, 'acceptNearest'],
    [{ unknownInput: 'x' }, 'unknownInput'],
  ])('refuses %j with 400 naming %s and creates nothing', async (input, field) => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const res = await post({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00', ...input });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'VALIDATION_FAILED', field });
    expect(await callbacksOf(queue.id)).toHaveLength(0);
  });
});

describe('POST /actions/v1/callbacks/create — order of checks (the earlier check wins)', () => {
  it('the queue’s type flags come before time: IMMEDIATE_DISABLED on a closed queue, SCHEDULED_DISABLED for a past time', async () => {
    clock.set('2030-03-04T11:00:00Z'); // closed
    const noImmediate = await hoursQueue({ immediateEnabled: false });
    expect((await create({ queue: noImmediate.name, phoneNumber: US })).outcome).toBe('IMMEDIATE_DISABLED');
    const noScheduled = await hoursQueue({ scheduledEnabled: false });
    expect((await create({ queue: noScheduled.name, phoneNumber: US, desiredTime: '2030-03-01T10:00' })).outcome).toBe('SCHEDULED_DISABLED');
    expect((await create({ queue: noScheduled.name, phoneNumber: US, desiredTime: '2030-03-09T10:00' })).outcome).toBe('SCHEDULED_DISABLED');
  });

  it('the type flags come before screening: IMMEDIATE_DISABLED / SCHEDULED_DISABLED for an invalid number', async () => {
    clock.set(MONDAY_10AM);
    const noImmediate = await hoursQueue({ immediateEnabled: false });
    expect((await create({ queue: noImmediate.name, phoneNumber: INVALID })).outcome).toBe('IMMEDIATE_DISABLED');
    const noScheduled = await hoursQueue({ scheduledEnabled: false });
    expect((await create({ queue: noScheduled.name, phoneNumber: INVALID, desiredTime: '2030-03-05T10:00' })).outcome).toBe('SCHEDULED_DISABLED');
  });

  it('within time checks: IN_THE_PAST before OUTSIDE_HOURS, TOO_FAR_AHEAD before OUTSIDE_HOURS', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ maxDaysAhead: 5 });
    expect((await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-03T10:00' })).outcome).toBe('IN_THE_PAST'); // a Sunday
    expect((await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-16T10:00' })).outcome).toBe('TOO_FAR_AHEAD'); // a Saturday
  });

  it('time comes before screening: QUEUE_CLOSED (closed and in the blackout), IN_THE_PAST, TOO_FAR_AHEAD, OUTSIDE_HOURS win over INVALID_NUMBER', async () => {
    const queue = await hoursQueue({ immediateBlackoutMinutes: 30, maxDaysAhead: 5 });
    clock.set('2030-03-04T11:00:00Z');
    expect((await create({ queue: queue.name, phoneNumber: INVALID })).outcome).toBe('QUEUE_CLOSED');
    clock.set('2030-03-04T21:45:00Z');
    expect((await create({ queue: queue.name, phoneNumber: INVALID })).outcome).toBe('QUEUE_CLOSED');
    clock.set(MONDAY_10AM);
    expect((await create({ queue: queue.name, phoneNumber: INVALID, desiredTime: '2030-03-04T09:00' })).outcome).toBe('IN_THE_PAST');
    expect((await create({ queue: queue.name, phoneNumber: INVALID, desiredTime: '2030-03-20T10:00' })).outcome).toBe('TOO_FAR_AHEAD');
    expect((await create({ queue: queue.name, phoneNumber: INVALID, desiredTime: '2030-03-05T20:00' })).outcome).toBe('OUTSIDE_HOURS');
  });

  it('screening comes before the duplicate check: a pending number the rule now blocks is BLOCKED_PATTERN, not DUPLICATE', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    expect((await create({ queue: queue.name, phoneNumber: US })).outcome).toBe('CREATED');
    const rule = (await t.app.inject({ method: 'POST', url: '/admin/v1/number-rules', headers: admin, payload: { name: `r-${Math.random()}`, permittedCountries: ['US'], blockedPatterns: ['^1202456'] } })).json();
    const patched = await t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${queue.id}`, headers: admin, payload: { numberRuleId: rule.id } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(await create({ queue: queue.name, phoneNumber: US })).toMatchObject({ outcome: 'BLOCKED_PATTERN', callbackId: '' });
  });

  it('the duplicate check comes before booking: a pending number asking for a full slot is DUPLICATE, not SLOT_FULL', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ slotCapacity: 1 });
    const mine = await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    await create({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-05T11:00' });
    expect(await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T11:00' })).toMatchObject({ outcome: 'DUPLICATE', callbackId: mine.callbackId, alternativeSlots: [] });
    expect(await booked(queue.id, '2030-03-05T16:00:00Z')).toBe(1);
  });

  it('the idempotency key comes first: a retry of a created request replays CREATED, not DUPLICATE, even after the queue closed', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const first = await create({ queue: queue.name, phoneNumber: US, idempotencyKey: 'conv-42' });
    expect(first).toMatchObject({ outcome: 'CREATED', replayed: false });
    clock.set('2030-03-04T23:30:00Z'); // closed
    const retry = await create({ queue: queue.name, phoneNumber: US, idempotencyKey: 'conv-42' });
    expect(retry).toEqual({ ...first, replayed: true });
    expect(await callbacksOf(queue.id)).toHaveLength(1);
  });
});

describe('POST /actions/v1/callbacks/create — userData', () => {
  it('stores a flat string map given as JSON text (50 keys and 1,024-character values at most); empty text is an empty map', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ maxPendingPerNumber: 10 });
    const data = { accountId: '42', lang: 'en', _x9: 'é ✓' };
    const body = await create({ queue: queue.name, phoneNumber: US, userData: JSON.stringify(data) });
    expect(body.outcome).toBe('CREATED');
    const stored = async (id: string) => (await t.database.db.selectFrom('callbacks').select('user_data').where('id', '=', id).executeTakeFirstOrThrow()).user_data;
    expect(await stored(body.callbackId)).toEqual(data);

    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'.repeat(1_024)]));
    const big = await create({ queue: queue.name, phoneNumber: US, userData: JSON.stringify(fifty) });
    expect(big.outcome).toBe('CREATED');
    expect(await stored(big.callbackId)).toEqual(fifty);
    const empty = await create({ queue: queue.name, phoneNumber: US, userData: '' });
    expect(await stored(empty.callbackId)).toEqual({});
  });

  it.each([
    ['not JSON', '{accountId: 42'],
    ['an array', '["a","b"]'],
    ['null', 'null'],
    ['a string', '"text"'],
    ['a nested object', '{"a":{"b":"c"}}'],
    ['a number value', '{"a":1}'],
    ['a null value', '{"a":null}'],
    ['51 keys', JSON.stringify(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])))],
    ['a 1,025-character value', JSON.stringify({ a: 'v'.repeat(1_025) })],
    ['a key with a dash', '{"bad-key":"x"}'],
    ['a key starting with a digit', '{"1a":"x"}'],
    ['an empty key', '{"":"x"}'],
    ['the reserved key callbackEngineId', '{"callbackEngineId":"x"}'],
  ])('refuses userData that is %s with 400 naming userData, creating nothing', async (_what, userData) => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const res = await post({ queue: queue.name, phoneNumber: US, userData });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'userData' });
    expect(await callbacksOf(queue.id)).toHaveLength(0);
  });
});

describe('POST /actions/v1/callbacks/create — idempotency', () => {
  it('replays the first answer even when it was a refusal (SLOT_FULL), though the slot has room again', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ slotCapacity: 1 });
    const other = await create({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-05T10:00' });
    const first = await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00', idempotencyKey: 'k-full' });
    expect(first).toMatchObject({ outcome: 'SLOT_FULL', replayed: false });
    expect(first.alternativeSlots).toHaveLength(3);
    // The slot frees up.
    const cancelled = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: other.callbackId } });
    expect(cancelled.json().outcome).toBe('CANCELLED');
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(0);

    const replay = await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00', idempotencyKey: 'k-full' });
    expect(replay).toEqual({ ...first, replayed: true });
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(0);
    // A new key does get the slot.
    expect((await create({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00', idempotencyKey: 'k-new' })).outcome).toBe('CREATED');
  });

  it('replays the first answer to the same key even for a different body, creating nothing more', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const first = await create({ queue: queue.name, phoneNumber: US, idempotencyKey: 'same' });
    const second = await create({ queue: queue.name, phoneNumber: GB_FIXED, desiredTime: '2030-03-05T10:00', idempotencyKey: 'same' });
    expect(second).toEqual({ ...first, replayed: true });
    expect(await callbacksOf(queue.id)).toHaveLength(1);
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(0);
  });

  it('keeps keys per queue: the same key on another queue creates a new callback', async () => {
    clock.set(MONDAY_10AM);
    const a = await hoursQueue();
    const b = await hoursQueue();
    const onA = await create({ queue: a.name, phoneNumber: US, idempotencyKey: 'shared-key' });
    const onB = await create({ queue: b.name, phoneNumber: US, idempotencyKey: 'shared-key' });
    expect(onA).toMatchObject({ outcome: 'CREATED', replayed: false });
    expect(onB).toMatchObject({ outcome: 'CREATED', replayed: false });
    expect(onB.callbackId).not.toBe(onA.callbackId);
    expect(await callbacksOf(a.id)).toHaveLength(1);
    expect(await callbacksOf(b.id)).toHaveLength(1);
  });
});

describe('POST /actions/v1/callbacks/create — races on real PostgreSQL', () => {
  it('never books more than capacity: 500 concurrent creates for one slot of capacity 5 → exactly 5 CREATED, 495 SLOT_FULL', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ slotCapacity: 5 });
    const phones = Array.from({ length: 500 }, (_, i) => `+1202456${String(5000 + i).padStart(4, '0')}`);
    expect(phones.filter((p) => !normalizeNumber(p).ok)).toEqual([]);
    expect(new Set(phones).size).toBe(500);

    const responses = await Promise.all(phones.map((phoneNumber) => post({ queue: queue.name, phoneNumber, desiredTime: '2030-03-05T10:00' })));
    expect(responses.filter((r) => r.statusCode !== 200).map((r) => r.body)).toEqual([]);
    const answers = responses.map((r) => r.json() as Answer);
    const count = (o: string) => answers.filter((a) => a.outcome === o).length;
    expect(count('CREATED')).toBe(5);
    expect(count('SLOT_FULL')).toBe(495);
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(5);
    const rows = await callbacksOf(queue.id);
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(answers.filter((a) => a.created).map((a) => a.callbackId)));
    expect(rows.every((r) => r.slot_start?.toISOString() === '2030-03-05T15:00:00.000Z')).toBe(true);
    expect(await jobCountForQueue(queue.id, 'deliver-callback')).toBe(5);
    // Every refusal offers other, free slots.
    expect(answers.filter((a) => a.outcome === 'SLOT_FULL').every((a) => a.alternativeSlots.length === 3 && !a.alternativeSlots.includes('2030-03-05T15:00:00Z'))).toBe(true);
  });

  it('creates one callback for 100 concurrent requests with one idempotencyKey; all answers equal but `replayed` (99 true, 1 false)', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => post({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00', idempotencyKey: 'retry-storm' })),
    );
    expect(responses.filter((r) => r.statusCode !== 200).map((r) => r.body)).toEqual([]);
    const answers = responses.map((r) => r.json() as Answer);
    expect(answers.filter((a) => a.replayed)).toHaveLength(99);
    const [original] = answers.filter((a) => !a.replayed);
    expect(original).toMatchObject({ outcome: 'CREATED', created: true });
    for (const a of answers) expect({ ...a, replayed: false }).toEqual(original);
    expect(await callbacksOf(queue.id)).toHaveLength(1);
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(1);
    expect(await jobCountForQueue(queue.id, 'deliver-callback')).toBe(1);
  });

  it('creates one callback for 100 concurrent requests of one number (duplicate limit 1): 99 DUPLICATE naming it', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ slotCapacity: 1_000 });
    // Different slots, different or no idempotency keys: only the per-number limit can stop them.
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post({
          queue: queue.name,
          phoneNumber: US,
          ...(i % 3 !== 0 && { desiredTime: `2030-03-05T${String(9 + (i % 8)).padStart(2, '0')}:${['00', '15', '30', '45'][i % 4]}` }),
          ...(i % 2 === 0 && { idempotencyKey: `k-${i}` }),
        }),
      ),
    );
    expect(responses.filter((r) => r.statusCode !== 200).map((r) => r.body)).toEqual([]);
    const answers = responses.map((r) => r.json() as Answer);
    const created = answers.filter((a) => a.outcome === 'CREATED');
    expect(created).toHaveLength(1);
    const duplicates = answers.filter((a) => a.outcome === 'DUPLICATE');
    expect(duplicates).toHaveLength(99);
    expect(duplicates.every((d) => d.callbackId === created[0]!.callbackId)).toBe(true);
    expect(await callbacksOf(queue.id)).toHaveLength(1);
    const total = await t.database.db.selectFrom('slot_bookings').select((eb) => eb.fn.sum<string>('booked').as('n')).where('queue_id', '=', queue.id).executeTakeFirstOrThrow();
    expect(Number(total.n ?? 0)).toBe(created[0]!.scheduledTime === '' ? 0 : 1);
  });

  it('keeps the counter exact when creates race with releases of the same slot', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ slotCapacity: 5 });
    const slot = new Date('2030-03-05T15:00:00Z');
    for (let i = 0; i < 5; i++) await bookSlot(t.database.db, queue.id, slot, 5);
    const [released, responses] = await Promise.all([
      Promise.all(Array.from({ length: 3 }, () => releaseSlot(t.database.db, queue.id, slot))),
      Promise.all(Array.from({ length: 50 }, (_, i) => post({ queue: queue.name, phoneNumber: `+1202456${String(8000 + i).padStart(4, '0')}`, desiredTime: '2030-03-05T10:00' }))),
    ]);
    const created = responses.filter((r) => r.json().outcome === 'CREATED').length;
    expect(released.filter(Boolean)).toHaveLength(3);
    expect(created).toBeLessThanOrEqual(3);
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(2 + created);
    expect(await callbacksOf(queue.id)).toHaveLength(created);
  });
});
