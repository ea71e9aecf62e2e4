import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FCM_SCOPE, FcmSender } from '../src/notifications/fcm.js';
import { startFakeFcm, type FakeFcm } from './helpers/fake-fcm.js';

describe('FCM HTTP v1 push', () => {
  let fcm: FakeFcm;
  beforeAll(async () => {
    fcm = await startFakeFcm();
  });
  afterAll(() => fcm.close());

  const message = (token: string) => ({ token, title: 'Your callback', body: 'We will call you soon', data: { type: 'CALLBACK_UPCOMING', callbackId: 'c1' } });

  it('exchanges the service account assertion for a token once, and sends with it', async () => {
    const sender = new FcmSender({ origin: fcm.origin });
    const before = fcm.tokenExchanges.length;
    const first = await sender.send(fcm.account, message('device-a'));
    const second = await sender.send(fcm.account, message('device-b'));
    expect(first).toMatchObject({ ok: true, statusCode: 200, messageName: expect.stringMatching(/^projects\/callback-app\/messages\/\d+$/) });
    expect(second.ok).toBe(true);
    expect(fcm.tokenExchanges.length - before).toBe(1);
    expect(fcm.tokenExchanges.at(-1)).toEqual({ iss: fcm.account.clientEmail, scope: FCM_SCOPE, aud: 'https://oauth2.googleapis.com/token' });
    expect(fcm.sends.at(-1)).toEqual({ projectId: 'callback-app', message: { token: 'device-b', notification: { title: 'Your callback', body: 'We will call you soon' }, data: { type: 'CALLBACK_UPCOMING', callbackId: 'c1' } } });
    expect(fcm.refusedAuth).toBe(0);
  });

  it('drops an unregistered or invalid registration token, and does not retry it', async () => {
    const sender = new FcmSender({ origin: fcm.origin });
    fcm.device('gone', 'unregistered');
    fcm.device('garbage', 'invalid');
    expect(await sender.send(fcm.account, message('gone'))).toMatchObject({ ok: false, dropToken: true, retryable: false, statusCode: 404, error: expect.stringContaining('UNREGISTERED') });
    expect(await sender.send(fcm.account, message('garbage'))).toMatchObject({ ok: false, dropToken: true, retryable: false, statusCode: 400 });
  });

  it('keeps the token and retries later when FCM is unavailable', async () => {
    const sender = new FcmSender({ origin: fcm.origin });
    fcm.device('busy', 'unavailable');
    expect(await sender.send(fcm.account, message('busy'))).toMatchObject({ ok: false, dropToken: false, retryable: true, statusCode: 503 });
  });

  it('answers a refused credential as retryable, never blaming the device, and without the key in the error', async () => {
    const sender = new FcmSender({ origin: fcm.origin });
    const other = await startFakeFcm('other-project');
    try {
      // Signed with another account's key: the token endpoint refuses the assertion.
      const wrong = { ...fcm.account, privateKey: other.account.privateKey };
      const result = await sender.send(wrong, message('device-a'));
      expect(result).toMatchObject({ ok: false, dropToken: false, retryable: true });
      expect(JSON.stringify(result)).not.toContain('PRIVATE KEY');
    } finally {
      await other.close();
    }
  });
});
