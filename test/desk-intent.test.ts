import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

// Monday 2030-03-04 10:00 in New York.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let actions: { authorization: string };
let supervisor: { authorization: string };
let make: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await buildTestApp({ clock });
  actions = (await authHeader(t, ['actions'])).headers;
  supervisor = (await authHeader(t, ['supervisor'])).headers;
  make = factories(t.database.db);
});
afterAll(async () => t.close());

let phone = 4562200;
async function create(queue: string, extra: object = {}) {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue, phoneNumber: `+1202${++phone}`, ...extra } });
  expect(res.json().outcome, res.body).toBe('CREATED');
  return res.json().callbackId as string;
}

const desk = (method: 'GET' | 'POST', url: string, payload?: object, headers = supervisor) =>
  t.app.inject({ method, url: `/admin/v1${url}`, headers, ...(payload && { payload }) });
const bulkCancel = (payload: object, headers = supervisor) => desk('POST', '/callbacks/bulk-cancel', payload, headers);

async function states(ids: string[]) {
  const rows = await t.database.db.selectFrom('callbacks').select(['id', 'state']).where('id', 'in', ids).execute();
  return Object.fromEntries(rows.map((r) => [r.id, r.state]));
}
const historyCount = async (ids: string[]) =>
  Number((await t.database.db.selectFrom('callback_history').select((eb) => eb.fn.countAll().as('n')).where('callback_id', 'in', ids).executeTakeFirstOrThrow()).n);

describe('bulk cancel needs intent', () => {
  it('refuses a filter naming neither a queue nor a time range (empty, or only state/phone) with 400 on filter, and cancels nothing', async () => {
    const queue = await make.queue({ maxPendingPerNumber: 5 });
    const ids = [await create(queue.name), await create(queue.name)];
    for (const body of [{ filter: {} }, { filter: { state: 'QUEUED' } }, { filter: { phone: '12025550100', deliveryStatus: 'PENDING' } }, {}, { filter: {}, all: false }]) {
      const res = await bulkCancel(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'filter', correlationId: expect.any(String) });
    }
    expect(Object.values(await states(ids))).toEqual(['QUEUED', 'QUEUED']);
  });

  it('cancels by a time range alone, and refuses ids together with a filter or with all', async () => {
    clock.set('2030-03-04T15:00:00Z');
    const hours = await make.hours({ weekly: { tuesday: [{ start: '08:00', end: '18:00' }] } });
    const queue = await make.queue({ businessHoursId: hours.id, maxPendingPerNumber: 5 });
    const inside = await create(queue.name, { desiredTime: '2030-03-05T09:00' });
    const outside = await create(queue.name, { desiredTime: '2030-03-05T11:00' });
    const report = (await bulkCancel({ filter: { from: '2030-03-05T13:30:00Z', to: '2030-03-05T14:30:00Z' } })).json();
    expect(report).toMatchObject({ dryRun: false, matched: 1, cancelled: 1, cancelledIds: [inside] });
    expect(await states([outside])).toEqual({ [outside]: 'SCHEDULED' });
    expect((await bulkCancel({ ids: [outside], filter: { queueId: queue.id } })).statusCode).toBe(400);
    expect((await bulkCancel({ ids: [outside], all: true })).json().field).toBe('all');
  });

  it('dryRun changes nothing and reports exactly what the real run then cancels and skips', async () => {
    const queue = await make.queue({ maxPendingPerNumber: 5 });
    const ids = [await create(queue.name), await create(queue.name), await create(queue.name)];
    await t.database.db.updateTable('callbacks').set({ state: 'PROCESSING' }).where('id', '=', ids[1]!).execute();
    const before = { states: await states(ids), history: await historyCount(ids) };

    const dry = await bulkCancel({ filter: { queue: queue.name }, dryRun: true });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ dryRun: true, matched: 3, cancelled: 2, skipped: [{ callbackId: ids[1], reason: 'NOT_CANCELLABLE' }] });
    expect(new Set(dry.json().cancelledIds)).toEqual(new Set([ids[0], ids[2]]));
    expect({ states: await states(ids), history: await historyCount(ids) }).toEqual(before);

    const real = (await bulkCancel({ filter: { queue: queue.name } })).json();
    expect(real).toEqual({ ...dry.json(), dryRun: false });
    expect(await states(ids)).toEqual({ [ids[0]!]: 'COMPLETED', [ids[1]!]: 'PROCESSING', [ids[2]!]: 'COMPLETED' });
  });

  it('"all": true cancels pending callbacks in every queue the client may use', async () => {
    const [q1, q2] = [await make.queue(), await make.queue()];
    const ids = [await create(q1.name), await create(q2.name)];
    const report = (await bulkCancel({ all: true })).json();
    expect(report.cancelledIds).toEqual(expect.arrayContaining(ids));
    expect(Object.values(await states(ids))).toEqual(['COMPLETED', 'COMPLETED']);
  });
});

describe('the desk filter names a queue by name as well as by id', () => {
  it('lists the callbacks of a queue given by name, the same as by id', async () => {
    const queue = await make.queue();
    const other = await make.queue();
    const mine = await create(queue.name);
    await create(other.name);
    const byName = (await desk('GET', `/callbacks?queue=${encodeURIComponent(queue.name)}`)).json().items.map((c: { id: string }) => c.id);
    const byId = (await desk('GET', `/callbacks?queueId=${queue.id}`)).json().items.map((c: { id: string }) => c.id);
    expect(byName).toEqual([mine]);
    expect(byName).toEqual(byId);
  });

  it('an unknown queue name is 404 (not an empty page), in the listing and in bulk cancel', async () => {
    const listed = await desk('GET', '/callbacks?queue=No%20such%20queue');
    expect(listed.statusCode).toBe(404);
    expect(listed.json()).toMatchObject({ error: 'NOT_FOUND', correlationId: expect.any(String) });
    expect((await bulkCancel({ filter: { queue: 'No such queue' } })).statusCode).toBe(404);
  });

  it('a queue outside the client’s allow-list is 403 by name, and bulk cancel by its name cancels nothing', async () => {
    const mine = await make.queue();
    const theirs = await make.queue();
    const theirCallback = await create(theirs.name);
    const { headers: limited } = await authHeader(t, ['supervisor'], { queues: [mine.name] });
    expect((await desk('GET', `/callbacks?queue=${encodeURIComponent(theirs.name)}`, undefined, limited)).statusCode).toBe(403);
    expect((await desk('GET', `/callbacks?queue=${encodeURIComponent(mine.name)}`, undefined, limited)).statusCode).toBe(200);
    expect((await bulkCancel({ filter: { queue: theirs.name } }, limited)).statusCode).toBe(403);
    expect(await states([theirCallback])).toEqual({ [theirCallback]: 'QUEUED' });
  });
});
