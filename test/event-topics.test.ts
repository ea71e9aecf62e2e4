import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaches } from '../src/context.js';
import { EVENT_TOPICS, flatFields, type TopicFieldType } from '../src/events/topics.js';
import { jobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { resubmitContact } from '../src/retries/service.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { sdkEvent, sdkModel, type SdkFieldType } from './helpers/sdk-events.js';
import { gatewayFor } from './helpers/worker.js';

/**
 * The event endpoints against the topics as Genesys publishes them: the field lists match the SDK's
 * event models, the data-action contracts carry those fields with the topics' types, and payloads
 * built from the SDK models (whole as jsonData, or as a TopLevelPrimitives workflow maps them) go
 * through — down to the preview-retry story of seed 004, from raw topic payloads only.
 */

const ACD_START = 'AcdStartDetailEventTopicAcdStartEvent';
const ACD_END = 'AcdEndDetailEventTopicAcdEndEvent';
const USER_END = 'UserEndDetailEventTopicUserEndEvent';
const OUTBOUND = 'OutboundDetailEventTopicOutboundInitEvent';

const sdkTypeOf: Record<TopicFieldType, SdkFieldType> = { string: 'string', integer: 'number', boolean: 'boolean', time: 'number', strings: 'string[]' };
const contractTypeOf: Record<Exclude<TopicFieldType, 'strings'>, string> = { string: 'string', integer: 'integer', boolean: 'boolean', time: 'integer' };

/** What a TopLevelPrimitives trigger passes: the top-level strings, numbers and booleans. */
const topLevelPrimitives = (event: Record<string, unknown>) => Object.fromEntries(Object.entries(event).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)));

describe('topic field lists', () => {
  it.each(EVENT_TOPICS.map((t) => [t.topic, t] as const))('%s: exactly the SDK model’s fields, with its types', (_, topic) => {
    const model = sdkModel(topic.model);
    expect(Object.fromEntries(topic.fields.map((f) => [f.name, sdkTypeOf[f.type]]))).toEqual(model);
    // Times are the topics' epoch-millisecond numbers.
    for (const f of topic.fields.filter((x) => x.type === 'time')) expect(f.name).toMatch(/Time$/);
  });

  it.each(EVENT_TOPICS.map((t) => [t.endpoint, t] as const))('%s: the data action’s input contract declares every flat field with the topic’s type', (_, topic) => {
    const exported = JSON.parse(readFileSync(`openapi/genesys/actions/${topic.endpoint}.json`, 'utf8'));
    const inputs = exported.contract.input.inputSchema.properties as Record<string, { type: string }>;
    for (const f of flatFields(topic)) expect([f.name, inputs[f.name]?.type]).toEqual([f.name, contractTypeOf[f.type as keyof typeof contractTypeOf]]);
    // Lists are not inputs (contracts are flat); user.end's callbackNumbers is the older text alias.
    for (const f of topic.fields.filter((x) => x.type === 'strings' && x.name !== 'callbackNumbers')) expect(inputs[f.name]).toBeUndefined();
    expect(inputs.jsonData?.type).toBe('string');
  });
});

