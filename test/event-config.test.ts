import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

let t: TestApp;
let admin: { authorization: string };
let monitor: { authorization: string };
beforeAll(async () => {
  t = await buildTestApp();
  admin = (await authHeader(t, ['administrator'])).headers;
  monitor = (await authHeader(t, ['monitor'])).headers;
});
afterAll(async () => t.close());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object, headers = admin) =>
  t.app.inject({ method, url: `/admin/v1${url}`, headers, ...(payload && { payload }) });

describe('configuration of events', () => {
  it('prioritization policies: interval ≥ 30 s, shown with their queues, not deletable while assigned, audited', async () => {
    expect((await call('POST', '/prioritization-policies', { name: 'fast', mode: 'step', intervalSeconds: 29, maxSteps: 5, maxPriority: 10 })).json().field).toBe('intervalSeconds');
    const policy = (await call('POST', '/prioritization-policies', { name: 'every minute', mode: 'age', intervalSeconds: 60, maxSteps: 30, maxPriority: 500 })).json();
    expect(policy).toMatchObject({ mode: 'age', initialDelaySeconds: 0, increment: 1, pointsPerMinute: 1, queues: [] });
    const queue = await factories(t.database.db).queue({ prioritizationPolicyId: policy.id });
    expect((await call('GET', `/prioritization-policies/${policy.id}`, undefined, monitor)).json().queues).toEqual([{ id: queue.id, name: queue.name }]);
    const refused = await call('DELETE', `/prioritization-policies/${policy.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().details.queues).toEqual([{ id: queue.id, name: queue.name }]);
    expect((await call('PATCH', `/prioritization-policies/${policy.id}`, { intervalSeconds: 120 })).json().intervalSeconds).toBe(120);
    const audit = (await call('GET', `/audit?entity=prioritization-policy&entityId=${policy.id}`)).json().items;
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['update', 'create']);
    expect((await call('POST', '/prioritization-policies', { name: 'x', mode: 'step', intervalSeconds: 60, maxSteps: 1, maxPriority: 1 }, monitor)).statusCode).toBe(403);
  });

  it('retry policies: one per wrap-up code (409), wait 1–86,400 s, attempts 0–20', async () => {
    const first = await call('POST', '/retry-policies', { name: 'skipped', match: 'ININ-OUTBOUND-PREVIEW-SKIPPED', waitSeconds: 240, maxAttempts: 3 });
    expect(first.statusCode).toBe(201);
    expect((await call('POST', '/retry-policies', { name: 'again', match: 'ININ-OUTBOUND-PREVIEW-SKIPPED', waitSeconds: 60, maxAttempts: 1 })).statusCode).toBe(409);
    expect((await call('POST', '/retry-policies', { name: 'w0', match: 'A', waitSeconds: 0, maxAttempts: 1 })).json().field).toBe('waitSeconds');
    expect((await call('POST', '/retry-policies', { name: 'w1', match: 'B', waitSeconds: 86_401, maxAttempts: 1 })).json().field).toBe('waitSeconds');
    expect((await call('POST', '/retry-policies', { name: 'a21', match: 'C', waitSeconds: 60, maxAttempts: 21 })).json().field).toBe('maxAttempts');
    expect((await call('DELETE', `/retry-policies/${first.json().id}`)).statusCode).toBe(204);
    expect((await call('GET', `/retry-policies/${first.json().id}`)).statusCode).toBe(404);
    expect((await call('GET', '/retry-policies')).json().items.map((p: { id: string }) => p.id)).not.toContain(first.json().id);
  });

  it('preview-retry criteria default to the seed’s four and can be changed', async () => {
    expect((await call('GET', '/settings/preview-retries', undefined, monitor)).json()).toEqual({
      criteria: { disconnectType: 'CLIENT', mediaType: 'CALLBACK', provider: 'PureCloud Callback', direction: 'OUTBOUND' },
      wrapupColumn: null,
    });
    const changed = await call('PUT', '/settings/preview-retries', { criteria: { mediaType: 'CALLBACK' }, wrapupColumn: 'Wrapup' });
    expect(changed.json()).toEqual({ criteria: { mediaType: 'CALLBACK' }, wrapupColumn: 'Wrapup' });
    const { headers: events } = await authHeader(t, ['events']);
    const res = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-user-end', headers: events, payload: { conversationId: 'c1', mediaType: 'CALLBACK', disconnectType: 'ENDPOINT', callbackNumber: '+15550001111' } });
    expect(res.json().action).toBe('NO_MATCH'); // eligible under the new criteria, no preview recorded
    expect((await call('PUT', '/settings/preview-retries', { criteria: { 'bad key': 'x' }, wrapupColumn: null })).statusCode).toBe(400);
  });

  it('campaigns with callbacks cannot be deleted', async () => {
    const c = (await call('POST', '/campaigns', { name: 'keep', contactListId: 'l1', phoneColumn: 'Phone' })).json();
    expect(c).toMatchObject({ nameColumn: null, extraColumns: {}, maxDelaySeconds: 86_400, maxPendingPerNumber: 1 });
    const { headers: actions } = await authHeader(t, ['actions']);
    await t.app.inject({ method: 'POST', url: '/actions/v1/campaign-callbacks', headers: actions, payload: { campaign: 'keep', phoneNumber: '+12024561111' } });
    expect((await call('DELETE', `/campaigns/${c.id}`)).statusCode).toBe(409);
    expect((await call('GET', `/campaigns/${c.id}`)).json()).toMatchObject({ id: c.id, name: 'keep' });
    const empty = (await call('POST', '/campaigns', { name: 'drop', contactListId: 'l2', phoneColumn: 'Phone' })).json();
    expect((await call('DELETE', `/campaigns/${empty.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/campaigns/${empty.id}`)).statusCode).toBe(404);
  });
});

describe('events move our callback records along', () => {
  async function delivered(conversationId: string) {
    const queue = await factories(t.database.db).queue({ genesysQueueId: `gq-${conversationId}` });
    const { headers } = await authHeader(t, ['actions']);
    const created = (await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers, payload: { queue: queue.name, phoneNumber: '+12024561111' } })).json();
    await t.database.db.updateTable('callbacks').set({ state: 'SCHEDULED', genesys_conversation_id: conversationId, delivery_status: 'DELIVERED' }).where('id', '=', created.callbackId).execute();
    return created.callbackId as string;
  }
  const state = async (id: string) => t.database.db.selectFrom('callbacks').select(['state', 'completion_reason']).where('id', '=', id).executeTakeFirstOrThrow();

  it('acd.start → QUEUED, acd.end ANSWERED → PROCESSING, the agent’s user.end → COMPLETED/HANDLED, each in the history', async () => {
    const { headers: events } = await authHeader(t, ['events']);
    const id = await delivered('conv-handled');
    const send = (path: string, payload: object) => t.app.inject({ method: 'POST', url: `/events/v1/${path}`, headers: events, payload: { conversationId: 'conv-handled', eventTime: Date.now(), ...payload } });
    await send('conversation-acd-start', { participantId: 'acd', mediaType: 'CALLBACK', queueId: 'gq-conv-handled' });
    expect(await state(id)).toEqual({ state: 'QUEUED', completion_reason: null });
    await send('conversation-acd-end', { participantId: 'acd', acdOutcome: 'ANSWERED' });
    expect(await state(id)).toEqual({ state: 'PROCESSING', completion_reason: null });
    await send('conversation-user-end', { participantId: 'agent', userId: 'agent-1', disconnectType: 'ENDPOINT', interactingDurationMs: 95_000 });
    expect(await state(id)).toEqual({ state: 'COMPLETED', completion_reason: 'HANDLED' });
    const history = await t.database.db.selectFrom('callback_history').select(['event', 'to_state']).where('callback_id', '=', id).orderBy('id').execute();
    expect(history.map((h) => `${h.event}:${h.to_state}`)).toEqual(['created:QUEUED', 'acd.start:QUEUED', 'acd.end:PROCESSING', 'user.end:COMPLETED']);
  });

  it('acd.end ABANDON completes the callback as ABANDONED, and an answer arriving before the start still wins', async () => {
    const { headers: events } = await authHeader(t, ['events']);
    const abandoned = await delivered('conv-abandon');
    await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-end', headers: events, payload: { conversationId: 'conv-abandon', participantId: 'acd', eventTime: Date.now(), acdOutcome: 'ABANDON' } });
    expect(await state(abandoned)).toEqual({ state: 'COMPLETED', completion_reason: 'ABANDONED' });

    const early = await delivered('conv-early');
    await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-end', headers: events, payload: { conversationId: 'conv-early', participantId: 'acd', eventTime: Date.now() + 1000, acdOutcome: 'ANSWERED' } });
    await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-start', headers: events, payload: { conversationId: 'conv-early', participantId: 'acd', eventTime: Date.now(), mediaType: 'CALLBACK' } });
    expect(await state(early)).toEqual({ state: 'PROCESSING', completion_reason: null });
  });
});
