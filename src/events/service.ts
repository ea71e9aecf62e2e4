import type { Transaction } from 'kysely';
import { startTrack, stopTrack, trackQueue } from '../aging/tracks.js';
import { isRestricted, mayActOnConversation, mayUseQueue, type QueueIdentity } from '../auth/access.js';
import { canTransition, transition, type CompletionReason } from '../callbacks/lifecycle.js';
import { afterConversation } from '../callbacks/attempts.js';
import { findCallback, lockCallbackOfConversation } from '../callbacks/queries.js';
import { callbackRetryPolicyOfQueue } from '../callbacks/retry-policy-queries.js';
import { isoUtc } from '../time.js';
import type { Context } from '../context.js';
import type { DB } from '../db/types.js';
import { errors } from '../errors.js';
import { queueOfContactList } from '../campaigns/queries.js';
import { findQueueByGenesysId } from '../queues/queries.js';
import { digitsOf } from '../numbers/screening.js';
import { decideRetry, lastResultOf, previewSettings } from '../retries/service.js';
import { latestPreviewForDigits, upsertPreviewContact } from '../retries/contact-queries.js';
import { participantEnded, processOnce, seen, type EventResult } from './inbox.js';
import { callbackNumbers, dedupeKey, field, parseEvent, type EventEnvelope } from './normalize.js';
import type { CallbackState, EventActionOf, HistoryEvent } from '../vocabulary.js';

/**
 * Our callback record for a Genesys callback conversation, moved along when an event says so; the
 * history records the events client that forwarded it. (Only after `ownedBy` let the event through.)
 */
async function advanceCallback(ctx: Context, trx: Transaction<DB>, conversationId: string, to: CallbackState, event: HistoryEvent, reason?: CompletionReason): Promise<boolean> {
  const cb = await lockCallbackOfConversation(trx, conversationId);
  if (!cb || !canTransition(cb.state, to)) return false;
  await transition(trx, cb, to, ctx, ctx.clock.now(), { event, ...(reason && { reason }) });
  return true;
}

const eventTimeOr = (env: EventEnvelope, now: Date) => (env.eventTime.getTime() > 0 ? env.eventTime : now);

const NOT_OURS: EventResult<'IGNORED'> = { action: 'IGNORED', message: "The conversation belongs to a queue outside this client's allow-list" };

/**
 * Every queue an event's conversation touches: its callback's, its aging track's, and the queue the
 * event names. A restricted events client acts only when it may use all of them; an event it may not
 * act on answers IGNORED, changes nothing and is not recorded as processed (the client whose queue
 * it is may still forward it).
 */
async function conversationQueues(trx: Transaction<DB>, env: EventEnvelope): Promise<(QueueIdentity | null)[]> {
  const queues: (QueueIdentity | null)[] = [];
  const callback = await lockCallbackOfConversation(trx, env.conversationId);
  if (callback) queues.push({ id: callback.queue_id, name: callback.queue_name, genesys_queue_id: callback.genesys_queue_id });
  const track = await trackQueue(trx, env.conversationId);
  if (track !== undefined) queues.push(track);
  const named = await eventQueue(trx, env);
  if (named) queues.push(named);
  return queues;
}

const ownedBy = (ctx: Context) => async (trx: Transaction<DB>, env: EventEnvelope) =>
  !isRestricted(ctx.caller) || mayActOnConversation(ctx.caller, await conversationQueues(trx, env));

/** As ownedBy, and the queue the preview contact will belong to counts too. */
const ownedByPreview = (ctx: Context, queue: QueueIdentity | undefined) => async (trx: Transaction<DB>, env: EventEnvelope) =>
  !isRestricted(ctx.caller) || mayActOnConversation(ctx.caller, [...(await conversationQueues(trx, env)), ...(queue ? [queue] : [])]);

/** The queue the event names by its Genesys queue id, if it is one of ours. */
function eventQueue(db: Context['db'] | Transaction<DB>, env: EventEnvelope) {
  const genesysQueueId = field(env, 'queueId');
  return genesysQueueId ? findQueueByGenesysId(db, genesysQueueId) : Promise.resolve(undefined);
}

/**
 * An agent's participant ended. Only an agent who was connected (interactingDurationMs > 0) handled
 * the callback; one who was only alerted and never answered did not — the callback is offered again
 * from the queue (ROUTING → QUEUED), and whoever answers it later completes it.
 */
