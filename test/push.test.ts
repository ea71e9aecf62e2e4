import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../src/auth/encryption.js';
import { createCodeHasher } from '../src/callin/codes.js';
import { DEFAULT_BACKOFF_MS, DEFAULT_GIVE_UP_AFTER_MS, type NotifyContext, type Outgoing } from '../src/notifications/channels.js';
import { FcmSender } from '../src/notifications/fcm.js';
import { pushSender } from '../src/notifications/push.js';
import { createLinkSigner } from '../src/selfservice/link.js';
import { createLogger } from '../src/logger.js';
import type { NotificationDeliveryRow, NotificationEventRow } from '../src/db/types.js';
import { authHeader, buildTestApp, TEST_JWT_SECRET, TestClock, type TestApp } from './helpers/app.js';
import { testContext } from './helpers/context.js';
import { factories } from './helpers/factories.js';
import { startFakeFcm, type FakeFcm } from './helpers/fake-fcm.js';

/** Mobile push: the Firebase credential (validated, masked, sealed at rest), its test send, the push channel, device tokens on create. */

const START = '2030-03-04T15:00:00Z';
const clock = new TestClock(new Date(START));
let t: TestApp;
let fcm: FakeFcm;
let admin: { authorization: string };
let actions: { authorization: string };
let queueName: string;
const WEB_ORIGIN = 'https://app.example.com';

beforeAll(async () => {
  fcm = await startFakeFcm();
  t = await buildTestApp({ clock, captureLogs: true, env: { FCM_BASE_URL: fcm.origin } });
  admin = (await authHeader(t, ['administrator'])).headers;
  actions = (await authHeader(t, ['actions'])).headers;
  queueName = (await factories(t.database.db).queue()).name;
});
afterAll(async () => {
  await t?.close();
  await fcm?.close();
});

const send = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, headers: object, payload?: object) =>
  t.app.inject({ method, url, headers: headers as Record<string, string>, ...(payload !== undefined && { payload }) });
const saveAccount = () => send('PUT', '/admin/v1/settings/push', admin, fcm.account);
/** The base64 body of the key, the part that would leak it. */
const keyBody = () => fcm.account.privateKey.split('\n').filter((l) => l !== '' && !l.startsWith('-----')).join('');

let phone = 5550100;
async function create(extra: Record<string, unknown>, headers: object = actions) {
  return send('POST', '/actions/v1/callbacks/create', headers, { queue: queueName, phoneNumber: `+1202${phone++}`, ...extra });
}

