import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { factories, WEEKDAYS_9_TO_5 } from './helpers/factories.js';

let t: TestApp;
let admin: { authorization: string };
let monitor: { authorization: string };
beforeAll(async () => {
  t = await buildTestApp();
  admin = (await authHeader(t, ['administrator'])).headers;
  monitor = (await authHeader(t, ['monitor'])).headers;
});
afterAll(async () => t.close());

const post = (url: string, payload: object, headers = admin) => t.app.inject({ method: 'POST', url, headers, payload });
const patch = (url: string, payload: object, headers = admin) => t.app.inject({ method: 'PATCH', url, headers, payload });
const get = (url: string, headers = admin) => t.app.inject({ method: 'GET', url, headers });

describe('queues', () => {
  it('are created with the product defaults and every setting readable back', async () => {
    const res = await post('/admin/v1/queues', { name: 'Sales', timezone: 'Europe/Berlin', genesysQueueId: 'g-sales' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      name: 'Sales',
      timezone: 'Europe/Berlin',
      immediateEnabled: true,
      scheduledEnabled: true,
      slotDurationMinutes: 15,
      slotCapacity: 5,
      maxDaysAhead: 30,
      maxPendingPerNumber: 1,
      capacityRuleId: null,
      businessHoursId: null,
      purgeAtClose: false,
    });
    const id = res.json().id;
    expect((await get(`/admin/v1/queues/${id}`, monitor)).json().name).toBe('Sales');
    const changed = await patch(`/admin/v1/queues/${id}`, { slotDurationMinutes: 30, defaultCountry: 'de', maxDaysAhead: 7 });
    expect(changed.json()).toMatchObject({ slotDurationMinutes: 30, defaultCountry: 'DE', maxDaysAhead: 7 });
  });

  it.each([
    [{ name: 'q1', timezone: 'Mars/Olympus' }, 'timezone'],
    [{ name: 'q2', timezone: 'UTC', slotDurationMinutes: 7 }, 'slotDurationMinutes'],
    [{ name: 'q3', timezone: 'UTC', slotCapacity: -1 }, 'slotCapacity'],
    [{ name: 'q4', timezone: 'UTC', maxDaysAhead: 31 }, 'maxDaysAhead'],
    [{ name: 'q5', timezone: 'UTC', mode: 'campaign' }, 'mode'],
    [{ name: 'q6', timezone: 'UTC', defaultCountry: 'XX' }, 'defaultCountry'],
    [{ name: 'q7', timezone: 'UTC', businessHoursId: '00000000-0000-4000-8000-000000000000' }, 'businessHoursId'],
    [{ name: 'q8', timezone: 'UTC', capacityRuleId: '00000000-0000-4000-8000-000000000000' }, 'capacityRuleId'],
    [{ timezone: 'UTC' }, 'name'],
  ])('refuse bad input %j with 400 naming %s', async (payload, field) => {
    const res = await post('/admin/v1/queues', payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe(field);
  });

  it('refuse the removed `mode` setting on create and change, naming it (a queue\'s campaign callbacks are its campaigns\')', async () => {
    const created = await post('/admin/v1/queues', { name: 'No mode', timezone: 'UTC' });
    expect(created.json()).not.toHaveProperty('mode');
    for (const mode of ['conversation', 'campaign']) {
      const res = await patch(`/admin/v1/queues/${created.json().id}`, { mode });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ field: 'mode', message: expect.stringContaining('mode') });
    }
  });

  it('have unique names (409), are 404 when unknown, and only administrators write', async () => {
    await post('/admin/v1/queues', { name: 'Unique', timezone: 'UTC' });
    expect((await post('/admin/v1/queues', { name: 'Unique', timezone: 'UTC' })).statusCode).toBe(409);
    expect((await get('/admin/v1/queues/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await post('/admin/v1/queues', { name: 'ByMonitor', timezone: 'UTC' }, monitor)).statusCode).toBe(403);
    for (const role of ['supervisor', 'developer'] as const) {
      const { headers } = await authHeader(t, [role]);
      expect((await get('/admin/v1/queues', headers)).statusCode).toBe(200);
      expect((await post('/admin/v1/queues', { name: `By-${role}`, timezone: 'UTC' }, headers)).statusCode).toBe(403);
    }
    const { headers: actions } = await authHeader(t, ['actions']);
    expect((await get('/admin/v1/queues', actions)).statusCode).toBe(403);
  });

  it('respect a client’s queue allow-list', async () => {
    const a = (await post('/admin/v1/queues', { name: 'LOB-A', timezone: 'UTC' })).json();
    const b = (await post('/admin/v1/queues', { name: 'LOB-B', timezone: 'UTC', genesysQueueId: 'genesys-b' })).json();
    const { headers } = await authHeader(t, ['supervisor'], { queues: ['LOB-A', 'genesys-b'] });
    const { headers: onlyA } = await authHeader(t, ['supervisor'], { queues: ['LOB-A'] });
    const names = (await get('/admin/v1/queues', headers)).json().items.map((q: { name: string }) => q.name);
    expect(names).toEqual(['LOB-A', 'LOB-B']);
    expect((await get('/admin/v1/queues', onlyA)).json().items.map((q: { name: string }) => q.name)).toEqual(['LOB-A']);
    expect((await get(`/admin/v1/queues/${b.id}`, onlyA)).statusCode).toBe(403);
    expect((await get(`/admin/v1/queues/${a.id}`, onlyA)).statusCode).toBe(200);
  });
});

describe('business hours', () => {
  it('store weekly intervals (several per day, 24:00 as an end) and date exceptions', async () => {
    const res = await post('/admin/v1/business-hours', {
      name: 'Split day',
      timezone: 'Europe/Berlin',
      weekly: { monday: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '24:00' }] },
      exceptions: [{ date: '2030-12-25', closed: true, intervals: [] }, { date: '2030-12-24', closed: false, intervals: [{ start: '08:00', end: '12:00' }] }],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().weekly.monday).toHaveLength(2);
    expect(res.json().exceptions).toHaveLength(2);
  });

  it.each([
    [{ monday: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '14:00' }] }, 'weekly.monday', /overlap/],
    [{ tuesday: [{ start: '17:00', end: '09:00' }] }, 'weekly.tuesday[0]', /before it starts/],
    [{ wednesday: [{ start: '24:00', end: '24:00' }] }, 'weekly.wednesday[0]', /start must be HH:mm/],
    [{ thursday: [{ start: '9:00', end: '17:00' }] }, 'weekly.thursday[0].start', /pattern|HH:mm/],
  ])('refuse overlapping, inverted or malformed intervals with 400 naming the day', async (weekly, field, message) => {
    const res = await post('/admin/v1/business-hours', { name: `bad-${Math.random()}`, timezone: 'UTC', weekly });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe(field);
    expect(res.json().message).toMatch(message);
  });

  it('PATCH changes only the fields sent (read back), refuses an invalid week with 400 and leaves the hours as they were', async () => {
    const exceptions = [{ date: '2030-12-25', closed: true, intervals: [] }];
    const created = (await post('/admin/v1/business-hours', { name: 'Patched', timezone: 'Europe/Berlin', weekly: WEEKDAYS_9_TO_5, exceptions })).json();
    const saturday = { ...WEEKDAYS_9_TO_5, saturday: [{ start: '10:00', end: '14:00' }] };
    const patched = await patch(`/admin/v1/business-hours/${created.id}`, { weekly: saturday });
    expect(patched.statusCode, patched.body).toBe(200);
    const read = (await get(`/admin/v1/business-hours/${created.id}`)).json();
    expect(read).toMatchObject({ id: created.id, name: 'Patched', timezone: 'Europe/Berlin', weekly: saturday, exceptions });

    const renamed = await patch(`/admin/v1/business-hours/${created.id}`, { name: 'Renamed' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect((await get(`/admin/v1/business-hours/${created.id}`)).json()).toMatchObject({ name: 'Renamed', timezone: 'Europe/Berlin', weekly: saturday, exceptions });

    const overlap = await patch(`/admin/v1/business-hours/${created.id}`, { weekly: { monday: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '14:00' }] } });
    expect(overlap.statusCode).toBe(400);
    expect(overlap.json().field).toBe('weekly.monday');
    expect((await get(`/admin/v1/business-hours/${created.id}`)).json()).toMatchObject({ name: 'Renamed', weekly: saturday });
    expect((await patch('/admin/v1/business-hours/00000000-0000-4000-8000-000000000000', { name: 'x' })).statusCode).toBe(404);
  });

  it('refuse an unknown time zone, and cannot be deleted while a queue uses them', async () => {
    expect((await post('/admin/v1/business-hours', { name: 'tz', timezone: 'Nowhere/City', weekly: {} })).json().field).toBe('timezone');
    const hours = (await post('/admin/v1/business-hours', { name: 'In use', timezone: 'UTC', weekly: WEEKDAYS_9_TO_5 })).json();
    const queue = (await post('/admin/v1/queues', { name: 'Uses hours', timezone: 'UTC', businessHoursId: hours.id })).json();
    expect((await get(`/admin/v1/business-hours/${hours.id}`)).json().queues).toEqual([{ id: queue.id, name: 'Uses hours' }]);
    const refused = await t.app.inject({ method: 'DELETE', url: `/admin/v1/business-hours/${hours.id}`, headers: admin });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().details.queues).toEqual([{ id: queue.id, name: 'Uses hours' }]);
    expect((await get(`/admin/v1/business-hours/${hours.id}`)).statusCode).toBe(200);
    await patch(`/admin/v1/queues/${queue.id}`, { businessHoursId: null });
    expect((await t.app.inject({ method: 'DELETE', url: `/admin/v1/business-hours/${hours.id}`, headers: admin })).statusCode).toBe(204);
    expect((await get(`/admin/v1/business-hours/${hours.id}`)).statusCode).toBe(404);
  });
});

