import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_WEEK, scheduledTime } from './helpers/access-fixtures.js';
import { authHeader, buildTestApp, TEST_JWT_SECRET, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeFcm, type FakeFcm } from './helpers/fake-fcm.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { gatewayFor, startWorkerProcess, stopProcess, waitUntil } from './helpers/worker.js';

/**
 * Push end to end: a create carrying a device token → the outbox → the notify job of a real
 * `npm run worker` process (FCM_BASE_URL pointed at the fake) → the token exchange and FCM's send.
 * A token FCM calls dead drops the notification at once (never retried) and is cleared from the
 * callback; FCM unavailable is retried and keeps the token.
 */

let t: TestApp;
let fcm: FakeFcm;
let fake: FakeGenesys;
let worker: ChildProcess | undefined;
let admin: Record<string, string>;
let actions: Record<string, string>;
let queueName: string;

beforeAll(async () => {
  fcm = await startFakeFcm();
  fake = await startFakeGenesys();
  t = await buildTestApp({ gateway: gatewayFor(fake), env: { FCM_BASE_URL: fcm.origin } });
  admin = (await authHeader(t, ['administrator'])).headers;
  actions = (await authHeader(t, ['actions'])).headers;
  const make = factories(t.database.db);
  // A Genesys queue the worker delivers the callbacks to (in the fake), so they stay SCHEDULED.
  queueName = (await make.queue({ genesysQueueId: `gq-push-${randomUUID()}`, businessHoursId: (await make.hours({ weekly: ALL_WEEK })).id })).name;
  const saved = await t.app.inject({ method: 'PUT', url: '/admin/v1/settings/push', headers: admin, payload: fcm.account });
  expect(saved.statusCode, saved.body).toBe(200);
  worker = startWorkerProcess(t.url, fake, 2, { JWT_SECRET: TEST_JWT_SECRET, FCM_BASE_URL: fcm.origin });
}, 120_000);
afterAll(async () => {
  if (worker) await stopProcess(worker);
  await t?.close();
  await fcm?.close();
  await fake?.close();
});

let phone = 5550300;
async function createWithDevice(token: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/actions/v1/callbacks/create',
    headers: actions,
    payload: { queue: queueName, phoneNumber: `+1202${phone++}`, customerName: 'Push Test', desiredTime: scheduledTime(), deviceToken: token, devicePlatform: 'android' },
  });
  expect(res.json().outcome, res.body).toBe('CREATED');
  return res.json().callbackId as string;
}

const pushDelivery = (callbackId: string, type: string) =>
  t.database.db
    .selectFrom('notification_deliveries')
    .innerJoin('notification_events', 'notification_events.id', 'notification_deliveries.event_id')
    .select(['notification_deliveries.id', 'notification_deliveries.status', 'notification_deliveries.attempts', 'notification_deliveries.last_error'])
    .where('notification_deliveries.callback_id', '=', callbackId)
    .where('notification_deliveries.channel', '=', 'push')
    .where('notification_events.type', '=', type as 'CALLBACK_CREATED')
    .executeTakeFirst();
const attemptsOf = (deliveryId: string) => t.database.db.selectFrom('notification_attempts').select(['ok', 'status_code', 'error']).where('delivery_id', '=', deliveryId).orderBy('id').execute();
const deviceToken = async (callbackId: string) => (await t.database.db.selectFrom('callbacks').select('device_token').where('id', '=', callbackId).executeTakeFirstOrThrow()).device_token;
const settled = (callbackId: string, type: string) => async () => ['SENT', 'DROPPED', 'FAILED'].includes((await pushDelivery(callbackId, type))?.status ?? '');

describe('push through the notify job and the fake FCM', () => {
  it('sends CALLBACK_CREATED to the callback’s device; once FCM calls the token dead, the next notification is dropped without a retry and the token cleared', async () => {
    const token = `android-${randomUUID()}`;
    const callbackId = await createWithDevice(token);
    await waitUntil(settled(callbackId, 'CALLBACK_CREATED'), 60_000);
    const created = (await pushDelivery(callbackId, 'CALLBACK_CREATED'))!;
    expect(created).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(fcm.tokenExchanges.map((e) => e.iss)).toContain(fcm.account.clientEmail);
    const sent = fcm.sends.filter((s) => s.message.token === token);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      projectId: fcm.account.projectId,
      message: { token, notification: { title: 'Callback booked' }, data: { type: 'CALLBACK_CREATED', notificationId: created.id, callbackId, state: 'SCHEDULED', queueName } },
    });
    expect(await attemptsOf(created.id)).toEqual([{ ok: true, status_code: 200, error: null }]);

    // The app was uninstalled: FCM answers 404 UNREGISTERED for the token from now on.
    fcm.device(token, 'unregistered');
    const cancel = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId } });
    expect(cancel.json().outcome, cancel.body).toBe('CANCELLED');
    await waitUntil(settled(callbackId, 'CALLBACK_CANCELLED'), 60_000);
    const cancelled = (await pushDelivery(callbackId, 'CALLBACK_CANCELLED'))!;
    expect(cancelled).toMatchObject({ status: 'DROPPED', attempts: 1, last_error: expect.stringContaining('UNREGISTERED') });
    const tries = await attemptsOf(cancelled.id);
    expect(tries).toEqual([{ ok: false, status_code: 404, error: expect.stringContaining('UNREGISTERED') }]);
    expect(await deviceToken(callbackId)).toBeNull();
    expect(fcm.sends.filter((s) => s.message.token === token)).toHaveLength(1);
  }, 120_000);

  it('a token FCM refuses as not valid (INVALID_ARGUMENT) is dropped and cleared at once; FCM unavailable is retried later and keeps the token', async () => {
    const invalid = `bad-${randomUUID()}`;
    const busy = `busy-${randomUUID()}`;
    fcm.device(invalid, 'invalid');
    fcm.device(busy, 'unavailable');
    const a = await createWithDevice(invalid);
    const b = await createWithDevice(busy);
    await waitUntil(settled(a, 'CALLBACK_CREATED'), 60_000);
    const dropped = (await pushDelivery(a, 'CALLBACK_CREATED'))!;
    expect(dropped).toMatchObject({ status: 'DROPPED', attempts: 1 });
    expect(await attemptsOf(dropped.id)).toEqual([{ ok: false, status_code: 400, error: expect.stringContaining('INVALID_ARGUMENT') }]);
    expect(await deviceToken(a)).toBeNull();

    await waitUntil(async () => {
      const d = await pushDelivery(b, 'CALLBACK_CREATED');
      return d !== undefined && (await attemptsOf(d.id)).length >= 1;
    }, 60_000);
    const retried = (await pushDelivery(b, 'CALLBACK_CREATED'))!;
    // Waiting for its next attempt (with backoff), not given up.
    expect(['PENDING', 'SENDING']).toContain(retried.status);
    expect((await attemptsOf(retried.id))[0]).toMatchObject({ ok: false, status_code: 503 });
    expect(await deviceToken(b)).toBe(busy);
    expect(fcm.sends.some((s) => s.message.token === invalid || s.message.token === busy)).toBe(false);
  }, 120_000);
});
