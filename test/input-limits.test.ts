import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

// Monday 2030-03-04, 10:00 in New York; the factories' hours are 09:00–17:00 on weekdays.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let all: { authorization: string };
let queueName: string;
let scheduledId: string;
beforeAll(async () => {
  t = await buildTestApp({ clock });
  all = (await authHeader(t, ['administrator', 'supervisor', 'monitor', 'developer', 'actions', 'events'])).headers;
  const make = factories(t.database.db);
  const hours = await make.hours();
  queueName = (await make.queue({ businessHoursId: hours.id, maxPendingPerNumber: 5 })).name;
  const created = await post('/actions/v1/callbacks/create', { queue: queueName, phoneNumber: '+12024561234', desiredTime: '2030-03-05T10:00' });
  expect(created.json().outcome, created.body).toBe('CREATED');
  scheduledId = created.json().callbackId;
});
afterAll(async () => t.close());

const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: all, payload });
const get = (url: string) => t.app.inject({ method: 'GET', url, headers: all });

function refused(res: { statusCode: number; body: string; json(): unknown }, field: string, message?: RegExp) {
  expect(res.statusCode, res.body).toBe(400);
  const body = res.json() as { error: string; field?: string; message: string; correlationId: string };
  expect(body.error, res.body).toBe('VALIDATION_FAILED');
  expect(body.field, res.body).toBe(field);
  expect(typeof body.correlationId).toBe('string');
  if (message) expect(body.message).toMatch(message);
}

