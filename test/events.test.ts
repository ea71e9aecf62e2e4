import { sql } from 'kysely';
import { createCaches } from '../src/context.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agingCheck } from '../src/aging/tracks.js';
import { jobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { resubmitContact } from '../src/retries/service.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { genesysFixture } from './helpers/fixtures.js';
import { gatewayFor } from './helpers/worker.js';
import { startFakeGenesys, type FakeGenesys, type FakeParticipant } from './helpers/fake-genesys.js';

const acdStartFixture = genesysFixture('acd-start-callback.json');
const userEndFixture = genesysFixture('user-end-preview.json');

const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let fake: FakeGenesys;
let events: { authorization: string };
let admin: { authorization: string };
let deps: Parameters<typeof agingCheck>[0];
beforeAll(async () => {
  fake = await startFakeGenesys();
  const gateway = gatewayFor(fake);
  t = await buildTestApp({ clock, gateway, env: { DATABASE_POOL_MAX: '30' } });
  events = (await authHeader(t, ['events'])).headers;
  admin = (await authHeader(t, ['administrator'])).headers;
  deps = jobContext({ db: t.database.db, gateway, clock, caches: createCaches(), logger: createLogger('silent') });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const post = (path: string, payload: object) => t.app.inject({ method: 'POST', url: `/events/v1/${path}`, headers: events, payload });
const jobs = async (task: string) =>
  (
    await sql<{ key: string; run_at: Date; payload: Record<string, string> }>`
      select j.key, j.run_at, j.payload from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = ${task}`.execute(t.database.db)
  ).rows;
let n = 0;
const uid = () => `${Date.now().toString(16)}-${++n}`;

const waiting = (queueId: string): FakeParticipant[] => [
  { purpose: 'customer', callbacks: [{ state: 'connected' }] },
  { purpose: 'acd', queueId, callbacks: [{ state: 'connected' }] },
];

async function agingQueue(policy: object) {
  const p = await t.app.inject({ method: 'POST', url: '/admin/v1/prioritization-policies', headers: admin, payload: { name: `p-${uid()}`, ...policy } });
  expect(p.statusCode, p.body).toBe(201);
  const genesysQueueId = `gq-${uid()}`;
  await factories(t.database.db).queue({ genesysQueueId, prioritizationPolicyId: p.json().id });
  return genesysQueueId;
}

describe('priority aging (seed 001)', () => {
  it('on acd.start of a callback starts one track and schedules the first check after the initial delay', async () => {
    const queueId = await agingQueue({ mode: 'step', initialDelaySeconds: 300, intervalSeconds: 300, increment: 5, maxSteps: 5, maxPriority: 100 });
    const conversationId = fake.seedConversation({ participants: waiting(queueId) });
    const event = { ...acdStartFixture, conversationId, queueId, eventTime: clock.now().getTime() };
    const first = await post('conversation-acd-start', event);
    expect(first.json()).toMatchObject({ accepted: true, action: 'TRACKING_STARTED' });
    // A second start of the same conversation (another participant or a redelivery) starts nothing.
    expect((await post('conversation-acd-start', { ...event, participantId: 'other' })).json().action).toBe('IGNORED');
    expect((await post('conversation-acd-start', event)).json().action).toBe('DUPLICATE');
    const scheduled = (await jobs('aging-check')).filter((j) => j.key === `aging:${conversationId}`);
    expect(scheduled).toHaveLength(1);
    expect(new Date(scheduled[0]!.run_at).getTime()).toBe(clock.now().getTime() + 300_000);
  });

  it('step mode: raises the priority each check until an agent answers, then stops', async () => {
    const queueId = await agingQueue({ mode: 'step', initialDelaySeconds: 300, intervalSeconds: 300, increment: 5, maxSteps: 5, maxPriority: 100 });
    const conversationId = fake.seedConversation({ participants: waiting(queueId) });
    await post('conversation-acd-start', { ...acdStartFixture, conversationId, queueId, routingPriority: 2, eventTime: clock.now().getTime() });
    for (let i = 0; i < 2; i++) {
      clock.advance(300_000);
      await agingCheck(deps, { conversationId });
    }
    const patches = fake.requestsTo('setPriority').filter((r) => r.path.includes(conversationId));
    expect(patches.map((r) => (r.body as { priority: number }).priority)).toEqual([7, 12]);
    // The fake now reports an agent connected: the next check stops the track.
    fake.conversations.get(conversationId)!.participants.push({ purpose: 'agent', userId: 'agent-1', calls: [{ state: 'connected' }], callbacks: [{ state: 'connected' }] });
    clock.advance(300_000);
    await agingCheck(deps, { conversationId });
    const track = (await t.app.inject({ method: 'GET', url: `/admin/v1/aging-tracks/${conversationId}`, headers: admin })).json();
    expect(track).toMatchObject({ status: 'STOPPED', stopReason: 'ANSWERED', steps: 2, currentPriority: 12 });
    expect(track.history.map((h: { priority: number }) => h.priority)).toEqual([7, 12]);
    expect(fake.requestsTo('setPriority').filter((r) => r.path.includes(conversationId))).toHaveLength(2);
  });

  it('respects the step cap and the priority cap', async () => {
    const steps = await agingQueue({ mode: 'step', intervalSeconds: 60, increment: 10, maxSteps: 3, maxPriority: 1000 });
    const stepsConv = fake.seedConversation({ participants: waiting(steps) });
    await post('conversation-acd-start', { ...acdStartFixture, conversationId: stepsConv, queueId: steps, eventTime: clock.now().getTime() });
    for (let i = 0; i < 5; i++) await agingCheck(deps, { conversationId: stepsConv });
    const s = (await t.app.inject({ method: 'GET', url: `/admin/v1/aging-tracks/${stepsConv}`, headers: admin })).json();
    expect(s).toMatchObject({ status: 'STOPPED', stopReason: 'MAX_STEPS', steps: 3, currentPriority: 30 });

    const cap = await agingQueue({ mode: 'step', intervalSeconds: 60, increment: 40, maxSteps: 10, maxPriority: 100 });
    const capConv = fake.seedConversation({ participants: waiting(cap) });
    await post('conversation-acd-start', { ...acdStartFixture, conversationId: capConv, queueId: cap, eventTime: clock.now().getTime() });
    for (let i = 0; i < 5; i++) await agingCheck(deps, { conversationId: capConv });
    const c = (await t.app.inject({ method: 'GET', url: `/admin/v1/aging-tracks/${capConv}`, headers: admin })).json();
    expect(c).toMatchObject({ status: 'STOPPED', stopReason: 'PRIORITY_CAP', steps: 3, currentPriority: 100 });
    expect(c.history.map((h: { priority: number }) => h.priority)).toEqual([40, 80, 100]);
  });

  it('age mode: priority = base + minutes waited × points per minute', async () => {
    const queueId = await agingQueue({ mode: 'age', intervalSeconds: 60, basePriority: 10, pointsPerMinute: 2, maxSteps: 100, maxPriority: 10_000 });
    const conversationId = fake.seedConversation({ participants: waiting(queueId) });
    const started = clock.now();
    await post('conversation-acd-start', { ...acdStartFixture, conversationId, queueId, eventTime: started.getTime() });
    clock.set(new Date(started.getTime() + 90_000)); // 1.5 minutes
    await agingCheck(deps, { conversationId });
    clock.set(new Date(started.getTime() + 10 * 60_000));
    await agingCheck(deps, { conversationId });
    const priorities = fake.requestsTo('setPriority').filter((r) => r.path.includes(conversationId)).map((r) => (r.body as { priority: number }).priority);
    expect(priorities).toEqual([13, 30]);
  });

  it('stops when the conversation is gone (404) or the callback left the queue', async () => {
    const queueId = await agingQueue({ mode: 'step', intervalSeconds: 60, maxSteps: 10, maxPriority: 100 });
    const gone = `missing-${uid()}`;
    await post('conversation-acd-start', { ...acdStartFixture, conversationId: gone, queueId, eventTime: clock.now().getTime() });
    await agingCheck(deps, { conversationId: gone });
    expect((await t.app.inject({ method: 'GET', url: `/admin/v1/aging-tracks/${gone}`, headers: admin })).json().stopReason).toBe('NOT_FOUND');
    const left = fake.seedConversation({ participants: [{ purpose: 'customer', callbacks: [{ state: 'disconnected' }] }, { purpose: 'acd', queueId, callbacks: [{ state: 'disconnected' }] }] });
    await post('conversation-acd-start', { ...acdStartFixture, conversationId: left, queueId, eventTime: clock.now().getTime() });
    await agingCheck(deps, { conversationId: left });
    expect((await t.app.inject({ method: 'GET', url: `/admin/v1/aging-tracks/${left}`, headers: admin })).json().stopReason).toBe('DISCONNECTED');
  });

  it('an acd.end before the acd.start leaves no track running', async () => {
    const queueId = await agingQueue({ mode: 'step', intervalSeconds: 60, maxSteps: 10, maxPriority: 100 });
    const conversationId = fake.seedConversation({ participants: waiting(queueId) });
    const end = await post('conversation-acd-end', { conversationId, participantId: 'p1', eventTime: clock.now().getTime() + 1000, acdOutcome: 'ANSWERED' });
    expect(end.json().action).toBe('IGNORED');
    const start = await post('conversation-acd-start', { ...acdStartFixture, conversationId, queueId, eventTime: clock.now().getTime() });
    expect(start.json().action).toBe('IGNORED');
    expect((await jobs('aging-check')).filter((j) => j.key === `aging:${conversationId}`)).toHaveLength(0);
  });

  it('the same acd.start delivered 20 times in parallel starts one track and one timer', async () => {
    const queueId = await agingQueue({ mode: 'step', intervalSeconds: 60, maxSteps: 10, maxPriority: 100 });
    const conversationId = fake.seedConversation({ participants: waiting(queueId) });
    const event = { ...acdStartFixture, conversationId, queueId, eventTime: clock.now().getTime() };
    const answers = await Promise.all(Array.from({ length: 20 }, () => post('conversation-acd-start', event)));
    const actions = answers.map((a) => a.json().action);
    expect(actions.filter((a) => a === 'TRACKING_STARTED')).toHaveLength(1);
    expect(actions.filter((a) => a === 'DUPLICATE')).toHaveLength(19);
    expect((await jobs('aging-check')).filter((j) => j.key === `aging:${conversationId}`)).toHaveLength(1);
  });

  // Different events of one conversation do not collide on the inbox key: only the per-conversation
  // lock makes the acd.end see the track its concurrent acd.start is inserting.
  it('acd.start and acd.end of one conversation sent at once, 80 conversations over: every track ends STOPPED, no check left', async () => {
    const queueId = await agingQueue({ mode: 'step', intervalSeconds: 60, maxSteps: 10, maxPriority: 100 });
    const conversations = Array.from({ length: 80 }, () => `race-${uid()}`);
    const at = clock.now().getTime();
    const answers = await Promise.all(
      conversations.map((conversationId) =>
        Promise.all([
          post('conversation-acd-start', { ...acdStartFixture, conversationId, queueId, eventTime: at }),
          post('conversation-acd-end', { conversationId, participantId: 'p1', eventTime: at + 1000, acdOutcome: 'ANSWERED' }),
        ]),
      ),
    );
    const tracks = await t.database.db.selectFrom('aging_tracks').select(['conversation_id', 'status', 'stop_reason']).where('conversation_id', 'in', conversations).execute();
    expect(tracks).toHaveLength(conversations.length);
    expect(tracks.filter((tr) => tr.status !== 'STOPPED')).toEqual([]);
    for (const tr of tracks) expect(tr.stop_reason).toBe('ACD_END');
    const keys = new Set(conversations.map((c) => `aging:${c}`));
    expect((await jobs('aging-check')).filter((j) => keys.has(j.key))).toEqual([]);
    // Either may run first, but the answers agree: the end stopped a track exactly when the start began one.
    for (const [start, end] of answers) expect(start.json().action === 'TRACKING_STARTED').toBe(end.json().action === 'TRACKING_STOPPED');
  });

  it('lists tracks most recent first, filtered by status', async () => {
    const queueId = await agingQueue({ mode: 'step', intervalSeconds: 60, maxSteps: 10, maxPriority: 100 });
    const [a, b, c] = [`list-a-${uid()}`, `list-b-${uid()}`, `list-c-${uid()}`];
    for (const conversationId of [a, b, c]) {
      expect((await post('conversation-acd-start', { ...acdStartFixture, conversationId, queueId, eventTime: clock.now().getTime() })).json().action).toBe('TRACKING_STARTED');
    }
    expect((await post('conversation-acd-end', { conversationId: b, participantId: 'p1', eventTime: clock.now().getTime() + 1000, acdOutcome: 'ANSWERED' })).json().action).toBe('TRACKING_STOPPED');
    const list = async (query: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/admin/v1/aging-tracks?${query}`, headers: admin });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items.map((tr: { conversationId: string; status: string }) => [tr.conversationId, tr.status]);
    };
    expect(await list('limit=3')).toEqual([[c, 'ACTIVE'], [b, 'STOPPED'], [a, 'ACTIVE']]);
    expect(await list('status=ACTIVE&limit=2')).toEqual([[c, 'ACTIVE'], [a, 'ACTIVE']]);
    expect(await list('status=STOPPED&limit=1')).toEqual([[b, 'STOPPED']]);
    expect((await t.app.inject({ method: 'GET', url: '/admin/v1/aging-tracks?status=PAUSED', headers: admin })).statusCode).toBe(400);
  });

  it('ignores events that are not callbacks or whose queue is not configured', async () => {
    expect((await post('conversation-acd-start', { ...acdStartFixture, conversationId: uid(), mediaType: 'VOICE' })).json().action).toBe('IGNORED');
    expect((await post('conversation-acd-start', { ...acdStartFixture, conversationId: uid(), queueId: 'unknown-queue' })).json().action).toBe('IGNORED');
  });
});

describe('preview-dialer retries (seed 004)', () => {
  async function setup(lastResult: string, maxAttempts = 3) {
    const number = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const contactListId = `list-${uid()}`;
    const contactId = fake.seedContact({
      contactListId,
      data: { Phone: number, Name: 'Customer', OpportunityId: 'OPP-42' },
      callRecords: { Phone: { lastAttempt: '2030-03-04T14:58:00Z', lastResult } },
    });
    const policy = await t.app.inject({ method: 'POST', url: '/admin/v1/retry-policies', headers: admin, payload: { name: `r-${uid()}`, match: `${lastResult}`, waitSeconds: 240, maxAttempts } });
    expect(policy.statusCode, policy.body).toBe(201);
    const accepted = await post('preview-accepted', { phoneNumber: number, contactId, contactListId, campaignId: 'camp-1', conversationId: `preview-${uid()}`, eventTime: clock.now().getTime() });
    expect(accepted.json()).toMatchObject({ accepted: true, action: 'RECORDED' });
    return { number, contactId, contactListId };
  }
  const userEnd = (number: string, extra: object = {}) =>
    post('conversation-user-end', { ...userEndFixture, callbackNumbers: undefined, callbackNumber: number, conversationId: `conv-${uid()}`, eventTime: clock.now().getTime(), ...extra });

  it('re-submits the same contact after the wrap-up’s wait: accepted → user.end → skipped → 240 s later', async () => {
    const result = `ININ-OUTBOUND-PREVIEW-SKIPPED-${uid()}`;
    const { number, contactId, contactListId } = await setup(result);
    const answer = await userEnd(number);
    expect(answer.json()).toMatchObject({ accepted: true, action: 'RETRY_SCHEDULED', lastResult: result });
    expect(answer.json().retryAt).toBe(new Date(clock.now().getTime() + 240_000).toISOString().replace('.000Z', 'Z'));
    const [job] = (await jobs('resubmit-contact')).filter((j) => j.key === `resubmit:${contactListId}:${contactId}`);
    expect(new Date(job!.run_at).getTime()).toBe(clock.now().getTime() + 240_000);

    await resubmitContact(deps, { attemptId: job!.payload.attemptId! });
    const sent = fake.requestsTo('addContacts').filter((r) => r.path.includes(contactListId));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual([expect.objectContaining({ id: contactId, contactListId, data: { Phone: number, Name: 'Customer', OpportunityId: 'OPP-42' } })]);
    const contacts = (await t.app.inject({ method: 'GET', url: `/admin/v1/preview-contacts?phone=${number}`, headers: admin })).json().items;
    expect(contacts[0]).toMatchObject({ attempts: 1, retries: [{ attempt: 1, status: 'SUBMITTED', lastResult: result, waitSeconds: 240 }] });
  });

  it('shows one preview contact by id with its retries, and 404 for an unknown id', async () => {
    const result = `BYID-${uid()}`;
    const { number, contactId, contactListId } = await setup(result);
    expect((await userEnd(number)).json().action).toBe('RETRY_SCHEDULED');
    const [listed] = (await t.app.inject({ method: 'GET', url: `/admin/v1/preview-contacts?phone=${number}`, headers: admin })).json().items;
    const res = await t.app.inject({ method: 'GET', url: `/admin/v1/preview-contacts/${listed.id}`, headers: admin });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      id: listed.id,
      contactId,
      contactListId,
      campaignId: 'camp-1',
      phoneDigits: number.slice(1),
      attempts: 1,
      retries: [{ attempt: 1, status: 'SCHEDULED', lastResult: result, waitSeconds: 240 }],
    });
    const unknown = await t.app.inject({ method: 'GET', url: '/admin/v1/preview-contacts/00000000-0000-4000-8000-000000000000', headers: admin });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toBe('NOT_FOUND');
  });

  it('the fixture’s user.end as Json (jsonData) matches the seed’s four criteria', async () => {
    const result = `SKIP-${uid()}`;
    const { number } = await setup(result);
    const json = { ...userEndFixture, callbackNumbers: [number], conversationId: `conv-${uid()}` };
    const answer = await post('conversation-user-end', { jsonData: JSON.stringify(json) });
    expect(answer.json().action).toBe('RETRY_SCHEDULED');
  });

  it('answers NO_MATCH, NO_POLICY, NOT_ELIGIBLE and MAX_ATTEMPTS where the story stops', async () => {
    expect((await userEnd('+15550000000')).json().action).toBe('NO_MATCH');
    const { number } = await setup(`NOPOLICY-${uid()}`);
    await t.database.db.deleteFrom('retry_policies').where('match', 'like', 'NOPOLICY-%').execute();
    expect((await userEnd(number)).json().action).toBe('NO_POLICY');
    expect((await userEnd(number, { disconnectType: 'ENDPOINT' })).json().action).toBe('NOT_ELIGIBLE');

    const limited = await setup(`LIMIT-${uid()}`, 2);
    expect((await userEnd(limited.number)).json().action).toBe('RETRY_SCHEDULED');
    expect((await userEnd(limited.number)).json().action).toBe('RETRY_SCHEDULED');
    expect((await userEnd(limited.number)).json().action).toBe('MAX_ATTEMPTS');
  });

  it('the same user.end delivered 20 times in parallel schedules one retry', async () => {
    const { number, contactListId, contactId } = await setup(`PAR-${uid()}`);
    const event = { ...userEndFixture, callbackNumbers: undefined, callbackNumber: number, conversationId: `conv-${uid()}`, eventTime: clock.now().getTime() };
    const answers = await Promise.all(Array.from({ length: 20 }, () => post('conversation-user-end', event)));
    const actions = answers.map((a) => a.json().action);
    expect(actions.filter((a) => a === 'RETRY_SCHEDULED')).toHaveLength(1);
    expect(actions.filter((a) => a === 'DUPLICATE')).toHaveLength(19);
    expect((await jobs('resubmit-contact')).filter((j) => j.key === `resubmit:${contactListId}:${contactId}`)).toHaveLength(1);
    const preview = await t.database.db.selectFrom('preview_contacts').select('attempts').where('contact_id', '=', contactId).executeTakeFirstOrThrow();
    expect(preview.attempts).toBe(1);
  });
});

describe('event intake', () => {
  it.each([
    [{}, 'conversationId'],
    [{ conversationId: 'c', participantId: { nested: true } }, 'participantId'],
    [{ conversationId: 'c\u0000' }, 'conversationId'],
    [{ conversationId: 'c', eventTime: 'yesterday' }, 'eventTime'],
    [{ jsonData: '{not json' }, 'jsonData'],
    [{ jsonData: '[1,2]' }, 'jsonData'],
    [{ jsonData: JSON.stringify({ conversationId: 'c', callbackNumbers: ['+1\u0000'] }) }, 'jsonData.callbackNumbers[0]'],
    [{ conversationId: 'c', callbackNumbers: [{ a: 1 }] }, 'callbackNumbers'],
  ])('refuses malformed events with 400 naming the field: %j', async (body, fieldName) => {
    const res = await post('conversation-user-end', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe(fieldName);
  });

  it('an event is a repeat only with the same topic, conversation, participant (or session), time and, for a preview, contact: differing in one, it is processed', async () => {
    const at = clock.now().getTime();
    const end = (extra: object) => post('conversation-acd-end', { acdOutcome: 'ANSWERED', eventTime: at, ...extra });
    const action = async (res: Promise<{ json: () => { action: string } }>) => (await res).json().action;
    const byParticipant = { conversationId: `same-${uid()}`, participantId: 'p1' };
    expect(await action(end(byParticipant))).toBe('IGNORED');
    expect(await action(end(byParticipant))).toBe('DUPLICATE');
    expect(await action(end({ ...byParticipant, eventTime: at + 1000 }))).toBe('IGNORED');
    expect(await action(end({ ...byParticipant, participantId: 'p2' }))).toBe('IGNORED');
    expect(await action(post('conversation-acd-start', { ...byParticipant, eventTime: at }))).toBe('IGNORED');

    const bySession = { conversationId: `same-${uid()}`, sessionId: 's1' };
    expect(await action(end(bySession))).toBe('IGNORED');
    expect(await action(end(bySession))).toBe('DUPLICATE');
    expect(await action(end({ ...bySession, sessionId: 's2' }))).toBe('IGNORED');

    const preview = { phoneNumber: '+15550100123', contactListId: `list-${uid()}`, conversationId: `preview-${uid()}`, participantId: 'p1', eventTime: at };
    expect(await action(post('preview-accepted', { ...preview, contactId: 'contact-a' }))).toBe('RECORDED');
    expect(await action(post('preview-accepted', { ...preview, contactId: 'contact-a' }))).toBe('DUPLICATE');
    expect(await action(post('preview-accepted', { ...preview, contactId: 'contact-b' }))).toBe('RECORDED');
  });

  it('refuses a huge jsonData with a 4xx, never a 500', async () => {
    const res = await post('conversation-user-end', { jsonData: 'x'.repeat(70_000) });
    expect(res.statusCode).toBe(413);
  });

  it('needs the events role', async () => {
    const { headers } = await authHeader(t, ['actions']);
    expect((await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-start', headers, payload: acdStartFixture })).statusCode).toBe(403);
  });
});