const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let fake: FakeGenesys;
let events: { authorization: string };
let admin: { authorization: string };
beforeAll(async () => {
  fake = await startFakeGenesys();
  t = await buildTestApp({ clock, gateway: gatewayFor(fake) });
  events = (await authHeader(t, ['events'])).headers;
  admin = (await authHeader(t, ['administrator'])).headers;
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const post = (path: string, payload: object) => t.app.inject({ method: 'POST', url: `/events/v1/${path}`, headers: events, payload });
let n = 0;
const uid = () => `${Date.now().toString(16)}-${++n}`;
const randomNumber = () => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

describe('topic-shaped payloads through the endpoints', () => {
  const cases = [
    ['conversation-acd-start', ACD_START, { mediaType: 'CALLBACK', callbackNumbers: ['+15555550100'], callbackScheduledTime: Date.parse('2030-03-05T09:00:00Z'), routingPriority: 3 }],
    ['conversation-acd-end', ACD_END, { mediaType: 'CALLBACK', acdOutcome: 'ABANDON', callbackScheduledTime: Date.parse('2030-03-05T09:00:00Z') }],
    ['conversation-user-end', USER_END, { mediaType: 'CALLBACK', disconnectType: 'ENDPOINT', callbackNumbers: ['+15555550100'], callbackScheduledTime: Date.parse('2030-03-05T09:00:00Z') }],
    ['preview-accepted', OUTBOUND, { mediaType: 'CALLBACK', addressTo: 'tel:+15555550100', outboundContactId: 'c-1', outboundContactListId: 'l-1' }],
  ] as const;

  it.each(cases)('%s takes the whole event as jsonData and its top-level primitives, with integer or ISO times', async (endpoint, model, values) => {
    const event = (extra: object = {}) => sdkEvent(model, { ...values, conversationId: `conv-${uid()}`, eventTime: clock.now().getTime(), ...extra });
    const whole = await post(endpoint, { jsonData: JSON.stringify(event()) });
    expect(whole.statusCode, whole.body).toBe(200);
    expect(whole.json().accepted).toBe(true);
    const flat = await post(endpoint, topLevelPrimitives(event()));
    expect(flat.statusCode, flat.body).toBe(200);
    const iso = await post(endpoint, topLevelPrimitives(event({ eventTime: clock.now().toISOString() })));
    expect(iso.statusCode, iso.body).toBe(200);
    const bad = await post(endpoint, topLevelPrimitives(event({ eventTime: 'yesterday' })));
    expect([bad.statusCode, bad.json().field]).toEqual([400, 'eventTime']);
  });

  it('callbackScheduledTime is epoch milliseconds or ISO text, nothing else', async () => {
    const event = (callbackScheduledTime: unknown) =>
      topLevelPrimitives(sdkEvent(ACD_START, { mediaType: 'CALLBACK', conversationId: `conv-${uid()}`, eventTime: clock.now().getTime(), callbackScheduledTime }));
    expect((await post('conversation-acd-start', event(Date.parse('2030-03-05T09:00:00Z')))).statusCode).toBe(200);
    expect((await post('conversation-acd-start', event('2030-03-05T09:00:00.000Z'))).statusCode).toBe(200);
    const bad = await post('conversation-acd-start', event('tomorrow'));
    expect([bad.statusCode, bad.json().field]).toEqual([400, 'callbackScheduledTime']);
    const inJson = await post('conversation-acd-start', { jsonData: JSON.stringify({ ...event(0), callbackScheduledTime: 'soon' }) });
    expect([inJson.statusCode, inJson.json().field]).toEqual([400, 'callbackScheduledTime']);
  });

  it('an integer field of the topic with a non-integer is a 400 naming it', async () => {
    const res = await post('conversation-acd-start', { conversationId: `conv-${uid()}`, eventTime: clock.now().getTime(), routingPriority: 'high' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('routingPriority');
  });
});

describe('preview contacts from the conversation outbound topic', () => {
  const contactOf = (contactListId: string, contactId: string) =>
    t.database.db.selectFrom('preview_contacts').selectAll().where('contact_list_id', '=', contactListId).where('contact_id', '=', contactId).executeTakeFirst();

  it('records the contact from the topic’s names: whole (jsonData), top-level, and the older names as aliases', async () => {
    for (const send of ['jsonData', 'top-level', 'aliases'] as const) {
      const number = randomNumber();
      const [contactListId, contactId, campaignId] = [`list-${uid()}`, `contact-${uid()}`, `campaign-${uid()}`];
      const event = sdkEvent(OUTBOUND, {
        eventTime: clock.now().getTime(),
        conversationId: `conv-${uid()}`,
        mediaType: 'CALLBACK',
        provider: 'PureCloud Callback',
        direction: 'OUTBOUND',
        addressTo: `tel:${number}`,
        dnis: `tel:${number}`,
        outboundCampaignId: campaignId,
        outboundContactListId: contactListId,
        outboundContactId: contactId,
      });
      const body =
        send === 'jsonData'
          ? { jsonData: JSON.stringify(event) }
          : send === 'top-level'
            ? topLevelPrimitives(event)
            : { conversationId: event.conversationId, eventTime: event.eventTime, phoneNumber: number, contactId, contactListId, campaignId };
      const res = await post('preview-accepted', body);
      expect(res.json(), send).toMatchObject({ accepted: true, action: 'RECORDED' });
      expect(await contactOf(contactListId, contactId), send).toMatchObject({ phone_digits: number.slice(1), campaign_id: campaignId, conversation_id: event.conversationId });
    }
  });

  it('takes the number from dnis when addressTo is empty, and refuses an event without contact, list or number', async () => {
    const number = randomNumber();
    const base = { eventTime: clock.now().getTime(), outboundContactListId: `list-${uid()}`, outboundContactId: `contact-${uid()}` };
    const res = await post('preview-accepted', topLevelPrimitives(sdkEvent(OUTBOUND, { ...base, conversationId: `conv-${uid()}`, addressTo: '', dnis: `tel:${number}` })));
    expect(res.json().action).toBe('RECORDED');
    expect((await contactOf(base.outboundContactListId, base.outboundContactId))?.phone_digits).toBe(number.slice(1));
    for (const [missing, field] of [['outboundContactId', 'outboundContactId'], ['outboundContactListId', 'outboundContactListId'], ['addressTo', 'addressTo']] as const) {
      const event = topLevelPrimitives(sdkEvent(OUTBOUND, { ...base, conversationId: `conv-${uid()}`, addressTo: `tel:${number}`, dnis: '', [missing]: '' }));
      const refused = await post('preview-accepted', event);
      expect([refused.statusCode, refused.json().field]).toEqual([400, field]);
    }
  });

  it('a contact of a campaign configured here belongs to that campaign’s queue (the topic names none)', async () => {
    const genesysQueueId = `gq-${uid()}`;
    const queue = await factories(t.database.db).queue({ genesysQueueId });
    const contactListId = `list-${uid()}`;
    const campaign = await t.app.inject({ method: 'POST', url: '/admin/v1/campaigns', headers: admin, payload: { name: `c-${uid()}`, contactListId, phoneColumn: 'Phone', queueId: queue.id } });
    expect(campaign.statusCode, campaign.body).toBe(201);
    const contactId = `contact-${uid()}`;
    const event = sdkEvent(OUTBOUND, { eventTime: clock.now().getTime(), conversationId: `conv-${uid()}`, addressTo: `tel:${randomNumber()}`, outboundContactListId: contactListId, outboundContactId: contactId });
    expect((await post('preview-accepted', { jsonData: JSON.stringify(event) })).json().action).toBe('RECORDED');
    expect((await contactOf(contactListId, contactId))?.queue_id).toBe(queue.id);
  });
});

describe('seed 004 end to end, from raw topic payloads only', () => {
  it('outbound → user.end → wrap-up read from the contact list → the contact re-submitted after the policy’s wait', async () => {
    const number = randomNumber();
    const wrapup = `ININ-OUTBOUND-PREVIEW-SKIPPED-${uid()}`;
    const contactListId = `list-${uid()}`;
    const contactId = fake.seedContact({ contactListId, data: { Phone: number, Name: 'Customer' }, callRecords: { Phone: { lastAttempt: '2030-03-04T14:58:00Z', lastResult: wrapup } } });
    const policy = await t.app.inject({ method: 'POST', url: '/admin/v1/retry-policies', headers: admin, payload: { name: `r-${uid()}`, match: wrapup, waitSeconds: 240, maxAttempts: 3 } });
    expect(policy.statusCode, policy.body).toBe(201);

    // The dialer places the preview: the conversation outbound topic, whole (trigger data format Json).
    const conversationId = `preview-${uid()}`;
    const common = { conversationId, mediaType: 'CALLBACK', provider: 'PureCloud Callback', direction: 'OUTBOUND', divisionId: 'division-1' };
    const outbound = sdkEvent(OUTBOUND, { ...common, eventTime: clock.now().getTime(), addressTo: `tel:${number}`, dnis: `tel:${number}`, outboundCampaignId: 'campaign-1', outboundContactListId: contactListId, outboundContactId: contactId });
    expect((await post('preview-accepted', { jsonData: JSON.stringify(outbound) })).json()).toMatchObject({ accepted: true, action: 'RECORDED' });

    // The agent skips it: user.end of the agent's participant, with the callback numbers list.
    clock.advance(60_000);
    const userEnd = sdkEvent(USER_END, { ...common, eventTime: clock.now().getTime(), disconnectType: 'CLIENT', callbackNumbers: [number], userId: 'agent-1', queueId: 'queue-1' });
    const answer = await post('conversation-user-end', { jsonData: JSON.stringify(userEnd) });
    expect(answer.json()).toMatchObject({ accepted: true, action: 'RETRY_SCHEDULED', lastResult: wrapup });
    expect(fake.requestsTo('getContact').some((r) => r.path === `/api/v2/outbound/contactlists/${contactListId}/contacts/${contactId}`)).toBe(true);
    const dueAt = clock.now().getTime() + 240_000;
    expect(Date.parse(answer.json().retryAt)).toBe(dueAt);

    const [job] = (
      await sql<{ run_at: Date; payload: { attemptId: string } }>`
        select j.run_at, j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
        where t.identifier = 'resubmit-contact' and j.key = ${`resubmit:${contactListId}:${contactId}`}`.execute(t.database.db)
    ).rows;
    expect(new Date(job!.run_at).getTime()).toBe(dueAt);
    clock.set(new Date(dueAt));
    const deps = jobContext({ db: t.database.db, gateway: gatewayFor(fake), clock, caches: createCaches(), logger: createLogger('silent') });
    await resubmitContact(deps, { attemptId: job!.payload.attemptId });
    const sent = fake.requestsTo('addContacts').filter((r) => r.path.includes(contactListId));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual([expect.objectContaining({ id: contactId, contactListId, data: { Phone: number, Name: 'Customer' } })]);
  });
});
