/**
 * Event intake: what Genesys trigger workflows forward, each event processed exactly once (inbox row,
 * per-conversation advisory lock, effects in the same transaction). Three rows, each against the
 * bare Fastify reference at the same fixed rate:
 *
 * - `conversation-acd-start`: a CALLBACK entering a queue that has a prioritization policy — every
 *   request a new conversation, so each one inserts its inbox row, starts an aging track and
 *   enqueues its first `aging-check` job (no worker runs in bench apps: the jobs stay queued);
 * - `conversation-user-end` NOT_ELIGIBLE: agent-side ends that do not match the preview-retry
 *   criteria (voice calls; callbacks ended by the peer) — the cheap, common case;
 * - `conversation-user-end` preview: ends that match the criteria (CLIENT, CALLBACK, PureCloud
 *   Callback, OUTBOUND) for a number with an accepted preview contact: the contact is looked up,
 *   then read from the contact list through the gateway. Bench apps use the simulated gateway,
 *   which records the call in `simulated_genesys_calls` (one more commit) and has no contacts, so
 *   the answer is NO_MATCH ("no longer in its contact list") — the retry decision after it is not
 *   measured.
 *
 * Bodies follow the Genesys fixtures (shared/fixtures/genesys/), every one with a new conversation
 * id, participant and event time, built per request by the hooks below (load generator thread).
 */
import { benchContext } from '../context.js';
import { randomUUID } from 'node:crypto';
import type autocannon from 'autocannon';
import { sql } from 'kysely';
import { createQueue } from '../../src/queues/service.js';
import type { Row, Scenario, ScenarioContext } from '../harness.js';
import { bareWithLoad, measureWithLoad, startStack } from './callbacks.js';

export const EVENTS_QUEUE = 'bench-events';
export const EVENTS_GENESYS_QUEUE = 'c67cc289-4471-4777-9e23-45e89c109d58';
export const ACD_START_ROW = 'POST /events/v1/conversation-acd-start CALLBACK → TRACKING_STARTED';
export const USER_END_ROW = 'POST /events/v1/conversation-user-end → NOT_ELIGIBLE';
export const PREVIEW_ROW = 'POST /events/v1/conversation-user-end preview → NO_MATCH (simulated gateway)';
const DIVISION = '21814508-f50b-47b0-b18f-f64c98daff3f';
/** Accepted preview contacts (numbers +1 646 2xx xxxx), recorded through /events/v1/preview-accepted. */
const PREVIEW_CONTACTS = 2_000;
const CONTACT_LIST = 'bench-contact-list';

const previewNumber = (i: number) => `+1646${200 + Math.floor(i / 10_000)}${String(i % 10_000).padStart(4, '0')}`;
const callerNumber = (n: number) => `+1212${300 + Math.floor((n % 7_000_000) / 10_000)}${String(n % 10_000).padStart(4, '0')}`;

// ---------------------------------------------------------------------------------------------
// Bodies, per request (load generator thread).

let sent = 0;

export function acdStartBody(n: number): Record<string, unknown> {
  const number = callerNumber(n);
  return {
    eventTime: Date.now(),
    conversationId: randomUUID(),
    participantId: randomUUID(),
    sessionId: randomUUID(),
    mediaType: 'CALLBACK',
    provider: 'PureCloud Callback',
    direction: 'INBOUND',
    ani: `tel:${number}`,
    dnis: 'tel:+18005550100',
    callbackUserName: 'Customer',
    callbackNumbers: [number],
    queueId: EVENTS_GENESYS_QUEUE,
    divisionId: DIVISION,
    routingPriority: n % 3,
    requestedRoutingSkillIds: [],
  };
}

function userEndBase(n: number): Record<string, unknown> {
  return {
    eventTime: Date.now(),
    conversationId: randomUUID(),
    participantId: randomUUID(),
    sessionId: randomUUID(),
    callbackUserName: 'Customer',
    userId: randomUUID(),
    divisionId: DIVISION,
    queueId: EVENTS_GENESYS_QUEUE,
    interactingDurationMs: 60_000 + (n % 120_000),
    heldDurationMs: 0,
    alertingDurationMs: 4987,
    contactingDurationMs: 0,
    dialingDurationMs: 0,
  };
}

