import type { JobHelpers } from 'graphile-worker';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as Receiver } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeCallbacks } from '../src/callbacks/maintenance.js';
import { deliverCallback } from '../src/callbacks/tasks.js';
import { upcomingNotice } from '../src/callbacks/upcoming.js';
import { createCaches } from '../src/context.js';
import { jobContext, type JobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import type { NotifyContext } from '../src/notifications/channels.js';
import { notifyCallback } from '../src/notifications/deliver.js';
import { createBusinessMetrics } from '../src/ops/business-metrics.js';
import { runReconcile } from '../src/reconcile/passes.js';
import { NOTIFICATION_TYPES, type NotificationType } from '../src/vocabulary.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { notifyDepsFor } from './helpers/notify-deps.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { gatewayFor } from './helpers/worker.js';

/**
 * Every notification type the lifecycle produces reaches a webhook receiver, signed: each driven by
 * the change that makes it (the data actions, the delivery and reconciler against the fake Genesys
 * through the real SDK gateway, the UPCOMING notice, the purge), then sent by the notify job.
 * (CALLBACK_READY comes from delayed call-in.)
 */

// Monday 2030-03-04, 10:00 in New York; the factories' hours are 09:00–17:00 on weekdays.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let fake: FakeGenesys;
let actions: { authorization: string };
let admin: { authorization: string };
let deps: JobContext;
let notify: NotifyContext;
let receiver: Server;
let receiverUrl: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  fake = await startFakeGenesys();
  const gateway = gatewayFor(fake, { maxRetryWaitMs: 5_000, baseBackoffMs: 1 });
  t = await buildTestApp({ clock, gateway });
  actions = (await authHeader(t, ['actions'])).headers;
  admin = (await authHeader(t, ['administrator'])).headers;
  deps = jobContext({ db: t.database.db, gateway, clock, caches: createCaches(), logger: createLogger('silent') });
  notify = { ...deps, notifications: notifyDepsFor(t) };
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise((r) => receiver?.close(r));
  await t?.close();
  await fake?.close();
});

const NO_ANSWER = 'c2e0c6f8-5a8e-4a57-9a55-2f5c1e0a0001';
const RESOLVED = 'c2e0c6f8-5a8e-4a57-9a55-2f5c1e0a0099';
const job = { job: { attempts: 1, max_attempts: 25 } } as unknown as Pick<JobHelpers, 'job'>;
let phone = 4574000;

