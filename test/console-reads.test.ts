import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';

/**
 * The admin-API reads the console's pages use: the callback search and its CSV export, the queue
 * overview, slot utilization, the business-hours preview, the capacity conversion preview and the
 * Genesys status. Real database, real app; callbacks booked through the data action.
 */

type H = Record<string, string>;
let t: TestApp;
let admin: H;
let actions: H;
const clock = new TestClock(new Date('2030-03-05T14:00:00Z')); // a Tuesday, 09:00 in New York
const call = async (headers: H, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object) => {
  const res = await t.app.inject({ method, url, headers, ...(payload && { payload }) });
  return { status: res.statusCode, body: String(res.headers['content-type']).includes('json') ? res.json() : res.body, headers: res.headers };
};

let hoursId: string;
let ruleId: string;
const queues: Record<string, string> = {};
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await buildTestApp({ clock });
  admin = (await authHeader(t, ['administrator'])).headers;
  actions = (await authHeader(t, ['actions'])).headers;
  const weekday = [{ start: '09:00', end: '17:00' }];
  hoursId = (await call(admin, 'POST', '/admin/v1/business-hours', {
    name: 'Office',
    timezone: 'America/New_York',
    weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday },
    exceptions: [{ date: '2030-03-07', closed: true }],
  })).body.id;
  ruleId = (await call(admin, 'POST', '/admin/v1/capacity-rules', { name: 'Two per hour', timeslotLength: 'halfHour', cells: { tuesday: { '10:00': 2, '10:30': 1 } } })).body.id;
  for (const name of ['Sales', 'Billing', 'Support']) {
    queues[name] = (await call(admin, 'POST', '/admin/v1/queues', { name, timezone: 'America/New_York', businessHoursId: hoursId, capacityRuleId: ruleId, slotDurationMinutes: 30 })).body.id;
  }
  const create = async (key: string, body: object) => {
    const res = await call(actions, 'POST', '/actions/v1/callbacks/create', body);
    expect(res.body.outcome, JSON.stringify(res.body)).toBe('CREATED');
    ids[key] = res.body.callbackId;
  };
  await create('sales', { queue: 'Sales', phoneNumber: '+12125550147', customerName: 'Ada Lovelace', desiredTime: '2030-03-05T10:00:00-05:00' });
  await create('billing', { queue: 'Billing', phoneNumber: '+442079460321', customerName: 'Grace Hopper', desiredTime: '2030-03-05T10:00:00-05:00' });
  await create('support', { queue: 'Support', phoneNumber: '+12125550999', customerName: '=HYPERLINK("x")' });
}, 120_000);
afterAll(async () => t.close());

