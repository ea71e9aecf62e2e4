import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories, WEEKDAYS_9_TO_5 } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { gatewayFor } from './helpers/worker.js';

/**
 * Offer controls per queue, at the app clock's time: each is visible in open-for and queue-status and
 * refused by create with its own outcome. 2030-03-04 is a Monday; New York is at UTC-5 then.
 */

const MONDAY_10_AM = '2030-03-04T15:00:00Z';
const clock = new TestClock(new Date(MONDAY_10_AM));
let t: TestApp;
let fake: FakeGenesys;
let actions: { authorization: string };
let admin: { authorization: string };
let make: ReturnType<typeof factories>;

beforeAll(async () => {
  fake = await startFakeGenesys();
  t = await buildTestApp({ clock, gateway: gatewayFor(fake) });
  actions = (await authHeader(t, ['actions'])).headers;
  admin = (await authHeader(t, ['administrator'])).headers;
  make = factories(t.database.db);
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

let phone = 5550100;
const nextPhone = () => `+1202${phone++}`;
const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url: `/actions/v1/${url}`, headers: actions, payload });
const create = (queue: string, extra: object = {}) => post('callbacks/create', { queue, phoneNumber: nextPhone(), ...extra });
const status = async (queue: string) => (await post('queue-status', { queue })).json();
const openFor = async (queue: string, at?: string) => (await post('open-for', { queue, ...(at && { at }) })).json();
const patchQueue = (id: string, payload: object) => t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${id}`, headers: admin, payload });

describe('immediate offer hours', () => {
  it('offer hours keep their own special days: a yearly rule closing them stops immediate offers while the queue stays open', async () => {
    const hours = await make.hours();
    // The first Monday of March 2030 is the 4th: the offer hours close that day, the business hours do not.
    const offerHours = await make.hours({ recurring: [{ name: 'Training day', month: 3, weekday: 'monday', nth: 1, closed: true, intervals: [] }] });
    const queue = await make.queue({ businessHoursId: hours.id, immediateOfferHoursId: offerHours.id });
    clock.set('2030-03-04T16:00:00Z');
    expect(await openFor(queue.name)).toMatchObject({ open: true, offerImmediate: false, immediateOfferOpenForSeconds: 0 });
    expect((await create(queue.name)).json().outcome).toBe('QUEUE_CLOSED');
    // The next Monday is an ordinary day of the offer hours.
    clock.set('2030-03-11T15:00:00Z');
    expect((await openFor(queue.name)).immediateOfferOpenForSeconds).toBeGreaterThan(0);
    expect((await create(queue.name)).json().outcome).toBe('CREATED');
  });

  it('open-for and queue-status answer -1 without offer hours, 0 outside them, else the seconds until they (or the business hours) close; create refuses outside with scheduled alternatives', async () => {
    const hours = await make.hours();
    const offerHours = await make.hours({ weekly: Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, [{ start: '10:30', end: '12:00' }, { start: '16:00', end: '20:00' }]])) });
    const plain = await make.queue({ businessHoursId: hours.id });
    const queue = await make.queue({ businessHoursId: hours.id, immediateOfferHoursId: offerHours.id });

    clock.set(MONDAY_10_AM);
    expect((await openFor(plain.name)).immediateOfferOpenForSeconds).toBe(-1);
    expect((await status(plain.name)).immediateOfferOpenForSeconds).toBe(-1);
    expect((await openFor(plain.name)).offerImmediate).toBe(true);

    // 10:00: open, but before the offer hours.
    const before = await openFor(queue.name);
    expect(before).toMatchObject({ open: true, offerImmediate: false, immediateOfferOpenForSeconds: 0, closedReason: '' });
    expect(await status(queue.name)).toMatchObject({ offerImmediate: false, immediateOfferOpenForSeconds: 0, offerScheduled: true });
    const refused = await create(queue.name);
    expect(refused.json()).toMatchObject({ outcome: 'QUEUE_CLOSED', created: false, closedReason: '' });
    expect(refused.json().message).toContain('immediate offer hours');
    expect(refused.json().alternativeSlots.length).toBeGreaterThan(0);

    // 11:00: an hour of offer hours left.
    clock.set('2030-03-04T16:00:00Z');
    expect(await openFor(queue.name)).toMatchObject({ offerImmediate: true, immediateOfferOpenForSeconds: 3600 });
    expect(await status(queue.name)).toMatchObject({ offerImmediate: true, immediateOfferOpenForSeconds: 3600 });
    expect((await create(queue.name)).json().outcome).toBe('CREATED');

    // 12:00: the offer hours closed, the queue still open.
    clock.set('2030-03-04T17:00:00Z');
    expect(await openFor(queue.name)).toMatchObject({ open: true, offerImmediate: false, immediateOfferOpenForSeconds: 0 });
    expect((await create(queue.name)).json().outcome).toBe('QUEUE_CLOSED');

    // 16:30: offer hours until 20:00, business hours until 17:00 — the earlier close bounds it.
    clock.set('2030-03-04T21:30:00Z');
    expect(await openFor(queue.name)).toMatchObject({ offerImmediate: true, immediateOfferOpenForSeconds: 1800 });
    // 18:00: offer hours, but the queue is closed.
    expect(await openFor(queue.name, '2030-03-04T23:00:00Z')).toMatchObject({ open: false, offerImmediate: false, immediateOfferOpenForSeconds: 0 });
    // `at` asks about another instant: 11:30 the same day.
    expect(await openFor(queue.name, '2030-03-04T16:30:00Z')).toMatchObject({ offerImmediate: true, immediateOfferOpenForSeconds: 1800 });
  });

  it('business hours used as a queue’s offer hours cannot be deleted, and list that queue', async () => {
    const offerHours = await make.hours({ weekly: WEEKDAYS_9_TO_5 });
    const queue = await make.queue({ immediateOfferHoursId: offerHours.id });
    const del = await t.app.inject({ method: 'DELETE', url: `/admin/v1/business-hours/${offerHours.id}`, headers: admin });
    expect(del.statusCode).toBe(409);
    const got = await t.app.inject({ method: 'GET', url: `/admin/v1/business-hours/${offerHours.id}`, headers: admin });
    expect(got.json().queues).toEqual([{ id: queue.id, name: queue.name }]);
  });
});

describe('maximum estimated wait', () => {
  it('a known wait above maxEwtSeconds offers no immediate callback and create answers WAIT_TOO_LONG with scheduled alternatives; below it or unknown, it creates', async () => {
    clock.set(MONDAY_10_AM);
    const high = await make.queue({ genesysQueueId: 'gq-offer-high', maxEwtSeconds: 300 });
    const low = await make.queue({ genesysQueueId: 'gq-offer-low', maxEwtSeconds: 300 });
    const unknown = await make.queue({ genesysQueueId: 'gq-offer-unknown', maxEwtSeconds: 300 });
    fake.setEstimatedWait('gq-offer-high', 'callback', 600);
    fake.setEstimatedWait('gq-offer-low', 'callback', 120);
    fake.setEstimatedWait('gq-offer-unknown', 'callback', null);

    expect(await status(high.name)).toMatchObject({ ewtSeconds: 600, offerImmediate: false, offerScheduled: true });
    expect((await openFor(high.name)).offerImmediate).toBe(false);
    const refused = (await create(high.name)).json();
    expect(refused).toMatchObject({ outcome: 'WAIT_TOO_LONG', created: false });
    expect(refused.alternativeSlots.length).toBeGreaterThan(0);
    // A scheduled callback does not wait in the queue now.
    expect((await create(high.name, { desiredTime: '2030-03-05T15:00:00Z' })).json().outcome).toBe('CREATED');

    expect(await status(low.name)).toMatchObject({ ewtSeconds: 120, offerImmediate: true });
    expect((await create(low.name)).json().outcome).toBe('CREATED');

    expect(await status(unknown.name)).toMatchObject({ ewtSeconds: -1, offerImmediate: true });
    expect((await create(unknown.name)).json().outcome).toBe('CREATED');

    // The wait falls below the maximum: once the cached answer is stale, immediate callbacks are taken again.
    fake.setEstimatedWait('gq-offer-high', 'callback', 299);
    clock.advance(60_000);
    expect((await openFor(high.name)).offerImmediate).toBe(true);
    expect((await create(high.name)).json().outcome).toBe('CREATED');
  });
});

describe('maximum waiting callbacks', () => {
  it('with maxWaitingCallbacks waiting, queue-status offers no immediate callback and create answers QUEUE_FULL; a scheduled one is still taken', async () => {
    clock.set(MONDAY_10_AM);
    const queue = await make.queue({ maxWaitingCallbacks: 2 });
    expect((await create(queue.name)).json().outcome).toBe('CREATED');
    expect((await status(queue.name)).offerImmediate).toBe(true);
    const second = (await create(queue.name)).json();
    expect(second.outcome).toBe('CREATED');
    expect(await status(queue.name)).toMatchObject({ waitingCallbacks: 2, offerImmediate: false, offerScheduled: true });
    expect((await openFor(queue.name)).offerImmediate).toBe(false);
    const full = (await create(queue.name)).json();
    expect(full).toMatchObject({ outcome: 'QUEUE_FULL', created: false });
    expect(full.alternativeSlots.length).toBeGreaterThan(0);
    expect((await create(queue.name, { desiredTime: '2030-03-05T15:00:00Z' })).json().outcome).toBe('CREATED');

    // One leaves the queue: there is room again.
    await post('callbacks/cancel', { callbackId: second.callbackId });
    expect((await status(queue.name)).offerImmediate).toBe(true);
    expect((await create(queue.name)).json().outcome).toBe('CREATED');
  });

  it('racing immediate creates do not overfill the queue', async () => {
    clock.set(MONDAY_10_AM);
    const queue = await make.queue({ maxWaitingCallbacks: 5 });
    const answers = await Promise.all(Array.from({ length: 15 }, () => create(queue.name)));
    const outcomes = answers.map((a) => a.json().outcome);
    expect(outcomes.filter((o) => o === 'CREATED')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'QUEUE_FULL')).toHaveLength(10);
  });
});

describe('throttles', () => {
  it('30 racing creates against a throttle of 10 create exactly 10 and answer THROTTLED to 20; the window then slides', async () => {
    clock.set(MONDAY_10_AM);
    const queue = await make.queue({ throttles: [{ limit: 10, windowMinutes: 10 }] });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => create(queue.name, i % 2 === 0 ? {} : { desiredTime: '2030-03-05T15:00:00Z', acceptNearest: true })));
    const outcomes = answers.map((a) => a.json().outcome);
    expect(outcomes.filter((o) => o === 'CREATED')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 'THROTTLED')).toHaveLength(20);
    const decisions = await t.database.db.selectFrom('create_decisions').select('outcome').where('queue_id', '=', queue.id).execute();
    expect(decisions.filter((d) => d.outcome === 'THROTTLED')).toHaveLength(20);

    expect(await status(queue.name)).toMatchObject({ throttled: true, offerImmediate: false, offerScheduled: false });
    expect((await openFor(queue.name)).offerImmediate).toBe(false);

    clock.advance(10 * 60_000);
    expect((await status(queue.name)).throttled).toBe(false);
    expect((await create(queue.name)).json().outcome).toBe('CREATED');
  });

  it('each throttle counts its own trailing window', async () => {
    clock.set(MONDAY_10_AM);
    const queue = await make.queue({ throttles: [{ limit: 3, windowMinutes: 10 }, { limit: 5, windowMinutes: 60 }] });
    for (let i = 0; i < 3; i++) expect((await create(queue.name)).json().outcome).toBe('CREATED');
    const first = (await create(queue.name)).json();
    expect(first.outcome).toBe('THROTTLED');
    expect(first.message).toContain('10 minutes');
    clock.advance(11 * 60_000);
    for (let i = 0; i < 2; i++) expect((await create(queue.name)).json().outcome).toBe('CREATED');
    const second = (await create(queue.name)).json();
    expect(second.outcome).toBe('THROTTLED');
    expect(second.message).toContain('60 minutes');
    clock.advance(50 * 60_000);
    expect((await create(queue.name)).json().outcome).toBe('CREATED');
  });

  it('more than 5 throttles, or a throttle out of range, is 400 naming the field', async () => {
    const queue = await make.queue();
    const many = await patchQueue(queue.id, { throttles: Array.from({ length: 6 }, () => ({ limit: 1, windowMinutes: 1 })) });
    expect(many.statusCode).toBe(400);
    expect(many.json().message).toContain('throttles');
    const zero = await patchQueue(queue.id, { throttles: [{ limit: 0, windowMinutes: 10 }] });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().message).toContain('throttles');
  });
});

describe('maximum callbacks per number per day', () => {
  it('answers NUMBER_LIMIT for the number’s next callback of the queue’s local day, and takes it again the next local day', async () => {
    // 23:00 in New York on Monday (04:00 UTC on Tuesday); the queue is open around the clock.
    clock.set('2030-03-05T04:00:00Z');
    const queue = await make.queue({ maxPerNumberPerDay: 2, maxPendingPerNumber: 5 });
    const other = await make.queue({ maxPerNumberPerDay: 2, maxPendingPerNumber: 5 });
    const number = nextPhone();
    const first = (await create(queue.name, { phoneNumber: number })).json();
    expect(first.outcome).toBe('CREATED');
    // A cancelled callback still counts: it was created today.
    await post('callbacks/cancel', { callbackId: first.callbackId });
    expect((await create(queue.name, { phoneNumber: number })).json().outcome).toBe('CREATED');
    const limited = (await create(queue.name, { phoneNumber: number })).json();
    expect(limited).toMatchObject({ outcome: 'NUMBER_LIMIT', created: false });
    expect(limited.phoneE164).toBe(number);
    // Another number, and the same number in another queue, are not limited.
    expect((await create(queue.name)).json().outcome).toBe('CREATED');
    expect((await create(other.name, { phoneNumber: number })).json().outcome).toBe('CREATED');

    // 00:30 in New York: a new local day (the UTC day had not changed).
    clock.set('2030-03-05T05:30:00Z');
    expect((await create(queue.name, { phoneNumber: number })).json().outcome).toBe('CREATED');
  });

  it('racing creates of one number stop at the limit', async () => {
    clock.set(MONDAY_10_AM);
    const queue = await make.queue({ maxPerNumberPerDay: 3, maxPendingPerNumber: 20 });
    const number = nextPhone();
    const answers = await Promise.all(Array.from({ length: 12 }, () => create(queue.name, { phoneNumber: number })));
    const outcomes = answers.map((a) => a.json().outcome);
    expect(outcomes.filter((o) => o === 'CREATED')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'NUMBER_LIMIT')).toHaveLength(9);
  });
});

describe('emergency close', () => {
  it('needs a reason, is audited, answers QUEUE_CLOSED with the reason to every create and offers nothing until reopened', async () => {
    clock.set(MONDAY_10_AM);
    const queue = await make.queue();

    const noReason = await patchQueue(queue.id, { emergencyClosed: true });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'closedReason' });
    const blank = await patchQueue(queue.id, { emergencyClosed: true, closedReason: null });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().field).toBe('closedReason');

    const closed = await patchQueue(queue.id, { emergencyClosed: true, closedReason: 'Fire drill' });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ emergencyClosed: true, closedReason: 'Fire drill' });
    const audit = (await t.app.inject({ method: 'GET', url: `/admin/v1/audit?entity=queue&entityId=${queue.id}`, headers: admin })).json().items;
    expect(audit[0]).toMatchObject({ action: 'update', before: { emergencyClosed: false, closedReason: null }, after: { emergencyClosed: true, closedReason: 'Fire drill' } });

    const immediate = (await create(queue.name)).json();
    expect(immediate).toMatchObject({ outcome: 'QUEUE_CLOSED', created: false, closedReason: 'Fire drill', alternativeSlots: [] });
    expect(immediate.message).toContain('Fire drill');
    expect((await create(queue.name, { desiredTime: '2030-03-05T15:00:00Z' })).json()).toMatchObject({ outcome: 'QUEUE_CLOSED', closedReason: 'Fire drill' });
    expect(await openFor(queue.name)).toMatchObject({ offerImmediate: false, closedReason: 'Fire drill' });
    expect(await status(queue.name)).toMatchObject({ offerImmediate: false, offerScheduled: false, closedReason: 'Fire drill' });
    const overview = (await t.app.inject({ method: 'GET', url: '/admin/v1/queues/overview', headers: admin })).json().items;
    expect(overview.find((q: { id: string }) => q.id === queue.id)).toMatchObject({ closedReason: 'Fire drill', offerImmediate: false, offerScheduled: false });

    // While closed the reason may change, not be cleared.
    expect((await patchQueue(queue.id, { closedReason: 'Power cut' })).statusCode).toBe(200);
    expect((await patchQueue(queue.id, { closedReason: null })).json().field).toBe('closedReason');
    expect((await create(queue.name)).json().closedReason).toBe('Power cut');

    expect((await patchQueue(queue.id, { emergencyClosed: false })).statusCode).toBe(200);
    expect(await status(queue.name)).toMatchObject({ offerImmediate: true, offerScheduled: true, closedReason: '' });
    expect((await openFor(queue.name)).closedReason).toBe('');
    expect((await create(queue.name)).json()).toMatchObject({ outcome: 'CREATED', closedReason: '' });

    // Closing again needs a reason of its own.
    expect((await patchQueue(queue.id, { emergencyClosed: true })).json().field).toBe('closedReason');
  });

  it('a queue created closed needs its reason too', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/admin/v1/queues', headers: admin, payload: { name: 'closed-at-birth', timezone: 'UTC', emergencyClosed: true } });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('closedReason');
  });
});
