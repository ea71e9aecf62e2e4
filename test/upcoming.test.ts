import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCaller } from '../src/auth/caller.js';
import { sendUpcoming, upcomingNotice } from '../src/callbacks/upcoming.js';
import { createCaches } from '../src/context.js';
import { createSimulatedGateway } from '../src/genesys/simulated-gateway.js';
import { jobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

/** CALLBACK_UPCOMING of scheduled callbacks: armed at create, due threshold minutes before, sent once. */

const START = '2030-03-04T15:00:00Z';
const clock = new TestClock(new Date(START));
let t: TestApp;
let actions: { authorization: string };
let make: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await buildTestApp({ clock });
  actions = (await authHeader(t, ['actions'])).headers;
  make = factories(t.database.db);
});
afterAll(async () => t.close());

let phone = 4567800;
async function scheduled(queue: string, desiredTime: string): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue, phoneNumber: `+1202${phone++}`, desiredTime } });
  expect(res.json().outcome, res.body).toBe('CREATED');
  return res.json().callbackId;
}
const row = (id: string) => t.database.db.selectFrom('callbacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const history = async (id: string, event: string) => t.database.db.selectFrom('callback_history').selectAll().where('callback_id', '=', id).where('event', '=', event as never).execute();
const noticeRunAt = async (id: string) => (await sql<{ run_at: Date }>`select run_at from graphile_worker._private_jobs where key = ${`upcoming:${id}`}`.execute(t.database.db)).rows[0]?.run_at;
const worker = () => jobContext({ db: t.database.db, gateway: createSimulatedGateway(t.database.db), clock, caches: createCaches(), logger: createLogger('silent') });

describe('CALLBACK_UPCOMING of a scheduled callback', () => {
  it('is due exactly upcomingMinutes before the scheduled time, not sent earlier, sent at that time', async () => {
    clock.set(START);
    const queue = await make.queue({ upcomingMinutes: 30 });
    const id = await scheduled(queue.name, '2030-03-04T17:00:00Z');
    expect((await row(id)).upcoming_status).toBe('PENDING');
    expect(await noticeRunAt(id)).toEqual(new Date('2030-03-04T16:30:00Z'));
    clock.set('2030-03-04T16:29:59Z');
    await upcomingNotice(worker(), { callbackId: id });
    expect(await history(id, 'upcoming')).toHaveLength(0);
    clock.set('2030-03-04T16:30:00Z');
    await upcomingNotice(worker(), { callbackId: id });
    expect((await row(id)).upcoming_status).toBe('SENT');
    expect(await history(id, 'upcoming')).toHaveLength(1);
  });

  it('is suppressed when created inside the threshold, with the reason in the history', async () => {
    clock.set(START);
    const queue = await make.queue({ upcomingMinutes: 120 });
    const id = await scheduled(queue.name, '2030-03-04T16:00:00Z');
    expect((await row(id)).upcoming_status).toBe('SUPPRESSED');
    const [suppressed] = await history(id, 'upcoming-suppressed');
    expect(suppressed?.detail).toMatchObject({ reason: 'within-threshold', thresholdMinutes: 120 });
    expect(await noticeRunAt(id)).toBeUndefined();
  });

  it('is sent once when many sends race for one callback', async () => {
    clock.set(START);
    const queue = await make.queue({ upcomingMinutes: 30 });
    const id = await scheduled(queue.name, '2030-03-04T18:00:00Z');
    const sent = await Promise.all(Array.from({ length: 20 }, () => sendUpcoming(t.database.db, systemCaller('worker'), id, { type: 'scheduled' })));
    expect(sent.filter(Boolean)).toHaveLength(1);
    expect(await history(id, 'upcoming')).toHaveLength(1);
  });

  it('a cancelled callback gets none and its notice is removed', async () => {
    clock.set(START);
    const queue = await make.queue({ upcomingMinutes: 30 });
    const id = await scheduled(queue.name, '2030-03-04T19:00:00Z');
    const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: id } });
    expect(res.json().outcome).toBe('CANCELLED');
    expect(await noticeRunAt(id)).toBeUndefined();
    clock.set('2030-03-04T18:30:00Z');
    await upcomingNotice(worker(), { callbackId: id });
    expect(await history(id, 'upcoming')).toHaveLength(0);
  });
});