async function agentLeft(ctx: Context, trx: Transaction<DB>, env: EventEnvelope, userId: string): Promise<void> {
  const cb = await lockCallbackOfConversation(trx, env.conversationId);
  if (!cb) return;
  const interacting = Number(field(env, 'interactingDurationMs') ?? 0);
  if (Number.isFinite(interacting) && interacting > 0) {
    // Handled, or (a queue with a callback retry policy) awaiting its wrap-up.
    await afterConversation(ctx, trx, cb, {
      wrapUpCode: null,
      source: 'user.end',
      conversationId: env.conversationId,
      endedAt: eventTimeOr(env, ctx.clock.now()),
      detail: { userId, interactingDurationMs: interacting },
    });
    return;
  }
  if (cb.state === 'ROUTING') await transition(trx, cb, 'QUEUED', ctx, ctx.clock.now(), { event: 'user.end', detail: { userId, answered: false } });
}

/** `v2.detail.events.conversation.{id}.acd.start` */
export async function acdStart(ctx: Context, body: Record<string, unknown>): Promise<EventResult<EventActionOf<'acdStart'>>> {
  const env = parseEvent(body);
  return processOnce(ctx.db, 'acd.start', dedupeKey('acd.start', env), env, { owned: ownedBy(ctx), notOurs: NOT_OURS }, async (trx) => {
    if ((field(env, 'mediaType') ?? '').toUpperCase() !== 'CALLBACK') return { action: 'IGNORED', message: 'Not a callback' };
    await advanceCallback(ctx, trx, env.conversationId, 'QUEUED', 'acd.start');
    const callback = await lockCallbackOfConversation(trx, env.conversationId);
    const queue = await eventQueue(trx, env);
    if (!queue) return { action: 'IGNORED', message: 'The queue is not configured here' };
    if (!queue.prioritization_policy_id) return { action: 'IGNORED', message: 'The queue has no prioritization policy' };
    const policy = await trx.selectFrom('prioritization_policies').selectAll().where('id', '=', queue.prioritization_policy_id).executeTakeFirstOrThrow();
    // Absent: 0 until the first check reads the priority Genesys holds (and builds on that).
    const routingPriority = Number(field(env, 'routingPriority') ?? 0);
    const started = await startTrack(trx, {
      conversationId: env.conversationId,
      queueId: queue.id,
      policy,
      startedAt: eventTimeOr(env, ctx.clock.now()),
      routingPriority: Number.isFinite(routingPriority) ? Math.trunc(routingPriority) : 0,
      waitedSeconds: callback?.waited_seconds ?? 0,
    });
    return started
      ? { action: 'TRACKING_STARTED', message: `Priority aging started (${policy.name})` }
      : { action: 'IGNORED', message: 'This conversation is already tracked (or has ended)' };
  });
}

/** `...acd.end`: the callback left the queue (answered, abandoned or flowed out). */
export async function acdEnd(ctx: Context, body: Record<string, unknown>): Promise<EventResult<EventActionOf<'acdEnd'>>> {
  const env = parseEvent(body);
  return processOnce(ctx.db, 'acd.end', dedupeKey('acd.end', env), env, { owned: ownedBy(ctx), notOurs: NOT_OURS }, async (trx) => {
    const outcome = (field(env, 'acdOutcome') ?? '').toUpperCase();
    if (outcome === 'ANSWERED') await advanceCallback(ctx, trx, env.conversationId, 'PROCESSING', 'acd.end');
    // Left the queue unanswered: the customer hung up (ABANDONED), or Genesys itself ended it
    // (disconnectType SYSTEM, e.g. the auto-end of a callback nobody took: EXPIRED).
    const bySystem = (field(env, 'disconnectType') ?? '').toUpperCase() === 'SYSTEM';
    if (outcome === 'ABANDON') await advanceCallback(ctx, trx, env.conversationId, 'COMPLETED', 'acd.end', bySystem ? 'EXPIRED' : 'ABANDONED');
    // An end before its start leaves a stopped track, in the queue the event names, so the late start
    // does nothing; a restricted client leaves one only in a queue of its own.
    const queue = (await eventQueue(trx, env)) ?? null;
    const placeholder = queue !== null && mayUseQueue(ctx.caller, queue) ? { queueId: queue.id } : isRestricted(ctx.caller) ? null : { queueId: null };
    const now = ctx.clock.now();
    const stopped = await stopTrack(trx, env.conversationId, 'ACD_END', eventTimeOr(env, now), now, placeholder);
    return { action: stopped ? 'TRACKING_STOPPED' : 'IGNORED', message: stopped ? 'Priority aging stopped' : 'No active tracking' };
  });
}

/**
 * `...user.start`: an agent's participant started on a callback's conversation (it is alerting the
 * agent): a SCHEDULED or QUEUED callback moves to ROUTING. Never backwards — canTransition refuses
 * ROUTING from PROCESSING or COMPLETED — and not for a participant whose user.end came first.
 */
