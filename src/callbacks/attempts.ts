import type { Transaction } from 'kysely';
import type { Context } from '../context.js';
import type { CallbackRow, DB } from '../db/types.js';
import { enqueue, jobs } from '../jobs/catalog.js';
import { isoUtc } from '../time.js';
import type { ConversationOutcome, HistoryEvent } from '../vocabulary.js';
import { attemptsOf, insertAttempt, previousAttemptEnd } from './attempt-queries.js';
import { canTransition, recordHistory, RETRY_DELIVERY_FROM, RETRY_EVENT, transition } from './lifecycle.js';
import { lockCallback, setNextAttempt } from './queries.js';
import { callbackRetryPolicyOfQueue } from './retry-policy-queries.js';

/**
 * What the end of a callback's conversation decides, in one place: the wrap-up event, user.end and
 * the reconciler all come here. Without a callback retry policy on its queue the end completes the
 * callback as HANDLED (as user.end always did). With one, the wrap-up decides: one of the policy's
 * codes with attempts left → the next attempt after the wait (same callback record, a new Genesys
 * callback with the same number, name, data, queue and priority); at the last attempt →
 * COMPLETED/NO_ANSWER with every attempt listed; any other code → COMPLETED/HANDLED.
 */

export interface ConversationEnd {
  /**
   * The wrap-up code's id. null: none known — from user.end (whose topic carries no wrap-up; the
   * wrapup topic follows it) the wrap-up is still to come, so the callback waits for it; from any
   * other source (the wrapup topic without a code, the reconciler reading a conversation that ended
   * without one) there will be none, and the callback is HANDLED.
   */
  wrapUpCode: string | null;
  /** What says the conversation ended: recorded in the history and on the attempt. */
  source: HistoryEvent;
  /** The conversation that ended; when given, an end of any other conversation changes nothing. */
  conversationId?: string | undefined;
  /** When it ended (the event's time); default now. */
  endedAt?: Date | undefined;
  /** What the source saw (the agent and talk time of a user.end, what Genesys showed the reconciler): kept in the history. */
  detail?: Record<string, unknown> | undefined;
}

const sameCode = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Decides, in the caller's transaction, what the end of the callback's current attempt comes to.
 * Locks the callback; idempotent: an end of an attempt already decided (or of a conversation the
 * callback no longer has) answers UNCHANGED and changes nothing.
 */
export async function afterConversation(ctx: Pick<Context, 'caller' | 'clock' | 'caches'>, trx: Transaction<DB>, callback: Pick<CallbackRow, 'id'>, end: ConversationEnd): Promise<ConversationOutcome> {
  const cb = await lockCallback(trx, callback.id);
  if (!cb || cb.state === 'COMPLETED') return 'UNCHANGED';
  if (end.conversationId !== undefined && end.conversationId !== cb.genesys_conversation_id) return 'UNCHANGED';
  const now = ctx.clock.now();
  const policy = await callbackRetryPolicyOfQueue(trx, cb.queue_id);
  const seen = end.detail ?? {};

  if (!policy) {
    if (!canTransition(cb.state, 'COMPLETED')) return 'UNCHANGED';
    await transition(trx, cb, 'COMPLETED', ctx, now, { event: end.source, reason: 'HANDLED', ...((end.wrapUpCode !== null || end.detail) && { detail: { ...seen, ...(end.wrapUpCode !== null && { wrapUpCode: end.wrapUpCode }) } }) });
    return 'HANDLED';
  }

  // A callback waiting for its next attempt has no conversation yet: nothing of it has ended.
  if (cb.genesys_conversation_id === null) return 'UNCHANGED';

  if (end.wrapUpCode === null && end.source === 'user.end') {
    // The agent left; the wrap-up (a separate topic, after user.end) decides whether to try again.
    const detail = { ...seen, message: 'Awaiting the wrap-up', attempt: cb.attempt, maxAttempts: policy.max_attempts };
    if (cb.state === 'PROCESSING') await recordHistory(trx, cb.id, ctx.caller, { event: end.source, detail });
    else if (canTransition(cb.state, 'PROCESSING')) await transition(trx, cb, 'PROCESSING', ctx, now, { event: end.source, detail });
    return 'AWAITING_WRAPUP';
  }

  const attempt = {
    callback_id: cb.id,
    attempt: cb.attempt,
    conversation_id: cb.genesys_conversation_id,
    started_at: (await previousAttemptEnd(trx, cb.id, cb.attempt)) ?? cb.created_at,
    ended_at: end.endedAt ?? now,
    wrap_up_code: end.wrapUpCode,
    source: end.source,
  };
  const noAnswer = end.wrapUpCode !== null && policy.wrap_up_codes.some((c) => sameCode(c.id, end.wrapUpCode!));
  const of = `attempt ${cb.attempt} of ${policy.max_attempts}`;

  if (!noAnswer) {
    if (!(await insertAttempt(trx, { ...attempt, outcome: 'HANDLED' }))) return 'UNCHANGED';
    await transition(trx, cb, 'COMPLETED', ctx, now, { event: end.source, reason: 'HANDLED', detail: { ...seen, wrapUpCode: end.wrapUpCode, attempt: cb.attempt, maxAttempts: policy.max_attempts } });
    return 'HANDLED';
  }

  if (cb.attempt >= policy.max_attempts || !RETRY_DELIVERY_FROM.includes(cb.delivery_status)) {
    if (!(await insertAttempt(trx, { ...attempt, outcome: 'NO_ANSWER' }))) return 'UNCHANGED';
    const attempts = (await attemptsOf(trx, cb.id)).map((a) => ({ attempt: a.attempt, conversationId: a.conversation_id, wrapUpCode: a.wrap_up_code, endedAt: isoUtc(new Date(a.ended_at)) }));
    await transition(trx, cb, 'COMPLETED', ctx, now, { event: end.source, reason: 'NO_ANSWER', detail: { ...seen, wrapUpCode: end.wrapUpCode, attempt: cb.attempt, maxAttempts: policy.max_attempts, message: `No answer on ${of}`, attempts } });
    return 'NO_ANSWER';
  }

  // The next attempt, in this transaction: the ended attempt recorded, the callback SCHEDULED again
  // at the retry time and its delivery job committed with it (so a crash loses no attempt).
  const retryAt = new Date(now.getTime() + policy.wait_seconds * 1000);
  const next = cb.attempt + 1;
  if (!(await insertAttempt(trx, { ...attempt, outcome: 'RETRY_SCHEDULED', retry_at: retryAt }))) return 'UNCHANGED';
  await transition(trx, cb, 'SCHEDULED', ctx, now, {
    event: RETRY_EVENT,
    detail: {
      ...seen,
      message: `No answer on ${of}: attempt ${next} of ${policy.max_attempts} at ${isoUtc(retryAt)}`,
      wrapUpCode: end.wrapUpCode, endedBy: end.source, endedConversationId: cb.genesys_conversation_id, attempt: next, maxAttempts: policy.max_attempts, retryAt: isoUtc(retryAt),
    },
  });
  if (!(await setNextAttempt(trx, cb.id, { attempt: next, at: retryAt, now }, RETRY_DELIVERY_FROM))) throw new Error(`callback ${cb.id}: delivery moved while locked`);
  await enqueue(trx, jobs.deliverCallback(cb.id, { attempt: next, runAt: retryAt }));
  return 'RETRY_SCHEDULED';
}