const search = async (query: string) => {
  const res = await call(admin, 'GET', `/admin/v1/callbacks/search?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.items as { id: string }[]).map((c) => c.id).sort();
};

describe('callback search', () => {
  it('several queues and several states at once', async () => {
    expect(await search(`queue=Sales&queue=${queues.Billing}`)).toEqual([ids.sales, ids.billing].sort());
    expect(await search('state=SCHEDULED&state=QUEUED')).toEqual(Object.values(ids).sort());
    expect(await search('state=SCHEDULED')).toEqual([ids.sales, ids.billing].sort());
    expect(await search('type=immediate')).toEqual([ids.support]);
    // No worker runs here: nothing has been delivered yet.
    expect(await search('deliveryStatus=PENDING&deliveryStatus=FAILED')).toEqual(Object.values(ids).sort());
    expect(await search('deliveryStatus=DELIVERED&deliveryStatus=SENDING')).toEqual([]);
  });

  it('the phone filter finds exactly that number (E.164 or its digits), not a part of it', async () => {
    expect(await search(`phone=${encodeURIComponent('+12125550147')}`)).toEqual([ids.sales]);
    expect(await search('phone=442079460321')).toEqual([ids.billing]);
    expect(await search(`phone=${encodeURIComponent('+1212555')}`)).toEqual([]);
  });

  it('by any part of the number, national or E.164; by part of a name; by callback id', async () => {
    expect(await search('q=555-0147')).toEqual([ids.sales]);
    expect(await search(`q=${encodeURIComponent('(212) 555-0147')}`)).toEqual([ids.sales]);
    expect(await search(`q=${encodeURIComponent('+1 212 555 0147')}`)).toEqual([ids.sales]);
    // A UK national number with its trunk 0 finds the E.164 +44 number.
    expect(await search(`q=${encodeURIComponent('020 7946 0321')}`)).toEqual([ids.billing]);
    expect(await search('q=hopper')).toEqual([ids.billing]);
    expect(await search(`q=${ids.support}`)).toEqual([ids.support]);
    expect(await search('q=nobody-at-all')).toEqual([]);
  });

  it('a time range; bad input is a 4xx naming the field; an unknown queue a 404', async () => {
    expect(await search(`from=${encodeURIComponent('2030-03-05T14:30:00Z')}&to=${encodeURIComponent('2030-03-05T15:30:00Z')}`)).toEqual([ids.sales, ids.billing].sort());
    const bad = await call(admin, 'GET', '/admin/v1/callbacks/search?state=LOST');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('state[0]');
    const order = await call(admin, 'GET', `/admin/v1/callbacks/search?from=${encodeURIComponent('2030-03-06T00:00:00Z')}&to=${encodeURIComponent('2030-03-05T00:00:00Z')}`);
    expect([order.status, order.body.field]).toEqual([400, 'to']);
    expect((await call(admin, 'GET', '/admin/v1/callbacks/search?limit=251')).body.field).toBe('limit');
    expect((await call(admin, 'GET', '/admin/v1/callbacks/search?queue=Nowhere')).status).toBe(404);
  });

  it('a restricted supervisor finds only its queues and may not name another', async () => {
    const sup = (await authHeader(t, ['supervisor'], { queues: ['Sales'] })).headers;
    const mine = await call(sup, 'GET', '/admin/v1/callbacks/search?state=SCHEDULED&state=QUEUED');
    expect((mine.body.items as { id: string }[]).map((c) => c.id)).toEqual([ids.sales]);
    expect((await call(sup, 'GET', '/admin/v1/callbacks/search?queue=Billing')).status).toBe(403);
    const csv = await call(sup, 'GET', '/admin/v1/callbacks/export');
    expect(String(csv.body)).toContain(ids.sales);
    expect(String(csv.body)).not.toContain(ids.billing);
  });

  it('pages by cursor without repeating a callback', async () => {
    const first = await call(admin, 'GET', '/admin/v1/callbacks/search?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await call(admin, 'GET', `/admin/v1/callbacks/search?limit=2&cursor=${first.body.nextCursor}`);
    const all = [...first.body.items, ...second.body.items].map((c: { id: string }) => c.id);
    expect(all.sort()).toEqual(Object.values(ids).sort());
    expect(second.body.nextCursor).toBeNull();
  });

  it('exports the filter as CSV, quoting and defusing spreadsheet formulas', async () => {
    const res = await call(admin, 'GET', '/admin/v1/callbacks/export?state=QUEUED&state=SCHEDULED');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['x-rows']).toBe('3');
    expect(res.headers['x-truncated']).toBe('false');
    const lines = String(res.body).trim().split('\r\n');
    expect(lines[0]!.startsWith('id,queueName,type,state,completionReason,phoneE164,customerName,desiredTime,scheduledTime,priority,deliveryStatus,deliveryAttempts,ivrConversationId,genesysConversationId,createdBy,createdAt,completedAt,')).toBe(true);
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.startsWith(ids.support!))).toContain(`"'=HYPERLINK(""x"")"`);
    // A phone number stays text: its + would make a spreadsheet read a formula (or a number without it).
    expect(lines.find((l) => l.startsWith(ids.sales!))).toContain(",Sales,scheduled,SCHEDULED,,'+12125550147,Ada Lovelace,");
  });
});

describe('queue overview, utilization, previews', () => {
  it('the overview has each queue open now, its close and next opening, and its counts', async () => {
    const res = await call(admin, 'GET', '/admin/v1/queues/overview');
    expect(res.status).toBe(200);
    const sales = (res.body.items as Record<string, unknown>[]).find((q) => q.name === 'Sales')!;
    expect(sales).toMatchObject({
      open: true,
      closesAt: '2030-03-05T22:00:00Z',
      nextOpen: '2030-03-06T14:00:00Z',
      scheduledToday: 1,
      ewtSeconds: null,
      businessHoursId: hoursId,
      capacityRuleId: ruleId,
      immediateEnabled: true,
    });
    const support = (res.body.items as Record<string, unknown>[]).find((q) => q.name === 'Support')!;
    expect(support.waitingCallbacks).toBe(1);
  });

  it('utilization: booked against capacity per open slot of the coming days', async () => {
    const res = await call(admin, 'GET', `/admin/v1/queues/${queues.Sales}/utilization?days=3`);
    expect(res.status).toBe(200);
    expect(res.body.days.map((d: { date: string }) => d.date)).toEqual(['2030-03-05', '2030-03-06', '2030-03-07']);
    const today = res.body.days[0].slots as { start: string; capacity: number; booked: number }[];
    expect(today.find((s) => s.start === '2030-03-05T15:00:00Z')).toMatchObject({ capacity: 2, booked: 1 });
    expect(today.find((s) => s.start === '2030-03-05T15:30:00Z')).toMatchObject({ capacity: 1, booked: 0 });
    expect(today).toHaveLength(16); // 09:00-17:00 in half hours
    expect(res.body.days[2].slots).toEqual([]); // the closed exception date
    expect((await call(admin, 'GET', `/admin/v1/queues/${queues.Sales}/utilization?days=40`)).body.field).toBe('days');
  });

  it('the hours preview of a date, DST-aware: the spring-forward Sunday has its offset change listed', async () => {
    const weekly = await call(admin, 'PATCH', `/admin/v1/business-hours/${hoursId}`, { weekly: { sunday: [{ start: '01:00', end: '04:00' }] } });
    expect(weekly.status).toBe(200);
    const res = await call(admin, 'GET', `/admin/v1/business-hours/${hoursId}/preview?date=2030-03-10&slotDurationMinutes=60`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ weekday: 'sunday', exception: false, offsetTransitions: ['2030-03-10T07:00:00Z'] });
    // 01:00 EST, then 03:00 EDT: 02:00 does not exist that night.
    expect(res.body.slots.map((s: { localStart: string }) => s.localStart)).toEqual(['2030-03-10T01:00:00-05:00', '2030-03-10T03:00:00-04:00']);
    const closed = await call(admin, 'GET', `/admin/v1/business-hours/${hoursId}/preview?date=2030-03-07`);
    expect(closed.body).toMatchObject({ exception: true, intervals: [], slots: [] });
    expect((await call(admin, 'GET', `/admin/v1/business-hours/${hoursId}/preview?date=2030-02-30`)).body.field).toBe('date');
  });

  it('the capacity conversion preview lists what switching to hourly cells keeps and drops, and saves nothing', async () => {
    const res = await call(admin, 'GET', `/admin/v1/capacity-rules/${ruleId}/conversion?to=hour`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: 'halfHour', to: 'hour', kept: [{ day: 'tuesday', cell: '10:00', capacity: 2 }], dropped: [{ day: 'tuesday', cell: '10:30', capacity: 1 }], added: [] });
    expect((await call(admin, 'GET', `/admin/v1/capacity-rules/${ruleId}`)).body.timeslotLength).toBe('halfHour');
    expect((await call(admin, 'GET', `/admin/v1/capacity-rules/${ruleId}/conversion?to=day`)).body.field).toBe('to');
  });

  it('the Genesys status names the simulated gateway', async () => {
    const res = await call(admin, 'GET', '/admin/v1/genesys/status');
    expect(res.status).toBe(200);
    expect(res.body.gateway).toBe('simulated');
    expect(Array.isArray(res.body.lastErrors)).toBe(true);
  });
});