async function create(queueName: string, extra: object = {}): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queueName, phoneNumber: `+1202${++phone}`, customerName: 'Ada Lovelace', ...extra } });
  expect(res.json().outcome, res.body).toBe('CREATED');
  return res.json().callbackId as string;
}
const row = (id: string) => t.database.db.selectFrom('callbacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
/** Delivers the callback's current attempt, as the worker's delivery job does. */
async function deliver(id: string): Promise<string> {
  const r0 = await row(id);
  await deliverCallback(deps, { callbackId: id, ...(r0.attempt > 1 && { attempt: String(r0.attempt) }) }, job);
  const r = await row(id);
  expect(r.delivery_status).toBe('DELIVERED');
  return r.genesys_conversation_id!;
}
/** The conversation as an agent had it, ended with the agent's wrap-up code (what analytics shows), read back by a reconcile run. */
async function endWith(conversationId: string, wrapUpCode: string): Promise<void> {
  const userId = 'agent-1';
  for (const step of [{ to: 'queued' }, { to: 'alerting', userId }, { to: 'connected', userId }, { to: 'ended', by: 'agent', wrapUpCode }] as const) fake.drive(conversationId, step);
  clock.advance(1_000);
  const report = await runReconcile(deps, { maxRequests: 50 });
  for (const p of report.passes) expect(p.error, p.name).toBeUndefined();
}
/** What the receiver got for one callback, each verified against the webhook's secret. */
function verifiedFor(callbackId: string, secret: string): { id: string; type: NotificationType; callback: Record<string, unknown> }[] {
  const verifier = new Receiver(secret.replace(/^whsec_/, ''));
  return received
    .map((r) => ({ r, json: JSON.parse(r.body) as { id: string; type: NotificationType; callback: Record<string, unknown> } }))
    .filter(({ json }) => json.callback?.callbackId === callbackId)
    .map(({ r, json }) => {
      // The timestamp is the test clock's (2030), outside the library's 5-minute replay window: the
      // signature is checked by signing again with the library and comparing.
      const id = String(r.headers['webhook-id']);
      const timestamp = Number(r.headers['webhook-timestamp']);
      expect(timestamp * 1000).toBeGreaterThan(new Date('2030-01-01').getTime());
      expect(String(r.headers['webhook-signature']).split(' ')).toContain(verifier.sign(id, new Date(timestamp * 1000), r.body));
      expect(json.id).toBe(id);
      return json;
    });
}

describe('every lifecycle notification reaches a webhook, signed', () => {
  it('CREATED, RESCHEDULED, UPCOMING, CANCELLED, ATTEMPT_FAILED, FINAL_ATTEMPT_FAILED, COMPLETED and PURGED', async () => {
    const policy = await t.app.inject({
      method: 'POST',
      url: '/admin/v1/callback-retry-policies',
      headers: admin,
      payload: { name: 'no answer, twice', wrapUpCodes: [{ id: NO_ANSWER, name: 'No answer' }], waitSeconds: 600, maxAttempts: 2 },
    });
    expect(policy.statusCode, policy.body).toBe(201);
    const hours = await factories(t.database.db).hours();
    const q = await factories(t.database.db).queue({ businessHoursId: hours.id, genesysQueueId: 'gq-every-type', maxPendingPerNumber: 100, callbackRetryPolicyId: policy.json().id, upcomingMinutes: 30, purgeAfterMinutes: 120 });
    const hook = await t.app.inject({ method: 'POST', url: '/admin/v1/webhooks', headers: admin, payload: { name: 'every type', url: receiverUrl, queueIds: [q.id], eventTypes: [...NOTIFICATION_TYPES] } });
    expect(hook.statusCode, hook.body).toBe(201);
    const secret: string = hook.json().secret;

    // Scheduled: created, rescheduled, its UPCOMING notice, cancelled.
    const scheduled = await create(q.name, { desiredTime: '2030-03-04T13:00' });
    const moved = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/reschedule', headers: actions, payload: { callbackId: scheduled, desiredTime: '2030-03-04T14:00' } });
    expect(moved.json().outcome, moved.body).toBe('RESCHEDULED');
    clock.set('2030-03-04T18:30:00Z'); // 13:30 in New York: 30 minutes before
    await upcomingNotice(deps, { callbackId: scheduled });
    const cancelled = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: scheduled } });
    expect(cancelled.json().outcome, cancelled.body).toBe('CANCELLED');

    // Immediate, not answered twice: the first attempt failed, then the final one.
    const unanswered = await create(q.name);
    await endWith(await deliver(unanswered), NO_ANSWER);
    expect((await row(unanswered)).attempt).toBe(2);
    await endWith(await deliver(unanswered), NO_ANSWER);
    expect(await row(unanswered)).toMatchObject({ state: 'COMPLETED', completion_reason: 'NO_ANSWER' });

    // Immediate, handled by an agent.
    const handled = await create(q.name);
    await endWith(await deliver(handled), RESOLVED);
    expect(await row(handled)).toMatchObject({ state: 'COMPLETED', completion_reason: 'HANDLED' });

    // Immediate, never handled within purgeAfterMinutes.
    const purged = await create(q.name);
    clock.advance(121 * 60_000);
    await purgeCallbacks(t.database.db, clock.now(), createBusinessMetrics());
    expect(await row(purged)).toMatchObject({ state: 'COMPLETED', completion_reason: 'PURGED' });

    for (const id of [scheduled, unanswered, handled, purged]) await notifyCallback(notify, { callbackId: id });

    expect(verifiedFor(scheduled, secret).map((m) => m.type)).toEqual(['CALLBACK_CREATED', 'CALLBACK_RESCHEDULED', 'CALLBACK_UPCOMING', 'CALLBACK_CANCELLED']);
    expect(verifiedFor(unanswered, secret).map((m) => m.type)).toEqual(['CALLBACK_CREATED', 'CALLBACK_ATTEMPT_FAILED', 'CALLBACK_FINAL_ATTEMPT_FAILED']);
    expect(verifiedFor(handled, secret).map((m) => m.type)).toEqual(['CALLBACK_CREATED', 'CALLBACK_COMPLETED']);
    expect(verifiedFor(purged, secret).map((m) => m.type)).toEqual(['CALLBACK_CREATED', 'CALLBACK_PURGED']);
    const seen = new Set([scheduled, unanswered, handled, purged].flatMap((id) => verifiedFor(id, secret).map((m) => m.type)));
    expect(NOTIFICATION_TYPES.filter((type) => !seen.has(type))).toEqual(['CALLBACK_READY']);

    // The body carries the callback's public fields as they were at the change.
    const [, rescheduled] = verifiedFor(scheduled, secret);
    expect(rescheduled!.callback).toMatchObject({ callbackId: scheduled, queueId: q.id, type: 'scheduled', scheduledTime: '2030-03-04T19:00:00Z', phoneNumber: expect.stringMatching(/^\+1202/) });
    const final = verifiedFor(unanswered, secret).at(-1)!;
    expect(final.callback).toMatchObject({ state: 'COMPLETED', completionReason: 'NO_ANSWER', attempt: 2 });
  }, 120_000);
});