describe('push settings', () => {
  it('answers configured: false before any credential is set', async () => {
    await send('DELETE', '/admin/v1/settings/push', admin);
    const res = await send('GET', '/admin/v1/settings/push', admin);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ configured: false, projectId: null, clientEmail: null, privateKey: null, updatedAt: null });
  });

  it('refuses a bad project id, email or key with a 400 naming the field', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
    const pkcs1 = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
    const broken = fcm.account.privateKey.replace(/[A-Za-z0-9+/]{20}\n/, 'AAAA\n');
    const cases: [Record<string, string>, string][] = [
      [{ projectId: 'Bad Project!' }, 'projectId'],
      [{ projectId: 'abc' }, 'projectId'],
      [{ clientEmail: 'not-an-email' }, 'clientEmail'],
      [{ privateKey: 'hello' }, 'privateKey'],
      [{ privateKey: pkcs1 }, 'privateKey'],
      [{ privateKey: ec }, 'privateKey'],
      [{ privateKey: broken }, 'privateKey'],
    ];
    for (const [change, field] of cases) {
      const res = await send('PUT', '/admin/v1/settings/push', admin, { ...fcm.account, ...change });
      expect(res.statusCode, JSON.stringify(change).slice(0, 80)).toBe(400);
      expect(res.json().field).toBe(field);
    }
    const missing = await send('PUT', '/admin/v1/settings/push', admin, { projectId: fcm.account.projectId, clientEmail: fcm.account.clientEmail });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().field).toBe('privateKey');
    expect((await send('GET', '/admin/v1/settings/push', admin)).json().configured).toBe(false);
  });

  it('stores the key sealed, answers it masked, audits without it; a key pasted with \\n escapes is taken', async () => {
    clock.set(START);
    const escaped = fcm.account.privateKey.replace(/\n/g, '\\n');
    const res = await send('PUT', '/admin/v1/settings/push', admin, { ...fcm.account, privateKey: escaped });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ configured: true, projectId: 'callback-app', clientEmail: fcm.account.clientEmail, privateKey: '•••• (configured)', updatedAt: START });
    expect(res.json().keyFingerprint).toMatch(/^[0-9a-f]{16}$/);
    const got = await send('GET', '/admin/v1/settings/push', admin);
    expect(got.json()).toEqual(res.json());

    const row = await t.database.db.selectFrom('settings').select('value').where('key', '=', 'push').executeTakeFirstOrThrow();
    const stored = row.value as Record<string, string>;
    expect(Object.keys(stored).sort()).toEqual(['clientEmail', 'keyFingerprint', 'privateKeySealed', 'projectId']);
    expect(JSON.stringify(stored)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(stored)).not.toContain(keyBody().slice(0, 40));
    expect(JSON.stringify(stored)).not.toContain(keyBody().slice(-40));
    expect(createSecretBox(TEST_JWT_SECRET).decrypt(stored.privateKeySealed!)).toBe(fcm.account.privateKey);

    const audit = await send('GET', '/admin/v1/audit?entity=settings', admin);
    const entry = (audit.json().items as { entityId: string; after: unknown }[]).find((e) => e.entityId === 'push');
    expect(entry?.after).toMatchObject({ projectId: 'callback-app', clientEmail: fcm.account.clientEmail });
    expect(audit.body).not.toContain('PRIVATE KEY');
    expect(audit.body).not.toContain(keyBody().slice(0, 40));
  });

  it('only administrators read it, only unrestricted administrators change it', async () => {
    const supervisor = (await authHeader(t, ['supervisor'])).headers;
    expect((await send('GET', '/admin/v1/settings/push', supervisor)).statusCode).toBe(403);
    const restricted = (await authHeader(t, ['administrator'], { queues: [queueName] })).headers;
    expect((await send('GET', '/admin/v1/settings/push', restricted)).statusCode).toBe(200);
    expect((await send('PUT', '/admin/v1/settings/push', restricted, fcm.account)).statusCode).toBe(403);
    expect((await send('DELETE', '/admin/v1/settings/push', restricted)).statusCode).toBe(403);
  });

  it('a test send goes through the token exchange and FCM, and says when the token is dead', async () => {
    expect((await saveAccount()).statusCode).toBe(200);
    const exchanges = fcm.tokenExchanges.length;
    const token = `test-device-${randomUUID()}`;
    const res = await send('POST', '/admin/v1/settings/push/test', admin, { deviceToken: token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, outcome: 'SENT', statusCode: 200, message: expect.stringMatching(/^projects\/callback-app\/messages\//) });
    expect(fcm.tokenExchanges.length).toBeGreaterThan(exchanges);
    expect(fcm.tokenExchanges.at(-1)!.iss).toBe(fcm.account.clientEmail);
    expect(fcm.sends.at(-1)).toMatchObject({ projectId: 'callback-app', message: { token, notification: { title: 'Test notification' }, data: { type: 'TEST' } } });

    fcm.device('dead-device', 'unregistered');
    const dead = await send('POST', '/admin/v1/settings/push/test', admin, { deviceToken: 'dead-device' });
    expect(dead.json()).toMatchObject({ ok: false, outcome: 'TOKEN_DEAD', statusCode: 404, retryable: false, message: expect.stringContaining('UNREGISTERED') });
    fcm.device('busy-device', 'unavailable');
    expect((await send('POST', '/admin/v1/settings/push/test', admin, { deviceToken: 'busy-device' })).json()).toMatchObject({ ok: false, outcome: 'FAILED', retryable: true, statusCode: 503 });
  });

  it('a test send without a credential is a 409; DELETE removes it (audited) and is repeatable', async () => {
    expect((await send('DELETE', '/admin/v1/settings/push', admin)).statusCode).toBe(204);
    expect((await send('DELETE', '/admin/v1/settings/push', admin)).statusCode).toBe(204);
    expect((await send('GET', '/admin/v1/settings/push', admin)).json().configured).toBe(false);
    const res = await send('POST', '/admin/v1/settings/push/test', admin, { deviceToken: 'x' });
    expect(res.statusCode).toBe(409);
    const audit = (await send('GET', '/admin/v1/audit?entity=settings', admin)).json().items as { entityId: string; action: string }[];
    expect(audit.filter((e) => e.entityId === 'push' && e.action === 'delete')).toHaveLength(1);
  });
});

describe('device tokens on create', () => {
  it('stores the token and platform, never answers them (create, replay, desk)', async () => {
    const token = `device-${randomUUID()}`;
    const res = await create({ deviceToken: token, devicePlatform: 'android', idempotencyKey: `k-${randomUUID()}` });
    expect(res.json().outcome, res.body).toBe('CREATED');
    expect(res.body).not.toContain(token);
    const id = res.json().callbackId as string;
    const row = await t.database.db.selectFrom('callbacks').select(['device_token', 'device_platform']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ device_token: token, device_platform: 'android' });
    const desk = await send('GET', `/admin/v1/callbacks/${id}`, admin);
    expect(desk.statusCode).toBe(200);
    expect(desk.json().hasDevice).toBe(true);
    expect(desk.body).not.toContain(token);
    const list = await send('GET', `/admin/v1/callbacks?queue=${encodeURIComponent(queueName)}`, admin);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(token);
    const plain = await create({});
    expect((await send('GET', `/admin/v1/callbacks/${plain.json().callbackId}`, admin)).json().hasDevice).toBe(false);
  });

  it('takes them through a publishable key (the customer’s app)', async () => {
    const created = await send('POST', '/admin/v1/clients', admin, { name: `app-${randomUUID().slice(0, 8)}`, kind: 'publishable', queues: [queueName], origins: [WEB_ORIGIN] });
    expect(created.statusCode, created.body).toBe(201);
    const key = { 'x-api-key': created.json().publishableKey as string, origin: WEB_ORIGIN };
    const token = `ios-${randomUUID()}`;
    const res = await create({ deviceToken: token, devicePlatform: 'ios' }, key);
    expect(res.json().outcome, res.body).toBe('CREATED');
    expect(res.body).not.toContain(token);
    const row = await t.database.db.selectFrom('callbacks').select(['device_token', 'device_platform']).where('id', '=', res.json().callbackId).executeTakeFirstOrThrow();
    expect(row).toEqual({ device_token: token, device_platform: 'ios' });
  });

  it('refuses a token without a platform, a platform without a token, an unknown platform and an over-long token (400 naming the field)', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ deviceToken: 'abc' }, 'devicePlatform'],
      [{ devicePlatform: 'ios' }, 'devicePlatform'],
      [{ deviceToken: 'abc', devicePlatform: 'windows' }, 'devicePlatform'],
      [{ deviceToken: 'x'.repeat(4097), devicePlatform: 'web' }, 'deviceToken'],
      [{ deviceToken: 'has space', devicePlatform: 'web' }, 'deviceToken'],
    ];
    for (const [extra, field] of cases) {
      const res = await create(extra);
      expect(res.statusCode, JSON.stringify(extra).slice(0, 60)).toBe(400);
      expect(res.json().field).toBe(field);
    }
    expect((await create({ deviceToken: 'x'.repeat(4096), devicePlatform: 'web' })).json().outcome).toBe('CREATED');
  });
});

