import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { makePerson, sessionHeaders, signIn, type SignedIn } from './helpers/people.js';

/**
 * `POST /admin/v1/callbacks`: the desk's (and the console's) create, with the data action's body,
 * checks and outcomes, for supervisors and administrators within their allow-lists.
 */

// Monday 2030-03-04, 10:00 in New York; the factories' hours are 09:00–17:00 on weekdays.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let actions: { authorization: string };
let make: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await buildTestApp({ clock, env: { DATABASE_POOL_MAX: '40', RATE_LIMIT_MAX: '1000000' } });
  actions = (await authHeader(t, ['actions'])).headers;
  make = factories(t.database.db);
});
afterAll(async () => t?.close());

async function queue(o: { slotCapacity?: number } = {}) {
  const hours = await make.hours();
  return make.queue({ businessHoursId: hours.id, slotCapacity: o.slotCapacity ?? 10, defaultCountry: 'US' });
}

const create = (headers: Record<string, string>, payload: object) => t.app.inject({ method: 'POST', url: '/admin/v1/callbacks', headers, payload });
const strip = (body: Record<string, unknown>) => {
  const { callbackId: _id, ...rest } = body;
  return rest;
};

describe('POST /admin/v1/callbacks', () => {
  let supervisor: SignedIn;
  beforeAll(async () => {
    supervisor = await signIn(t, await makePerson(t, ['supervisor'], { displayName: 'Sam Supervisor' }));
  });

  it('a supervisor signed in to the console books a callback; its history names the person', async () => {
    const q = await queue();
    const res = await create(sessionHeaders(supervisor), { queue: q.name, phoneNumber: '+12125550123', customerName: 'Ada', desiredTime: '2030-03-05T14:00:00Z' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ outcome: 'CREATED', created: true, state: 'SCHEDULED', scheduledTime: '2030-03-05T14:00:00Z', phoneE164: '+12125550123' });
    const detail = await t.app.inject({ method: 'GET', url: `/admin/v1/callbacks/${body.callbackId}`, headers: sessionHeaders(supervisor, false) });
    expect(detail.json().history[0]).toMatchObject({ event: 'created', actorName: 'Sam Supervisor', actorKind: 'user' });
  });

  it('answers what the data action answers, outcome for outcome (the same service function)', async () => {
    const desk = await queue();
    const flow = await queue();
    const cases = [
      { phoneNumber: '+12125550124', desiredTime: '2030-03-05T14:00:00Z' }, // CREATED
      { phoneNumber: '+12125550124', desiredTime: '2030-03-05T15:00:00Z' }, // DUPLICATE (one pending per number)
      { phoneNumber: '12', desiredTime: '2030-03-05T14:00:00Z' }, // INVALID_NUMBER
      { phoneNumber: '+12125550125', desiredTime: '2030-03-01T14:00:00Z' }, // IN_THE_PAST
      { phoneNumber: '+12125550126', desiredTime: '2030-03-09T14:00:00Z' }, // OUTSIDE_HOURS (a Saturday)
      { phoneNumber: '+12125550127', desiredTime: '2031-03-05T14:00:00Z' }, // TOO_FAR_AHEAD
    ];
    const outcomes: string[] = [];
    for (const c of cases) {
      const a = await create(sessionHeaders(supervisor), { queue: desk.name, ...c });
      const b = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: flow.name, ...c } });
      expect(a.statusCode).toBe(200);
      const [da, db] = [strip(a.json()), strip(b.json())];
      // The refusal messages name the queue; everything else is the same answer.
      expect({ ...da, message: undefined }).toEqual({ ...db, message: undefined });
      outcomes.push(da.outcome as string);
    }
    expect(outcomes).toEqual(['CREATED', 'DUPLICATE', 'INVALID_NUMBER', 'IN_THE_PAST', 'OUTSIDE_HOURS', 'TOO_FAR_AHEAD']);
  });

  it('a bad body is a 400 naming the field, an unknown queue 404', async () => {
    const q = await queue();
    const bad = await create(sessionHeaders(supervisor), { queue: q.name, phoneNumber: '+12125550128', priority: 'high' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('priority');
    const missing = await create(sessionHeaders(supervisor), { queue: q.name });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().field).toBe('phoneNumber');
    expect((await create(sessionHeaders(supervisor), { queue: `nope-${Date.now()}`, phoneNumber: '+12125550128' })).statusCode).toBe(404);
  });

  it('the queue allow-list applies; monitors, developers and actions clients may not use it', async () => {
    const mine = await queue();
    const other = await queue();
    const restricted = await signIn(t, await makePerson(t, ['supervisor'], { queues: [mine.name] }));
    const body = (q: { name: string }) => ({ queue: q.name, phoneNumber: '+12125550129', desiredTime: '2030-03-05T14:00:00Z' });
    expect((await create(sessionHeaders(restricted), body(mine))).json().outcome).toBe('CREATED');
    const refused = await create(sessionHeaders(restricted), body(other));
    expect(refused.statusCode).toBe(403);
    expect(await t.database.db.selectFrom('callbacks').select('id').where('queue_id', '=', other.id).execute()).toEqual([]);
    const monitor = await signIn(t, await makePerson(t, ['monitor']));
    expect((await create(sessionHeaders(monitor), body(other))).statusCode).toBe(403);
    expect((await create(actions, body(other))).statusCode).toBe(403);
    expect((await create({}, body(other))).statusCode).toBe(401);
  });

  it('racing with the data action for one slot, desk and flow together never book more than its capacity', async () => {
    const q = await queue({ slotCapacity: 7 });
    const admin = (await authHeader(t, ['administrator'])).headers;
    const phones = Array.from({ length: 60 }, (_, i) => `+1212556${String(i).padStart(4, '0')}`);
    const answers = await Promise.all(
      phones.map((phoneNumber, i) => {
        const payload = { queue: q.name, phoneNumber, desiredTime: '2030-03-05T14:00:00Z' };
        if (i % 3 === 0) return create(sessionHeaders(supervisor), payload);
        if (i % 3 === 1) return create(admin, payload);
        return t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload });
      }),
    );
    const outcomes = answers.map((r) => (r.json() as { outcome: string }).outcome);
    expect(outcomes.filter((o) => o === 'CREATED')).toHaveLength(7);
    expect(outcomes.filter((o) => o !== 'CREATED').every((o) => o === 'SLOT_FULL')).toBe(true);
    const booked = await t.database.db.selectFrom('callbacks').select('id').where('queue_id', '=', q.id).execute();
    expect(booked).toHaveLength(7);
  });
});
