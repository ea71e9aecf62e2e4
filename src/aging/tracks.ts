import type { JobHelpers } from 'graphile-worker';
import { sql, type Kysely, type Transaction } from 'kysely';
import { assertQueueDataAccess, isRestricted, type QueueIdentity } from '../auth/access.js';
import type { Context } from '../context.js';
import type { AgingTrackRow, DB, PrioritizationPolicyRow } from '../db/types.js';
import { isNotFound } from '../genesys/errors.js';
import type { ConversationSnapshot } from '../genesys/gateway.js';
import { addJobSql, enqueue, jobKeys, jobs, removeJob } from '../jobs/catalog.js';
import type { JobContext } from '../jobs/context.js';
import { errors } from '../errors.js';
import { isoUtc, isoUtcOrNull } from '../time.js';
import { allowedQueues } from '../queues/resolve.js';

/**
 * Priority aging, done here rather than in an Architect loop: while a callback waits in a queue
 * with a policy, every interval its routing priority goes up (step: + increment; age: base + minutes
 * waited × points per minute), until it is answered or gone, or a cap is reached. One track per
 * conversation; its checks are jobs keyed by conversation, so a repeated start schedules nothing.
 * Every check reads the conversation first, and with it the priority Genesys holds (the ACD
 * participant's conversationRoutingData.priority): the first step builds on it, and no step ever
 * sets a priority below it.
 */

const MAX_PRIORITY = 25_000_000;

export type StopReason = 'ANSWERED' | 'DISCONNECTED' | 'ACD_END' | 'MAX_STEPS' | 'PRIORITY_CAP' | 'NOT_FOUND' | 'POLICY_REMOVED';

export async function startTrack(
  trx: Transaction<DB>,
  start: {
    conversationId: string;
    queueId: string;
    policy: PrioritizationPolicyRow;
    startedAt: Date;
    routingPriority: number;
    /** Credited wait (the callback's waitedSeconds): age mode counts from startedAt minus this. */
    waitedSeconds?: number;
  },
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
      waited_seconds: start.waitedSeconds ?? 0,
      next_check_at: firstCheck,
    })
    .onConflict((oc) => oc.column('conversation_id').doNothing())
    .returning('conversation_id')
    .executeTakeFirst();
  if (!inserted) return false;
  await enqueue(trx, jobs.agingCheck(start.conversationId, firstCheck));
  return true;
}

/**
 * Stops a track (`at`: when the conversation ended; `now`: when we record it); with none yet (the end
 * arrived before the start), leaves a stopped one in `placeholder`'s queue so a late start does
 * nothing — unless `placeholder` is null.
 */
export async function stopTrack(
  trx: Transaction<DB>,
  conversationId: string,
  reason: StopReason,
  at: Date,
  now: Date,
  placeholder: { queueId: string | null } | null = { queueId: null },
): Promise<boolean> {
  const stopped = await trx
    .updateTable('aging_tracks')
    .set({ status: 'STOPPED', stop_reason: reason, next_check_at: null, updated_at: now })
    .where('conversation_id', '=', conversationId)
    .where('status', '=', 'ACTIVE')
    .returning('conversation_id')
    .executeTakeFirst();
  if (!stopped && placeholder) {
    await trx
      .insertInto('aging_tracks')
      .values({ conversation_id: conversationId, queue_id: placeholder.queueId, status: 'STOPPED', started_at: at, base_priority: 0, stop_reason: reason })
      .onConflict((oc) => oc.column('conversation_id').doNothing())
      .execute();
  }
  await removeJob(trx, jobKeys.aging(conversationId));
  return stopped !== undefined;
}

/** A track's queue, for the access check: undefined without a track, null for a track recorded without a queue. */
export async function trackQueue(db: Kysely<DB> | Transaction<DB>, conversationId: string): Promise<QueueIdentity | null | undefined> {
  const row = await db
    .selectFrom('aging_tracks as t')
    .leftJoin('queues as q', 'q.id', 't.queue_id')
    .select(['q.id', 'q.name', 'q.genesys_queue_id'])
    .where('t.conversation_id', '=', conversationId)
    .executeTakeFirst();
  if (!row) return undefined;
  return row.id === null ? null : { id: row.id, name: row.name!, genesys_queue_id: row.genesys_queue_id };
}

