import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

/**
 * A capacity decrease racing with bookings (issue 12, section 1). Every booking whose transaction began
 * after the change answered must be refused, and a second wave fired after the answer books nothing;
 * the bookings made before the change stay. One app, then two apps (each with its own pool, as two
 * service processes have) on one database — two apps in one OS process.
 */

// Monday 2030-03-04, 10:00 in New York; the factories' hours are 09:00–17:00 on weekdays.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
const DESIRED = '2030-03-05T10:00'; // Tuesday 10:00 New York = 15:00Z
const SLOT = new Date('2030-03-05T15:00:00Z');
let a: TestApp;
let b: TestApp;
let actions: { authorization: string };
let admin: { authorization: string };
let make: ReturnType<typeof factories>;
beforeAll(async () => {
  // Pools as large as a busy deployment's, so the requests really run at the same time.
  a = await buildTestApp({ clock, env: { DATABASE_POOL_MAX: '40' } });
  b = await buildTestApp({ clock, url: a.url, env: { DATABASE_POOL_MAX: '40' } });
  actions = (await authHeader(a, ['actions'])).headers;
  admin = (await authHeader(a, ['administrator'])).headers;
  make = factories(a.database.db);
}, 120_000);
afterAll(async () => {
  await b?.close();
  await a?.close();
});

let phoneSeq = 0;
const nextPhone = () => `+1202456${String(phoneSeq++ % 10_000).padStart(4, '0')}`;

type When = 'issued' | 'booked';
type Change = (app: TestApp) => Promise<{ statusCode: number; body: string }>;

interface Figures {
  created: number;
  /** CREATED bookings whose transaction began after the change had answered. */
  late: number;
  secondWave: number;
  booked: number;
}

/**
 * 300 creates into one slot (capacity 1000, so every one would fit) spread over `apps`, with the
 * change fired while they run (see `when`); then, once the change has answered, a second wave of 100.
 */
async function race(queueName: string, queueId: string, apps: TestApp[], change: Change, when: When): Promise<Figures> {
  const create = (app: TestApp) => app.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queueName, phoneNumber: nextPhone(), desiredTime: DESIRED } });
  // 'issued': the change goes out once 100 of the 300 have been sent (most still reading the queue);
  // 'booked': once the first one has answered CREATED (some booked before it, the rest racing it).
  let fire!: () => void;
  const go = new Promise<void>((resolve) => (fire = resolve));
  const changed = go.then(() => change(apps[apps.length - 1]!)).then((res) => {
    expect(res.statusCode, res.body).toBe(200);
    return Date.now();
  });
  const wave: ReturnType<typeof create>[] = [];
  for (let i = 0; i < 300; i++) {
    if (when === 'issued' && i === 100) fire();
    wave.push(
      create(apps[i % apps.length]!).then((res) => {
        if (res.statusCode === 200 && res.json().outcome === 'CREATED') fire();
        return res;
      }),
    );
  }
  void Promise.all(wave).then(() => fire());
  const answeredAt = await changed;
  const second = await Promise.all(Array.from({ length: 100 }, (_, i) => create(apps[i % apps.length]!)));
  const first = await Promise.all(wave);
  const all = [...first, ...second];
  expect(all.filter((r) => r.statusCode !== 200).map((r) => r.body)).toEqual([]);
  const outcomes = new Set(all.map((r) => r.json().outcome));
  expect([...outcomes].filter((o) => !['CREATED', 'SLOT_FULL', 'OUTSIDE_HOURS'].includes(o))).toEqual([]);

  const db = a.database.db;
  const rows = await db.selectFrom('callbacks').select(['created_at']).where('queue_id', '=', queueId).execute();
  const counter = await db.selectFrom('slot_bookings').select('booked').where('queue_id', '=', queueId).where('slot_start', '=', SLOT).executeTakeFirst();
  return {
    created: first.filter((r) => r.json().outcome === 'CREATED').length + second.filter((r) => r.json().outcome === 'CREATED').length,
    // callbacks.created_at is now(): the start of the booking's transaction (same host clock).
    late: rows.filter((r) => r.created_at.getTime() > answeredAt).length,
    secondWave: second.filter((r) => r.json().outcome === 'CREATED').length,
    booked: counter?.booked ?? 0,
  };
}

