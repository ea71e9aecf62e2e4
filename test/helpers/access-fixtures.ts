import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../src/auth/caller.js';
import { createSimulatedGateway } from '../../src/genesys/simulated-gateway.js';
import { makeClient, tokenFor, type TestApp } from './app.js';

/**
 * Two queues, QA and QB, each with its own configuration and data, built through the public API by
 * unrestricted clients (so the fixtures hold whatever the services' signatures become), for tests of
 * who may see and change what.
 */

export type Side = 'QA' | 'QB';
export type Headers = { authorization: string } | { cookie: string; 'x-csrf-token': string };

const uid = () => randomUUID().slice(0, 8);
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
export const ALL_WEEK = Object.fromEntries(DAYS.map((d) => [d, [{ start: '00:00', end: '24:00' }]]));
export const FULL_CELLS = Object.fromEntries(DAYS.map((d) => [d, Object.fromEntries(Array.from({ length: 24 }, (_, h) => [`${String(h).padStart(2, '0')}:00`, 100]))]));

export interface SideFixtures {
  queue: { id: string; name: string; genesysQueueId: string };
  hoursId: string;
  capacityRuleId: string;
  numberRuleId: string;
  policyId: string;
  retryPolicyId: string;
  callbackRetryPolicyId: string;
  /** A webhook of the side's queue only. */
  webhookId: string;
  /** A Click-To-Call-In group of the side's queue, its one DNIS, and a call-in request of it. */
  callInGroupId: string;
  callInGroupName: string;
  callInDnis: string;
  callInRequestId: string;
  campaign: { id: string; name: string; contactListId: string };
  callbackId: string;
  /** The fixture callback's number, E.164 (its own, so a search by number finds it among many). */
  callbackPhone: string;
  trackConversationId: string;
  previewContact: { id: string; phoneNumber: string };
  simulatedCallMarker: string;
  client: { id: string };
  /** A person account restricted to the side's queue. */
  user: { id: string };
  /** A number on the SMS opt-out list (numbers belong to no queue: the side only tells two apart). */
  optOutPhone: string;
}

export interface AccessWorld {
  /** Unrestricted clients that build fixtures. */
  root: Record<'admin' | 'actions' | 'events', Headers>;
  QA: SideFixtures;
  QB: SideFixtures;
}

