import type { Kysely, Transaction } from 'kysely';
import { startTrack, stopTrack } from '../aging/tracks.js';
import { canTransition, transition, type CompletionReason } from '../callbacks/lifecycle.js';
import { lockCallbackByConversation } from '../callbacks/queries.js';
import type { CallbackState, DB } from '../db/types.js';
import type { GenesysGateway } from '../genesys/gateway.js';
import { errors } from '../errors.js';
import { digitsOf } from '../numbers/screening.js';
import { decideRetry, lastResultOf, previewSettings } from '../retries/service.js';
import { processOnce, seen, type EventResult } from './inbox.js';
import { callbackNumbers, dedupeKey, field, parseEvent, type EventEnvelope } from './normalize.js';

const EVENTS = { id: 'events', name: 'events' };

export interface EventContext {
  db: Kysely<DB>;
  gateway: GenesysGateway;
  now: Date;
}

/** Our callback record for a Genesys callback conversation, moved along when an event says so. */
async function advanceCallback(trx: Transaction<DB>, now: Date, conversationId: string, to: CallbackState, event: string, reason?: CompletionReason): Promise<boolean> {
  const cb = await lockCallbackByConversation(trx, conversationId);
  if (!cb || !canTransition(cb.state, to)) return false;
  await transition(trx, cb, to, EVENTS, now, { event, ...(reason && { reason }) });
  return true;
}

const eventTimeOr = (env: EventEnvelope, now: Date) => (env.eventTime.getTime() > 0 ? env.eventTime : now);

/** `v2.detail.events.conversation.{id}.acd.start` */
export async function acdStart(ctx: EventContext, body: Record<string, unknown>): Promise<EventResult> {
  const env = parseEvent(body);
  return processOnce(ctx.db, 'acd.start', dedupeKey('acd.start', env), env, async (trx) => {
    if ((field(env, 'mediaType') ?? '').toUpperCase() !== 'CALLBACK') return { action: 'IGNORED', message: 'Not a callback' };
    await advanceCallback(trx, ctx.now, env.conversationId, 'QUEUED', 'acd.start');
    const genesysQueueId = field(env, 'queueId');
    const queue = genesysQueueId
      ? await trx.selectFrom('queues').select(['id', 'prioritization_policy_id']).where('genesys_queue_id', '=', genesysQueueId).executeTakeFirst()
      : undefined;
    if (!queue) return { action: 'IGNORED', message: 'The queue is not configured here' };
    if (!queue.prioritization_policy_id) return { action: 'IGNORED', message: 'The queue has no prioritization policy' };
    const policy = await trx.selectFrom('prioritization_policies').selectAll().where('id', '=', queue.prioritization_policy_id).executeTakeFirstOrThrow();
    const routingPriority = Number(field(env, 'routingPriority') ?? 0);
    const started = await startTrack(trx, {
      conversationId: env.conversationId,
      queueId: queue.id,
      policy,
      startedAt: eventTimeOr(env, ctx.now),
      routingPriority: Number.isFinite(routingPriority) ? Math.trunc(routingPriority) : 0,
    });
    return started
      ? { action: 'TRACKING_STARTED', message: `Priority aging started (${policy.name})` }
      : { action: 'IGNORED', message: 'This conversation is already tracked (or has ended)' };
  });
}

/** `...acd.end`: the callback left the queue (answered, abandoned or flowed out). */
export async function acdEnd(ctx: EventContext, body: Record<string, unknown>): Promise<EventResult> {
  const env = parseEvent(body);
  return processOnce(ctx.db, 'acd.end', dedupeKey('acd.end', env), env, async (trx) => {
    const outcome = (field(env, 'acdOutcome') ?? '').toUpperCase();
    if (outcome === 'ANSWERED') await advanceCallback(trx, ctx.now, env.conversationId, 'PROCESSING', 'acd.end');
    if (outcome === 'ABANDON') await advanceCallback(trx, ctx.now, env.conversationId, 'COMPLETED', 'acd.end', 'ABANDONED');
    const stopped = await stopTrack(trx, env.conversationId, 'ACD_END', eventTimeOr(env, ctx.now));
    return { action: stopped ? 'TRACKING_STOPPED' : 'IGNORED', message: stopped ? 'Priority aging stopped' : 'No active tracking' };
  });
}

/** `POST /events/v1/preview-accepted`: remember the preview contact, to retry it by wrap-up later. */
export async function previewAccepted(ctx: EventContext, body: Record<string, unknown>): Promise<EventResult> {
  const env = parseEvent(body);
  const contactId = field(env, 'contactId');
  const contactListId = field(env, 'contactListId');
  const phone = field(env, 'phoneNumber');
  if (!contactId) throw errors.validation('contactId', 'contactId is required');
  if (!contactListId) throw errors.validation('contactListId', 'contactListId is required');
  if (!phone || digitsOf(phone) === '') throw errors.validation('phoneNumber', 'phoneNumber is required');
  return processOnce(ctx.db, 'preview.accepted', dedupeKey('preview.accepted', env, contactId), env, async (trx) => {
    const values = {
      phone_digits: digitsOf(phone),
      conversation_id: env.conversationId,
      campaign_id: field(env, 'campaignId'),
      accepted_at: eventTimeOr(env, ctx.now),
      updated_at: ctx.now,
    };
    await trx
      .insertInto('preview_contacts')
      .values({ contact_id: contactId, contact_list_id: contactListId, ...values })
      .onConflict((oc) => oc.columns(['contact_list_id', 'contact_id']).doUpdateSet(values))
      .execute();
    return { action: 'RECORDED', message: 'Preview contact recorded' };
  });
}

/**
 * `...user.end`: a participant left. Completes our callback when the agent side ends, and — for an
 * event matching the preview criteria (seed 004: CLIENT, CALLBACK, PureCloud Callback, OUTBOUND) —
 * finds the preview contact by number, reads its last result from the contact list and schedules
 * the retry its policy asks for.
 */
export async function userEnd(ctx: EventContext, body: Record<string, unknown>): Promise<EventResult> {
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
      ? await ctx.db.selectFrom('preview_contacts').selectAll().where('phone_digits', 'in', digits).orderBy('accepted_at', 'desc').limit(1).executeTakeFirst()
      : undefined;
  // The contact list is read before the transaction: no remote call while rows are locked.
  const contact = preview ? await ctx.gateway.getContact(preview.contact_list_id, preview.contact_id) : null;

  return processOnce(ctx.db, 'user.end', key, env, async (trx) => {
    if (field(env, 'userId')) await advanceCallback(trx, ctx.now, env.conversationId, 'COMPLETED', 'user.end', 'HANDLED');
    if (!eligible) return { action: 'NOT_ELIGIBLE', message: 'The event does not match the preview-retry criteria', ...none };
    if (digits.length === 0) return { action: 'IGNORED', message: 'The event carries no callback number', ...none };
    if (!preview) return { action: 'NO_MATCH', message: 'No accepted preview for this number', ...none };
    if (!contact) return { action: 'NO_MATCH', message: 'The preview contact is no longer in its contact list', ...none };
    const decision = await decideRetry(trx, preview, lastResultOf(contact, settings.wrapupColumn), env.conversationId, ctx.now);
    return { ...decision };
  });
}
