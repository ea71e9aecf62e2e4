/**
 * SMS through Genesys Cloud: the sdk gateway's agentless message against the fake Genesys, and the
 * texts the templates render to.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GenesysError } from '../src/genesys/gateway.js';
import { createSdkGateway } from '../src/genesys/sdk-gateway.js';
import { renderSmsTemplate, unknownPlaceholders } from '../src/notifications/sms.js';
import { authHeader, buildTestApp } from './helpers/app.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(): Promise<{ fake: FakeGenesys; gateway: ReturnType<typeof createSdkGateway> }> {
  const fake = await startFakeGenesys();
  cleanups.push(() => fake.close());
  const gateway = createSdkGateway({ region: undefined, baseUrl: fake.baseUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, baseBackoffMs: 20, maxRetries: 0 });
  cleanups.push(() => gateway.close!());
  return { fake, gateway };
}

describe('sdk gateway: agentless SMS', () => {
  it('sends exactly the SendAgentlessOutboundMessageRequest fields, and no reference', async () => {
    const { fake, gateway } = await setup();
    const sent = await gateway.sendAgentlessMessage({ fromAddress: '+15550001111', toAddress: '+15557654321', textBody: 'Hello', referenceId: 'd-1' });
    expect(fake.agentlessMessages).toHaveLength(1);
    expect(fake.agentlessMessages[0]!.body).toEqual({ fromAddress: '+15550001111', toAddress: '+15557654321', toAddressMessengerType: 'sms', textBody: 'Hello' });
    expect(sent.messageId).toBe(fake.agentlessMessages[0]!.id);
    expect(sent.conversationId).not.toBe('');
  });

  it('tells a refused message (400) from a retryable outage (503)', async () => {
    const { fake, gateway } = await setup();
    fake.failNext('agentlessMessage', [{ status: 400 }, { status: 503 }]);
    const send = () => gateway.sendAgentlessMessage({ fromAddress: '12345', toAddress: '+15557654321', textBody: 'x' }).then(() => null, (e: unknown) => e);
    const refused = await send();
    expect(refused).toBeInstanceOf(GenesysError);
    expect((refused as GenesysError).retryable).toBe(false);
    const outage = await send();
    expect(outage).toBeInstanceOf(GenesysError);
    expect((outage as GenesysError).retryable).toBe(true);
    expect(fake.agentlessMessages).toHaveLength(0);
  });

  it('does not replay a send after a 502 (it may have been sent): one request, a retryable failure', async () => {
    const fake = await startFakeGenesys();
    cleanups.push(() => fake.close());
    const gateway = createSdkGateway({ region: undefined, baseUrl: fake.baseUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, baseBackoffMs: 20, maxRetries: 3 });
    cleanups.push(() => gateway.close!());
    fake.failAfterWork('agentlessMessage', [{ status: 502 }]);
    const err = await gateway.sendAgentlessMessage({ fromAddress: '12345', toAddress: '+15557654321', textBody: 'x' }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(GenesysError);
    expect(fake.requestsTo('agentlessMessage')).toHaveLength(1);
    expect(fake.agentlessMessages).toHaveLength(1);
  });
});

describe('SMS templates', () => {
  it('renders the local time and date in the queue zone, the queue name, the name and the link', () => {
    const text = renderSmsTemplate('{customerName}, {queueName} calls you at {localTime} on {date}: {link}', {
      queueName: 'Billing',
      time: new Date('2026-12-04T19:30:00Z'),
      timezone: 'Europe/Paris',
      link: 'https://cb.example/public/v1/callbacks/abc?exp=1&sig=s',
      customerName: 'Ana',
    });
    expect(text).toBe('Ana, Billing calls you at 8:30 PM on Friday, December 4, 2026: https://cb.example/public/v1/callbacks/abc?exp=1&sig=s');
  });

  it('names unknown placeholders', () => {
    expect(unknownPlaceholders('At {localTime} {when} {link} {Queue}')).toEqual(['when', 'Queue']);
    expect(unknownPlaceholders('At {localTime}')).toEqual([]);
  });
});

describe('queue SMS settings', () => {
  it('stores sender and templates, PATCH changes only what it was sent, and names a bad template or sender', async () => {
    const t = await buildTestApp();
    cleanups.push(() => t.close());
    const { headers } = await authHeader(t, ['administrator']);
    const created = await t.app.inject({ method: 'POST', url: '/admin/v1/queues', headers, payload: { name: 'SMS queue', timezone: 'Europe/Paris', smsSender: '+33612345678', smsTemplates: { CALLBACK_CREATED: 'See you at {localTime}: {link}' } } });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    expect(created.json()).toMatchObject({ smsSender: '+33612345678', smsTemplates: { CALLBACK_CREATED: 'See you at {localTime}: {link}' } });

    const patched = await t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${id}`, headers, payload: { smsSender: '12345' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ smsSender: '12345', smsTemplates: { CALLBACK_CREATED: 'See you at {localTime}: {link}' } });

    const badTemplate = await t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${id}`, headers, payload: { smsTemplates: { CALLBACK_CANCELLED: 'Cancelled at {when}' } } });
    expect(badTemplate.statusCode).toBe(400);
    expect(badTemplate.body).toContain('smsTemplates.CALLBACK_CANCELLED');
    const badSender = await t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${id}`, headers, payload: { smsSender: '12' } });
    expect(badSender.statusCode).toBe(400);
    expect(badSender.body).toContain('smsSender');
    const tooLong = await t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${id}`, headers, payload: { smsTemplates: { CALLBACK_CREATED: 'x'.repeat(613) } } });
    expect(tooLong.statusCode).toBe(400);
  });
});