/** Not the preview criteria: an inbound voice call the customer hung up, or a callback ended by the peer. */
export function userEndNotEligibleBody(n: number): Record<string, unknown> {
  const number = callerNumber(n);
  return n % 2 === 0
    ? { ...userEndBase(n), disconnectType: 'CLIENT', mediaType: 'VOICE', provider: 'Edge', direction: 'INBOUND', ani: `tel:${number}` }
    : { ...userEndBase(n), disconnectType: 'PEER', mediaType: 'CALLBACK', provider: 'PureCloud Callback', direction: 'OUTBOUND', callbackNumbers: [number] };
}

/** The preview criteria, for a number with an accepted preview contact. */
export function userEndPreviewBody(n: number): Record<string, unknown> {
  return {
    ...userEndBase(n),
    disconnectType: 'CLIENT',
    mediaType: 'CALLBACK',
    provider: 'PureCloud Callback',
    direction: 'OUTBOUND',
    callbackNumbers: [previewNumber((n * 7919) % PREVIEW_CONTACTS)],
    callbackDurationMs: 16_917,
  };
}

export function nextAcdStartRequest(request: autocannon.Request): autocannon.Request {
  request.body = JSON.stringify(acdStartBody(sent++));
  return request;
}
export function nextUserEndRequest(request: autocannon.Request): autocannon.Request {
  request.body = JSON.stringify(userEndNotEligibleBody(sent++));
  return request;
}
export function nextPreviewRequest(request: autocannon.Request): autocannon.Request {
  request.body = JSON.stringify(userEndPreviewBody(sent++));
  return request;
}

// ---------------------------------------------------------------------------------------------

type Variant = 'acd' | 'userEnd' | 'preview';

const ROWS: Record<Variant, { name: string; path: string; hook: string; body: (n: number) => Record<string, unknown>; action: string }> = {
  acd: { name: ACD_START_ROW, path: '/events/v1/conversation-acd-start', hook: 'nextAcdStartRequest', body: acdStartBody, action: 'TRACKING_STARTED' },
  userEnd: { name: USER_END_ROW, path: '/events/v1/conversation-user-end', hook: 'nextUserEndRequest', body: userEndNotEligibleBody, action: 'NOT_ELIGIBLE' },
  preview: { name: PREVIEW_ROW, path: '/events/v1/conversation-user-end', hook: 'nextPreviewRequest', body: userEndPreviewBody, action: 'NO_MATCH' },
};

function eventsScenario(name: string, description: string, variants: Variant[]): Scenario {
  return { name, description, defaultRate: 300, run: (ctx) => runEvents(ctx, variants) };
}

export const events = eventsScenario(
  'events',
  'event intake: conversation-acd-start (CALLBACK, queue with a policy: track + job), conversation-user-end NOT_ELIGIBLE, and preview match (simulated gateway) vs bare Fastify',
  ['acd', 'userEnd', 'preview'],
);
export const eventsAcdStart = eventsScenario('events-acd-start', 'conversation-acd-start row only (setup as events)', ['acd']);
export const eventsUserEnd = eventsScenario('events-user-end', 'both conversation-user-end rows only (setup as events)', ['userEnd', 'preview']);