describe('the push channel', () => {
  let notify: NotifyContext;
  beforeAll(() => {
    notify = {
      ...testContext(t.database.db, undefined, clock),
      logger: createLogger('silent'),
      notifications: {
        secrets: createSecretBox(TEST_JWT_SECRET), codes: createCodeHasher(TEST_JWT_SECRET),
        links: createLinkSigner(TEST_JWT_SECRET),
        publicBaseUrl: 'http://127.0.0.1:3000',
        fcm: new FcmSender({ origin: fcm.origin }),
        backoffMs: DEFAULT_BACKOFF_MS,
        giveUpAfterMs: DEFAULT_GIVE_UP_AFTER_MS,
      },
    };
  });

  async function withDevice(token: string) {
    const res = await create({ deviceToken: token, devicePlatform: 'android' });
    expect(res.json().outcome, res.body).toBe('CREATED');
    return res.json() as { callbackId: string; state: string; scheduledTime: string };
  }

  function outgoing(callback: { callbackId: string; state: string }, type: NotificationEventRow['type'] = 'CALLBACK_UPCOMING'): Outgoing {
    const event: NotificationEventRow = {
      id: randomUUID(),
      seq: '1',
      callback_id: callback.callbackId,
      queue_id: randomUUID(),
      type,
      occurred_at: clock.now(),
      data: { callbackId: callback.callbackId, state: callback.state, scheduledTime: '2030-03-05T14:00:00.000Z', timezone: 'America/New_York', attempt: 1, queueName, completionReason: null },
    };
    const delivery: NotificationDeliveryRow = {
      id: randomUUID(),
      event_id: event.id,
      callback_id: callback.callbackId,
      seq: '1',
      channel: 'push',
      webhook_id: null,
      target: 'device',
      status: 'SENDING',
      attempts: 1,
      next_attempt_at: clock.now(),
      lease_until: null,
      last_error: null,
      sent_at: null,
      created_at: clock.now(),
    };
    return { event, delivery };
  }

  it('drops a delivery when push is not configured', async () => {
    await send('DELETE', '/admin/v1/settings/push', admin);
    const cb = await withDevice(`d-${randomUUID()}`);
    expect(await pushSender(notify, outgoing(cb))).toMatchObject({ ok: false, drop: true, retryable: false, error: expect.stringContaining('not configured') });
  });

  it('sends to the callback’s token with the delivery id as notificationId, the type’s text and the event’s fields', async () => {
    expect((await saveAccount()).statusCode).toBe(200);
    const token = `d-${randomUUID()}`;
    const cb = await withDevice(token);
    const out = outgoing(cb);
    expect(await pushSender(notify, out)).toEqual({ ok: true, statusCode: 200 });
    const sent = fcm.sends.at(-1)!;
    expect(sent.message.token).toBe(token);
    expect(sent.message.notification).toEqual({ title: 'Your callback is coming up', body: expect.any(String) });
    expect(sent.message.data).toEqual({
      notificationId: out.delivery.id,
      type: 'CALLBACK_UPCOMING',
      callbackId: cb.callbackId,
      state: cb.state,
      scheduledTime: '2030-03-05T14:00:00.000Z',
      timezone: 'America/New_York',
      attempt: '1',
      queueName,
    });
    // A scheduled time reads in the callback's zone.
    await pushSender(notify, outgoing(cb, 'CALLBACK_RESCHEDULED'));
    expect(fcm.sends.at(-1)!.message.notification!.body).toContain('9:00');
  });

  it('an unregistered token is cleared from the callback and the delivery dropped; a later one drops without asking FCM', async () => {
    const token = `gone-${randomUUID()}`;
    fcm.device(token, 'unregistered');
    const cb = await withDevice(token);
    const result = await pushSender(notify, outgoing(cb));
    expect(result).toMatchObject({ ok: false, drop: true, retryable: false, statusCode: 404, error: expect.stringContaining('UNREGISTERED') });
    const row = await t.database.db.selectFrom('callbacks').select('device_token').where('id', '=', cb.callbackId).executeTakeFirstOrThrow();
    expect(row.device_token).toBeNull();
    const sends = fcm.sends.length;
    expect(await pushSender(notify, outgoing(cb))).toMatchObject({ ok: false, drop: true, retryable: false });
    expect(fcm.sends.length).toBe(sends);
  });

  it('an unavailable FCM is retryable and keeps the token', async () => {
    const token = `busy-${randomUUID()}`;
    fcm.device(token, 'unavailable');
    const cb = await withDevice(token);
    expect(await pushSender(notify, outgoing(cb))).toMatchObject({ ok: false, retryable: true, statusCode: 503 });
    const row = await t.database.db.selectFrom('callbacks').select('device_token').where('id', '=', cb.callbackId).executeTakeFirstOrThrow();
    expect(row.device_token).toBe(token);
  });
});