describe('capacity rules', () => {
  it('convert hourly↔half-hourly as the seed’s 9:00/9:30/10:00/10:30 table says', async () => {
    const rule = (await post('/admin/v1/capacity-rules', {
      name: 'Conversions',
      timeslotLength: 'halfHour',
      cells: { monday: { '09:00': 8, '09:30': 10, '10:00': 8, '10:30': 10 } },
    })).json();
    const hourly = await patch(`/admin/v1/capacity-rules/${rule.id}`, { timeslotLength: 'hour' });
    expect(hourly.json().cells.monday).toEqual({ '09:00': 8, '10:00': 8 });
    const back = await patch(`/admin/v1/capacity-rules/${rule.id}`, { timeslotLength: 'halfHour' });
    expect(back.json().cells.monday).toEqual({ '09:00': 8, '09:30': 8, '10:00': 8, '10:30': 8 });
  });

  it('merge cells entered one by one, but a pasted statement replaces every cell (missing cells become 0)', async () => {
    const rule = (await post('/admin/v1/capacity-rules', { name: 'Statement', timeslotLength: 'hour', cells: { tuesday: { '09:00': 5 } } })).json();
    const merged = await patch(`/admin/v1/capacity-rules/${rule.id}`, { cells: { tuesday: { '10:00': 7 }, wednesday: { '09:00': 3 } } });
    expect(merged.json().cells).toEqual({ tuesday: { '09:00': 5, '10:00': 7 }, wednesday: { '09:00': 3 } });
    const replaced = await t.app.inject({ method: 'PUT', url: `/admin/v1/capacity-rules/${rule.id}/statement`, headers: admin, payload: { monday: { '08:00': 10 } } });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().cells).toEqual({ monday: { '08:00': 10 } });
  });

  it('keep their name fixed, refuse half-hour cells in an hourly rule, negative values, and deletion while assigned', async () => {
    const rule = (await post('/admin/v1/capacity-rules', { name: 'Fixed name', timeslotLength: 'hour' })).json();
    expect((await patch(`/admin/v1/capacity-rules/${rule.id}`, { name: 'Other' })).json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'name' });
    const half = await patch(`/admin/v1/capacity-rules/${rule.id}`, { cells: { monday: { '09:30': 1 } } });
    expect(half.statusCode).toBe(400);
    expect(half.json().field).toBe('cells.monday.09:30');
    expect((await patch(`/admin/v1/capacity-rules/${rule.id}`, { cells: { monday: { '09:00': -1 } } })).statusCode).toBe(400);
    expect((await patch(`/admin/v1/capacity-rules/${rule.id}`, { cells: { monday: { '9:00': 1 } } })).statusCode).toBe(400);

    const q1 = await factories(t.database.db).queue({ capacityRuleId: rule.id });
    const q2 = await factories(t.database.db).queue({ capacityRuleId: rule.id });
    expect((await get(`/admin/v1/capacity-rules/${rule.id}`)).json().queues.map((q: { id: string }) => q.id).sort()).toEqual([q1.id, q2.id].sort());
    const refused = await t.app.inject({ method: 'DELETE', url: `/admin/v1/capacity-rules/${rule.id}`, headers: admin });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain(q1.name);
    expect(refused.json().details.queues).toHaveLength(2);
  });

  it('record every write in the audit log with before and after', async () => {
    const rule = (await post('/admin/v1/capacity-rules', { name: 'Audited', timeslotLength: 'hour' })).json();
    await t.app.inject({ method: 'PUT', url: `/admin/v1/capacity-rules/${rule.id}/statement`, headers: admin, payload: { friday: { '09:00': 2 } } });
    await t.app.inject({ method: 'DELETE', url: `/admin/v1/capacity-rules/${rule.id}`, headers: admin });
    const items = (await get(`/admin/v1/audit?entity=capacity-rule&entityId=${rule.id}`)).json().items;
    expect(items.map((i: { action: string }) => i.action)).toEqual(['delete', 'replace-statement', 'create']);
    expect(items[1].before.cells).toEqual({});
    expect(items[1].after.cells).toEqual({ friday: { '09:00': 2 } });
  });
});
