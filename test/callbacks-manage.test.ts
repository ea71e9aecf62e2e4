import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackState } from '../src/db/types.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

// Monday 2030-03-04, 10:00 in New York (EST, -05:00); the factories' hours are 09:00–17:00 on weekdays.
const MONDAY_10AM = '2030-03-04T15:00:00Z';
const clock = new TestClock(new Date(MONDAY_10AM));
let t: TestApp;
let actions: { authorization: string };
let admin: { authorization: string };
let make: ReturnType<typeof factories>;
beforeAll(async () => {
  // A pool as large as a busy deployment's, so the racing requests really run at the same time.
  t = await buildTestApp({ clock, env: { DATABASE_POOL_MAX: '50' } });
  actions = (await authHeader(t, ['actions'])).headers;
  admin = (await authHeader(t, ['administrator'])).headers;
  make = factories(t.database.db);
});
afterAll(async () => t.close());

const ask = (url: string, payload: unknown, headers = actions) => t.app.inject({ method: 'POST', url: `/actions/v1/${url}`, headers, payload: payload as object });

async function ok(url: string, payload: object, headers = actions) {
  const res = await ask(url, payload, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const US = '+12024561111';
let phoneSeq = 0;
const nextPhone = () => `+1202456${String(2000 + (phoneSeq++ % 8_000)).padStart(4, '0')}`;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

async function hoursQueue(o: Parameters<typeof make.queue>[0] = {}) {
  const hours = await make.hours();
  return make.queue({ businessHoursId: hours.id, ...o });
}

/** A queue without a defaultCountry whose number rule permits GB only: national numbers are British. */
async function ukRuleQueue() {
  const res = await t.app.inject({ method: 'POST', url: '/admin/v1/number-rules', headers: admin, payload: { name: `uk-${Math.random()}`, permittedCountries: ['GB'] } });
  expect(res.statusCode, res.body).toBe(201);
  return hoursQueue({ numberRuleId: res.json().id });
}

async function created(payload: object): Promise<{ callbackId: string; scheduledTime: string }> {
  const body = await ok('callbacks/create', payload);
  expect(body.outcome, JSON.stringify(body)).toBe('CREATED');
  return body;
}

async function booked(queueId: string, slotStart: string): Promise<number> {
  const row = await t.database.db.selectFrom('slot_bookings').select('booked').where('queue_id', '=', queueId).where('slot_start', '=', new Date(slotStart)).executeTakeFirst();
  return row?.booked ?? 0;
}

const row = (id: string) => t.database.db.selectFrom('callbacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const setState = (id: string, state: CallbackState) => t.database.db.updateTable('callbacks').set({ state }).where('id', '=', id).execute();

async function jobTasks(callbackId: string): Promise<string[]> {
  const { rows } = await sql<{ task: string }>`
    select t.identifier as task
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    where j.payload->>'callbackId' = ${callbackId}
    order by j.id`.execute(t.database.db);
  return rows.map((r) => r.task);
}

const LOOKUP_KEYS = ['callbackId', 'count', 'found', 'phoneE164', 'scheduledTime', 'scheduledTimeLocal', 'state'];
const CANCEL_KEYS = ['callbackId', 'message', 'outcome'];
const RESCHEDULE_KEYS = ['alternativeSlots', 'alternativeSlotsLocal', 'callbackId', 'message', 'outcome', 'phoneE164', 'scheduledTime', 'scheduledTimeLocal', 'state'];

describe('POST /actions/v1/callbacks/lookup', () => {
  it('finds a number’s pending callback in a queue from national format (queue’s defaultCountry) and from a tel: URI', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ defaultCountry: 'US' });
    const cb = await created({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    const expected = { found: true, count: 1, callbackId: cb.callbackId, state: 'SCHEDULED', scheduledTime: '2030-03-05T15:00:00Z', scheduledTimeLocal: '2030-03-05T10:00:00-05:00', phoneE164: US };
    expect(await ok('callbacks/lookup', { queue: queue.name, phoneNumber: '(202) 456-1111' })).toEqual(expected);
    expect(await ok('callbacks/lookup', { queue: queue.name, phoneNumber: 'tel:+12024561111' })).toEqual(expected);
    expect(await ok('callbacks/lookup', { queueId: queue.id, phoneNumber: '202-456-1111', timezone: 'Europe/London' })).toEqual({ ...expected, scheduledTimeLocal: '2030-03-05T15:00:00+00:00' });
  });

  it('searches every queue without `queue` and counts all pending callbacks of the number', async () => {
    clock.set(MONDAY_10AM);
    const phone = nextPhone();
    const a = await hoursQueue();
    const b = await hoursQueue();
    const inA = await created({ queue: a.name, phoneNumber: phone, desiredTime: '2030-03-05T10:00' });
    const inB = await created({ queue: b.name, phoneNumber: phone, desiredTime: '2030-03-06T10:00' });
    const all = await ok('callbacks/lookup', { phoneNumber: phone });
    expect(all).toMatchObject({ found: true, count: 2, callbackId: inA.callbackId, scheduledTime: '2030-03-05T15:00:00Z' }); // soonest first
    expect(await ok('callbacks/lookup', { queue: b.name, phoneNumber: phone })).toMatchObject({ found: true, count: 1, callbackId: inB.callbackId });
    // National format needs a country: the request's.
    expect(await ok('callbacks/lookup', { phoneNumber: phone.slice(2), defaultCountry: 'US' })).toMatchObject({ found: true, count: 2 });
  });

  it('answers found false with every key present for an unknown, a completed or an unreadable number', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const none = { found: false, count: 0, callbackId: '', state: '', scheduledTime: '', scheduledTimeLocal: '' };
    const unknown = await ok('callbacks/lookup', { queue: queue.name, phoneNumber: US });
    expect(Object.keys(unknown).sort()).toEqual(LOOKUP_KEYS);
    expect(unknown).toEqual({ ...none, phoneE164: US });

    const phone = nextPhone();
    const cb = await created({ queue: queue.name, phoneNumber: phone });
    expect((await ok('callbacks/cancel', { callbackId: cb.callbackId })).outcome).toBe('CANCELLED');
    expect(await ok('callbacks/lookup', { queue: queue.name, phoneNumber: phone })).toEqual({ ...none, phoneE164: phone });
    const unreadable = await ok('callbacks/lookup', { phoneNumber: 'not a number' });
    expect(Object.keys(unreadable).sort()).toEqual(LOOKUP_KEYS);
    expect(unreadable).toEqual({ ...none, phoneE164: '' });
  });

  it('reads a national number with the country of the queue’s number rule on create; its E.164 form finds it', async () => {
    clock.set(MONDAY_10AM);
    const queue = await ukRuleQueue();
    const cb = await created({ queue: queue.name, phoneNumber: '020 7946 0958' });
    expect(cb).toMatchObject({ phoneE164: '+442079460958' });
    expect(await ok('callbacks/lookup', { queue: queue.name, phoneNumber: '+442079460958' })).toMatchObject({ found: true, callbackId: cb.callbackId });
    expect(await ok('callbacks/lookup', { queue: queue.name, phoneNumber: '020 7946 0958', defaultCountry: 'GB' })).toMatchObject({ found: true, callbackId: cb.callbackId });
  });

  // National numbers get the same default country at lookup and cancel as at creation (request, queue, rule).
  it('finds a callback by the same national number it was created with when the country comes from the queue’s number rule', async () => {
    clock.set(MONDAY_10AM);
    const queue = await ukRuleQueue();
    const cb = await created({ queue: queue.name, phoneNumber: '020 7946 0958' });
    expect(await ok('callbacks/lookup', { queue: queue.name, phoneNumber: '020 7946 0958' })).toMatchObject({ found: true, callbackId: cb.callbackId, phoneE164: '+442079460958' });
  });

  it('counts PROCESSING callbacks as pending (still found), but not COMPLETED ones', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ maxPendingPerNumber: 5 });
    const phone = nextPhone();
    const handled = (id: string) => t.database.db.updateTable('callbacks').set({ state: 'COMPLETED', completion_reason: 'HANDLED', completed_at: new Date() }).where('id', '=', id).execute();
    const done = await created({ queue: queue.name, phoneNumber: phone });
    await handled(done.callbackId);
    const cb = await created({ queue: queue.name, phoneNumber: phone });
    await setState(cb.callbackId, 'PROCESSING');
    // The completed one is older, so it would come first if it counted.
    expect(await ok('callbacks/lookup', { queue: queue.name, phoneNumber: phone })).toMatchObject({ found: true, count: 1, callbackId: cb.callbackId, state: 'PROCESSING' });
    await handled(cb.callbackId);
    expect(await ok('callbacks/lookup', { queue: queue.name, phoneNumber: phone })).toMatchObject({ found: false, count: 0, callbackId: '' });
  });
});