const EXTREME_TIMES = ['9999-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '+275760-09-13', '-000001-01-01', '1999-12-31T23:59:59Z', '2100-01-01T00:00:00Z', '2099-12-31T23:30:00-05:00'];
const EXTREME_FILTERS = ['9999-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '2100-01-01T00:00:00Z', '2099-12-31T23:30:00-05:00'];

describe('time inputs', () => {
  it('every time a flow or operator sends must be from 2000-01-01 and before 2100-01-01 (400 naming the field)', async () => {
    for (const time of EXTREME_TIMES) {
      refused(await post('/actions/v1/open-for', { queue: queueName, at: time }), 'at');
      refused(await post('/actions/v1/availability', { queue: queueName, start: time }), 'start');
      refused(await post('/actions/v1/availability', { queue: queueName, start: '2030-03-05T10:00:00Z', end: time }), 'end');
      refused(await post('/actions/v1/callbacks/create', { queue: queueName, phoneNumber: '+12024561235', desiredTime: time }), 'desiredTime');
      refused(await post('/actions/v1/callbacks/reschedule', { callbackId: scheduledId, desiredTime: time }), 'desiredTime');
      refused(await post(`/admin/v1/callbacks/${scheduledId}/reschedule`, { desiredTime: time }), 'desiredTime');
    }
    refused(await post('/actions/v1/open-for', { queue: queueName, at: '9999-01-01T00:00:00Z' }), 'at', /from 2000-01-01T00:00:00Z and before 2100-01-01T00:00:00Z/);
    // The edges themselves: the first instant is in, the last one is out.
    expect((await post('/actions/v1/open-for', { queue: queueName, at: '2000-01-01T00:00:00Z' })).statusCode).toBe(200);
    expect((await post('/actions/v1/open-for', { queue: queueName, at: '2099-12-31T23:59:59Z' })).statusCode).toBe(200);
  });

  it('every desk time filter refuses times outside the range, leap seconds and impossible dates (400 naming from or to)', async () => {
    for (const time of [...EXTREME_FILTERS, '2030-06-30T23:59:60Z', '2030-12-31T18:59:60-05:00']) {
      refused(await get(`/admin/v1/callbacks?from=${encodeURIComponent(time)}`), 'from');
      refused(await get(`/admin/v1/callbacks?to=${encodeURIComponent(time)}`), 'to');
    }
    refused(await get('/admin/v1/callbacks?from=2030-02-30T00:00:00Z'), 'from');
    const ok = await get(`/admin/v1/callbacks?from=${encodeURIComponent('2030-03-05 09:00:00z')}&to=2030-03-05T17:00:00%2B01:00`);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().items.map((c: { id: string }) => c.id)).toEqual([scheduledId]);
  });

  it('a leap second in a flow time is a 400 naming the field', async () => {
    refused(await post('/actions/v1/open-for', { queue: queueName, at: '2030-06-30T23:59:60Z' }), 'at');
    refused(await post('/actions/v1/availability', { queue: queueName, start: '2030-06-30T23:59:60Z' }), 'start');
  });

  it('an event time outside the range is a 400 naming eventTime', async () => {
    for (const eventTime of [1e20, 1, '9999-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '99999999999999999']) {
      refused(await post('/events/v1/conversation-acd-start', { conversationId: 'conv-range', participantId: 'p', mediaType: 'CALLBACK', eventTime }), 'eventTime');
    }
  });
});

describe('desk cursors', () => {
  const cursor = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
  it('a cursor this service did not give out is a 400 "cursor is not valid" naming cursor', async () => {
    const bad = [
      cursor({ at: '2030-03-04T15:00:00.000Z', id: 'x' }),
      cursor({ at: '2030-03-04T15:00:00.000Z', id: "' or 1=1 --" }),
      cursor({ at: '+275760-09-13T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' }),
      cursor({ at: '0000-01-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' }),
      cursor({ at: 1e300, id: '00000000-0000-4000-8000-000000000000' }),
      cursor({ at: '2030-03-04T15:00:00.000Z', id: 42 }),
      cursor('null'),
      cursor('[1,2]'),
      cursor('{"at":'),
      '%%%not-base64%%%',
      'garbage',
    ];
    for (const c of bad) refused(await get(`/admin/v1/callbacks?cursor=${encodeURIComponent(c)}`), 'cursor', /^cursor is not valid$/);
    const first = await get('/admin/v1/callbacks?limit=1');
    expect(first.statusCode).toBe(200);
  });
});

describe('listing limits', () => {
  const LISTINGS = ['/admin/v1/callbacks', '/admin/v1/audit', '/admin/v1/genesys/simulated-calls', '/admin/v1/aging-tracks', '/admin/v1/preview-contacts'];
  it('every listing refuses a limit that is not an integer from 1 to 250 (400 naming limit)', async () => {
    for (const path of LISTINGS) {
      for (const limit of ['1e309', 'Infinity', '-Infinity', 'NaN', '-1', '0', '2.5', '251', '1e3']) refused(await get(`${path}?limit=${limit}`), 'limit');
      const ok = await get(`${path}?limit=250`);
      expect(ok.statusCode, `${path}: ${ok.body}`).toBe(200);
    }
  });

  it('a number given as text that means infinity is a 400 naming the field, in bodies too', async () => {
    refused(await post('/actions/v1/availability', { queue: queueName, maxSlots: '1e309' }), 'maxSlots', /finite/);
    refused(await post('/admin/v1/queues', { name: 'infinite', timezone: 'UTC', slotCapacity: 'Infinity' }), 'slotCapacity', /finite/);
    refused(await post('/actions/v1/callbacks/create', { queue: queueName, phoneNumber: '+12024561236', priority: '-1e309' }), 'priority', /finite/);
  });
});

describe('names and other identifying text', () => {
  const INVISIBLE = ['\ufeff', '   ', '\u200b', '\u200b\ufeff\u2060', '\u00ad', ' \t\n'];
  it('a retry policy whose match is blank or invisible is a 400 naming match', async () => {
    const body = (match: string, name: string) => ({ name, match, waitSeconds: 60, maxAttempts: 2 });
    for (const match of INVISIBLE) refused(await post('/admin/v1/retry-policies', body(match, `blank match ${JSON.stringify(match)}`)), 'match');
    expect((await post('/admin/v1/retry-policies', body('\ufeffSKIPPED ', 'visible match'))).statusCode).toBe(201);
  });

  it('every resource refuses a name that is blank or invisible (400 naming name)', async () => {
    const make = factories(t.database.db);
    const hours = await make.hours();
    const bodies: Record<string, (name: string) => object> = {
      '/admin/v1/queues': (name) => ({ name, timezone: 'UTC' }),
      '/admin/v1/business-hours': (name) => ({ name, timezone: 'UTC', weekly: {} }),
      '/admin/v1/capacity-rules': (name) => ({ name, timeslotLength: 'hour', cells: {} }),
      '/admin/v1/number-rules': (name) => ({ name, permittedCountries: ['US'] }),
      '/admin/v1/retry-policies': (name) => ({ name, match: `M-${name}`, waitSeconds: 60, maxAttempts: 2 }),
      '/admin/v1/prioritization-policies': (name) => ({ name, mode: 'step', intervalSeconds: 60, maxSteps: 2, maxPriority: 10 }),
      '/admin/v1/clients': (name) => ({ name, roles: ['monitor'] }),
      '/admin/v1/campaigns': (name) => ({ name, contactListId: 'list', phoneColumn: 'Phone', businessHoursId: hours.id }),
    };
    for (const [path, body] of Object.entries(bodies)) {
      for (const name of INVISIBLE) refused(await post(path, body(name)), 'name');
      const ok = await post(path, body(`visible ${path}`));
      expect(ok.statusCode, `${path}: ${ok.body}`).toBe(201);
    }
    for (const contactListId of INVISIBLE) refused(await post('/admin/v1/campaigns', { name: 'c', contactListId, phoneColumn: 'Phone' }), 'contactListId');
    refused(await post('/admin/v1/campaigns', { name: 'c', contactListId: 'list', phoneColumn: '\u200b' }), 'phoneColumn');
  });
});
