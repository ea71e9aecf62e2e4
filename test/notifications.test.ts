import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as Receiver } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { createCaches } from '../src/context.js';
import { createGateway } from '../src/genesys/index.js';
import { startJobRunner, type JobRunner } from '../src/jobs/runner.js';
import { buildTaskList } from '../src/jobs/tasks.js';
import { createLogger } from '../src/logger.js';
import { backoffAfter, givenUp } from '../src/notifications/deliver.js';
import { notificationTypeOf } from '../src/notifications/outbox.js';
import { COMPLETION_REASONS } from '../src/vocabulary.js';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { notifyDepsFor } from './helpers/notify-deps.js';
import { ALL_WEEK, freshCallback, randomPhone, type Headers } from './helpers/access-fixtures.js';
import { factories } from './helpers/factories.js';
import { waitUntil } from './helpers/worker.js';

/** The notification outbox end to end: lifecycle changes → events → deliveries → a real job runner → receivers. */

let t: TestApp;
let runner: JobRunner;
let admin: Record<string, string>;
let actions: Headers;
let queue: { id: string; name: string };
let receiver: Server;
let receiverUrl: string;
/** Status codes the receiver answers with, in turn; 204 once used up. */
let answers: number[] = [];
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
const phone = () => randomPhone('+1212556');

beforeAll(async () => {
  t = await buildTestApp({ env: { RATE_LIMIT_MAX: '1000000' } });
  admin = (await authHeader(t, ['administrator'])).headers;
  actions = (await authHeader(t, ['actions'])).headers;
  const make = factories(t.database.db);
  const hours = await make.hours({ weekly: ALL_WEEK });
  queue = await make.queue({ businessHoursId: hours.id });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answers.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const logger = createLogger('silent');
  runner = await startJobRunner({
    pool: t.database.pool,
    db: t.database.db,
    tasks: buildTaskList({
      db: t.database.db,
      gateway: createGateway(t.config.genesys, t.database.db, logger),
      clock: systemClock,
      caches: createCaches(),
      logger,
      retentionDays: 14,
      notifications: notifyDepsFor(t, { backoffMs: [100, 200] }),
    }),
    concurrency: 4,
    pollInterval: 100,
    logger,
  });
}, 120_000);
afterAll(async () => {
  await runner?.stop();
  await new Promise((r) => receiver?.close(r));
  await t?.close();
});

