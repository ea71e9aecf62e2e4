import type { Kysely, Transaction } from 'kysely';
import { mayUseQueueData } from '../auth/access.js';
import type { Context } from '../context.js';
import { lockKey } from '../db/locks.js';
import type { CallbackOfferRow, DB } from '../db/types.js';
import { resolveQueue } from '../queues/resolve.js';
import { isoUtc } from '../time.js';
import { OFFER_RESULTS, type OfferKind, type OfferOutcome, type OfferResult } from '../vocabulary.js';
import { findOffer, insertDecision, insertOffer, updateOffer } from './queries.js';
import type { OfferInput, OfferOutput } from './schemas.js';

/**
 * Offer tracking: what a flow offered the caller and what the caller chose, one record per
 * conversation. A later report replaces the recorded result only with a stronger one (NO_INPUT →
 * DECLINED → ACCEPTED: a caller who did not answer the first menu may decline or accept in the next;
 * one who accepted stays accepted); the recorded queue stays the first report's.
 */

const strength = (r: OfferResult) => OFFER_RESULTS.indexOf(r);

const lockOffer = (trx: Transaction<DB>, conversationId: string) => lockKey(trx, `offers:${conversationId}`);

/** `POST /actions/v1/offers`. Reports of one conversation are serialized, so racing ones decide in turn. */
export async function reportOffer(ctx: Context, input: OfferInput): Promise<OfferOutput> {
  const config = await resolveQueue(ctx, input);
  const offered = input.offered as OfferKind;
  const result = input.result as OfferResult;
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    await lockOffer(trx, input.conversationId);
    const recorded = await findOffer(trx, input.conversationId);
    if (!recorded) return answer(ctx, trx, 'RECORDED', 'Offer recorded', await insertOffer(trx, { conversation_id: input.conversationId, queue_id: config.queue.id, offered, result, at: now }));
    if (recorded.queue_id !== config.queue.id) return answer(ctx, trx, 'KEPT', 'This conversation’s offer is recorded in another queue: nothing changed', recorded, await queueOf(trx, recorded));
    if (recorded.offered === offered && recorded.result === result) return answer(ctx, trx, 'ALREADY_RECORDED', 'This offer is recorded already', recorded);
    if (strength(result) <= strength(recorded.result)) {
      return answer(ctx, trx, 'KEPT', `The recorded result ${recorded.result} stands: a later ${result} does not replace it`, recorded);
    }
    return answer(ctx, trx, 'UPDATED', `${result} replaces ${recorded.result}`, await updateOffer(trx, input.conversationId, { offered, result, at: now }));
  });
}

async function queueOf(db: Kysely<DB> | Transaction<DB>, offer: CallbackOfferRow) {
  return db.selectFrom('queues').select(['id', 'name', 'genesys_queue_id']).where('id', '=', offer.queue_id).executeTakeFirst();
}

async function answer(ctx: Context, db: Transaction<DB>, outcome: OfferOutcome, message: string, offer: CallbackOfferRow, otherQueue?: { id: string; name: string; genesys_queue_id: string | null }): Promise<OfferOutput> {
  // An offer recorded in a queue the caller may not use is not shown to it.
  const hidden = otherQueue !== undefined && !mayUseQueueData(ctx.caller, otherQueue);
  const queueName = otherQueue?.name ?? (await queueOf(db, offer))?.name ?? '';
  return {
    outcome,
    message,
    conversationId: offer.conversation_id,
    queueName: hidden ? '' : queueName,
    offered: hidden ? '' : offer.offered,
    result: hidden ? '' : offer.result,
    reportedAt: hidden ? '' : isoUtc(new Date(offer.reported_at)),
  };
}

/**
 * What callbacks/create records of each decision it makes, in its transaction, once (an idempotent
 * replay does not come here): the decision itself — created or refused, with the outcome, queue, type
 * and time — and, for a created callback with a conversation, that conversation's offer accepted (an
 * offer the flow never reported is recorded then, as an offer of the type created).
 */
export async function recordedDecision<A extends { outcome: string }>(
  trx: Transaction<DB>,
  at: Date,
  decision: { queueId: string; type: 'immediate' | 'scheduled'; conversationId?: string | undefined },
  answer: A,
): Promise<A> {
  await insertDecision(trx, { queue_id: decision.queueId, at, type: decision.type, outcome: answer.outcome });
  // An empty conversationId (a flow variable left unset) names no conversation.
  if (answer.outcome === 'CREATED' && decision.conversationId) await acceptOffer(trx, at, decision.queueId, decision.type, decision.conversationId);
  return answer;
}

async function acceptOffer(trx: Transaction<DB>, at: Date, queueId: string, type: 'immediate' | 'scheduled', conversationId: string): Promise<void> {
  const decision = { queueId, type, conversationId };
  await lockOffer(trx, decision.conversationId);
  const recorded = await findOffer(trx, decision.conversationId);
  if (!recorded) {
    await insertOffer(trx, { conversation_id: decision.conversationId, queue_id: decision.queueId, offered: decision.type === 'immediate' ? 'IMMEDIATE' : 'SCHEDULED', result: 'ACCEPTED', at });
  } else if (recorded.result !== 'ACCEPTED' && recorded.queue_id === decision.queueId) {
    await updateOffer(trx, decision.conversationId, { offered: recorded.offered, result: 'ACCEPTED', at });
  }
}