describe('secrets in answers and logs', () => {
  it('the private key appears in no answer and no log line; device tokens in no log line', async () => {
    const token = `secret-device-${randomUUID()}`;
    const answers = [
      await saveAccount(),
      await send('PUT', '/admin/v1/settings/push', admin, { ...fcm.account, projectId: 'Bad Id' }),
      await send('PUT', '/admin/v1/settings/push', admin, { ...fcm.account, privateKey: fcm.account.privateKey.slice(0, 200) }),
      await send('GET', '/admin/v1/settings/push', admin),
      await send('POST', '/admin/v1/settings/push/test', admin, { deviceToken: token }),
      await send('GET', '/admin/v1/audit', admin),
      await create({ deviceToken: token, devicePlatform: 'web' }),
    ];
    // Any 40 characters of the key's base64 body would be a leak (the refusals name the PEM markers, not the key).
    const secret = keyBody();
    const pieces = [secret.slice(0, 40), secret.slice(600, 640), secret.slice(-40)];
    for (const res of answers) for (const piece of pieces) expect(res.body).not.toContain(piece);
    const logs = t.logs.join('');
    expect(logs).toContain('/admin/v1/settings/push');
    for (const piece of pieces) expect(logs).not.toContain(piece);
    expect(logs).not.toContain(token);
  });
});