/** Still waiting: the ACD participant is connected and no agent is. (There is no "waiting" state.) */
export function waitingInQueue(conversation: ConversationSnapshot): 'WAITING' | 'ANSWERED' | 'DISCONNECTED' {
  if (conversation.participants.some((p) => p.purpose === 'agent' && p.state === 'connected')) return 'ANSWERED';
  if (conversation.participants.some((p) => p.purpose === 'acd' && p.state === 'connected')) return 'WAITING';
  return 'DISCONNECTED';
}

/** The priority Genesys holds for the conversation: its (connected, else any) ACD participant's; null when it does not say. */
export function routingPriorityOf(conversation: ConversationSnapshot): number | null {
  const acd = conversation.participants.filter((p) => p.purpose === 'acd' && p.priority !== null);
  return (acd.find((p) => p.state === 'connected') ?? acd.at(-1))?.priority ?? null;
}

/**
 * The priority of the next step. `current`: the one Genesys holds now — never gone below (the cap
 * of the policy does not lower it either).
 */
export function nextPriority(
  policy: PrioritizationPolicyRow,
  track: Pick<AgingTrackRow, 'base_priority' | 'steps' | 'started_at'> & { waited_seconds?: number },
  now: Date,
  current: number | null = null,
): number {
  const base = track.base_priority + policy.base_priority;
  const since = new Date(track.started_at).getTime() - (track.waited_seconds ?? 0) * 1000;
  const raw = policy.mode === 'step' ? base + policy.increment * (track.steps + 1) : base + Math.floor(((now.getTime() - since) / 60_000) * policy.points_per_minute);
  const aged = Math.max(-MAX_PRIORITY, Math.min(raw, policy.max_priority, MAX_PRIORITY));
  return current === null ? aged : Math.max(aged, current);
}

async function stop(db: Kysely<DB>, conversationId: string, reason: StopReason, now: Date) {
  await db.transaction().execute((trx) => stopTrack(trx, conversationId, reason, now, now));
}

/** One check of a track (the `aging-check` job). */
export async function agingCheck(ctx: JobContext, payload: { conversationId: string }, helpers?: Pick<JobHelpers, 'job'>): Promise<void> {
  const { db, gateway } = ctx;
  // Track and policy in one read: at 10,000 tracks every round trip per check counts.
  const row = await db
    .selectFrom('aging_tracks as t')
    .leftJoin('prioritization_policies as p', 'p.id', 't.policy_id')
    .selectAll('t')
    .select(['p.id as p_id', 'p.mode', 'p.increment', 'p.base_priority as p_base', 'p.points_per_minute', 'p.max_steps', 'p.max_priority', 'p.interval_seconds'])
    .where('t.conversation_id', '=', payload.conversationId)
    .executeTakeFirst();
  if (!row || row.status !== 'ACTIVE') return;
  const now = ctx.clock.now();
  if (helpers) ctx.caches.metrics.agingCheckRan(helpers.job.run_at, now);
  if (!row.p_id) return stop(db, row.conversation_id, 'POLICY_REMOVED', now);
  const policy = {
    mode: row.mode!,
    increment: row.increment!,
    base_priority: row.p_base!,
    points_per_minute: row.points_per_minute!,
    max_steps: row.max_steps!,
    max_priority: row.max_priority!,
    interval_seconds: row.interval_seconds!,
  };

  const conversation = await gateway.getConversation(row.conversation_id);
  if (!conversation) return stop(db, row.conversation_id, 'NOT_FOUND', now);
  const state = waitingInQueue(conversation);
  if (state !== 'WAITING') return stop(db, row.conversation_id, state, now);

  // Before the first step, the base becomes the priority Genesys holds (acd.start may not carry one,
  // or something may have raised it since); the event's routingPriority stays only when Genesys does
  // not say. Recorded before the step is sent: a first step retried after a crash must not read its
  // own earlier write as the base and add to it again.
  const current = routingPriorityOf(conversation);
  let basePriority = row.base_priority;
  // Recorded also when Genesys says nothing: a retry must not take our own earlier write for the base.
  if (row.steps === 0 && row.base_read_at === null) {
    const read = await db
      .updateTable('aging_tracks')
      .set({ base_priority: current ?? row.base_priority, base_read_at: now, updated_at: now })
      .where('conversation_id', '=', row.conversation_id)
      .where('status', '=', 'ACTIVE')
      .where('steps', '=', 0)
      .where('base_read_at', 'is', null)
      .returning('base_priority')
      .executeTakeFirst();
    if (!read) return; // stopped, or another run of this check got there first
    basePriority = read.base_priority;
  }
  const priority = nextPriority(policy as PrioritizationPolicyRow, { ...row, base_priority: basePriority }, now, current);
  // Already there (a cap at or below what Genesys holds): nothing to send.
  if (priority !== current) {
    try {
      await gateway.setConversationPriority(row.conversation_id, priority);
    } catch (err) {
      if (isNotFound(err)) return stop(db, row.conversation_id, 'NOT_FOUND', now);
      throw err;
    }
  }
  const step = row.steps + 1;
  const capped = priority >= policy.max_priority;
  const done = capped || step >= policy.max_steps;
  const next = new Date(now.getTime() + policy.interval_seconds * 1000);
  // One statement, so atomic without a transaction: it records the step only if the track is still
  // active at the step we read (acd.end may have stopped it meanwhile; a retried job may have run
  // it already), and schedules the next check only then.
  await sql`
    with moved as (
      update aging_tracks
         set steps = ${step}, current_priority = ${priority}, last_check_at = ${now}, updated_at = now(),
             status = ${done ? 'STOPPED' : 'ACTIVE'},
             stop_reason = ${done ? (capped ? 'PRIORITY_CAP' : 'MAX_STEPS') : null},
             next_check_at = ${done ? null : next}::timestamptz
       where conversation_id = ${row.conversation_id} and status = 'ACTIVE' and steps = ${row.steps}
      returning conversation_id
    ), recorded as (
      insert into aging_steps (conversation_id, step, priority, scheduled_for)
      select conversation_id, ${step}, ${priority}, ${helpers?.job.run_at ?? null}::timestamptz from moved
    )
    select ${addJobSql(jobs.agingCheck(row.conversation_id, next))} from moved where ${!done}`.execute(db);
}

