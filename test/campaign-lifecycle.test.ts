import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileCampaignCallbacks } from '../src/campaigns/reconcile.js';
import { Budget } from '../src/reconcile/budget.js';
import { dialCampaignCallback, removeCampaignContact } from '../src/campaigns/tasks.js';
import { applyRetention } from '../src/callbacks/maintenance.js';
import { createCaches } from '../src/context.js';
import { createDatabase } from '../src/db/database.js';
import { startJobRunner } from '../src/jobs/runner.js';
import { jobContext, type JobContext } from '../src/jobs/context.js';
import { buildTaskList } from '../src/jobs/tasks.js';
import { createLogger } from '../src/logger.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import type { ChildProcess } from 'node:child_process';
import { gatewayFor, startWorkerProcess, stopProcess, waitUntil } from './helpers/worker.js';

/**
 * Campaign callbacks (seed 000) that finish: QUEUED → COMPLETED when the dialer has called the
 * contact (read back in bulk), EXPIRED after maxQueuedHours, or cancelled; expired and cancelled
 * contacts leave the list; completed ones free their number and go with retention.
 */


const clock = new TestClock(new Date());
let t: TestApp;
let fake: FakeGenesys;
let actions: { authorization: string };
let admin: { authorization: string };
let supervisor: { authorization: string };
let ctx: JobContext;
const logger = createLogger('silent');