export async function userStart(ctx: Context, body: Record<string, unknown>): Promise<EventResult<EventActionOf<'userStart'>>> {
  const env = parseEvent(body);
  return processOnce(ctx.db, 'user.start', dedupeKey('user.start', env), env, { owned: ownedBy(ctx), notOurs: NOT_OURS }, async (trx) => {
    if ((field(env, 'mediaType') ?? '').toUpperCase() !== 'CALLBACK') return { action: 'IGNORED', message: 'Not a callback' };
    const userId = field(env, 'userId');
    if (!userId) return { action: 'IGNORED', message: 'No agent (userId) started: only an agent routes a callback' };
    const cb = await lockCallbackOfConversation(trx, env.conversationId);
    if (!cb) return { action: 'IGNORED', message: "The conversation is not the current attempt of one of this service's callbacks" };
    if (env.participantId && (await participantEnded(trx, env.conversationId, env.participantId))) return { action: 'IGNORED', message: "This agent's participant has ended already" };
    if (!canTransition(cb.state, 'ROUTING')) return { action: 'IGNORED', message: `The callback is ${cb.state.toLowerCase()}: it does not go back to routing` };
    await transition(trx, cb, 'ROUTING', ctx, ctx.clock.now(), { event: 'user.start', detail: { userId } });
    return { action: 'ROUTING', message: `Routing to agent ${userId}`, callbackId: cb.id };
  });
}

/** The first of these fields the event carries. */
const firstField = (env: EventEnvelope, ...names: string[]) => names.map((n) => field(env, n)).find((v) => v !== null && v !== '') ?? null;

/**
 * The queue a preview contact belongs to: the one the event names, else the queue of the campaign
 * configured here with the contact's list (the outbound topic names no queue).
 */
async function previewQueue(db: Context['db'], env: EventEnvelope, contactListId: string): Promise<QueueIdentity | undefined> {
  return (await eventQueue(db, env)) ?? (await queueOfContactList(db, contactListId));
}

/**
 * `POST /events/v1/preview-accepted`: remember the preview contact, to retry it by wrap-up later.
 * Reads the conversation outbound topic (`outboundContactId`, `outboundContactListId`,
 * `outboundCampaignId`, the number in `addressTo` or `dnis`); `contactId`, `contactListId`,
 * `campaignId` and `phoneNumber` are accepted as aliases.
 */
export async function previewAccepted(ctx: Context, body: Record<string, unknown>): Promise<EventResult<EventActionOf<'previewAccepted'>>> {
  const env = parseEvent(body);
  const contactId = firstField(env, 'outboundContactId', 'contactId');
  const contactListId = firstField(env, 'outboundContactListId', 'contactListId');
  const phone = [firstField(env, 'phoneNumber'), firstField(env, 'addressTo'), firstField(env, 'dnis')].find((p) => p !== null && digitsOf(p) !== '') ?? null;
  if (!contactId) throw errors.validation('outboundContactId', 'outboundContactId (or contactId) is required');
  if (!contactListId) throw errors.validation('outboundContactListId', 'outboundContactListId (or contactListId) is required');
  if (!phone) throw errors.validation('addressTo', 'addressTo, dnis or phoneNumber must hold the previewed number');
  // Configuration, read once: it decides both who may record the contact and the queue it gets.
  const queue = await previewQueue(ctx.db, env, contactListId);
  const scope = { owned: ownedByPreview(ctx, queue), notOurs: NOT_OURS };
  return processOnce(ctx.db, 'preview.accepted', dedupeKey('preview.accepted', env, contactId), env, scope, async (trx) => {
    const now = ctx.clock.now();
    const values = {
      phone_digits: digitsOf(phone),
      queue_id: queue?.id ?? null,
      conversation_id: env.conversationId,
      campaign_id: firstField(env, 'outboundCampaignId', 'campaignId'),
      accepted_at: eventTimeOr(env, now),
      updated_at: now,
    };
    await upsertPreviewContact(trx, { contact_id: contactId, contact_list_id: contactListId }, values);
    return { action: 'RECORDED', message: 'Preview contact recorded' };
  });
}

/**
 * `...user.end`: a participant left. Completes our callback when the agent side ends, and — for an
 * event matching the preview criteria (by default: CLIENT, CALLBACK, PureCloud Callback, OUTBOUND) —
 * finds the preview contact by number, reads its last result from the contact list and schedules
 * the retry its policy asks for.
 */
