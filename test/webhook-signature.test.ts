import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, REPLAY_WINDOW_SECONDS, SIGNATURE_HEADERS, signatureHeaders } from '../src/notifications/webhook-signature.js';

/** Signatures are checked with the Standard Webhooks reference library, as a receiver would check them. */
describe('webhook signatures', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const body = JSON.stringify({ id: 'evt_1', type: 'CALLBACK_CREATED', callback: { callbackId: 'c1', note: 'café ☎' } });

  it('verify with the receiver library, and carry the id and timestamp they sign', () => {
    const secret = generateWebhookSecret();
    const headers = signatureHeaders([secret], 'msg_1', now(), body);
    expect(headers[SIGNATURE_HEADERS.id]).toBe('msg_1');
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('fail for another secret, a changed body, a changed id or a changed timestamp', () => {
    const secret = generateWebhookSecret();
    const ts = now();
    const headers = signatureHeaders([secret], 'msg_1', ts, body);
    const receiver = new Webhook(secret);
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
    expect(() => receiver.verify(body.replace('c1', 'c2'), headers)).toThrow(WebhookVerificationError);
    expect(() => receiver.verify(body, { ...headers, [SIGNATURE_HEADERS.id]: 'msg_2' })).toThrow(WebhookVerificationError);
    expect(() => receiver.verify(body, { ...headers, [SIGNATURE_HEADERS.timestamp]: String(ts - 1) })).toThrow(WebhookVerificationError);
  });

  it('are refused by a receiver outside the replay window', () => {
    const secret = generateWebhookSecret();
    const old = signatureHeaders([secret], 'msg_1', now() - REPLAY_WINDOW_SECONDS - 60, body);
    expect(() => new Webhook(secret).verify(body, old)).toThrow(/timestamp/i);
  });

  it('carry one signature per secret while a rotated-out secret is honoured: a receiver with either verifies', () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const headers = signatureHeaders([current, previous], 'msg_1', now(), body);
    expect(headers[SIGNATURE_HEADERS.signature]!.split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toBeTruthy();
    expect(new Webhook(previous).verify(body, headers)).toBeTruthy();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
  });

  it('are made only with well-formed secrets and timestamps', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(generateWebhookSecret()).not.toBe(secret);
    expect(() => signatureHeaders([], 'm', now(), body)).toThrow(/at least one/);
    expect(() => signatureHeaders(['not-a-secret'], 'm', now(), body)).toThrow(/whsec_/);
    expect(() => signatureHeaders(['whsec_' + Buffer.alloc(8).toString('base64')], 'm', now(), body)).toThrow(/24 to 64/);
    expect(() => signatureHeaders([secret], 'm', 1.5, body)).toThrow(/whole unix seconds/);
  });
});