beforeAll(async () => {
  fake = await startFakeGenesys();
  const gateway = gatewayFor(fake, { maxRetryWaitMs: 2_000, baseBackoffMs: 20 });
  t = await buildTestApp({ clock, gateway });
  actions = (await authHeader(t, ['actions'])).headers;
  admin = (await authHeader(t, ['administrator'])).headers;
  supervisor = (await authHeader(t, ['supervisor'])).headers;
  ctx = jobContext({ db: t.database.db, gateway, clock, caches: createCaches(), logger });
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
    payload: { name: `life-${++n}`, contactListId: `life-list-${n}-${randomUUID()}`, phoneColumn: 'PhoneNumber', nameColumn: 'FullName', maxDelaySeconds: 3600, ...extra },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; name: string; contactListId: string; maxQueuedHours: number };
}
const ask = (payload: object) => t.app.inject({ method: 'POST', url: '/actions/v1/campaign-callbacks', headers: actions, payload });
const row = (id: string) => t.database.db.selectFrom('campaign_callbacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const desk = async (id: string) => (await t.app.inject({ method: 'GET', url: `/admin/v1/campaign-callbacks/${id}`, headers: supervisor })).json();
const pendingJob = async (key: string) =>
  (await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where key = ${key}`.execute(t.database.db)).rows[0]!.n;

/** Books a campaign callback and runs its dial job: the contact is in the list, the callback QUEUED. */
async function queued(c: { name: string }, phone: string): Promise<{ id: string; contactId: string }> {
  const answer = (await ask({ campaign: c.name, phoneNumber: phone, delaySeconds: 0 })).json();
  expect(answer.outcome, JSON.stringify(answer)).toBe('SCHEDULED');
  await dialCampaignCallback(ctx, { id: answer.callbackId });
  const r = await row(answer.callbackId);
  expect(r.state).toBe('QUEUED');
  return { id: answer.callbackId, contactId: r.contact_id };
}

/** What the dialer writes on a contact it called. */
function dial(listId: string, contactId: string, at: Date, result = 'ININ-OUTBOUND-MACHINE') {
  const contact = fake.contacts.get(listId)!.get(contactId)!;
  contact.callRecords = { PhoneNumber: { lastAttempt: at.toISOString(), lastResult: result } };
}

describe('a campaign callback the dialer has called', () => {
  it('completes as HANDLED with the last result, and the number can book a second one', async () => {
    clock.set(new Date());
    const c = await campaign();
    const first = await queued(c, '+12025550101');
    // Not dialed yet: still pending, the number is held.
    expect((await reconcileCampaignCallbacks(ctx, new Budget(10))).moved).toBe(0);
    expect((await row(first.id)).state).toBe('QUEUED');
    expect((await ask({ campaign: c.name, phoneNumber: '+12025550101' })).json().outcome).toBe('DUPLICATE');

    clock.advance(60_000);
    dial(c.contactListId, first.contactId, new Date(clock.now().getTime() - 5_000), 'ININ-OUTBOUND-LIVE-VOICE');
    const budget = new Budget(10);
    const run = await reconcileCampaignCallbacks(ctx, budget);
    expect(run.moved).toBeGreaterThanOrEqual(1);
    expect(await row(first.id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'HANDLED', last_result: 'ININ-OUTBOUND-LIVE-VOICE', contact_removal: null });
    const view = await desk(first.id);
    expect(view).toMatchObject({ state: 'COMPLETED', completionReason: 'HANDLED', lastResult: 'ININ-OUTBOUND-LIVE-VOICE' });
    expect(view.history.map((h: { event: string }) => h.event)).toEqual(['created', 'inserted', 'dialed']);
    expect(view.history.at(-1).detail).toMatchObject({ lastResult: 'ININ-OUTBOUND-LIVE-VOICE' });

    const second = (await ask({ campaign: c.name, phoneNumber: '+12025550101' })).json();
    expect(second.outcome).toBe('SCHEDULED');
    expect(second.callbackId).not.toBe(first.id);
  });

  it('does not count an attempt from before the insertion', async () => {
    clock.set(new Date());
    const c = await campaign();
    const cb = await queued(c, '+12025550102');
    dial(c.contactListId, cb.contactId, new Date(clock.now().getTime() - 3_600_000));
    clock.advance(60_000);
    await reconcileCampaignCallbacks(ctx, new Budget(10));
    expect((await row(cb.id)).state).toBe('QUEUED');
  });
});

describe('a campaign callback nobody dialed', () => {
  it('expires after the campaign’s maxQueuedHours and its contact is removed from the list (a job)', async () => {
    clock.set(new Date());
    const c = await campaign({ maxQueuedHours: 2 });
    const cb = await queued(c, '+12025550103');
    const insertedAt = new Date((await row(cb.id)).delivered_at!).getTime();
    expect(Math.floor(Date.parse((await desk(cb.id)).expiresAt) / 1000)).toBe(Math.floor((insertedAt + 2 * 3_600_000) / 1000));
    clock.advance(2 * 3_600_000 - 60_000);
    await reconcileCampaignCallbacks(ctx, new Budget(10));
    expect((await row(cb.id)).state).toBe('QUEUED');

    clock.advance(60_000);
    await reconcileCampaignCallbacks(ctx, new Budget(10));
    expect(await row(cb.id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'EXPIRED', contact_removal: 'PENDING' });
    // The removal is a job committed with the expiry, never a call inside the transaction.
    expect(fake.contacts.get(c.contactListId)!.has(cb.contactId)).toBe(true);
    expect(await pendingJob(`campaign-remove:${cb.id}`)).toBe(1);
    await removeCampaignContact(ctx, { id: cb.id });
    expect(fake.contacts.get(c.contactListId)!.has(cb.contactId)).toBe(false);
    const [removal] = fake.requestsTo('deleteContact').filter((r) => r.path.includes(cb.contactId));
    expect(removal!.path).toBe(`/api/v2/outbound/contactlists/${c.contactListId}/contacts/${cb.contactId}`);
    expect(await row(cb.id)).toMatchObject({ contact_removal: 'REMOVED' });
    // Removing it again (a retried job) is fine: a contact already gone is a 404, which is done.
    await sql`update campaign_callbacks set contact_removal = 'PENDING' where id = ${cb.id}`.execute(t.database.db);
    await removeCampaignContact(ctx, { id: cb.id });
    expect(await row(cb.id)).toMatchObject({ contact_removal: 'REMOVED' });
    expect((await ask({ campaign: c.name, phoneNumber: '+12025550103' })).json().outcome).toBe('SCHEDULED');
  });

  it('a last-minute attempt read at expiry still counts as HANDLED', async () => {
    clock.set(new Date());
    const c = await campaign({ maxQueuedHours: 1 });
    const cb = await queued(c, '+12025550104');
    clock.advance(3_600_000 + 60_000);
    dial(c.contactListId, cb.contactId, new Date(clock.now().getTime() - 120_000));
    await reconcileCampaignCallbacks(ctx, new Budget(10));
    expect(await row(cb.id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'HANDLED', contact_removal: null });
  });

  it('expires even when Genesys refuses to read its list (the list was deleted), and waits when Genesys is only busy', async () => {
    clock.set(new Date());
    const c = await campaign({ maxQueuedHours: 1 });
    const cb = await queued(c, '+12025550105');
    clock.advance(3_600_000 + 1_000);
    fake.failNext('getContactsBulk', [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }]);
    await reconcileCampaignCallbacks(ctx, new Budget(1));
    expect((await row(cb.id)).state).toBe('QUEUED');
    clock.advance(60_000);
    fake.failNext('getContactsBulk', [{ status: 404 }]);
    await reconcileCampaignCallbacks(ctx, new Budget(1));
    expect(await row(cb.id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'EXPIRED' });
  });
});

describe('a campaign moved to another contact list', () => {
  it('still reads and removes its callbacks’ contacts in the list they went into', async () => {
    clock.set(new Date());
    const c = await campaign();
    const dialed = await queued(c, '+12025550111');
    const cancelled = await queued(c, '+12025550112');
    const moved = await t.app.inject({ method: 'PATCH', url: `/admin/v1/campaigns/${c.id}`, headers: admin, payload: { contactListId: `moved-${randomUUID()}` } });
    expect(moved.statusCode).toBe(200);
    expect((await desk(dialed.id)).contactListId).toBe(c.contactListId);
    clock.advance(60_000);
    dial(c.contactListId, dialed.contactId, new Date(clock.now().getTime() - 1_000));
    await reconcileCampaignCallbacks(ctx, new Budget(10));
    expect((await row(dialed.id)).completion_reason).toBe('HANDLED');
    await t.app.inject({ method: 'POST', url: `/admin/v1/campaign-callbacks/${cancelled.id}/cancel`, headers: supervisor });
    await removeCampaignContact(ctx, { id: cancelled.id });
    expect(fake.contacts.get(c.contactListId)!.has(cancelled.contactId)).toBe(false);
  });
});

describe('the reconciler pass', () => {
  async function seedQueued(c: { id: string; contactListId: string }, count: number, insertedAt: Date) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const contactId = randomUUID();
      const r = await t.database.db
        .insertInto('campaign_callbacks')
        .values({ campaign_id: c.id, state: 'QUEUED', phone_e164: `+1202555${String(1000 + i).padStart(4, '0')}`, dial_at: insertedAt, priority: false, contact_id: contactId, delivery_status: 'DELIVERED', delivered_at: insertedAt, created_by: 'test', idempotency_key: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      fake.seedContact({ id: contactId, contactListId: c.contactListId, data: { PhoneNumber: 'x' } });
      ids.push(r.id);
    }
    return ids;
  }
  const readIds = (listId: string) => fake.requestsTo('getContactsBulk').filter((r) => r.path.includes(listId)).flatMap((r) => r.body as string[]);

  it('reads 50 contacts per request, stops when the budget is spent, and next time starts with the least recently checked', async () => {
    clock.set(new Date());
    const c = await campaign();
    const ids = await seedQueued(c, 120, clock.now());
    const budget = new Budget(2);
    const first = await reconcileCampaignCallbacks(ctx, budget);
    expect(first).toEqual({ checked: 100, moved: 0 });
    expect(budget.used).toBe(2);
    const firstRead = new Set(readIds(c.contactListId));
    expect(firstRead.size).toBe(100);
    for (const r of fake.requestsTo('getContactsBulk').filter((x) => x.path.includes(c.contactListId))) expect((r.body as string[]).length).toBeLessThanOrEqual(50);

    clock.advance(60_000);
    const before = fake.requestsTo('getContactsBulk').length;
    const second = await reconcileCampaignCallbacks(ctx, new Budget(1));
    expect(second.checked).toBe(50);
    const secondRead = fake.requestsTo('getContactsBulk').slice(before).flatMap((r) => r.body as string[]);
    const never = (await t.database.db.selectFrom('campaign_callbacks').select('contact_id').where('id', 'in', ids).execute()).map((r) => r.contact_id).filter((id) => !firstRead.has(id));
    expect(never).toHaveLength(20);
    // The 20 never checked come first, then 30 of the oldest checks.
    expect(secondRead.slice(0, 50)).toEqual(expect.arrayContaining(never));
  });

  it('never reads one contact twice in a run, from two worker connections racing over 300 callbacks', async () => {
    clock.set(new Date());
    const c = await campaign();
    const ids = await seedQueued(c, 300, new Date(clock.now().getTime() - 3_600_000));
    for (const contact of fake.contacts.get(c.contactListId)!.values()) contact.callRecords = { PhoneNumber: { lastAttempt: clock.now().toISOString(), lastResult: 'ININ-OUTBOUND-LIVE-VOICE' } };
    const other = createDatabase(t.url, { max: 5, timeouts: t.config.databaseTimeouts });
    try {
      const ctx2 = jobContext({ db: other.db, gateway: ctx.gateway, clock, caches: createCaches(), logger });
      const runs = await Promise.all([ctx, ctx2, ctx, ctx2].map((x) => reconcileCampaignCallbacks(x, new Budget(100))));
      const read = readIds(c.contactListId);
      expect(read).toHaveLength(300);
      expect(new Set(read).size).toBe(300);
      expect(runs.reduce((s, r) => s + r.checked, 0)).toBe(300);
      expect(runs.reduce((s, r) => s + r.moved, 0)).toBe(300);
    } finally {
      await other.close();
    }
    const states = await t.database.db.selectFrom('campaign_callbacks').select(['completion_reason']).where('id', 'in', ids).execute();
    expect(states.every((s) => s.completion_reason === 'HANDLED')).toBe(true);
    const history = await t.database.db.selectFrom('campaign_callback_history').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_callback_id', 'in', ids).executeTakeFirstOrThrow();
    expect(Number(history.n)).toBe(300);
  });
});

describe('cancelling a campaign callback', () => {
  it('from the desk: a QUEUED one completes CANCELLED_BY_ADMIN, its contact removed by the real worker; a second cancel is ALREADY_COMPLETED', async () => {
    clock.set(new Date());
    const c = await campaign();
    const cb = await queued(c, '+12025550106');
    const cancel = () => t.app.inject({ method: 'POST', url: `/admin/v1/campaign-callbacks/${cb.id}/cancel`, headers: supervisor });
    expect((await cancel()).json()).toMatchObject({ outcome: 'CANCELLED', callbackId: cb.id });
    expect(await row(cb.id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'CANCELLED_BY_ADMIN', contact_removal: 'PENDING' });
    const runner = await startJobRunner({ pool: t.database.pool, db: t.database.db, tasks: buildTaskList({ ...ctx, retentionDays: 14 }), concurrency: 2, pollInterval: 200, logger });
    try {
      await waitUntil(async () => (await row(cb.id)).contact_removal === 'REMOVED', 60_000);
    } finally {
      await runner.stop();
    }
    expect(fake.contacts.get(c.contactListId)!.has(cb.contactId)).toBe(false);
    expect((await cancel()).json().outcome).toBe('ALREADY_COMPLETED');
    const history = (await desk(cb.id)).history as { event: string; actor: string }[];
    expect(history.map((h) => h.event)).toEqual(['created', 'inserted', 'cancelled', 'contact-removed']);
    expect((await t.app.inject({ method: 'POST', url: `/admin/v1/campaign-callbacks/${randomUUID()}/cancel`, headers: supervisor })).json().outcome).toBe('NOT_FOUND');
  });

  it('from a flow by campaign and number: a SCHEDULED one loses its dial and needs no removal', async () => {
    clock.set(new Date());
    const c = await campaign();
    const answer = (await ask({ campaign: c.name, phoneNumber: '+12025550107', delaySeconds: 600 })).json();
    expect(await pendingJob(`campaign-dial:${answer.callbackId}`)).toBe(1);
    const res = await t.app.inject({ method: 'POST', url: '/actions/v1/campaign-callbacks/cancel', headers: actions, payload: { campaign: c.name, phoneNumber: '(202) 555-0107', defaultCountry: 'US' } });
    expect(res.json()).toMatchObject({ outcome: 'CANCELLED', callbackId: answer.callbackId });
    expect(await row(answer.callbackId)).toMatchObject({ state: 'COMPLETED', completion_reason: 'CANCELLED_BY_CUSTOMER', contact_removal: null });
    expect(await pendingJob(`campaign-dial:${answer.callbackId}`)).toBe(0);
    // A dial job that was already running adds nothing lasting: it finds the callback cancelled.
    await dialCampaignCallback(ctx, { id: answer.callbackId });
    expect(fake.requestsTo('addContacts').filter((r) => r.path.includes(c.contactListId))).toHaveLength(0);
    expect((await t.app.inject({ method: 'POST', url: '/actions/v1/campaign-callbacks/cancel', headers: actions, payload: { callbackId: answer.callbackId } })).json().outcome).toBe('ALREADY_COMPLETED');
    expect((await t.app.inject({ method: 'POST', url: '/actions/v1/campaign-callbacks/cancel', headers: actions, payload: { campaign: c.name, phoneNumber: '+12025550107' } })).json().outcome).toBe('NOT_FOUND');
    expect((await ask({ campaign: c.name, phoneNumber: '+12025550107' })).json().outcome).toBe('SCHEDULED');
  });

  it('removes the contact a dial added while the cancel was committing', async () => {
    clock.set(new Date());
    const c = await campaign();
    const answer = (await ask({ campaign: c.name, phoneNumber: '+12025550108', delaySeconds: 0 })).json();
    fake.hold('addContacts');
    const dialing = dialCampaignCallback(ctx, { id: answer.callbackId });
    await waitUntil(() => fake.requestsTo('addContacts').some((r) => r.path.includes(c.contactListId)), 30_000);
    const res = await t.app.inject({ method: 'POST', url: '/actions/v1/campaign-callbacks/cancel', headers: actions, payload: { callbackId: answer.callbackId } });
    expect(res.json().outcome).toBe('CANCELLED');
    fake.release('addContacts');
    await dialing;
    expect(await row(answer.callbackId)).toMatchObject({ state: 'COMPLETED', completion_reason: 'CANCELLED_BY_CUSTOMER', contact_removal: 'PENDING' });
    await removeCampaignContact(ctx, { id: answer.callbackId });
    expect(fake.contacts.get(c.contactListId)?.size ?? 0).toBe(0);
  });

  it('removes every cancelled contact exactly once in effect, though the worker removing them is killed with SIGKILL mid-run', async () => {
    clock.set(new Date());
    const c = await campaign({ maxPendingPerNumber: 1 });
    const cbs: { id: string; contactId: string }[] = [];
    for (let i = 0; i < 20; i++) cbs.push(await queued(c, `+1202555${String(2000 + i)}`));
    for (const cb of cbs) expect((await t.app.inject({ method: 'POST', url: `/admin/v1/campaign-callbacks/${cb.id}/cancel`, headers: supervisor })).json().outcome).toBe('CANCELLED');
    // Genesys deletes at once but answers slowly: a worker killed meanwhile never learns it did.
    fake.slowAnswer('deleteContact', 400);
    const deletes = () => fake.requestsTo('deleteContact').filter((r) => r.path.includes(c.contactListId)).length;
    const removed = async () =>
      (await t.database.db.selectFrom('campaign_callbacks').select('id').where('id', 'in', cbs.map((x) => x.id)).where('contact_removal', '=', 'REMOVED').execute()).length;
    let worker: ChildProcess = startWorkerProcess(t.url, fake, 4);
    try {
      await waitUntil(() => deletes() >= 4, 60_000);
      await stopProcess(worker, 'SIGKILL');
      expect(await removed()).toBeLessThan(20);
      worker = startWorkerProcess(t.url, fake, 4);
      await waitUntil(async () => (await removed()) === 20, 120_000);
    } finally {
      await stopProcess(worker);
      fake.slowAnswer('deleteContact', 0);
    }
    expect(fake.contacts.get(c.contactListId)?.size ?? 0).toBe(0);
    // A removal repeated after the kill found the contact gone (404): still one removal on record each.
    const events = await t.database.db.selectFrom('campaign_callback_history').select(['campaign_callback_id']).where('campaign_callback_id', 'in', cbs.map((x) => x.id)).where('event', '=', 'contact-removed').execute();
    expect(events).toHaveLength(20);
  }, 240_000);

  it('answers 400 naming the field when the flow names neither a callback nor a number', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/actions/v1/campaign-callbacks/cancel', headers: actions, payload: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('callbackId');
    const c = await campaign();
    const noPhone = await t.app.inject({ method: 'POST', url: '/actions/v1/campaign-callbacks/cancel', headers: actions, payload: { campaign: c.name } });
    expect(noPhone.json().field).toBe('phoneNumber');
  });
});

describe('the desk and retention', () => {
  it('lists campaign callbacks with filters, and retention deletes completed ones by completion time, never pending ones', async () => {
    clock.set(new Date());
    const c = await campaign();
    const done = await queued(c, '+12025550109');
    await t.app.inject({ method: 'POST', url: `/admin/v1/campaign-callbacks/${done.id}/cancel`, headers: supervisor });
    const waiting = await queued(c, '+12025550110');
    const page = (await t.app.inject({ method: 'GET', url: `/admin/v1/campaign-callbacks?campaignId=${c.id}`, headers: supervisor })).json();
    expect(page.total).toBe(2);
    expect(page.items.map((i: { id: string }) => i.id).sort()).toEqual([done.id, waiting.id].sort());
    const queuedOnly = (await t.app.inject({ method: 'GET', url: `/admin/v1/campaign-callbacks?campaignId=${c.id}&state=QUEUED`, headers: supervisor })).json();
    expect(queuedOnly.items.map((i: { id: string }) => i.id)).toEqual([waiting.id]);
    expect(queuedOnly.items[0]).toMatchObject({ campaignName: c.name, state: 'QUEUED', insertedAt: expect.any(String), expiresAt: expect.any(String) });
    expect((await t.app.inject({ method: 'GET', url: `/admin/v1/campaign-callbacks?campaignId=${randomUUID()}`, headers: supervisor })).statusCode).toBe(404);

    const completedAt = new Date((await row(done.id)).completed_at!);
    await applyRetention(t.database.db, new Date(completedAt.getTime() + 13 * 86_400_000), 14);
    expect(await t.database.db.selectFrom('campaign_callbacks').select('id').where('id', '=', done.id).executeTakeFirst()).toBeDefined();
    await applyRetention(t.database.db, new Date(completedAt.getTime() + 15 * 86_400_000), 14);
    expect(await t.database.db.selectFrom('campaign_callbacks').select('id').where('id', '=', done.id).executeTakeFirst()).toBeUndefined();
    expect(await t.database.db.selectFrom('campaign_callback_history').select('id').where('campaign_callback_id', '=', done.id).executeTakeFirst()).toBeUndefined();
    expect((await row(waiting.id)).state).toBe('QUEUED');
  });

  it('validates maxQueuedHours on create and change, and answers it', async () => {
    const c = await campaign();
    expect(c.maxQueuedHours).toBe(24);
    for (const bad of [0, 721, 1.5]) {
      const res = await t.app.inject({ method: 'PATCH', url: `/admin/v1/campaigns/${c.id}`, headers: admin, payload: { maxQueuedHours: bad } });
      expect(res.statusCode).toBe(400);
      expect(res.json().field).toBe('maxQueuedHours');
    }
    const changed = await t.app.inject({ method: 'PATCH', url: `/admin/v1/campaigns/${c.id}`, headers: admin, payload: { maxQueuedHours: 72 } });
    expect(changed.json().maxQueuedHours).toBe(72);
    const refused = await t.app.inject({ method: 'POST', url: '/admin/v1/campaigns', headers: admin, payload: { name: 'bad-hours', contactListId: 'l', phoneColumn: 'P', maxQueuedHours: -1 } });
    expect(refused.json().field).toBe('maxQueuedHours');
  });
});