function expectHeld(f: Figures, rowsCount: number) {
  // The new capacity is 0: only bookings made before the change may exist, and they stay.
  expect(f.secondWave).toBe(0);
  expect(f.late).toBe(0);
  expect(f.booked).toBe(f.created);
  expect(rowsCount).toBe(f.created);
  expect(f.created).toBeLessThanOrEqual(300);
}

const lowerSlotCapacity: (id: string) => Change = (id) => (app) => app.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${id}`, headers: admin, payload: { slotCapacity: 0 } });
const emptyStatement: (id: string) => Change = (id) => (app) => app.app.inject({ method: 'PUT', url: `/admin/v1/capacity-rules/${id}/statement`, headers: admin, payload: {} });
const zeroCell: (id: string) => Change = (id) => (app) => app.app.inject({ method: 'PATCH', url: `/admin/v1/capacity-rules/${id}`, headers: admin, payload: { cells: { tuesday: { '10:00': 0 } } } });

async function rowsOf(queueId: string) {
  return (await a.database.db.selectFrom('callbacks').select('id').where('queue_id', '=', queueId).execute()).length;
}

describe.each([
  ['one service', 'issued'],
  ['one service', 'booked'],
  ['two services on one database', 'issued'],
  ['two services on one database', 'booked'],
] as const)('capacity lowered to 0 while 300 creates race for one slot — %s, change fired when %s', (services, when) => {
  const apps = () => (services === 'one service' ? [a] : [a, b]);
  const _name = `${services}, ${when}`;
  it('by PATCH /admin/v1/queues/{id} slotCapacity: no booking after the change', async () => {
    const hours = await make.hours();
    const queue = await make.queue({ businessHoursId: hours.id, slotCapacity: 1000 });
    const f = await race(queue.name, queue.id, apps(), lowerSlotCapacity(queue.id), when);
    console.log(`slotCapacity (${_name}):`, f);
    expectHeld(f, await rowsOf(queue.id));
  }, 120_000);

  it('by PUT /admin/v1/capacity-rules/{id}/statement {}: no booking after the change', async () => {
    const hours = await make.hours();
    const rule = await make.rule({ cells: { tuesday: { '10:00': 1000 } } });
    const queue = await make.queue({ businessHoursId: hours.id, capacityRuleId: rule.id });
    const f = await race(queue.name, queue.id, apps(), emptyStatement(rule.id), when);
    console.log(`statement (${_name}):`, f);
    expectHeld(f, await rowsOf(queue.id));
  }, 120_000);

  it('by PATCH of the capacity rule, and by switching the queue to a rule of 0', async () => {
    const hours = await make.hours();
    const rule = await make.rule({ cells: { tuesday: { '10:00': 1000 } } });
    const queue = await make.queue({ businessHoursId: hours.id, capacityRuleId: rule.id });
    const f = await race(queue.name, queue.id, apps(), zeroCell(rule.id), when);
    console.log(`rule patch (${_name}):`, f);
    expectHeld(f, await rowsOf(queue.id));

    const empty = await make.rule({ cells: {} });
    const other = await make.queue({ businessHoursId: hours.id, capacityRuleId: rule.id });
    await a.app.inject({ method: 'PATCH', url: `/admin/v1/capacity-rules/${rule.id}`, headers: admin, payload: { cells: { tuesday: { '10:00': 1000 } } } });
    const switched = await race(other.name, other.id, apps(), (app) => app.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${other.id}`, headers: admin, payload: { capacityRuleId: empty.id } }), when);
    console.log(`capacityRuleId switch (${_name}):`, switched);
    expectHeld(switched, await rowsOf(other.id));
  }, 240_000);
});

describe('a decrease keeps what was booked before it', () => {
  it('5 booked at capacity 10, lowered to 3: the 5 stay, nothing more is booked', async () => {
    const hours = await make.hours();
    const queue = await make.queue({ businessHoursId: hours.id, slotCapacity: 10 });
    const create = () => a.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queue.name, phoneNumber: nextPhone(), desiredTime: DESIRED } });
    for (let i = 0; i < 5; i++) expect((await create()).json().outcome).toBe('CREATED');
    expect((await a.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${queue.id}`, headers: admin, payload: { slotCapacity: 3 } })).statusCode).toBe(200);
    const answers = await Promise.all(Array.from({ length: 50 }, () => create()));
    expect(answers.filter((r) => r.json().outcome === 'CREATED')).toHaveLength(0);
    expect(await rowsOf(queue.id)).toBe(5);
  }, 60_000);
});