export async function userEnd(ctx: Context, body: Record<string, unknown>): Promise<EventResult<EventActionOf<'userEnd'>>> {
  const env = parseEvent(body);
  const key = dedupeKey('user.end', env);
  const none = { retryAt: '' };
  if (await seen(ctx.db, key)) return { action: 'DUPLICATE', message: 'This event was already processed', ...none };

  const settings = await previewSettings(ctx.db);
  const eligible = Object.entries(settings.criteria).every(([name, value]) => (field(env, name) ?? '').toLowerCase() === value.toLowerCase());
  // Numbers are matched by digits, not screened: fictional numbers in tests and samples must still match.
  const digits = callbackNumbers(env).map(digitsOf).filter((d) => d !== '');
  const preview =
    eligible && digits.length > 0
      ? await latestPreviewForDigits(ctx.db, digits)
      : undefined;
  // The contact list is read before the transaction: no remote call while rows are locked.
  const contact = preview ? await ctx.gateway.getContact(preview.contact_list_id, preview.contact_id) : null;

  return processOnce(ctx.db, 'user.end', key, env, { owned: ownedBy(ctx), notOurs: { ...NOT_OURS, ...none } }, async (trx) => {
    const userId = field(env, 'userId');
    if (userId) await agentLeft(ctx, trx, env, userId);
    if (!eligible) return { action: 'NOT_ELIGIBLE', message: 'The event does not match the preview-retry criteria', ...none };
    if (digits.length === 0) return { action: 'IGNORED', message: 'The event carries no callback number', ...none };
    if (!preview) return { action: 'NO_MATCH', message: 'No accepted preview for this number', ...none };
    if (!contact) return { action: 'NO_MATCH', message: 'The preview contact is no longer in its contact list', ...none };
    const decision = await decideRetry(trx, preview, lastResultOf(contact, settings.wrapupColumn), env.conversationId, ctx.clock.now());
    return { ...decision };
  });
}

const NO_CALLBACK = { callbackId: '', attempt: 0, maxAttempts: 0, retryAt: '' };

/**
 * `...wrapup`: an agent wrapped up a conversation. For the conversation of a callback's current
 * attempt, the code decides (callbacks/attempts.ts): RETRY_SCHEDULED (+ `retryAt`), NO_ANSWER (the
 * last attempt) or HANDLED. A conversation that is no callback's current attempt — an earlier
 * attempt's, or none of ours — changes nothing (IGNORED).
 */
export async function wrapup(ctx: Context, body: Record<string, unknown>): Promise<EventResult<EventActionOf<'wrapup'>>> {
  const env = parseEvent(body);
  const code = field(env, 'wrapupCode');
  if (code === null || code.trim() === '') throw errors.validation('wrapupCode', 'wrapupCode is required: the id of the wrap-up code');
  return processOnce(ctx.db, 'wrapup', dedupeKey('wrapup', env), env, { owned: ownedBy(ctx), notOurs: { ...NOT_OURS, ...NO_CALLBACK } }, async (trx) => {
    const callback = await lockCallbackOfConversation(trx, env.conversationId);
    if (!callback) return { action: 'IGNORED', message: "The conversation is not the current attempt of one of this service's callbacks", ...NO_CALLBACK };
    const before = (await findCallback(trx, callback.id))!;
    const policy = await callbackRetryPolicyOfQueue(trx, before.queue_id);
    const outcome = await afterConversation(ctx, trx, callback, { wrapUpCode: code.trim(), source: 'wrapup', conversationId: env.conversationId, endedAt: eventTimeOr(env, ctx.clock.now()) });
    const about = { callbackId: callback.id, attempt: before.attempt, maxAttempts: policy?.max_attempts ?? 0, retryAt: '' };
    switch (outcome) {
      case 'RETRY_SCHEDULED': {
        const after = (await findCallback(trx, callback.id))!;
        return { action: 'RETRY_SCHEDULED', message: `No answer: attempt ${after.attempt} of ${about.maxAttempts} at ${isoUtc(after.scheduled_time!)}`, ...about, retryAt: isoUtc(after.scheduled_time!) };
      }
      case 'NO_ANSWER':
        return { action: 'NO_ANSWER', message: `No answer on the last attempt (${before.attempt} of ${about.maxAttempts}): completed`, ...about };
      case 'HANDLED':
        return { action: 'HANDLED', message: policy ? `Wrap-up ${code} is not a no-answer code: completed as handled` : 'Completed as handled (the queue has no callback retry policy)', ...about };
      default:
        return { action: 'IGNORED', message: `The callback is ${before.state.toLowerCase()}: this wrap-up changes nothing`, ...about };
    }
  });
}