async function runEvents(ctx: ScenarioContext, variants: Variant[]): Promise<Row[]> {
  const { harness } = ctx;
  const { bench, db, monitor } = await startStack(ctx);

  // A queue with a prioritization policy (created through the admin API), named by its Genesys id.
  const admin = await harness.makeToken(bench.app, db, ['administrator']);
  const policy = await bench.app.inject({
    method: 'POST',
    url: '/admin/v1/prioritization-policies',
    headers: { authorization: admin },
    payload: { name: 'bench-aging', mode: 'step', initialDelaySeconds: 0, intervalSeconds: 30, increment: 1, maxSteps: 100, maxPriority: 1000 },
  });
  if (policy.statusCode !== 201) throw new Error(`policy: ${policy.statusCode} ${policy.body}`);
  await createQueue(benchContext(db), { name: EVENTS_QUEUE, timezone: 'America/New_York', genesysQueueId: EVENTS_GENESYS_QUEUE, prioritizationPolicyId: policy.json<{ id: string }>().id });

  const authorization = await harness.makeToken(bench.app, db, ['events']);
  const headers = { authorization, 'content-type': 'application/json' };

  // Accepted preview contacts, through the endpoint.
  for (let i = 0; i < PREVIEW_CONTACTS; i++) {
    const res = await bench.app.inject({
      method: 'POST',
      url: '/events/v1/preview-accepted',
      headers,
      payload: { conversationId: randomUUID(), eventTime: Date.now() - 3_600_000 + i, phoneNumber: previewNumber(i), contactId: `contact-${i}`, contactListId: CONTACT_LIST, campaignId: 'bench-campaign' },
    });
    if (res.json<{ action: string }>().action !== 'RECORDED') throw new Error(`preview-accepted ${i}: ${res.body}`);
  }
  await sql`analyze`.execute(db);

  // Probes: each body gives its action; a repeat is a DUPLICATE.
  for (const v of variants) {
    const { path, body, action } = ROWS[v];
    const url = `${bench.baseUrl}${path}`;
    const sample = body(1_000_000_000);
    const answer = JSON.parse(await harness.probe(url, { method: 'POST', headers, body: JSON.stringify(sample) })) as { action: string };
    if (answer.action !== action) throw new Error(`${path}: expected ${action}, got ${JSON.stringify(answer)}`);
    const again = JSON.parse(await harness.probe(url, { method: 'POST', headers, body: JSON.stringify(sample) })) as { action: string };
    if (again.action !== 'DUPLICATE') throw new Error(`${path} repeated: expected DUPLICATE, got ${JSON.stringify(again)}`);
  }
  ctx.log(`probed ${variants.map((v) => `${ROWS[v].path.split('/').pop()} → ${ROWS[v].action}`).join(', ')}; ${PREVIEW_CONTACTS} preview contacts recorded`);

  const bare = await bareWithLoad(ctx, monitor);
  const rows = [bare];
  for (const v of variants) {
    const { name, path, hook, body } = ROWS[v];
    rows.push(
      await measureWithLoad(ctx, monitor, {
        name,
        url: `${bench.baseUrl}${path}`,
        method: 'POST',
        headers,
        body: JSON.stringify(body(0)), // replaced per request by the hook
        setupRequest: { module: import.meta.url, export: hook },
      }),
    );
  }

  // What the events did.
  const actions = await sql<{ topic: string; action: string; n: number }>`
    select topic, action, count(*)::int as n from event_inbox where topic <> 'preview.accepted' group by 1, 2 order by 1, 2`.execute(db);
  const work = await sql<{ tracks: number; jobs: number; simulated: number }>`
    select (select count(*)::int from aging_tracks where status = 'ACTIVE') as tracks,
      (select count(*)::int from graphile_worker.jobs where task_identifier = 'aging-check') as jobs,
      (select count(*)::int from simulated_genesys_calls where operation = 'getContact') as simulated`.execute(db);
  const w = work.rows[0]!;
  ctx.log(`inbox: ${actions.rows.map((a) => `${a.topic} ${a.action} ${a.n}`).join(', ')}; ${w.tracks} active tracks, ${w.jobs} aging-check jobs queued (no worker), ${w.simulated} simulated getContact calls`);
  const expected = new Set(variants.map((v) => ROWS[v].action));
  const odd = actions.rows.filter((a) => !expected.has(a.action));
  if (odd.length > 0) ctx.log(`!! unexpected actions: ${JSON.stringify(odd)}`);
  return rows;
}
