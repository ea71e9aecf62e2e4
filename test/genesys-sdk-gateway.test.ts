/**
 * The `sdk` gateway, through the real purecloud-platform-client-v2, against the fake Genesys server.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { GenesysError, type GenesysGateway } from '../src/genesys/gateway.js';
import { createSdkGateway, resolveRegion, type SdkGatewayOptions } from '../src/genesys/sdk-gateway.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Setup {
  fake: FakeGenesys;
  gateway: GenesysGateway;
  logs: string[];
}

async function setup(knobs: Partial<SdkGatewayOptions> = {}, fake?: FakeGenesys): Promise<Setup> {
  const f = fake ?? (await startFakeGenesys());
  if (!fake) cleanups.push(() => f.close());
  const logs: string[] = [];
  const gateway = createSdkGateway(
    {
      region: undefined,
      baseUrl: f.baseUrl,
      clientId: f.clientId,
      clientSecret: f.clientSecret,
      baseBackoffMs: 20,
      ...knobs,
    },
    (obj, msg) => logs.push(`${msg} ${JSON.stringify(obj)}`),
  );
  cleanups.push(() => gateway.close!());
  return { fake: f, gateway, logs };
}

async function failure(p: Promise<unknown>): Promise<GenesysError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GenesysError);
  return err as GenesysError;
}

const seedCallback = (fake: FakeGenesys) =>
  fake.seedConversation({ participants: [{ purpose: 'acd', queueId: 'q-1', callbacks: [{ state: 'scheduled' }] }] });

describe('sdk gateway: login', () => {
  it('logs in once for 20 concurrent first calls (single flight)', async () => {
    const { fake, gateway } = await setup();
    const id = seedCallback(fake);
    const results = await Promise.all(Array.from({ length: 20 }, () => gateway.getConversation(id)));
    expect(results.every((r) => r?.id === id)).toBe(true);
    expect(fake.requestsTo('token')).toHaveLength(1);
    expect(new Set(fake.requestsTo('getConversation').map((r) => r.token))).toEqual(new Set([fake.issuedTokens[0]]));
  });

  it('refreshes the token before it expires (a minute early, at most half the lifetime), so no call is answered 401', async () => {
    let now = 0;
    const { fake, gateway } = await setup({ tokenRefreshMarginMs: 60_000, now: () => now });
    fake.setTokenLifetime(60); // the minute of margin is capped at half the lifetime: refresh after 30 s
    const id = seedCallback(fake);
    await gateway.getConversation(id);
    now = 25_000;
    await gateway.getConversation(id);
    expect(fake.requestsTo('token')).toHaveLength(1);
    now = 30_001;
    await gateway.getConversation(id);
    expect(fake.requestsTo('token')).toHaveLength(2);
    expect(fake.requestsTo('getConversation').at(-1)?.token).toBe(fake.issuedTokens[1]);
    expect(fake.requests.filter((r) => r.route === 'getConversation')).toHaveLength(3);
  });

  it('after a 401 logs in again exactly once, even for concurrent callers, and succeeds', async () => {
    const { fake, gateway } = await setup();
    const id = seedCallback(fake);
    await gateway.getConversation(id);
    fake.expireTokens();
    const results = await Promise.all(Array.from({ length: 5 }, () => gateway.getConversation(id)));
    expect(results.every((r) => r?.id === id)).toBe(true);
    expect(fake.requestsTo('token')).toHaveLength(2);
  });

  it('surfaces a second 401 instead of looping', async () => {
    const { fake, gateway } = await setup();
    const id = seedCallback(fake);
    fake.failNext('getConversation', [{ status: 401 }, { status: 401 }]);
    const err = await failure(gateway.getConversation(id));
    expect(err).toMatchObject({ status: 401, retryable: false });
    expect(fake.requestsTo('token')).toHaveLength(2);
    expect(fake.requestsTo('getConversation')).toHaveLength(2);
  });

  it('a failed login is a GenesysError that does not leak the secret', async () => {
    const fake = await startFakeGenesys();
    cleanups.push(() => fake.close());
    const wrongSecret = 'wrong-secret-0123456789abcdef';
    const { gateway, logs } = await setup({ clientSecret: wrongSecret }, fake);
    const err = await failure(gateway.getConversation('c-1'));
    expect(err).toMatchObject({ status: 401, code: 'login_failed', retryable: false });
    const basic = Buffer.from(`${fake.clientId}:${wrongSecret}`).toString('base64');
    const everything = [inspect(err, { showHidden: true, depth: 10 }), JSON.stringify(err), String(err), err.stack, ...logs].join('\n');
    for (const secret of [wrongSecret, fake.clientSecret, basic]) expect(everything).not.toContain(secret);
    expect(fake.requestsTo('getConversation')).toHaveLength(0);
  });
});

describe('sdk gateway: retries', () => {
  it('honors Retry-After: three 429s with Retry-After 1 then success takes ≥ 3 s and 4 attempts', async () => {
    const { fake, gateway } = await setup();
    fake.failNext('createCallback', [1, 2, 3].map(() => ({ status: 429, retryAfter: 1 })));
    const started = Date.now();
    const created = await gateway.createCallback({ queueId: 'q-1', callbackNumbers: ['+13175550100'], data: { cbId: 'x' } });
    expect(created.conversationId).toBeTruthy();
    const attempts = fake.requestsTo('createCallback');
    expect(attempts).toHaveLength(4);
    for (let i = 1; i < attempts.length; i++) expect(attempts[i]!.at - attempts[i - 1]!.at).toBeGreaterThanOrEqual(990);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_990);
  });

  it('does not sleep on a Retry-After longer than the max wait: hands it to the caller', async () => {
    const { fake, gateway } = await setup({ maxRetryWaitMs: 5_000 });
    fake.failNext('getConversation', [{ status: 429, retryAfter: 120 }]);
    const err = await failure(gateway.getConversation('c-1'));
    expect(err).toMatchObject({ status: 429, retryable: true, retryAfterSeconds: 120 });
    expect(fake.requestsTo('getConversation')).toHaveLength(1);
  });

  it('retries 503 with backoff and gives up after maxRetries with a retryable error', async () => {
    const { fake, gateway } = await setup({ maxRetries: 2 });
    const id = seedCallback(fake);
    fake.failNext('getConversation', [{ status: 503 }, { status: 502 }]);
    expect((await gateway.getConversation(id))?.id).toBe(id);
    expect(fake.requestsTo('getConversation')).toHaveLength(3);

    fake.failUntilRecovered('setPriority', 503);
    const err = await failure(gateway.setConversationPriority(id, 10));
    fake.recover('setPriority');
    expect(err).toMatchObject({ status: 503, retryable: true });
    expect(fake.requestsTo('setPriority')).toHaveLength(3);
  });

  it('does not retry a 500: non-retryable here, the job layer decides', async () => {
    const { fake, gateway } = await setup();
    fake.failNext('getConversation', [{ status: 500 }]);
    const err = await failure(gateway.getConversation('c-1'));
    expect(err).toMatchObject({ status: 500, retryable: false });
    expect(fake.requestsTo('getConversation')).toHaveLength(1);
  });

  it('turns a timeout into a retryable GenesysError after retrying idempotent calls', async () => {
    const { fake, gateway } = await setup({ timeoutMs: 1_000, maxRetries: 1 });
    await gateway.getConversation(seedCallback(fake)); // logged in: only the held calls can time out
    fake.hold('getContact');
    const err = await failure(gateway.getContact('list-1', 'contact-1'));
    fake.release('getContact');
    expect(err).toMatchObject({ status: 0, code: 'timeout', retryable: true });
    expect(fake.requestsTo('getContact')).toHaveLength(2);
  });

  it('never replays createCallback after a timeout or reset (no idempotency key): outcome_unknown', async () => {
    const { fake, gateway } = await setup({ timeoutMs: 1_000 });
    await gateway.getConversation(seedCallback(fake));
    const req = { queueId: 'q-1', callbackNumbers: ['+13175550100'], data: { cbId: 'x' } };
    fake.hold('createCallback');
    expect(await failure(gateway.createCallback(req))).toMatchObject({ code: 'outcome_unknown', retryable: true });
    expect(fake.requestsTo('createCallback')).toHaveLength(1);

    // Answers that come back at once: a gateway with the default timeout, so a slow machine cannot turn them into timeouts.
    fake.release('createCallback');
    const { gateway: prompt } = await setup({}, fake);
    fake.failNext('createCallback', [{ reset: true }]);
    expect(await failure(prompt.createCallback(req))).toMatchObject({ code: 'outcome_unknown', status: 0 });
    fake.failNext('createCallback', [{ status: 504 }]);
    expect(await failure(prompt.createCallback(req))).toMatchObject({ code: 'outcome_unknown', status: 504 });
    expect(fake.requestsTo('createCallback')).toHaveLength(3);
  });

  it('replays idempotent calls after a connection reset', async () => {
    const { fake, gateway } = await setup();
    const id = seedCallback(fake);
    fake.failNext('getConversation', [{ reset: true }]);
    expect((await gateway.getConversation(id))?.id).toBe(id);
    expect(fake.requestsTo('getConversation')).toHaveLength(2);
  });
});

describe('sdk gateway: requests and answers', () => {
  it('creates a callback with the real field names and returns its ids', async () => {
    const { fake, gateway } = await setup();
    const created = await gateway.createCallback({
      queueId: 'q-1',
      callbackNumbers: ['+13175550100', '+13175550101'],
      callbackUserName: 'Ada',
      callbackScheduledTime: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
      priority: 7,
      scriptId: 'script-1',
      data: { callbackId: 'cb-1' },
      countryCode: 'US',
    });
    expect(fake.requestsTo('createCallback')[0]?.body).toEqual({
      routingData: { queueId: 'q-1', priority: 7 },
      callbackNumbers: ['+13175550100', '+13175550101'],
      callbackUserName: 'Ada',
      callbackScheduledTime: '2030-01-02T03:04:05.000Z',
      scriptId: 'script-1',
      data: { callbackId: 'cb-1' },
      countryCode: 'US',
    });
    const conv = fake.conversations.get(created.conversationId);
    expect(conv).toBeDefined();
    expect(created.callbackId).toBe(conv?.participants.find((p) => p.purpose === 'customer')?.id);
  });

  it('reschedules an agent-owned callback with its owner as agentId, and one nobody owns without agentId', async () => {
    const { fake, gateway } = await setup();
    const owned = fake.seedConversation({
      participants: [
        { purpose: 'customer', callbacks: [{ state: 'scheduled' }] },
        { purpose: 'acd', queueId: 'q-1', callbacks: [{ state: 'scheduled' }], conversationRoutingData: { scoredAgents: [{ agent: { id: 'agent-2' }, score: 10 }, { agent: { id: 'agent-1' }, score: 100 }] } },
      ],
    });
    await gateway.rescheduleCallback(owned, new Date('2030-05-06T07:08:09Z'));
    const unowned = fake.seedConversation({ participants: [{ purpose: 'customer', callbacks: [{ state: 'scheduled' }] }, { purpose: 'acd', queueId: 'q-1', callbacks: [{ state: 'scheduled' }] }] });
    await gateway.rescheduleCallback(unowned, new Date('2030-05-06T07:08:09Z'));
    const bodies = fake.requestsTo('rescheduleCallback').map((r) => r.body);
    expect(bodies).toEqual([
      { conversationId: owned, agentId: 'agent-1', callbackScheduledTime: '2030-05-06T07:08:09.000Z' },
      { conversationId: unowned, callbackScheduledTime: '2030-05-06T07:08:09.000Z' },
    ]);
    // The fake holds the stricter shape: an owned callback moved without its owner is refused.
    const res = await fetch(`${fake.baseUrl}/api/v2/conversations/callbacks`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fake.requestsTo('rescheduleCallback')[0]!.token}` },
      body: JSON.stringify({ conversationId: owned, callbackScheduledTime: '2030-05-06T07:08:09.000Z' }),
    });
    expect(res.status).toBe(400);
    // A conversation Genesys no longer has: the PATCH's 404, not the lookup's.
    await expect(gateway.rescheduleCallback('gone', new Date('2030-05-06T07:08:09Z'))).rejects.toMatchObject({ status: 404 });
  });

  it('reschedules, prioritizes and cancels with the endpoints and bodies Genesys expects', async () => {
    const { fake, gateway } = await setup();
    const { conversationId: id } = await gateway.createCallback({ queueId: 'q-1', callbackNumbers: ['+13175550100'], data: {} });
    await gateway.rescheduleCallback(id, new Date('2030-05-06T07:08:09Z'));
    await gateway.setConversationPriority(id, 500);
    await gateway.cancelCallback(id);
    const [reschedule] = fake.requestsTo('rescheduleCallback');
    expect(reschedule).toMatchObject({ method: 'PATCH', path: '/api/v2/conversations/callbacks' });
    expect(reschedule?.body).toEqual({ conversationId: id, callbackScheduledTime: '2030-05-06T07:08:09.000Z' });
    expect(fake.requestsTo('setPriority')[0]).toMatchObject({ path: `/api/v2/routing/conversations/${id}`, body: { priority: 500 } });
    expect(fake.requestsTo('cancelCallback')[0]).toMatchObject({
      method: 'PATCH',
      path: `/api/v2/conversations/callbacks/${id}`,
      body: { state: 'disconnected' },
    });
    const snapshot = await gateway.getConversation(id);
    expect(snapshot?.participants.every((p) => p.callbackStates.every((s) => s === 'disconnected'))).toBe(true);
  });

  it('maps a conversation: purpose, state from communications, user, queue, callback states, routing priority; 404 → null', async () => {
    const { fake, gateway } = await setup();
    const id = fake.seedConversation({
      participants: [
        { id: 'p-cust', purpose: 'customer', callbacks: [{ state: 'connected' }] },
        { id: 'p-acd', purpose: 'acd', queueId: 'q-9', callbacks: [{ state: 'disconnected' }], conversationRoutingData: { priority: 7 } },
        { id: 'p-agent', purpose: 'agent', userId: 'u-1', queueId: 'q-9', calls: [{ state: 'alerting' }] },
      ],
    });
    expect(await gateway.getConversation(id)).toEqual({
      id,
      participants: [
        { id: 'p-cust', purpose: 'customer', state: 'connected', userId: null, queueId: null, callbackStates: ['connected'], priority: null },
        { id: 'p-acd', purpose: 'acd', state: 'disconnected', userId: null, queueId: 'q-9', callbackStates: ['disconnected'], priority: 7 },
        { id: 'p-agent', purpose: 'agent', state: 'alerting', userId: 'u-1', queueId: 'q-9', callbackStates: [], priority: null },
      ],
    });
    expect(await gateway.getConversation('no-such-conversation')).toBeNull();
  });

  it('adds contacts with the query flags and body shape, and reads call records; 404 → null', async () => {
    const { fake, gateway } = await setup();
    await gateway.addContacts('list-1', [{ id: 'c-1', data: { Phone: '+13175550100' } }, { data: { Phone: '+13175550101' }, callable: false }], {
      priority: true,
      clearSystemData: false,
      doNotQueue: true,
    });
    const [req] = fake.requestsTo('addContacts');
    expect(req?.path).toBe('/api/v2/outbound/contactlists/list-1/contacts');
    expect(req?.query).toEqual({ priority: 'true', clearSystemData: 'false', doNotQueue: 'true' });
    expect(req?.body).toEqual([
      { id: 'c-1', contactListId: 'list-1', data: { Phone: '+13175550100' }, callable: true },
      { contactListId: 'list-1', data: { Phone: '+13175550101' }, callable: false },
    ]);

    fake.seedContact({
      id: 'c-2',
      contactListId: 'list-1',
      data: { Phone: '+13175550102' },
      callRecords: { Phone: { lastAttempt: '2030-01-01T10:00:00.000Z', lastResult: 'ININ-OUTBOUND-PREVIEW-SKIPPED' } },
    });
    expect(await gateway.getContact('list-1', 'c-2')).toEqual({
      id: 'c-2',
      contactListId: 'list-1',
      data: { Phone: '+13175550102' },
      callable: true,
      callRecords: { Phone: { lastAttempt: '2030-01-01T10:00:00.000Z', lastResult: 'ININ-OUTBOUND-PREVIEW-SKIPPED' } },
    });
    expect(await gateway.getContact('list-1', 'missing')).toBeNull();
  });

  it('finds a callback we created by our id in its participant data, null when there is none', async () => {
    const { fake, gateway } = await setup();
    const since = new Date();
    const numbers = ['+13175550100'];
    const created = await gateway.createCallback({ queueId: 'q-1', callbackNumbers: numbers, data: { callbackEngineId: 'cb-42' } });
    await gateway.createCallback({ queueId: 'q-1', callbackNumbers: numbers, data: { callbackEngineId: 'cb-43' } });
    expect(await gateway.findCallback('q-1', 'cb-42', since)).toEqual(created);
    expect(await gateway.findCallback('q-1', 'cb-44', since)).toBeNull();
    expect(await gateway.findCallback('q-2', 'cb-42', since)).toBeNull();
    const [query] = fake.requestsTo('conversationDetailsQuery');
    expect(query?.path).toBe('/api/v2/analytics/conversations/details/query');
    expect(query?.body).toMatchObject({
      segmentFilters: expect.arrayContaining([
        { type: 'and', predicates: [{ type: 'property', propertyType: 'string', property: 'callbackEngineId', operator: 'matches', value: 'cb-42' }] },
      ]),
    });
  });

  it('reads the estimated wait time, null when Genesys has no estimate', async () => {
    const { fake, gateway } = await setup();
    fake.setEstimatedWait('q-1', 'callback', 95);
    expect(await gateway.estimatedWaitTime('q-1', 'callback')).toBe(95);
    expect(await gateway.estimatedWaitTime('q-1', 'call')).toBeNull();
    expect(fake.requestsTo('estimatedWaitTime')[0]?.path).toBe('/api/v2/routing/queues/q-1/mediatypes/callback/estimatedwaittime');
  });

  it('rejects a request the fake finds malformed with a non-retryable 400', async () => {
    const { gateway } = await setup();
    const err = await failure(gateway.createCallback({ queueId: 'q-1', callbackNumbers: [], data: {} }));
    expect(err).toMatchObject({ status: 400, code: 'bad.request', retryable: false });
  });

  it('turns the SDK’s thrown strings (missing arguments) into GenesysErrors', async () => {
    const { gateway } = await setup();
    expect(await failure(gateway.getConversation(''))).toMatchObject({ code: 'invalid_argument', retryable: false });
  });

  it('ignores HTTP(S)_PROXY', async () => {
    const { fake, gateway } = await setup();
    const id = seedCallback(fake);
    const saved = { http: process.env.HTTP_PROXY, https: process.env.HTTPS_PROXY };
    process.env.HTTP_PROXY = process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
    try {
      expect((await gateway.getConversation(id))?.id).toBe(id);
    } finally {
      for (const [k, v] of [['HTTP_PROXY', saved.http], ['HTTPS_PROXY', saved.https]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('sdk gateway: secrets', () => {
  it('errors and logs never contain the client secret or an access token', async () => {
    const { fake, gateway, logs } = await setup({ timeoutMs: 1_000, maxRetries: 1 });
    const id = seedCallback(fake);
    await gateway.getConversation(id);
    fake.failNext('getConversation', [{ status: 500 }]);
    fake.failNext('setPriority', [{ status: 401 }, { status: 401 }]);
    fake.failNext('getContact', [{ status: 429, retryAfter: 0 }, { status: 429, retryAfter: 0 }]);
    fake.hold('estimatedWaitTime');
    const errors = [
      await failure(gateway.getConversation(id)),
      await failure(gateway.setConversationPriority(id, 1)),
      await failure(gateway.getContact('l', 'c')),
      await failure(gateway.estimatedWaitTime('q-1', 'call')),
      await failure(gateway.createCallback({ queueId: 'q', callbackNumbers: [], data: {} })),
    ];
    const text = [
      ...errors.flatMap((e) => [inspect(e, { showHidden: true, depth: 10 }), JSON.stringify(e), String(e), e.stack]),
      ...logs,
    ].join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [fake.clientSecret, ...fake.issuedTokens]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/Bearer [A-Za-z0-9]/);
  });
});

describe('resolveRegion', () => {
  it('accepts region keys and hosts, rejects anything else naming the variable', () => {
    expect(resolveRegion('eu_west_1')).toBe('mypurecloud.ie');
    expect(resolveRegion('us-west-2')).toBe('usw2.pure.cloud');
    expect(resolveRegion('mypurecloud.ie')).toBe('mypurecloud.ie');
    expect(resolveRegion('https://api.usw2.pure.cloud/')).toBe('usw2.pure.cloud');
    expect(() => resolveRegion('not a region')).toThrow(ConfigError);
  });
});
