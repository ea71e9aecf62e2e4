import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callInTurn } from '../src/callin/delayed.js';
import { createCaches } from '../src/context.js';
import { jobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import type { NotifyContext } from '../src/notifications/channels.js';
import { notifyCallback } from '../src/notifications/deliver.js';
import { RECONCILE_PASSES, runReconcile } from '../src/reconcile/passes.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { notifyDepsFor } from './helpers/notify-deps.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { gatewayFor } from './helpers/worker.js';

/**
 * Delayed Click-To-Call-In end to end, against the fake Genesys through the real SDK gateway: a
 * callback of a call-in queue is never dialed; when its turn comes (the queue's estimated wait for
 * calls below the threshold, one customer at a time; a scheduled one at its time) the customer is
 * texted a number and code (CALLBACK_READY); their call's match completes it; not calling in time
 * expires it (CALLBACK_PURGED).
 */

// Monday 2030-03-04, 10:00 in New York; the factories' hours are 09:00–17:00 on weekdays.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let fake: FakeGenesys;
let actions: { authorization: string };
let admin: { authorization: string };
let ctx: NotifyContext;
let receiver: Server;
const hooked: { type: string; callback: Record<string, unknown> }[] = [];

beforeAll(async () => {
  fake = await startFakeGenesys();
  const gateway = gatewayFor(fake, { maxRetryWaitMs: 5_000, baseBackoffMs: 1 });
  t = await buildTestApp({ clock, gateway, env: { RATE_LIMIT_MAX: '1000000' } });
  actions = (await authHeader(t, ['actions'])).headers;
  admin = (await authHeader(t, ['administrator'])).headers;
  ctx = {
    ...jobContext({ db: t.database.db, gateway, clock, caches: createCaches(), logger: createLogger('silent') }),
    notifications: notifyDepsFor(t),
  };
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hooked.push(JSON.parse(body) as (typeof hooked)[number]);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((r) => receiver?.close(r));
  await t?.close();
  await fake?.close();
});

const callInPass = RECONCILE_PASSES.filter((p) => p.name === 'call-in');
let serial = 0;
let phone = 4575000;

/** A call-in queue (threshold 5 minutes unless given) with its group of two numbers, an SMS template for READY and a webhook. */
async function callInQueue(o: { upcomingMinutes?: number | null } = {}) {
  const n = ++serial;
  const hours = await factories(t.database.db).hours();
  const genesysQueueId = `gq-delayed-${n}`;
  const q = await factories(t.database.db).queue({
    businessHoursId: hours.id,
    genesysQueueId,
    upcomingMinutes: o.upcomingMinutes === undefined ? 5 : o.upcomingMinutes,
    callInExpiryMinutes: 10,
    smsSender: '+12025550199',
    smsTemplates: { CALLBACK_READY: 'Your turn at {queueName}: call {callInNumber} and enter {accessCode}.' },
  });
  const group = await t.app.inject({ method: 'POST', url: '/admin/v1/call-in-groups', headers: admin, payload: { name: `Delayed ${n}`, queueId: q.id, dnis: [{ number: `+1800555${String(3000 + n * 2)}` }, { number: `+1800555${String(3001 + n * 2)}` }] } });
  expect(group.statusCode, group.body).toBe(201);
  const patched = await t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${q.id}`, headers: admin, payload: { callInGroupId: group.json().id } });
  expect(patched.statusCode, patched.body).toBe(200);
  const hook = await t.app.inject({ method: 'POST', url: '/admin/v1/webhooks', headers: admin, payload: { name: `delayed-${n}`, url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, queueIds: [q.id] } });
  expect(hook.statusCode, hook.body).toBe(201);
  return { ...q, genesysQueueId };
}
async function create(queueName: string, extra: object = {}): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queueName, phoneNumber: `+1202${++phone}`, ...extra } });
  expect(res.json().outcome, res.body).toBe('CREATED');
  return res.json().callbackId as string;
}
const row = (id: string) => t.database.db.selectFrom('callbacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const run = async () => {
  clock.advance(1_000);
  const report = await runReconcile(ctx, { maxRequests: 20, passes: callInPass });
  expect(report.passes[0]!.error).toBeUndefined();
  return report.passes[0]!;
};
/** The READY text the customer got: the number and the code in it. */
function readyText(to: string): { number: string; code: string } {
  const sent = fake.requestsTo('agentlessMessage').map((r) => r.body as { toAddress: string; textBody: string }).filter((b) => b.toAddress === to);
  expect(sent).toHaveLength(1);
  const m = /call (\+[0-9]+) and enter ([0-9]{6})\./.exec(sent[0]!.textBody);
  expect(m, sent[0]!.textBody).not.toBeNull();
  return { number: m![1]!, code: m![2]! };
}
const match = (payload: object) => t.app.inject({ method: 'POST', url: '/actions/v1/call-in/match', headers: actions, payload }).then((r) => r.json() as { outcome: string; matched: boolean; callbackId: string; queueId: string });

describe('delayed call-in', () => {
  it('is never dialed; READY once the queue’s wait for calls is below the threshold; the call’s match completes it', async () => {
    const q = await callInQueue();
    const id = await create(q.name);
    expect((await row(id)).delivery_status).toBe('NOT_REQUIRED');
    expect(fake.requestsTo('createCallback').filter((r) => JSON.stringify(r.body).includes(id))).toEqual([]);

    fake.setEstimatedWait(q.genesysQueueId, 'call', 400);
    expect(await run()).toMatchObject({ checked: 1, moved: 0, requests: 1 });
    expect(fake.requestsTo('estimatedWaitTime').at(-1)!.path).toBe(`/api/v2/routing/queues/${q.genesysQueueId}/mediatypes/call/estimatedwaittime`);
    expect((await row(id)).call_in_request_id).toBeNull();

    fake.setEstimatedWait(q.genesysQueueId, 'call', 120);
    expect(await run()).toMatchObject({ checked: 1, moved: 1 });
    const ready = await row(id);
    expect(ready.call_in_request_id).not.toBeNull();
    await notifyCallback(ctx, { callbackId: id });
    const { number, code } = readyText(ready.phone_e164);
    // The webhook gets where and until when, never the code.
    const readyHook = hooked.find((h) => h.type === 'CALLBACK_READY' && h.callback.callbackId === id)!;
    expect(readyHook.callback.callIn).toEqual({ toPhoneNumber: number, expiresAt: '2030-03-04T15:10:02Z' }); // READY at 15:00:02, plus callInExpiryMinutes
    expect(JSON.stringify(readyHook)).not.toContain(code);
    const event = await t.database.db.selectFrom('notification_events').select('data').where('callback_id', '=', id).where('type', '=', 'CALLBACK_READY').executeTakeFirstOrThrow();
    expect(JSON.stringify(event.data)).not.toContain(code);

    expect(await match({ dialedNumber: number, callerNumber: ready.phone_e164, accessCode: code })).toMatchObject({ outcome: 'MATCHED', matched: true, callbackId: id, queueId: q.id });
    expect(await row(id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'HANDLED' });
    await notifyCallback(ctx, { callbackId: id });
    expect(hooked.filter((h) => h.callback.callbackId === id).map((h) => h.type)).toEqual(['CALLBACK_CREATED', 'CALLBACK_READY', 'CALLBACK_COMPLETED']);
  });

  it('one customer at a time: the next waiting one is told only once the one before has called', async () => {
    const q = await callInQueue({ upcomingMinutes: null });
    const first = await create(q.name);
    clock.advance(1_000);
    const second = await create(q.name);
    expect(await run()).toMatchObject({ moved: 1, requests: 0 });
    expect((await row(first)).call_in_request_id).not.toBeNull();
    expect(await run()).toMatchObject({ checked: 0, moved: 0 });
    expect((await row(second)).call_in_request_id).toBeNull();
    await notifyCallback(ctx, { callbackId: first });
    const { number, code } = readyText((await row(first)).phone_e164);
    expect((await match({ dialedNumber: number, accessCode: code })).outcome).toBe('MATCHED');
    expect(await run()).toMatchObject({ moved: 1 });
    expect((await row(second)).call_in_request_id).not.toBeNull();
  });

  it('expires callInExpiryMinutes after READY when the customer does not call: the callback completes EXPIRED (CALLBACK_PURGED), the code no longer matches', async () => {
    clock.set('2030-03-04T16:00:00Z');
    const q = await callInQueue({ upcomingMinutes: null });
    const id = await create(q.name);
    await run();
    await notifyCallback(ctx, { callbackId: id });
    const { number, code } = readyText((await row(id)).phone_e164);
    clock.set('2030-03-04T16:10:00Z'); // 9 min 59 s after READY
    await callInTurn(ctx, { callbackId: id });
    expect((await row(id)).state).toBe('QUEUED');
    clock.set('2030-03-04T16:11:01Z');
    await callInTurn(ctx, { callbackId: id });
    expect(await row(id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'EXPIRED' });
    expect((await match({ dialedNumber: number, accessCode: code })).outcome).toBe('EXPIRED');
    await notifyCallback(ctx, { callbackId: id });
    expect(hooked.filter((h) => h.callback.callbackId === id).map((h) => h.type)).toEqual(['CALLBACK_CREATED', 'CALLBACK_READY', 'CALLBACK_PURGED']);
  });

  it('a scheduled callback is told at its scheduled time, not before', async () => {
    clock.set('2030-03-04T15:00:00Z');
    const q = await callInQueue();
    const id = await create(q.name, { desiredTime: '2030-03-04T13:00' });
    clock.set('2030-03-04T17:59:59Z');
    await callInTurn(ctx, { callbackId: id });
    expect((await row(id)).call_in_request_id).toBeNull();
    clock.set('2030-03-04T18:00:00Z');
    await callInTurn(ctx, { callbackId: id });
    expect(await row(id)).toMatchObject({ state: 'QUEUED', delivery_status: 'NOT_REQUIRED' });
    expect((await row(id)).call_in_request_id).not.toBeNull();
  });

  it('a READY callback cancelled before the call: its code matches nothing', async () => {
    const q = await callInQueue({ upcomingMinutes: null });
    const id = await create(q.name);
    await run();
    await notifyCallback(ctx, { callbackId: id });
    const { number, code } = readyText((await row(id)).phone_e164);
    const cancelled = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: id } });
    expect(cancelled.json().outcome).toBe('CANCELLED');
    expect((await match({ dialedNumber: number, accessCode: code })).outcome).toBe('NO_MATCH');
  });
});