async function call(app: FastifyInstance, headers: Headers, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  const res = await app.inject({ method, url, headers, ...(payload !== undefined && { payload: payload as object }) });
  if (res.statusCode >= 300) throw new Error(`fixture ${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.statusCode === 204 ? null : (res.json() as Record<string, unknown>);
}

export async function bearer(t: TestApp, roles: Role[], queues?: string[]): Promise<Headers> {
  const client = await makeClient(t, roles, queues ? { queues } : {});
  return { authorization: `Bearer ${await tokenFor(t, client)}` };
}

/** Whether the campaign schema links a campaign to a queue, and how (a queue id, or an allow-list). */
function campaignQueueField(app: FastifyInstance, queue: SideFixtures['queue']): Record<string, unknown> {
  const doc = app.swagger() as { paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } } }> };
  const props = doc.paths['/admin/v1/campaigns']?.post?.requestBody?.content['application/json']?.schema.properties ?? {};
  if ('queueId' in props) return { queueId: queue.id };
  if ('queues' in props) return { queues: [queue.name] };
  return {};
}

export async function freshCampaign(t: TestApp, admin: Headers, queue: SideFixtures['queue'], numberRuleId: string) {
  const contactListId = `cl-${queue.name}-${uid()}`;
  const body = { name: `campaign-${queue.name}-${uid()}`, contactListId, phoneColumn: 'Phone', nameColumn: 'Name', numberRuleId, ...campaignQueueField(t.app, queue) };
  const c = (await call(t.app, admin, 'POST', '/admin/v1/campaigns', body))!;
  return { id: c.id as string, name: c.name as string, contactListId };
}

/** A pending callback in the queue: immediate, or scheduled two days ahead. */
export async function freshCallback(t: TestApp, actions: Headers, queueName: string, scheduled = false, phoneNumber = randomPhone('+1212555')): Promise<string> {
  const payload = {
    queue: queueName,
    phoneNumber,
    customerName: 'Access Test',
    ...(scheduled && { desiredTime: scheduledTime() }),
  };
  const a = (await call(t.app, actions, 'POST', '/actions/v1/callbacks/create', payload))!;
  if (a.outcome !== 'CREATED') throw new Error(`fixture callback in ${queueName}: ${JSON.stringify(a)}`);
  return a.callbackId as string;
}

/** A campaign callback of the campaign (waiting for its delay). */
export async function freshCampaignCallback(t: TestApp, actions: Headers, campaignName: string): Promise<string> {
  // One pending callback per number in a campaign: numbers from a range wide enough never to repeat here.
  const phoneNumber = `+1212${2 + Math.floor(Math.random() * 8)}${String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0')}`;
  const a = (await call(t.app, actions, 'POST', '/actions/v1/campaign-callbacks', { campaign: campaignName, phoneNumber, delaySeconds: 600 }))!;
  if (a.outcome !== 'SCHEDULED') throw new Error(`fixture campaign callback in ${campaignName}: ${JSON.stringify(a)}`);
  return a.callbackId as string;
}

let phoneSeq = Math.floor(Math.random() * 10_000);
/**
 * A number of the prefix not handed out before in this test file (the last four digits count up from a
 * random start), so that no two callbacks of a file collide on the per-number limit by chance.
 */
export const randomPhone = (prefix: string) => `${prefix}${String(phoneSeq++ % 10_000).padStart(4, '0')}`;

export function scheduledTime(daysAhead = 2): string {
  const d = new Date(Date.now() + daysAhead * 86_400_000);
  d.setUTCHours(14, 0, 0, 0);
  return d.toISOString();
}

export async function freshCompletedCallback(t: TestApp, root: AccessWorld['root'], queueName: string): Promise<string> {
  const id = await freshCallback(t, root.actions, queueName);
  await call(t.app, root.admin, 'POST', `/admin/v1/callbacks/${id}/cancel`);
  return id;
}

/** A callback Genesys has (a conversation id), for events about it. */
export async function freshDeliveredCallback(t: TestApp, actions: Headers, queueName: string): Promise<{ callbackId: string; conversationId: string }> {
  const callbackId = await freshCallback(t, actions, queueName);
  const conversationId = randomUUID();
  await t.database.db.updateTable('callbacks').set({ genesys_conversation_id: conversationId, delivery_status: 'DELIVERED' }).where('id', '=', callbackId).execute();
  return { callbackId, conversationId };
}

export function acdStartEvent(genesysQueueId: string, conversationId: string = randomUUID()) {
  return { conversationId, participantId: randomUUID(), eventTime: new Date().toISOString(), mediaType: 'CALLBACK', queueId: genesysQueueId };
}

/** An active priority-aging track in the queue; answers its conversation id. */
export async function freshTrack(t: TestApp, events: Headers, genesysQueueId: string, conversationId: string = randomUUID()): Promise<string> {
  const body = acdStartEvent(genesysQueueId, conversationId);
  const a = (await call(t.app, events, 'POST', '/events/v1/conversation-acd-start', body))!;
  if (a.action !== 'TRACKING_STARTED') throw new Error(`fixture track: ${JSON.stringify(a)}`);
  return body.conversationId;
}

/** An accepted preview of the queue's campaign (its contact list, and the queue's Genesys id). */
export function previewAcceptedEvent(side: Pick<SideFixtures, 'queue' | 'campaign'>, contactId = `contact-${uid()}`) {
  return {
    conversationId: randomUUID(),
    participantId: randomUUID(),
    eventTime: new Date().toISOString(),
    phoneNumber: randomPhone('+1646555'),
    contactId,
    contactListId: side.campaign.contactListId,
    campaignId: side.campaign.id,
    queueId: side.queue.genesysQueueId,
  };
}

async function buildSide(t: TestApp, root: AccessWorld['root'], side: Side): Promise<SideFixtures> {
  const { app } = t;
  const admin = root.admin;
  const tag = `${side}-${uid()}`;
  const hours = (await call(app, admin, 'POST', '/admin/v1/business-hours', { name: `hours-${tag}`, timezone: 'America/New_York', weekly: ALL_WEEK, exceptions: [] }))!;
  const rule = (await call(app, admin, 'POST', '/admin/v1/capacity-rules', { name: `rule-${tag}`, timeslotLength: 'hour', cells: FULL_CELLS }))!;
  const numbers = (await call(app, admin, 'POST', '/admin/v1/number-rules', { name: `numbers-${tag}`, permittedCountries: ['US'] }))!;
  const policy = (await call(app, admin, 'POST', '/admin/v1/prioritization-policies', { name: `policy-${tag}`, mode: 'step', intervalSeconds: 300, maxSteps: 5, maxPriority: 100 }))!;
  const retry = (await call(app, admin, 'POST', '/admin/v1/retry-policies', { name: `retry-${tag}`, match: `WRAPUP-${tag}`, waitSeconds: 60, maxAttempts: 3 }))!;
  const callbackRetry = (await call(app, admin, 'POST', '/admin/v1/callback-retry-policies', { name: `callback-retry-${tag}`, wrapUpCodes: [{ id: `NO-ANSWER-${tag}` }], waitSeconds: 600, maxAttempts: 3 }))!;
  const q = (await call(app, admin, 'POST', '/admin/v1/queues', {
    name: tag,
    timezone: 'America/New_York',
    genesysQueueId: `genesys-${tag}`,
    businessHoursId: hours.id,
    capacityRuleId: rule.id,
    numberRuleId: numbers.id,
    prioritizationPolicyId: policy.id,
    callbackRetryPolicyId: callbackRetry.id,
    slotCapacity: 100,
    maxPendingPerNumber: 100,
  }))!;
  const queue = { id: q.id as string, name: q.name as string, genesysQueueId: q.genesysQueueId as string };
  const campaign = await freshCampaign(t, admin, queue, numbers.id as string);
  const webhook = (await call(app, admin, 'POST', '/admin/v1/webhooks', { name: `webhook-${tag}`, url: 'http://127.0.0.1:9/webhook', queueIds: [queue.id] }))!;
  const callInDnis = side === 'QA' ? '+18005550110' : '+18005550111';
  const callInGroup = (await call(app, admin, 'POST', '/admin/v1/call-in-groups', { name: `call-in-${tag}`, queueId: queue.id, dnis: [{ number: callInDnis }] }))!;
  // A record of the Call-In tab (the request data action is not what these fixtures are about).
  const callInRequest = await t.database.db
    .insertInto('call_in_requests')
    .values({ group_id: callInGroup.id as string, from_phone_e164: '+12125550100', to_number: callInDnis, exclusive: false, state: 'MATCHED', expires_at: new Date(), user_data: '{}', created_by: 'fixture' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const callbackPhone = side === 'QA' ? '+12125550101' : '+12125550102';
  const callbackId = await freshCallback(t, root.actions, queue.name, true, callbackPhone);
  const trackConversationId = await freshTrack(t, root.events, queue.genesysQueueId);
  const preview = previewAcceptedEvent({ queue, campaign });
  await call(app, root.events, 'POST', '/events/v1/preview-accepted', preview);
  const listed = (await call(app, admin, 'GET', `/admin/v1/preview-contacts?phone=${encodeURIComponent(preview.phoneNumber)}`))!;
  const previewId = (listed.items as { id: string }[])[0]!.id;
  // What delivering the callback would have sent (the job worker does not run in these tests).
  const simulatedCallMarker = `engine-${tag}`;
  await createSimulatedGateway(t.database.db).createCallback({ queueId: queue.genesysQueueId, callbackNumbers: ['+12125550100'], data: { callbackEngineId: simulatedCallMarker } });
  const client = (await call(app, admin, 'POST', '/admin/v1/clients', { name: `client-${tag}`, roles: ['actions'], queues: [queue.name] }))!;
  const user = (await call(app, admin, 'POST', '/admin/v1/users', { username: `user-${tag}`, roles: ['supervisor'], queues: [queue.name] }))!;
  const optOutPhone = side === 'QA' ? '+12125550111' : '+12125550112';
  await call(app, admin, 'PUT', `/admin/v1/message-opt-outs/${optOutPhone}`, {});
  return {
    queue,
    hoursId: hours.id as string,
    capacityRuleId: rule.id as string,
    numberRuleId: numbers.id as string,
    policyId: policy.id as string,
    retryPolicyId: retry.id as string,
    callbackRetryPolicyId: callbackRetry.id as string,
    webhookId: webhook.id as string,
    callInGroupId: callInGroup.id as string,
    callInGroupName: callInGroup.name as string,
    callInDnis,
    callInRequestId: callInRequest.id,
    campaign,
    callbackId,
    callbackPhone,
    trackConversationId,
    previewContact: { id: previewId, phoneNumber: preview.phoneNumber },
    simulatedCallMarker,
    client: { id: (client.client as { clientId: string }).clientId },
    user: { id: (user.user as { id: string }).id },
    optOutPhone,
  };
}

export async function buildAccessWorld(t: TestApp): Promise<AccessWorld> {
  const root = {
    admin: await bearer(t, ['administrator']),
    actions: await bearer(t, ['actions']),
    events: await bearer(t, ['events']),
  };
  return { root, QA: await buildSide(t, root, 'QA'), QB: await buildSide(t, root, 'QB') };
}

export { call as fixtureCall, uid };