async function webhook(payload: Record<string, unknown> = {}) {
  const res = await t.app.inject({ method: 'POST', url: '/admin/v1/webhooks', headers: admin, payload: { name: `hook-${Math.random().toString(36).slice(2)}`, url: receiverUrl, queueIds: [queue.id], ...payload } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string };
}

const bodiesFor = (callbackId: string) => received.map((r) => ({ ...r, json: JSON.parse(r.body) as { id: string; type: string; callback: { callbackId: string; state: string } } })).filter((r) => r.json.callback?.callbackId === callbackId);

describe('which lifecycle change makes which notification', () => {
  it('maps every history event and completion reason', () => {
    expect(notificationTypeOf({ event: 'created', to: 'SCHEDULED' })).toBe('CALLBACK_CREATED');
    expect(notificationTypeOf({ event: 'rescheduled' })).toBe('CALLBACK_RESCHEDULED');
    expect(notificationTypeOf({ event: 'retry-scheduled', to: 'SCHEDULED' })).toBe('CALLBACK_ATTEMPT_FAILED');
    expect(notificationTypeOf({ event: 'upcoming' })).toBe('CALLBACK_UPCOMING');
    expect(notificationTypeOf({ event: 'delivered' })).toBeNull();
    expect(notificationTypeOf({ event: 'acd.start', to: 'QUEUED' })).toBeNull();
    const byReason = Object.fromEntries(COMPLETION_REASONS.map((r) => [r, notificationTypeOf({ event: 'wrapup', to: 'COMPLETED', reason: r })]));
    expect(byReason).toEqual({
      HANDLED: 'CALLBACK_COMPLETED',
      NO_ANSWER: 'CALLBACK_FINAL_ATTEMPT_FAILED',
      CANCELLED_BY_CUSTOMER: 'CALLBACK_CANCELLED',
      CANCELLED_BY_ADMIN: 'CALLBACK_CANCELLED',
      PURGED: 'CALLBACK_PURGED',
      EXPIRED: 'CALLBACK_PURGED',
      ABANDONED: 'CALLBACK_PURGED',
      FAILED: 'CALLBACK_PURGED',
    });
  });

  it('backs off by the schedule, the last step repeating, and gives up after the give-up period', () => {
    const deps = { backoffMs: [10, 30, 60], giveUpAfterMs: 200 };
    expect([1, 2, 3, 4, 9].map((a) => backoffAfter(deps, a))).toEqual([10, 30, 60, 60, 60]);
    // Waits before attempt n: 10, 30, 60, 60, 60 → 220 ms ≥ 200 by the 6th.
    expect([1, 5, 6].map((a) => givenUp(deps, a))).toEqual([false, false, true]);
  });
});

describe('webhooks receive every notification, signed, in order, at least once', () => {
  it('sends CREATED then CANCELLED with valid signatures; retries a failing receiver with the same id and never overtakes', async () => {
    const hook = await webhook();
    answers = [500, 503];
    const id = await freshCallback(t, actions, queue.name, true, phone());
    const cancel = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: id } });
    expect(cancel.json()).toMatchObject({ outcome: 'CANCELLED' });
    await waitUntil(async () => bodiesFor(id).some((r) => r.json.type === 'CALLBACK_CANCELLED'), 30_000);
    const seen = bodiesFor(id);
    // The two failures and the success of CREATED, then CANCELLED: the second never overtook the first.
    expect(seen.map((r) => r.json.type)).toEqual(['CALLBACK_CREATED', 'CALLBACK_CREATED', 'CALLBACK_CREATED', 'CALLBACK_CANCELLED']);
    expect(new Set(seen.slice(0, 3).map((r) => r.headers['webhook-id'])).size).toBe(1);
    const verifier = new Receiver(hook.secret.replace(/^whsec_/, ''));
    for (const r of seen) {
      const verified = verifier.verify(r.body, { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) });
      expect(verified).toMatchObject({ id: r.headers['webhook-id'] });
    }
    expect(seen[3]!.json.callback).toMatchObject({ callbackId: id, queueId: queue.id, state: 'COMPLETED' });
    const deliveries = await t.database.db.selectFrom('notification_deliveries').selectAll().where('callback_id', '=', id).orderBy('seq').execute();
    expect(deliveries.map((d) => [d.channel, d.status, d.attempts])).toEqual([['webhook', 'SENT', 3], ['webhook', 'SENT', 1]]);
    const attempts = await t.database.db.selectFrom('notification_attempts').select(['status_code', 'ok']).where('delivery_id', '=', deliveries[0]!.id).orderBy('id').execute();
    expect(attempts).toEqual([{ status_code: 500, ok: false }, { status_code: 503, ok: false }, { status_code: 204, ok: true }]);
    const log = await t.app.inject({ method: 'GET', url: `/admin/v1/callbacks/${id}/notifications`, headers: admin });
    expect(log.statusCode).toBe(200);
    expect(log.body).toContain('CALLBACK_CANCELLED');
    expect(log.body).not.toContain(hook.secret);
  }, 60_000);

  it('writes the event but no delivery for a webhook of another type or queue', async () => {
    const other = await factories(t.database.db).queue({ businessHoursId: (await factories(t.database.db).hours({ weekly: ALL_WEEK })).id });
    const hook = await webhook({ eventTypes: ['CALLBACK_COMPLETED'] });
    const id = await freshCallback(t, actions, other.name, true, phone());
    const events = await t.database.db.selectFrom('notification_events').select('type').where('callback_id', '=', id).execute();
    expect(events.map((e) => e.type)).toEqual(['CALLBACK_CREATED']);
    const mine = await t.database.db.selectFrom('notification_deliveries').select('id').where('callback_id', '=', id).where('webhook_id', '=', hook.id).execute();
    expect(mine).toEqual([]);
  });

  it('disables a webhook whose attempts have failed for its disableAfterDays, dropping what it still had to send', async () => {
    const hook = await webhook({ disableAfterDays: 1 });
    await t.database.db.updateTable('webhooks').set({ failing_since: new Date(Date.now() - 2 * 86_400_000) }).where('id', '=', hook.id).execute();
    answers = [500, 500, 500, 500];
    const id = await freshCallback(t, actions, queue.name, true, phone());
    await waitUntil(async () => (await t.database.db.selectFrom('webhooks').select('enabled').where('id', '=', hook.id).executeTakeFirstOrThrow()).enabled === false, 30_000);
    const row = await t.database.db.selectFrom('webhooks').selectAll().where('id', '=', hook.id).executeTakeFirstOrThrow();
    expect(row.disabled_reason).toMatch(/failed for 1 day/);
    await waitUntil(async () => (await t.database.db.selectFrom('notification_deliveries').select('status').where('callback_id', '=', id).where('webhook_id', '=', hook.id).executeTakeFirstOrThrow()).status === 'DROPPED', 30_000);
    answers = [];
  }, 60_000);
});

describe('SMS through the gateway', () => {
  it('texts the rendered template through the gateway, and never a number that opted out', async () => {
    const q = await factories(t.database.db).queue({ businessHoursId: (await factories(t.database.db).hours({ weekly: ALL_WEEK })).id });
    const patch = await t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${q.id}`, headers: admin, payload: { smsSender: '+15550001111', smsTemplates: { CALLBACK_CREATED: '{queueName} calls you at {localTime}. {link}' } } });
    expect(patch.statusCode, patch.body).toBe(200);
    const texted = phone();
    const optedOut = phone();
    await t.database.db.insertInto('message_opt_outs').values({ phone_e164: optedOut, source: 'STOP', note: null, created_by: 'test' }).execute();
    const a = await freshCallback(t, actions, q.name, true, texted);
    const b = await freshCallback(t, actions, q.name, true, optedOut);
    await waitUntil(async () => (await t.database.db.selectFrom('notification_deliveries').select('status').where('callback_id', '=', a).where('channel', '=', 'sms').executeTakeFirst())?.status === 'SENT', 30_000);
    const calls = await t.database.db.selectFrom('simulated_genesys_calls').select('request').where('operation', '=', 'sendAgentlessMessage').execute();
    const requests = calls.map((c) => c.request as unknown as { toAddress: string; fromAddress: string; textBody: string });
    const mine = requests.filter((r) => r.toAddress === texted);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ fromAddress: '+15550001111' });
    expect(mine[0]!.textBody).toContain(q.name);
    expect(mine[0]!.textBody).toContain(`https://callbacks.example.com/public/v1/callbacks/${a}?`);
    expect(requests.some((r) => r.toAddress === optedOut)).toBe(false);
    expect(await t.database.db.selectFrom('notification_deliveries').select('id').where('callback_id', '=', b).where('channel', '=', 'sms').execute()).toEqual([]);
  }, 60_000);
});
