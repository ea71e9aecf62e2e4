import { sql } from 'kysely';
import { createCaches } from '../src/context.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialCampaignCallback } from '../src/campaigns/tasks.js';
import { jobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { gatewayFor } from './helpers/worker.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';

/** Always-running campaign callbacks (seed 000). */

const clock = new TestClock(new Date('2030-03-04T15:00:00Z')); // Monday 10:00 New York
let t: TestApp;
let fake: FakeGenesys;
let actions: { authorization: string };
let admin: { authorization: string };
let deps: Parameters<typeof dialCampaignCallback>[0];
beforeAll(async () => {
  fake = await startFakeGenesys();
  const gateway = gatewayFor(fake);
  t = await buildTestApp({ clock, gateway });
  actions = (await authHeader(t, ['actions'])).headers;
  admin = (await authHeader(t, ['administrator'])).headers;
  deps = jobContext({ db: t.database.db, gateway, clock, caches: createCaches(), logger: createLogger('silent') });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

let n = 0;
async function campaign(extra: object = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/admin/v1/campaigns',
    headers: admin,
    payload: { name: `c-${++n}`, contactListId: `list-${n}`, phoneColumn: 'PhoneNumber', nameColumn: 'FullName', extraColumns: { Source: 'IVR' }, maxDelaySeconds: 3600, ...extra },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; name: string; contactListId: string };
}
const ask = (payload: object) => t.app.inject({ method: 'POST', url: '/actions/v1/campaign-callbacks', headers: actions, payload });
const dialJobs = async (id: string) =>
  (
    await sql<{ run_at: Date }>`select j.run_at from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'dial-campaign-callback' and j.key = ${`campaign-dial:${id}`}`.execute(t.database.db)
  ).rows;

describe('POST /actions/v1/campaign-callbacks', () => {
  it('schedules the contact insertion after the delay, then adds it to the list with JSON-safe values and dial-next priority', async () => {
    clock.set('2030-03-04T15:00:00Z');
    const c = await campaign();
    const answer = (await ask({ campaign: c.name, phoneNumber: '+12024561111', fullName: 'Ann "the \\ caller" O\'Neil', delaySeconds: 600, priority: true })).json();
    expect(answer).toMatchObject({ outcome: 'SCHEDULED', replayed: false, phoneE164: '+12024561111', dialAt: '2030-03-04T15:10:00Z' });
    const [job] = await dialJobs(answer.callbackId);
    expect(new Date(job!.run_at).toISOString()).toBe('2030-03-04T15:10:00.000Z');

    await dialCampaignCallback(deps, { id: answer.callbackId });
    const [sent] = fake.requestsTo('addContacts').filter((r) => r.path.includes(c.contactListId));
    expect(sent!.query).toMatchObject({ priority: 'true' });
    expect(sent!.body).toEqual([
      expect.objectContaining({ contactListId: c.contactListId, data: { PhoneNumber: '+12024561111', FullName: 'Ann "the \\ caller" O\'Neil', Source: 'IVR' }, callable: true }),
    ]);
    const list = (await t.app.inject({ method: 'GET', url: `/admin/v1/campaigns/${c.id}/callbacks`, headers: admin })).json().items;
    expect(list[0]).toMatchObject({ state: 'QUEUED', deliveryStatus: 'DELIVERED' });
    // Running the job again (a retry after a crash) adds nothing twice.
    await dialCampaignCallback(deps, { id: answer.callbackId });
    expect(fake.requestsTo('addContacts').filter((r) => r.path.includes(c.contactListId))).toHaveLength(1);
  });

  it('caps the delay at the campaign’s maximum and moves a dial outside its hours to the next opening', async () => {
    clock.set('2030-03-04T15:00:00Z');
    const capped = await campaign({ maxDelaySeconds: 60 });
    expect((await ask({ campaign: capped.name, phoneNumber: '+12024561112', delaySeconds: 86_400 })).json().dialAt).toBe('2030-03-04T15:01:00Z');
    const hours = await factories(t.database.db).hours({ weekly: { monday: [{ start: '09:00', end: '17:00' }], tuesday: [{ start: '09:00', end: '17:00' }] } });
    const office = await campaign({ businessHoursId: hours.id, maxDelaySeconds: 86_400 });
    // 10:00 + 8 h = 18:00, after closing: Tuesday 09:00 New York.
    expect((await ask({ campaign: office.name, phoneNumber: '+12024561113', delaySeconds: 8 * 3600 })).json().dialAt).toBe('2030-03-05T14:00:00Z');
  });

  it('screens the number, refuses a second pending callback for it, and replays an idempotency key', async () => {
    const rule = (await t.app.inject({ method: 'POST', url: '/admin/v1/number-rules', headers: admin, payload: { name: 'campaign-rule', permittedCountries: ['US'], blockedPatterns: ['^1900'] } })).json();
    const c = await campaign({ numberRuleId: rule.id });
    expect((await ask({ campaign: c.name, phoneNumber: '+442079460958' })).json().outcome).toBe('COUNTRY_NOT_PERMITTED');
    expect((await ask({ campaign: c.name, phoneNumber: 'not a number' })).json().outcome).toBe('INVALID_NUMBER');
    const first = (await ask({ campaign: c.name, phoneNumber: '(202) 456-1114', defaultCountry: 'US', idempotencyKey: 'k1' })).json();
    expect(first.outcome).toBe('SCHEDULED');
    expect((await ask({ campaign: c.name, phoneNumber: '+12024561114' })).json().outcome).toBe('DUPLICATE');
    const replay = (await ask({ campaign: c.name, phoneNumber: '+12024561114', idempotencyKey: 'k1' })).json();
    expect(replay).toEqual({ ...first, replayed: true });
  });

  it('gives one callback to 50 racing requests with one idempotency key', async () => {
    const c = await campaign();
    const answers = await Promise.all(Array.from({ length: 50 }, () => ask({ campaign: c.name, phoneNumber: '+12024561115', idempotencyKey: 'race' })));
    expect(new Set(answers.map((a) => a.json().callbackId)).size).toBe(1);
    const { count } = await t.database.db.selectFrom('campaign_callbacks').select((eb) => eb.fn.countAll<number>().as('count')).where('campaign_id', '=', c.id).executeTakeFirstOrThrow();
    expect(Number(count)).toBe(1);
  });

  it('answers 404 for an unknown campaign and 400 for a delay out of range', async () => {
    expect((await ask({ campaign: 'nope', phoneNumber: '+12024561111' })).statusCode).toBe(404);
    const c = await campaign();
    expect((await ask({ campaign: c.name, phoneNumber: '+12024561111', delaySeconds: 86_401 })).json().field).toBe('delaySeconds');
  });
});
