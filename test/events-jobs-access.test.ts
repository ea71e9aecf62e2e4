import { createCaches } from '../src/context.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverCallback } from '../src/callbacks/tasks.js';
import { systemClock } from '../src/clock.js';
import { createSimulatedGateway } from '../src/genesys/simulated-gateway.js';
import { jobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { authHeader, buildTestApp, makeClient, tokenFor, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

/**
 * Queue allow-lists on events, aging tracks, preview contacts and simulated Genesys calls: a client
 * restricted to queue A neither reads nor changes what belongs to queue B.
 */

let t: TestApp;
let admin: { authorization: string };
let actions: { authorization: string };
let n = 0;
const uid = () => `${Date.now().toString(36)}-${++n}`;

beforeAll(async () => {
  t = await buildTestApp();
  admin = (await authHeader(t, ['administrator'])).headers;
  actions = (await authHeader(t, ['actions'])).headers;
});
afterAll(async () => t.close());

const worker = () => jobContext({ db: t.database.db, gateway: createSimulatedGateway(t.database.db), clock: systemClock, caches: createCaches(), logger: createLogger('silent') });

/** Two queues with priority aging, A and B, each with its Genesys queue id. */
async function twoQueues() {
  const policy = await t.app.inject({
    method: 'POST',
    url: '/admin/v1/prioritization-policies',
    headers: admin,
    payload: { name: `p-${uid()}`, mode: 'step', intervalSeconds: 300, increment: 5, maxSteps: 5, maxPriority: 100 },
  });
  expect(policy.statusCode, policy.body).toBe(201);
  const make = (label: string) => factories(t.database.db).queue({ name: `${label}-${uid()}`, genesysQueueId: `gq-${label}-${uid()}`, prioritizationPolicyId: policy.json().id });
  return { qa: await make('A'), qb: await make('B') };
}

/** A callback in `queue`, delivered to (simulated) Genesys: its conversation id. */
async function deliveredCallback(queue: { name: string }, phone: string) {
  const created = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queue.name, phoneNumber: phone } });
  expect(created.statusCode, created.body).toBe(200);
  const callbackId = created.json().callbackId as string;
  await deliverCallback(worker(), { callbackId }, { job: { attempts: 1, max_attempts: 25 } as never });
  const row = await t.database.db.selectFrom('callbacks').select(['genesys_conversation_id']).where('id', '=', callbackId).executeTakeFirstOrThrow();
  return { callbackId, conversationId: row.genesys_conversation_id! };
}

async function clientFor(roles: Parameters<typeof authHeader>[1], queues: string[]) {
  const name = `client-${uid()}`;
  const client = await makeClient(t, roles, { name, queues });
  return { id: client.clientId, name, headers: { authorization: `Bearer ${await tokenFor(t, client)}` } };
}

const state = async (callbackId: string) => (await t.database.db.selectFrom('callbacks').select('state').where('id', '=', callbackId).executeTakeFirstOrThrow()).state;
const history = (callbackId: string) => t.database.db.selectFrom('callback_history').selectAll().where('callback_id', '=', callbackId).orderBy('id').execute();