function toTrack(r: AgingTrackRow) {
  return {
    conversationId: r.conversation_id,
    queueId: r.queue_id,
    policyId: r.policy_id,
    status: r.status,
    startedAt: isoUtcOrNull(r.started_at)!,
    basePriority: r.base_priority,
    waitedSeconds: r.waited_seconds,
    steps: r.steps,
    currentPriority: r.current_priority,
    stopReason: r.stop_reason,
    lastCheckAt: isoUtcOrNull(r.last_check_at),
    nextCheckAt: isoUtcOrNull(r.next_check_at),
  };
}

/** `GET /admin/v1/aging-tracks`: most recent first; a restricted caller sees its queues' tracks only. */
export async function listTracks(ctx: Context, query: { status?: 'ACTIVE' | 'STOPPED' | undefined; limit: number }) {
  const allowed = await allowedQueues(ctx);
  if (allowed !== null && allowed.length === 0) return { items: [] };
  let q = ctx.db.selectFrom('aging_tracks').selectAll().orderBy('created_at', 'desc').limit(query.limit);
  if (query.status) q = q.where('status', '=', query.status);
  if (allowed !== null) q = q.where('queue_id', 'in', allowed.map((a) => a.id));
  return { items: (await q.execute()).map(toTrack) };
}

/** `GET /admin/v1/aging-tracks/{conversationId}`: a track with every priority it set; 403 outside the allow-list. */
export async function getTrack(ctx: Context, conversationId: string) {
  const row = await ctx.db.selectFrom('aging_tracks').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst();
  if (!row) throw errors.notFound('Aging track', conversationId);
  if (isRestricted(ctx.caller)) assertQueueDataAccess(ctx.caller, (await trackQueue(ctx.db, conversationId)) ?? null, 'aging track');
  const steps = await ctx.db.selectFrom('aging_steps').selectAll().where('conversation_id', '=', row.conversation_id).orderBy('id').execute();
  return { ...toTrack(row), history: steps.map((s) => ({ at: isoUtc(s.at), step: s.step, priority: s.priority, scheduledFor: s.scheduled_for ? isoUtc(s.scheduled_for) : null })) };
}