describe('POST /actions/v1/callbacks/cancel', () => {
  it('cancels by callbackId: CANCELLED, COMPLETED/CANCELLED_BY_CUSTOMER, slot released, history written, cancel-callback job enqueued', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const cb = await created({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(1);
    const body = await ok('callbacks/cancel', { callbackId: cb.callbackId });
    expect(Object.keys(body).sort()).toEqual(CANCEL_KEYS);
    expect(body).toMatchObject({ outcome: 'CANCELLED', callbackId: cb.callbackId });
    expect(await row(cb.callbackId)).toMatchObject({ state: 'COMPLETED', completion_reason: 'CANCELLED_BY_CUSTOMER' });
    expect((await row(cb.callbackId)).completed_at).toBeInstanceOf(Date);
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(0);
    expect(await jobTasks(cb.callbackId)).toEqual(['deliver-callback', 'cancel-callback']);
    const history = await t.database.db.selectFrom('callback_history').select(['event', 'from_state', 'to_state', 'reason']).where('callback_id', '=', cb.callbackId).orderBy('id').execute();
    expect(history).toEqual([
      { event: 'created', from_state: null, to_state: 'SCHEDULED', reason: null },
      { event: 'cancelled', from_state: 'SCHEDULED', to_state: 'COMPLETED', reason: 'CANCELLED_BY_CUSTOMER' },
    ]);
    // The number may ask again.
    expect((await ok('callbacks/create', { queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' })).outcome).toBe('CREATED');
  });

  it('cancels a number’s soonest pending callback by queue + phoneNumber (national format), and NOT_FOUND when it has none', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ defaultCountry: 'US', maxPendingPerNumber: 2 });
    const later = await created({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-06T10:00' });
    const sooner = await created({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    expect(await ok('callbacks/cancel', { queue: queue.name, phoneNumber: '(202) 456-1111' })).toMatchObject({ outcome: 'CANCELLED', callbackId: sooner.callbackId });
    expect((await row(later.callbackId)).state).toBe('SCHEDULED');
    expect(await ok('callbacks/cancel', { queue: queue.name, phoneNumber: 'tel:+12024561111' })).toMatchObject({ outcome: 'CANCELLED', callbackId: later.callbackId });
    expect(await ok('callbacks/cancel', { queue: queue.name, phoneNumber: US })).toEqual({ outcome: 'NOT_FOUND', callbackId: '', message: expect.any(String) });
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(0);
    expect(await booked(queue.id, '2030-03-06T15:00:00Z')).toBe(0);
  });

  // The same default-country resolution as lookup's.
  it('cancels by the same national number the callback was created with when the country comes from the queue’s number rule', async () => {
    clock.set(MONDAY_10AM);
    const queue = await ukRuleQueue();
    const cb = await created({ queue: queue.name, phoneNumber: '020 7946 0958' });
    expect(await ok('callbacks/cancel', { queue: queue.name, phoneNumber: '020 7946 0958' })).toMatchObject({ outcome: 'CANCELLED', callbackId: cb.callbackId });
  });

  it('answers NOT_FOUND for an unknown id and ALREADY_COMPLETED for a second cancel, releasing the slot only once', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    expect(await ok('callbacks/cancel', { callbackId: UNKNOWN_ID })).toEqual({ outcome: 'NOT_FOUND', callbackId: '', message: expect.any(String) });
    const cb = await created({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    await created({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-05T10:00' });
    expect((await ok('callbacks/cancel', { callbackId: cb.callbackId })).outcome).toBe('CANCELLED');
    expect(await ok('callbacks/cancel', { callbackId: cb.callbackId })).toMatchObject({ outcome: 'ALREADY_COMPLETED', callbackId: cb.callbackId });
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(1);
    expect((await jobTasks(cb.callbackId)).filter((j) => j === 'cancel-callback')).toHaveLength(1);
  });

  it('refuses a callback an agent is handling (PROCESSING): NOT_CANCELLABLE, nothing changed', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const cb = await created({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    await setState(cb.callbackId, 'PROCESSING');
    expect(await ok('callbacks/cancel', { callbackId: cb.callbackId })).toMatchObject({ outcome: 'NOT_CANCELLABLE', callbackId: cb.callbackId });
    expect(await row(cb.callbackId)).toMatchObject({ state: 'PROCESSING', completion_reason: null });
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(1);
    expect(await jobTasks(cb.callbackId)).toEqual(['deliver-callback']);
    expect((await ok('callbacks/cancel', { queue: queue.name, phoneNumber: US })).outcome).toBe('NOT_CANCELLABLE');
  });

  it('cancels QUEUED and ROUTING immediate callbacks', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    for (const state of ['QUEUED', 'ROUTING'] as const) {
      const cb = await created({ queue: queue.name, phoneNumber: nextPhone() });
      await setState(cb.callbackId, state);
      expect((await ok('callbacks/cancel', { callbackId: cb.callbackId })).outcome).toBe('CANCELLED');
      expect(await row(cb.callbackId)).toMatchObject({ state: 'COMPLETED', completion_reason: 'CANCELLED_BY_CUSTOMER' });
    }
  });

  it('needs a callbackId, or a queue with the phoneNumber: 400 naming the field', async () => {
    expect((await ask('callbacks/cancel', {})).json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'callbackId' });
    expect((await ask('callbacks/cancel', { phoneNumber: US })).json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'queue' });
    expect((await ask('callbacks/cancel', { callbackId: 'not-a-uuid' })).json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'callbackId' });
  });
});

describe('POST /actions/v1/callbacks/reschedule', () => {
  it('moves a scheduled callback atomically: RESCHEDULED, old slot −1, new slot +1, history, reschedule-callback job', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const cb = await created({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    const body = await ok('callbacks/reschedule', { callbackId: cb.callbackId, desiredTime: '2030-03-05T11:30' });
    expect(Object.keys(body).sort()).toEqual(RESCHEDULE_KEYS);
    expect(body).toMatchObject({
      outcome: 'RESCHEDULED',
      callbackId: cb.callbackId,
      state: 'SCHEDULED',
      scheduledTime: '2030-03-05T16:30:00Z',
      scheduledTimeLocal: '2030-03-05T11:30:00-05:00',
      phoneE164: US,
      alternativeSlots: [],
    });
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(0);
    expect(await booked(queue.id, '2030-03-05T16:30:00Z')).toBe(1);
    const r = await row(cb.callbackId);
    expect(r.slot_start?.toISOString()).toBe('2030-03-05T16:30:00.000Z');
    expect(r.scheduled_time?.toISOString()).toBe('2030-03-05T16:30:00.000Z');
    expect(r.desired_time?.toISOString()).toBe('2030-03-05T16:30:00.000Z');
    expect(await jobTasks(cb.callbackId)).toEqual(['deliver-callback', 'reschedule-callback']);
    const history = await t.database.db.selectFrom('callback_history').select(['event', 'detail']).where('callback_id', '=', cb.callbackId).orderBy('id').execute();
    expect(history.at(-1)).toEqual({ event: 'rescheduled', detail: { from: '2030-03-05T15:00:00Z', to: '2030-03-05T16:30:00Z' } });
  });

  it('within the same slot changes the time but not the counter; a desiredTime in `timezone` is read there', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const cb = await created({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    const body = await ok('callbacks/reschedule', { callbackId: cb.callbackId, desiredTime: '2030-03-05T15:10', timezone: 'Europe/London' });
    expect(body).toMatchObject({ outcome: 'RESCHEDULED', scheduledTime: '2030-03-05T15:10:00Z', scheduledTimeLocal: '2030-03-05T15:10:00+00:00' });
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(1);
  });

  it('within its own slot when that slot is full (capacity 1, its own booking) moves the time, keeps the one booking, and still refuses another callback there', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ slotCapacity: 1 });
    const cb = await created({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(1);
    const body = await ok('callbacks/reschedule', { callbackId: cb.callbackId, desiredTime: '2030-03-05T10:10' });
    expect(body).toMatchObject({ outcome: 'RESCHEDULED', scheduledTime: '2030-03-05T15:10:00Z' });
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(1);
    expect((await row(cb.callbackId)).slot_start?.toISOString()).toBe('2030-03-05T15:00:00.000Z');
    expect((await ok('callbacks/create', { queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-05T10:05' })).outcome).toBe('SLOT_FULL');
  });

  it('into a full slot answers SLOT_FULL with the nearest free slots and leaves the original booking untouched', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ slotCapacity: 1 });
    const cb = await created({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    await created({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-05T12:00' });
    const body = await ok('callbacks/reschedule', { callbackId: cb.callbackId, desiredTime: '2030-03-05T12:00' });
    expect(body).toMatchObject({ outcome: 'SLOT_FULL', callbackId: cb.callbackId, state: 'SCHEDULED', scheduledTime: '2030-03-05T15:00:00Z' });
    expect(body.alternativeSlots).toEqual(['2030-03-05T16:45:00Z', '2030-03-05T17:15:00Z', '2030-03-05T17:30:00Z']);
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(1);
    expect(await booked(queue.id, '2030-03-05T17:00:00Z')).toBe(1);
    const r = await row(cb.callbackId);
    expect(r.slot_start?.toISOString()).toBe('2030-03-05T15:00:00.000Z');
    expect(r.scheduled_time?.toISOString()).toBe('2030-03-05T15:00:00.000Z');
    expect(await jobTasks(cb.callbackId)).toEqual(['deliver-callback']);
    // With acceptNearest it moves to the next later free slot.
    expect(await ok('callbacks/reschedule', { callbackId: cb.callbackId, desiredTime: '2030-03-05T12:00', acceptNearest: true })).toMatchObject({ outcome: 'RESCHEDULED', scheduledTime: '2030-03-05T17:15:00Z' });
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(0);
    expect(await booked(queue.id, '2030-03-05T17:15:00Z')).toBe(1);
  });

  it('refuses IN_THE_PAST, TOO_FAR_AHEAD and OUTSIDE_HOURS with alternatives, keeping the booking', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ maxDaysAhead: 5 });
    const cb = await created({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    const cases: [string, string][] = [
      ['2030-03-04T09:00', 'IN_THE_PAST'],
      ['2030-03-20T10:00', 'TOO_FAR_AHEAD'],
      ['2030-03-05T19:00', 'OUTSIDE_HOURS'],
      ['2030-03-09T10:00', 'OUTSIDE_HOURS'],
    ];
    for (const [desiredTime, outcome] of cases) {
      const body = await ok('callbacks/reschedule', { callbackId: cb.callbackId, desiredTime });
      expect(body).toMatchObject({ outcome, callbackId: cb.callbackId, scheduledTime: '2030-03-05T15:00:00Z' });
      expect(body.alternativeSlots).toHaveLength(3);
      for (const s of body.alternativeSlots) expect(new Date(s).getTime()).toBeGreaterThan(clock.now().getTime());
    }
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(1);
    expect((await row(cb.callbackId)).slot_start?.toISOString()).toBe('2030-03-05T15:00:00.000Z');
    expect(await jobTasks(cb.callbackId)).toEqual(['deliver-callback']);
  });

  it('refuses immediate and no-longer-SCHEDULED callbacks (NOT_RESCHEDULABLE) and unknown ids (NOT_FOUND)', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const immediate = await created({ queue: queue.name, phoneNumber: nextPhone() });
    expect(await ok('callbacks/reschedule', { callbackId: immediate.callbackId, desiredTime: '2030-03-05T10:00' })).toMatchObject({ outcome: 'NOT_RESCHEDULABLE', callbackId: immediate.callbackId, state: 'QUEUED' });
    const scheduled = await created({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-05T10:00' });
    for (const state of ['QUEUED', 'PROCESSING'] as const) {
      await setState(scheduled.callbackId, state);
      expect((await ok('callbacks/reschedule', { callbackId: scheduled.callbackId, desiredTime: '2030-03-05T11:00' })).outcome).toBe('NOT_RESCHEDULABLE');
    }
    const cancelled = await created({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-05T10:00' });
    await ok('callbacks/cancel', { callbackId: cancelled.callbackId });
    expect((await ok('callbacks/reschedule', { callbackId: cancelled.callbackId, desiredTime: '2030-03-05T11:00' })).outcome).toBe('NOT_RESCHEDULABLE');
    expect(await booked(queue.id, '2030-03-05T16:00:00Z')).toBe(0);
    const unknown = await ok('callbacks/reschedule', { callbackId: UNKNOWN_ID, desiredTime: '2030-03-05T11:00' });
    expect(Object.keys(unknown).sort()).toEqual(RESCHEDULE_KEYS);
    expect(unknown).toMatchObject({ outcome: 'NOT_FOUND', callbackId: '' });
  });

  it('refuses SCHEDULED_DISABLED when the queue stopped taking scheduled callbacks', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const cb = await created({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    await t.database.db.updateTable('queues').set({ scheduled_enabled: false, updated_at: new Date() }).where('id', '=', queue.id).execute();
    expect(await ok('callbacks/reschedule', { callbackId: cb.callbackId, desiredTime: '2030-03-05T11:00' })).toMatchObject({ outcome: 'SCHEDULED_DISABLED', alternativeSlots: [] });
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(1);
  });

  it('never overbooks under 50 concurrent reschedules of different callbacks into one slot of capacity 3; only the movers’ old slots are released', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue({ slotCapacity: 3 });
    // 50 callbacks, 3 per slot, Tuesday from 09:00.
    const callbacks = [];
    for (let i = 0; i < 50; i++) {
      const minutes = 9 * 60 + 15 * Math.floor(i / 3);
      const local = `2030-03-05T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
      callbacks.push(await created({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: local }));
    }
    const target = '2030-03-06T15:00:00Z'; // Wednesday 10:00
    const responses = await Promise.all(callbacks.map((cb) => ask('callbacks/reschedule', { callbackId: cb.callbackId, desiredTime: target })));
    expect(responses.filter((r) => r.statusCode !== 200).map((r) => r.body)).toEqual([]);
    const answers = responses.map((r) => r.json());
    expect(answers.filter((a) => a.outcome === 'RESCHEDULED')).toHaveLength(3);
    expect(answers.filter((a) => a.outcome === 'SLOT_FULL')).toHaveLength(47);
    expect(await booked(queue.id, target)).toBe(3);

    // Every counter equals the callbacks actually in its slot.
    const rows = await t.database.db.selectFrom('callbacks').select(['id', 'slot_start']).where('queue_id', '=', queue.id).where('state', '=', 'SCHEDULED').execute();
    const inSlot = new Map<string, number>();
    for (const r of rows) inSlot.set(r.slot_start!.toISOString(), (inSlot.get(r.slot_start!.toISOString()) ?? 0) + 1);
    const counters = await t.database.db.selectFrom('slot_bookings').select(['slot_start', 'booked']).where('queue_id', '=', queue.id).execute();
    expect(Object.fromEntries(counters.filter((c) => c.booked > 0).map((c) => [c.slot_start.toISOString(), c.booked]))).toEqual(Object.fromEntries(inSlot));
    expect(counters.reduce((n, c) => n + c.booked, 0)).toBe(50);
    const movers = new Set(answers.filter((a) => a.outcome === 'RESCHEDULED').map((a) => a.callbackId));
    expect(rows.filter((r) => r.slot_start!.toISOString() === '2030-03-06T15:00:00.000Z').map((r) => r.id).sort()).toEqual([...movers].sort());
  });
});

describe('POST /actions/v1/queue-status', () => {
  const status = async (queue: string, headers = actions) => {
    const body = await ok('queue-status', { queue }, headers);
    expect(Object.keys(body).sort()).toEqual(['closedReason', 'ewtSeconds', 'immediateEnabled', 'immediateOfferOpenForSeconds', 'offerImmediate', 'offerScheduled', 'scheduledEnabled', 'scheduledToday', 'throttled', 'waitingCallbacks']);
    return body;
  };

  it('offers immediate callbacks only while open, enabled and before the blackout; scheduled ones while enabled with a free slot', async () => {
    const queue = await hoursQueue({ immediateBlackoutMinutes: 30, genesysQueueId: `gq-${Math.random()}` });
    clock.set(MONDAY_10AM);
    expect(await status(queue.name)).toEqual({ immediateEnabled: true, scheduledEnabled: true, offerImmediate: true, offerScheduled: true, ewtSeconds: -1, waitingCallbacks: 0, scheduledToday: 0, immediateOfferOpenForSeconds: -1, throttled: false, closedReason: '' });
    clock.set('2030-03-04T11:00:00Z'); // 06:00, closed
    expect(await status(queue.name)).toMatchObject({ offerImmediate: false, offerScheduled: true });
    clock.set('2030-03-04T21:45:00Z'); // 16:45, in the blackout
    expect(await status(queue.name)).toMatchObject({ offerImmediate: false, offerScheduled: true });
    clock.set('2030-03-04T21:29:00Z'); // 16:29, just before it
    expect(await status(queue.name)).toMatchObject({ offerImmediate: true });

    clock.set(MONDAY_10AM);
    const noImmediate = await hoursQueue({ immediateEnabled: false });
    expect(await status(noImmediate.name)).toMatchObject({ immediateEnabled: false, offerImmediate: false, offerScheduled: true });
    const noScheduled = await hoursQueue({ scheduledEnabled: false });
    expect(await status(noScheduled.name)).toMatchObject({ scheduledEnabled: false, offerScheduled: false, offerImmediate: true });
    const noCapacity = await hoursQueue({ slotCapacity: 0 });
    expect(await status(noCapacity.name)).toMatchObject({ scheduledEnabled: true, offerScheduled: false });
  });

  it('offers no scheduled callback when every slot within maxDaysAhead is full', async () => {
    clock.set('2030-03-04T21:00:00Z'); // Monday 16:00; with maxDaysAhead 1 the horizon is Tuesday 16:00
    const queue = await hoursQueue({ slotCapacity: 1, maxDaysAhead: 1 });
    // Free slots after now and within 1 day: Monday 16:15–16:45 and Tuesday 09:00–15:45.
    const locals = ['2030-03-04T16:15', '2030-03-04T16:30', '2030-03-04T16:45'];
    for (let m = 9 * 60; m < 16 * 60; m += 15) locals.push(`2030-03-05T${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
    for (const desiredTime of locals) await created({ queue: queue.name, phoneNumber: nextPhone(), desiredTime });
    expect(await status(queue.name)).toMatchObject({ offerScheduled: false, offerImmediate: true });
  });

  it('counts QUEUED and ROUTING callbacks as waiting, and today’s SCHEDULED ones still to come', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await created({ queue: queue.name, phoneNumber: nextPhone() })).callbackId);
    await setState(ids[1]!, 'ROUTING');
    await setState(ids[2]!, 'PROCESSING');
    await ok('callbacks/cancel', { callbackId: ids[3]! });
    // Today at 11:00 and 16:45; tomorrow; and one today cancelled.
    await created({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-04T11:00' });
    await created({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-04T16:45' });
    await created({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-05T09:00' });
    const gone = await created({ queue: queue.name, phoneNumber: nextPhone(), desiredTime: '2030-03-04T12:00' });
    await ok('callbacks/cancel', { callbackId: gone.callbackId });
    expect(await status(queue.name)).toMatchObject({ waitingCallbacks: 3, scheduledToday: 2, ewtSeconds: -1 });
    // Another queue's callbacks are not counted.
    expect(await status((await hoursQueue()).name)).toMatchObject({ waitingCallbacks: 0, scheduledToday: 0 });
  });
});

describe('queue allow-list', () => {
  it('refuses (403) an actions client restricted to another queue on create, lookup, cancel, reschedule and queue-status; the allowed client passes', async () => {
    clock.set(MONDAY_10AM);
    const queue = await hoursQueue();
    const elsewhere = await hoursQueue();
    const cb = await created({ queue: queue.name, phoneNumber: US, desiredTime: '2030-03-05T10:00' });
    const { headers: limited } = await authHeader(t, ['actions'], { queues: [elsewhere.name] });
    const refused: [string, object][] = [
      ['callbacks/create', { queue: queue.name, phoneNumber: nextPhone() }],
      ['callbacks/lookup', { queue: queue.name, phoneNumber: US }],
      ['callbacks/cancel', { callbackId: cb.callbackId }],
      ['callbacks/cancel', { queue: queue.name, phoneNumber: US }],
      ['callbacks/reschedule', { callbackId: cb.callbackId, desiredTime: '2030-03-05T11:00' }],
      ['queue-status', { queue: queue.name }],
    ];
    for (const [url, payload] of refused) {
      const res = await ask(url, payload, limited);
      expect(res.statusCode, `${url} ${JSON.stringify(payload)}`).toBe(403);
      expect(res.json().error).toBe('FORBIDDEN');
    }
    expect(await row(cb.callbackId)).toMatchObject({ state: 'SCHEDULED' });
    expect(await booked(queue.id, '2030-03-05T15:00:00Z')).toBe(1);
    expect((await t.database.db.selectFrom('callbacks').select('id').where('queue_id', '=', queue.id).execute()).length).toBe(1);
    // Lookup across queues hides what the client may not see.
    expect(await ok('callbacks/lookup', { phoneNumber: US }, limited)).toMatchObject({ found: false, count: 0 });

    const { headers: allowed } = await authHeader(t, ['actions'], { queues: [queue.id] });
    expect(await ok('callbacks/lookup', { phoneNumber: US }, allowed)).toMatchObject({ found: true, callbackId: cb.callbackId });
    expect((await ok('callbacks/cancel', { callbackId: cb.callbackId }, allowed)).outcome).toBe('CANCELLED');
  });

  it('refuses (403) clients without the actions role', async () => {
    const queue = await hoursQueue();
    const { headers: adminOnly } = await authHeader(t, ['administrator']);
    for (const url of ['callbacks/create', 'callbacks/lookup', 'callbacks/cancel', 'callbacks/reschedule', 'queue-status']) {
      expect((await ask(url, { queue: queue.name, phoneNumber: US }, adminOnly)).statusCode, url).toBe(403);
    }
  });
});

describe('bad input on every callback endpoint (fuzzed)', () => {
  let queueName: string;
  let queueId: string;
  let cancelIds: string[];
  let rescheduleIds: string[];
  let fuzzHeaders: { authorization: string };

  beforeAll(async () => {
    clock.set(MONDAY_10AM);
    // A client of its own, so the fuzzing does not eat the others' rate limit.
    fuzzHeaders = (await authHeader(t, ['actions'])).headers;
    const queue = await hoursQueue({ maxPendingPerNumber: 100 });
    queueName = queue.name;
    queueId = queue.id;
    // Some for cancel to find, others for reschedule to move (cancel runs first and completes its own).
    cancelIds = [];
    rescheduleIds = [];
    for (let i = 0; i < 3; i++) cancelIds.push((await created({ queue: queue.name, phoneNumber: US, desiredTime: `2030-03-05T1${i}:00` })).callbackId);
    for (let i = 0; i < 6; i++) rescheduleIds.push((await created({ queue: queue.name, phoneNumber: US, desiredTime: `2030-03-06T1${i}:00` })).callbackId);
  });

  const anyValue = fc.oneof(
    fc.anything(),
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
  );
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.integer({ min: 4, max: 8 }), fc.integer({ min: 8, max: 17 }), fc.constantFrom(0, 15, 30, 45, 7)).map(([d, h, m]) => `2030-03-${pad(d)}T${pad(h)}:${pad(m)}`) },
    { weight: 1, arbitrary: fc.stringMatching(/^20[0-9]{2}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9](:[0-5][0-9](\.[0-9]{1,3})?)?(Z|[+-][0-1][0-9]:[0-5][0-9])?$/) },
    { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
    { weight: 1, arbitrary: fc.constantFrom('2030-03-05T10:00', '2030-03-04T10:00', '2030-03-05T23:00', '+275760-09-13T00:00:00Z', '-000001-01-01T00:00', '2030-03-10T02:30') },
  );

  const phone = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 9_999 }).map((i) => `+1202456${String(i).padStart(4, '0')}`) },
    { weight: 2, arbitrary: fc.constantFrom(US, '(202) 456-1111', 'tel:+12024561111', '+15555551234', '+449098790000', '') },
    { weight: 1, arbitrary: fc.stringMatching(/^\+?[0-9 ()-.]{0,25}$/) },
  );
  const zone = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('Europe/London', 'America/New_York', 'UTC', 'Etc/GMT+14') }, { weight: 1, arbitrary: fc.constantFrom('Moon/Base', '', 'utc+5') });
  // Mostly well-typed values, so requests get past the schema and into the rules; sometimes anything.
  const field = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: good as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: anyValue });
  const withJunk = (body: fc.Arbitrary<Record<string, unknown>>) =>
    fc
      .tuple(body, fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), fc.anything(), { maxKeys: 2 }) }))
      .map(([b, junk]) => ({ ...b, ...junk }));

  // Usually the queue by name; sometimes by id, unknown, or both.
  const queueRef = () =>
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ queue: field(fc.constant(queueName)) }) },
      { weight: 2, arbitrary: fc.record({ queueId: field(fc.constantFrom(queueId, 'gq-unknown', UNKNOWN_ID)) }) },
      { weight: 2, arbitrary: fc.record({ queue: field(fc.constantFrom(queueName, 'No such queue')), queueId: field(fc.constantFrom(queueId, UNKNOWN_ID)) }, { requiredKeys: [] }) },
    );
  const merge = (...parts: fc.Arbitrary<Record<string, unknown>>[]) => fc.tuple(...parts).map((ps) => Object.assign({}, ...ps) as Record<string, unknown>);
  const callbackId = (ids: string[]) => field(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: fc.constantFrom(UNKNOWN_ID) }, { weight: 1, arbitrary: fc.uuid() }));

  const optional = (fields: Record<string, fc.Arbitrary<unknown>>, required: string[] = []) => fc.record(fields, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
  const userData = fc.oneof(
    { weight: 6, arbitrary: fc.dictionary(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/), fc.string(), { maxKeys: 5 }).map((d) => JSON.stringify(d)) },
    { weight: 1, arbitrary: fc.json() },
    { weight: 1, arbitrary: fc.string() },
  );

  const bodies: Record<string, () => fc.Arbitrary<unknown>> = {
    'callbacks/create': () =>
      withJunk(
        merge(
          queueRef(),
          optional(
            {
              phoneNumber: field(phone),
              customerName: field(fc.string()),
              desiredTime: field(time),
              timezone: field(zone),
              priority: field(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -100, max: 100 }) }, { weight: 1, arbitrary: fc.integer({ min: -30_000_000, max: 30_000_000 }) })),
              idempotencyKey: field(fc.string({ minLength: 1, maxLength: 20 })),
              conversationId: field(fc.string()),
              acceptNearest: field(fc.boolean()),
              defaultCountry: field(fc.constantFrom('US', 'GB', 'zz', 'usa', '')),
              userData: field(userData),
            },
            ['phoneNumber'],
          ),
        ),
      ),
    'callbacks/lookup': () =>
      withJunk(merge(fc.option(queueRef(), { nil: {} }), optional({ phoneNumber: field(phone), defaultCountry: field(fc.constantFrom('US', 'GB', 'zz', '')), timezone: field(zone) }, ['phoneNumber']))),
    'callbacks/cancel': () =>
      withJunk(
        fc.oneof(
          optional({ callbackId: callbackId(cancelIds) }, ['callbackId']),
          merge(queueRef(), optional({ phoneNumber: field(phone), defaultCountry: field(fc.constantFrom('US', 'zz', '')) }, ['phoneNumber'])),
          merge(fc.option(queueRef(), { nil: {} }), optional({ callbackId: callbackId(cancelIds), phoneNumber: field(phone), defaultCountry: field(fc.constantFrom('US', 'zz', '')) })),
        ),
      ),
    'callbacks/reschedule': () =>
      withJunk(optional({ callbackId: callbackId(rescheduleIds), desiredTime: field(time), timezone: field(zone), acceptNearest: field(fc.boolean()) }, ['callbackId', 'desiredTime'])),
    'queue-status': () => withJunk(queueRef()),
  };

  // For the control cases below: the same bodies without NUL characters (or their JSON escape).
  const withoutNul = (v: unknown): unknown =>
    typeof v === 'string'
      ? v.replaceAll('\u0000', '').replaceAll('\\u0000', '')
      : Array.isArray(v)
        ? v.map(withoutNul)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replaceAll('\u0000', ''), withoutNul(x)]))
          : v;

  it.each(Object.keys(bodies))('%s answers 200 or a 4xx naming the field, never 5xx, for any body', async (url) => {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 9, arbitrary: bodies[url]!() }, { weight: 1, arbitrary: anyValue }), async (body) => {
        // Always JSON text, so that a top-level string or number is a JSON body too (not a 415).
        const res = await t.app.inject({ method: 'POST', url: `/actions/v1/${url}`, headers: { ...fuzzHeaders, 'content-type': 'application/json' }, payload: JSON.stringify(body) ?? 'null' });
        expect([200, 400, 403, 404], `${res.statusCode} ${res.body.slice(0, 300)}`).toContain(res.statusCode);
        if (res.statusCode === 400 && res.json().error === 'VALIDATION_FAILED') expect(typeof res.json().field).toBe('string');
      }),
      { numRuns: 100 },
    );
  });

  const NUL_CASES: [string, () => object, string][] = [
    ['callbacks/create', () => ({ queue: queueName, phoneNumber: US, customerName: 'Ada\u0000' }), 'customerName'],
    ['callbacks/create', () => ({ queue: queueName, phoneNumber: US, idempotencyKey: 'key\u0000' }), 'idempotencyKey'],
    ['callbacks/create', () => ({ queue: queueName, phoneNumber: US, conversationId: 'conv\u0000' }), 'conversationId'],
    ['callbacks/create', () => ({ queue: queueName, phoneNumber: US, userData: '{"a":"x\\u0000y"}' }), 'userData'],
    ['callbacks/create', () => ({ queue: 'queue\u0000', phoneNumber: US }), 'queue'],
    ['callbacks/create', () => ({ queueId: 'queue\u0000', phoneNumber: US }), 'queueId'],
    ['callbacks/lookup', () => ({ queue: 'queue\u0000', phoneNumber: US }), 'queue'],
    ['callbacks/cancel', () => ({ queue: 'queue\u0000', phoneNumber: US }), 'queue'],
    ['queue-status', () => ({ queue: 'queue\u0000' }), 'queue'],
  ];

  it.each(NUL_CASES)('%s answers the same body without the NUL character normally (control for case %#)', async (url, body) => {
    const res = await ask(url, withoutNul(body()) as object, fuzzHeaders);
    expect([200, 404], res.body).toContain(res.statusCode);
  });

  // PostgreSQL cannot store U+0000 in text or jsonb: it must be refused at the edge, naming the field.
  it.each(NUL_CASES)('%s refuses a NUL character with 400 naming the field (case %#), never 500', async (url, body, field) => {
    const res = await ask(url, body(), fuzzHeaders);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().field).toBe(field);
  });
});