describe('events from a client restricted to queue A', () => {
  it('an events client limited to QA cannot complete a QB callback with acd.end: IGNORED, nothing changed', async () => {
    const { qa, qb } = await twoQueues();
    const { callbackId, conversationId } = await deliveredCallback(qb, '+12025550101');
    const eventsA = await clientFor(['events'], [qa.name]);
    const before = await history(callbackId);
    const stateBefore = await state(callbackId);

    const event = { conversationId, acdOutcome: 'ABANDON', eventTime: Date.now() };
    const res = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-end', headers: eventsA.headers, payload: event });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: true, action: 'IGNORED' });
    expect(await state(callbackId)).toBe(stateBefore);
    expect(await history(callbackId)).toEqual(before);
    // The ignored event is not recorded as processed: QB's own client still gets it through.
    const eventsB = await clientFor(['events'], [qb.name]);
    const again = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-end', headers: eventsB.headers, payload: event });
    expect(again.json().action).not.toBe('DUPLICATE');
    expect(await state(callbackId)).toBe('COMPLETED');
  });

  it('cannot move a QB callback with acd.start or user.end either', async () => {
    const { qa, qb } = await twoQueues();
    const { callbackId, conversationId } = await deliveredCallback(qb, '+12025550102');
    const eventsA = await clientFor(['events'], [qa.name]);
    const stateBefore = await state(callbackId);
    // Even naming its own queue: the conversation's callback is QB's.
    const start = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-start', headers: eventsA.headers, payload: { conversationId, mediaType: 'CALLBACK', queueId: qa.genesysQueueId } });
    expect(start.json().action).toBe('IGNORED');
    const end = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-user-end', headers: eventsA.headers, payload: { conversationId, userId: 'agent-1' } });
    expect(end.json()).toMatchObject({ action: 'IGNORED', retryAt: '' });
    expect(await state(callbackId)).toBe(stateBefore);
    expect((await history(callbackId)).map((h) => h.event)).not.toContain('user.end');
    expect(await t.database.db.selectFrom('aging_tracks').select('conversation_id').where('conversation_id', '=', conversationId).executeTakeFirst()).toBeUndefined();
  });

  it('QB’s callback history records the acting events client (its id, and its name beside it), not a constant', async () => {
    const { qb } = await twoQueues();
    const { callbackId, conversationId } = await deliveredCallback(qb, '+12025550103');
    const eventsB = await clientFor(['events'], [qb.name]);
    const res = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-end', headers: eventsB.headers, payload: { conversationId, acdOutcome: 'ANSWERED', eventTime: Date.now() } });
    expect(res.statusCode).toBe(200);
    const entry = (await history(callbackId)).find((h) => h.event === 'acd.end');
    expect(entry).toMatchObject({ actor: eventsB.id, to_state: 'PROCESSING' });
    // The client's name where history keeps one (the acting client's name column).
    if ('actor_name' in entry!) expect((entry as Record<string, unknown>).actor_name).toBe(eventsB.name);
  });

  it('cannot start aging for a QB queue, nor stop a QB track; QA events still work', async () => {
    const { qa, qb } = await twoQueues();
    const eventsA = await clientFor(['events'], [qa.name]);
    const eventsAll = await clientFor(['events'], [qa.name, qb.name]);
    const convB = `conv-b-${uid()}`;
    const refused = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-start', headers: eventsA.headers, payload: { conversationId: convB, mediaType: 'CALLBACK', queueId: qb.genesysQueueId } });
    expect(refused.json().action).toBe('IGNORED');
    expect(await t.database.db.selectFrom('aging_tracks').select('status').where('conversation_id', '=', convB).executeTakeFirst()).toBeUndefined();

    const started = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-start', headers: eventsAll.headers, payload: { conversationId: convB, mediaType: 'CALLBACK', queueId: qb.genesysQueueId } });
    expect(started.json().action).toBe('TRACKING_STARTED');
    const stop = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-end', headers: eventsA.headers, payload: { conversationId: convB, acdOutcome: 'ANSWERED' } });
    expect(stop.json().action).toBe('IGNORED');
    expect((await t.database.db.selectFrom('aging_tracks').select('status').where('conversation_id', '=', convB).executeTakeFirstOrThrow()).status).toBe('ACTIVE');

    const convA = `conv-a-${uid()}`;
    const own = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-start', headers: eventsA.headers, payload: { conversationId: convA, mediaType: 'CALLBACK', queueId: qa.genesysQueueId } });
    expect(own.json().action).toBe('TRACKING_STARTED');
    expect((await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-end', headers: eventsA.headers, payload: { conversationId: convA, acdOutcome: 'ANSWERED' } })).json().action).toBe('TRACKING_STOPPED');
  });

  it('an acd.end before its acd.start from a client limited to QA leaves a stopped track only in a queue of its own: naming none, it cannot keep QB’s later start from aging', async () => {
    const { qa, qb } = await twoQueues();
    const eventsA = await clientFor(['events'], [qa.name]);
    const eventsAll = await clientFor(['events'], [qa.name, qb.name]);
    const end = (conversationId: string, extra: object = {}) =>
      t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-end', headers: eventsA.headers, payload: { conversationId, acdOutcome: 'ANSWERED', ...extra } });
    const start = (conversationId: string, queueId: string | null, headers: { authorization: string }) =>
      t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-start', headers, payload: { conversationId, mediaType: 'CALLBACK', queueId } });
    const track = (conversationId: string) => t.database.db.selectFrom('aging_tracks').select(['status', 'queue_id']).where('conversation_id', '=', conversationId).executeTakeFirst();

    const convB = `conv-b-${uid()}`;
    expect((await end(convB)).json().action).toBe('IGNORED');
    expect(await track(convB)).toBeUndefined();
    expect((await start(convB, qb.genesysQueueId, eventsAll.headers)).json().action).toBe('TRACKING_STARTED');
    expect(await track(convB)).toEqual({ status: 'ACTIVE', queue_id: qb.id });

    // Naming its own queue, the early end does leave the stopped track there: the late start does nothing.
    const convA = `conv-a-${uid()}`;
    expect((await end(convA, { queueId: qa.genesysQueueId })).json().action).toBe('IGNORED');
    expect(await track(convA)).toEqual({ status: 'STOPPED', queue_id: qa.id });
    expect((await start(convA, qa.genesysQueueId, eventsA.headers)).json().action).toBe('IGNORED');
  });
});

describe('reads scoped by the allow-list', () => {
  it('a monitor limited to QA cannot read QB’s simulated calls (numbers and names), and still reads QA’s', async () => {
    const { qa, qb } = await twoQueues();
    const a = await deliveredCallback(qa, '+12025550111');
    const b = await deliveredCallback(qb, '+12025550112');
    const monitorA = await clientFor(['monitor'], [qa.name]);
    const res = await t.app.inject({ method: 'GET', url: '/admin/v1/genesys/simulated-calls?limit=250', headers: monitorA.headers });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { request: Record<string, unknown>; response: Record<string, unknown> | null }[];
    expect(items.some((c) => c.request.queueId === qb.genesysQueueId || c.response?.conversationId === b.conversationId)).toBe(false);
    expect(items.some((c) => c.request.queueId === qa.genesysQueueId && c.response?.conversationId === a.conversationId)).toBe(true);
    expect(JSON.stringify(items)).not.toContain('+12025550112');
    // An unrestricted monitor sees both.
    const monitor = (await authHeader(t, ['monitor'])).headers;
    const all = (await t.app.inject({ method: 'GET', url: '/admin/v1/genesys/simulated-calls?limit=250', headers: monitor })).json().items as { request: Record<string, unknown> }[];
    expect(all.some((c) => c.request.queueId === qb.genesysQueueId)).toBe(true);
  });

  it('aging tracks: a client limited to QA lists only QA’s and gets 403 for QB’s', async () => {
    const { qa, qb } = await twoQueues();
    const eventsAll = await clientFor(['events'], [qa.name, qb.name]);
    const convA = `track-a-${uid()}`;
    const convB = `track-b-${uid()}`;
    for (const [conversationId, queue] of [[convA, qa], [convB, qb]] as const) {
      const res = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-start', headers: eventsAll.headers, payload: { conversationId, mediaType: 'CALLBACK', queueId: queue.genesysQueueId } });
      expect(res.json().action).toBe('TRACKING_STARTED');
    }
    const monitorA = await clientFor(['monitor'], [qa.name]);
    const listed = (await t.app.inject({ method: 'GET', url: '/admin/v1/aging-tracks?limit=250', headers: monitorA.headers })).json().items as { conversationId: string }[];
    expect(listed.map((x) => x.conversationId)).toContain(convA);
    expect(listed.map((x) => x.conversationId)).not.toContain(convB);
    expect((await t.app.inject({ method: 'GET', url: `/admin/v1/aging-tracks/${convA}`, headers: monitorA.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/admin/v1/aging-tracks/${convB}`, headers: monitorA.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `/admin/v1/aging-tracks/${convB}`, headers: admin })).statusCode).toBe(200);
  });

  it('preview contacts belong to no queue of ours: a restricted client lists none and gets 403 for one', async () => {
    const { qa } = await twoQueues();
    const events = (await authHeader(t, ['events'])).headers;
    const phone = '+12025550199';
    const accepted = await t.app.inject({ method: 'POST', url: '/events/v1/preview-accepted', headers: events, payload: { conversationId: `prev-${uid()}`, phoneNumber: phone, contactId: `c-${uid()}`, contactListId: 'list-1' } });
    expect(accepted.json().action).toBe('RECORDED');
    const [contact] = (await t.app.inject({ method: 'GET', url: '/admin/v1/preview-contacts?phone=12025550199', headers: admin })).json().items as { id: string }[];
    expect(contact).toBeDefined();
    const monitorA = await clientFor(['monitor'], [qa.name]);
    expect((await t.app.inject({ method: 'GET', url: '/admin/v1/preview-contacts?phone=12025550199', headers: monitorA.headers })).json().items).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: `/admin/v1/preview-contacts/${contact!.id}`, headers: monitorA.headers })).statusCode).toBe(403);
  });
});
