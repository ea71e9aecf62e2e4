import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackState, DeliveryStatus } from '../src/db/types.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

// Monday 2030-03-04, 10:00 in New York; the factories' hours are 09:00–17:00 on weekdays.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let actions: { authorization: string };
let supervisor: { authorization: string };
let monitor: { authorization: string };
let make: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await buildTestApp({ clock });
  actions = (await authHeader(t, ['actions'])).headers;
  supervisor = (await authHeader(t, ['supervisor'])).headers;
  monitor = (await authHeader(t, ['monitor'])).headers;
  make = factories(t.database.db);
});
afterAll(async () => t.close());

let phone = 4563100;
const nextPhone = () => `+1202${++phone}`;

async function hoursQueue() {
  const hours = await make.hours();
  return make.queue({ businessHoursId: hours.id, maxPendingPerNumber: 20 });
}

async function create(queue: string, extra: object = {}): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue, phoneNumber: nextPhone(), ...extra } });
  expect(res.json().outcome, res.body).toBe('CREATED');
  return res.json().callbackId;
}

async function list(query: string, headers = monitor): Promise<string[]> {
  const res = await t.app.inject({ method: 'GET', url: `/admin/v1/callbacks?${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items.map((c: { id: string }) => c.id);
}

const set = (id: string, values: { state?: CallbackState; delivery_status?: DeliveryStatus }) => t.database.db.updateTable('callbacks').set(values).where('id', '=', id).execute();
const row = (id: string) => t.database.db.selectFrom('callbacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('the desk list', () => {
  it('orders newest first (created, then id), and cursor pages continue that exact order', async () => {
    const queue = await hoursQueue();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await create(queue.name));
    const newestFirst = [...ids].reverse();
    expect(await list(`queueId=${queue.id}&limit=250`)).toEqual(newestFirst);

    const pages: string[] = [];
    let cursor = '';
    for (let page = 0; page < 3; page++) {
      const res = (await t.app.inject({ method: 'GET', url: `/admin/v1/callbacks?queueId=${queue.id}&limit=3${cursor && `&cursor=${cursor}`}`, headers: monitor })).json();
      pages.push(...res.items.map((c: { id: string }) => c.id));
      cursor = res.nextCursor;
    }
    expect(cursor).toBeNull();
    expect(pages).toEqual(newestFirst);
  });

  it('cursor pages of the list and the search return callbacks created within one millisecond each exactly once', async () => {
    const queue = await hoursQueue();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await create(queue.name));
    // The same millisecond, microseconds apart: a cursor rounded to the millisecond skips or repeats them.
    for (const [i, id] of ids.entries()) {
      await sql`update callbacks set created_at = '2030-03-04 15:00:00.123+00'::timestamptz + ${i} * interval '1 microsecond' where id = ${id}`.execute(t.database.db);
    }
    const newestFirst = [...ids].reverse();
    for (const path of ['/admin/v1/callbacks', '/admin/v1/callbacks/search']) {
      const seen: string[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const res = await t.app.inject({ method: 'GET', url: `${path}?queueId=${queue.id}&limit=2${cursor && `&cursor=${cursor}`}`, headers: monitor });
        expect(res.statusCode, res.body).toBe(200);
        const page = res.json() as { items: { id: string }[]; nextCursor: string | null };
        seen.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor;
        expect(seen.length).toBeLessThanOrEqual(ids.length);
      }
      expect(seen, path).toEqual(newestFirst);
    }
  });

  it('the state filter returns only the callbacks in that state', async () => {
    const queue = await hoursQueue();
    const scheduled = await create(queue.name, { desiredTime: '2030-03-05T10:00' });
    const queued = await create(queue.name);
    const processing = await create(queue.name);
    await set(processing, { state: 'PROCESSING' });
    const completed = await create(queue.name);
    const cancel = await t.app.inject({ method: 'POST', url: `/admin/v1/callbacks/${completed}/cancel`, headers: supervisor });
    expect(cancel.json().outcome).toBe('CANCELLED');

    const expected: Record<CallbackState, string[]> = { SCHEDULED: [scheduled], QUEUED: [queued], ROUTING: [], PROCESSING: [processing], COMPLETED: [completed] };
    for (const [state, ids] of Object.entries(expected)) expect(await list(`queueId=${queue.id}&state=${state}`), state).toEqual(ids);
    expect(await list(`queueId=${queue.id}`)).toHaveLength(4);
  });

  it('the deliveryStatus filter returns only the callbacks with that delivery status', async () => {
    const queue = await hoursQueue();
    const statuses: DeliveryStatus[] = ['PENDING', 'SENDING', 'DELIVERED', 'FAILED', 'NOT_REQUIRED'];
    const byStatus = new Map<DeliveryStatus, string>();
    for (const status of statuses) {
      const id = await create(queue.name);
      await set(id, { delivery_status: status });
      byStatus.set(status, id);
    }
    for (const status of statuses) expect(await list(`queueId=${queue.id}&deliveryStatus=${status}`), status).toEqual([byStatus.get(status)]);
  });

  it('the phone filter returns only that number’s callbacks, given as E.164 or as digits', async () => {
    const queue = await hoursQueue();
    const number = nextPhone();
    const mine = [await create(queue.name, { phoneNumber: number }), await create(queue.name, { phoneNumber: number })];
    await create(queue.name);
    await create(queue.name);
    const newestFirst = [...mine].reverse();
    expect(await list(`queueId=${queue.id}&phone=${encodeURIComponent(number)}`)).toEqual(newestFirst);
    expect(await list(`queueId=${queue.id}&phone=${number.slice(1)}`)).toEqual(newestFirst);
    expect(await list(`phone=${number.slice(1)}`)).toEqual(newestFirst);
    expect(await list(`queueId=${queue.id}&phone=${encodeURIComponent('+1 (202) 000-0000')}`)).toEqual([]);
  });

  it('refuses a phone filter without a digit with a 400 naming phone, on the list and on the search', async () => {
    for (const url of ['/admin/v1/callbacks?phone=abc', '/admin/v1/callbacks/search?phone=abc']) {
      const res = await t.app.inject({ method: 'GET', url, headers: monitor });
      expect([res.statusCode, res.json().field], url).toEqual([400, 'phone']);
    }
  });
});

describe('the desk reschedule and queue allow-lists', () => {
  it('refuses (403) a supervisor limited to queue QA rescheduling a QB callback, and changes nothing; QA’s own moves', async () => {
    const qa = await hoursQueue();
    const qb = await hoursQueue();
    const inA = await create(qa.name, { desiredTime: '2030-03-05T10:00' });
    const inB = await create(qb.name, { desiredTime: '2030-03-05T10:00' });
    const { headers: limited } = await authHeader(t, ['supervisor'], { queues: [qa.name] });
    const before = await row(inB);

    const refused = await t.app.inject({ method: 'POST', url: `/admin/v1/callbacks/${inB}/reschedule`, headers: limited, payload: { desiredTime: '2030-03-05T11:30' } });
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json().error).toBe('FORBIDDEN');
    const after = await row(inB);
    expect({ scheduled: after.scheduled_time, slot: after.slot_start }).toEqual({ scheduled: before.scheduled_time, slot: before.slot_start });
    const events = await t.database.db.selectFrom('callback_history').select('event').where('callback_id', '=', inB).execute();
    expect(events.map((e) => e.event)).toEqual(['created']);

    const allowed = await t.app.inject({ method: 'POST', url: `/admin/v1/callbacks/${inA}/reschedule`, headers: limited, payload: { desiredTime: '2030-03-05T11:30' } });
    expect(allowed.json()).toMatchObject({ outcome: 'RESCHEDULED', scheduledTime: '2030-03-05T16:30:00Z' });
  });
});
