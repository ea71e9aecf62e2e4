import type { JobHelpers } from 'graphile-worker';
import type { Kysely, Transaction } from 'kysely';
import type { TaskDeps } from '../callbacks/tasks.js';
import type { AgingTrackRow, DB, PrioritizationPolicyRow } from '../db/types.js';
import { GenesysError, type ConversationSnapshot } from '../genesys/gateway.js';
import { addJob, removeJob } from '../jobs/enqueue.js';

/**
 * Priority aging [001], in place of the blueprint's Architect loop: while a callback waits in a queue
 * with a policy, every interval its routing priority goes up (step: + increment; age: base + minutes
 * waited × points per minute), until it is answered or gone, or a cap is reached. One track per
 * conversation; its checks are jobs keyed by conversation, so a repeated start schedules nothing.
 */

const jobKey = (conversationId: string) => `aging:${conversationId}`;
const MAX_PRIORITY = 25_000_000;

export type StopReason = 'ANSWERED' | 'DISCONNECTED' | 'ACD_END' | 'MAX_STEPS' | 'PRIORITY_CAP' | 'NOT_FOUND' | 'POLICY_REMOVED';

export async function startTrack(
  trx: Transaction<DB>,
  start: { conversationId: string; queueId: string; policy: PrioritizationPolicyRow; startedAt: Date; routingPriority: number },
): Promise<boolean> {
  const firstCheck = new Date(start.startedAt.getTime() + start.policy.initial_delay_seconds * 1000);
  const inserted = await trx
    .insertInto('aging_tracks')
    .values({
      conversation_id: start.conversationId,
      queue_id: start.queueId,
      policy_id: start.policy.id,
      status: 'ACTIVE',
      started_at: start.startedAt,
      base_priority: start.routingPriority,
      current_priority: start.routingPriority,
      next_check_at: firstCheck,
    })
    .onConflict((oc) => oc.column('conversation_id').doNothing())
    .returning('conversation_id')
    .executeTakeFirst();
  if (!inserted) return false;
  await addJob(trx, 'aging-check', { conversationId: start.conversationId }, { runAt: firstCheck, jobKey: jobKey(start.conversationId) });
  return true;
}

/** Stops a track; with none yet (the end arrived before the start), leaves a stopped one so a late start does nothing. */
export async function stopTrack(trx: Transaction<DB>, conversationId: string, reason: StopReason, at: Date): Promise<boolean> {
  const stopped = await trx
    .updateTable('aging_tracks')
    .set({ status: 'STOPPED', stop_reason: reason, next_check_at: null, updated_at: new Date() })
    .where('conversation_id', '=', conversationId)
    .where('status', '=', 'ACTIVE')
    .returning('conversation_id')
    .executeTakeFirst();
  if (!stopped) {
    await trx
      .insertInto('aging_tracks')
      .values({ conversation_id: conversationId, status: 'STOPPED', started_at: at, base_priority: 0, stop_reason: reason })
      .onConflict((oc) => oc.column('conversation_id').doNothing())
      .execute();
  }
  await removeJob(trx, jobKey(conversationId));
  return stopped !== undefined;
}

/** Still waiting: the ACD participant is connected and no agent is. (There is no "waiting" state.) */
export function waitingInQueue(conversation: ConversationSnapshot): 'WAITING' | 'ANSWERED' | 'DISCONNECTED' {
  if (conversation.participants.some((p) => p.purpose === 'agent' && p.state === 'connected')) return 'ANSWERED';
  if (conversation.participants.some((p) => p.purpose === 'acd' && p.state === 'connected')) return 'WAITING';
  return 'DISCONNECTED';
}

export function nextPriority(policy: PrioritizationPolicyRow, track: Pick<AgingTrackRow, 'base_priority' | 'steps' | 'started_at'>, now: Date): number {
  const base = track.base_priority + policy.base_priority;
  const raw =
    policy.mode === 'step'
      ? base + policy.increment * (track.steps + 1)
      : base + Math.floor(((now.getTime() - new Date(track.started_at).getTime()) / 60_000) * policy.points_per_minute);
  return Math.max(-MAX_PRIORITY, Math.min(raw, policy.max_priority, MAX_PRIORITY));
}

async function stop(db: Kysely<DB>, conversationId: string, reason: StopReason, now: Date) {
  await db.transaction().execute((trx) => stopTrack(trx, conversationId, reason, now));
}

/** One check of a track (the `aging-check` job). */
export async function agingCheck(deps: TaskDeps, payload: { conversationId: string }, helpers?: Pick<JobHelpers, 'job'>): Promise<void> {
  const { db, gateway } = deps;
  const track = await db.selectFrom('aging_tracks').selectAll().where('conversation_id', '=', payload.conversationId).executeTakeFirst();
  if (!track || track.status !== 'ACTIVE') return;
  const policy = track.policy_id ? await db.selectFrom('prioritization_policies').selectAll().where('id', '=', track.policy_id).executeTakeFirst() : undefined;
  const now = deps.clock.now();
  if (!policy) return stop(db, track.conversation_id, 'POLICY_REMOVED', now);

  const conversation = await gateway.getConversation(track.conversation_id);
  if (!conversation) return stop(db, track.conversation_id, 'NOT_FOUND', now);
  const state = waitingInQueue(conversation);
  if (state !== 'WAITING') return stop(db, track.conversation_id, state, now);

  const priority = nextPriority(policy, track, now);
  try {
    await gateway.setConversationPriority(track.conversation_id, priority);
  } catch (err) {
    if (err instanceof GenesysError && err.status === 404) return stop(db, track.conversation_id, 'NOT_FOUND', now);
    throw err;
  }
  await db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('aging_tracks').select(['status', 'steps']).where('conversation_id', '=', track.conversation_id).forUpdate().executeTakeFirst();
    // Stopped meanwhile (acd.end arrived): record nothing further and schedule nothing.
    if (!current || current.status !== 'ACTIVE' || current.steps !== track.steps) return;
    const step = track.steps + 1;
    await trx.insertInto('aging_steps').values({ conversation_id: track.conversation_id, step, priority, scheduled_for: helpers?.job.run_at ?? null }).execute();
    const capped = priority >= policy.max_priority;
    const done = capped || step >= policy.max_steps;
    const next = new Date(now.getTime() + policy.interval_seconds * 1000);
    await trx
      .updateTable('aging_tracks')
      .set({
        steps: step,
        current_priority: priority,
        last_check_at: now,
        updated_at: new Date(),
        ...(done ? { status: 'STOPPED' as const, stop_reason: capped ? 'PRIORITY_CAP' : 'MAX_STEPS', next_check_at: null } : { next_check_at: next }),
      })
      .where('conversation_id', '=', track.conversation_id)
      .execute();
    if (!done) await addJob(trx, 'aging-check', { conversationId: track.conversation_id }, { runAt: next, jobKey: jobKey(track.conversation_id) });
  });
}
