import { sql, type Kysely, type Transaction } from 'kysely';
import { DateTime } from 'luxon';
import type { Context } from '../context.js';
import { lockKey } from '../db/locks.js';
import type { DB, QueueRow } from '../db/types.js';
import type { QueueWithConfig } from '../queues/queries.js';
import { toSpec } from '../hours/service.js';
import { beforeBlackout } from '../queues/service.js';
import { openWindow, type OpenWindow } from '../slots/engine.js';
import { CLOSE_SEARCH_DAYS } from '../slots/hours.js';

/**
 * A queue's offer controls, one rule each, asked by create (which refuses with the outcome),
 * open-for and queue-status (which offer nothing a create would refuse): emergency close, immediate
 * offer hours, maximum estimated wait, maximum waiting callbacks, throttles and the daily limit per
 * number.
 */

type Db = Kysely<DB> | Transaction<DB>;
const DAY_MS = 86_400_000;

export interface Refusal<O extends string = string> {
  outcome: O;
  message: string;
}

/** The queue's estimated wait from Genesys (through the app's cache); -1 when unknown. */
export function estimatedWait(ctx: Pick<Context, 'gateway' | 'caches'>, genesysQueueId: string | null, now: Date): Promise<number> {
  if (!genesysQueueId || ctx.gateway.kind === 'simulated') return Promise.resolve(-1);
  return ctx.caches.ewt.get(genesysQueueId, now.getTime(), () =>
    ctx.gateway
      .estimatedWaitTime(genesysQueueId, 'callback')
      .then((s) => (s === null ? -1 : Math.round(s)))
      .catch(() => -1),
  );
}

/**
 * The wait create compares with maxEwtSeconds and with the UPCOMING threshold: asked of Genesys only
 * when the queue has one of them.
 */
export function estimatedWaitIfLimited(ctx: Pick<Context, 'gateway' | 'caches'>, queue: Pick<QueueRow, 'genesys_queue_id' | 'max_ewt_seconds' | 'upcoming_minutes'>, now: Date): Promise<number> {
  return queue.max_ewt_seconds === null && queue.upcoming_minutes === null ? Promise.resolve(-1) : estimatedWait(ctx, queue.genesys_queue_id, now);
}

/**
 * The reason a flow reads while the queue is closed in an emergency; "" while it is not (a flow's
 * answers are flat strings: Genesys' translation-map defaults do not replace a null).
 */
export function closedReasonOf(queue: Pick<QueueRow, 'emergency_closed' | 'closed_reason'>): string {
  return queue.emergency_closed ? (queue.closed_reason ?? '') : '';
}

export function emergencyRefusal(queue: Pick<QueueRow, 'name' | 'emergency_closed' | 'closed_reason'>): Refusal<'QUEUE_CLOSED'> | null {
  if (!queue.emergency_closed) return null;
  return { outcome: 'QUEUE_CLOSED', message: `Queue ${queue.name} is closed: ${queue.closed_reason ?? ''}` };
}

/**
 * The immediate offer window at `at`, inside the queue's business hours (`window`): -1 when the queue
 * has no immediate offer hours, 0 outside them (or outside the business hours, or while closed in an
 * emergency), else the seconds until
 * the first of the two closes (capped like open-for's openForSeconds when neither closes within 8 days).
 */
export function immediateOfferSeconds(config: QueueWithConfig, window: OpenWindow, at: Date): number {
  if (!config.offerHours) return -1;
  const offer = openWindow(toSpec(config.offerHours), at);
  if (!window.open || !offer.open || config.queue.emergency_closed) return 0;
  const closes = [window.closesAt, offer.closesAt].filter((d): d is Date => d !== null).map((d) => d.getTime());
  const end = closes.length > 0 ? Math.min(...closes) : at.getTime() + CLOSE_SEARCH_DAYS * DAY_MS;
  return Math.max(1, Math.floor((end - at.getTime()) / 1000));
}

/**
 * Whether an immediate callback may be taken at `at`, as to time and wait, in create's order: the
 * queue open, not within the blackout before closing, inside the immediate offer hours, and the known
 * estimated wait not above maxEwtSeconds (-1, unknown, never refuses).
 */
export function immediateTimeRefusal(config: QueueWithConfig, window: OpenWindow, at: Date, ewtSeconds: number): Refusal<'QUEUE_CLOSED' | 'WAIT_TOO_LONG'> | null {
  const q = config.queue;
  if (!window.open) return { outcome: 'QUEUE_CLOSED', message: `Queue ${q.name} is closed now` };
  if (!beforeBlackout(q, window, at)) {
    const left = Math.ceil((window.closesAt!.getTime() - at.getTime()) / 60_000);
    return { outcome: 'QUEUE_CLOSED', message: `Queue ${q.name} closes in ${left} minutes: too late for an immediate callback` };
  }
  if (immediateOfferSeconds(config, window, at) === 0) return { outcome: 'QUEUE_CLOSED', message: `Queue ${q.name} is outside its immediate offer hours: only scheduled callbacks now` };
  if (q.max_ewt_seconds !== null && ewtSeconds > q.max_ewt_seconds) {
    return { outcome: 'WAIT_TOO_LONG', message: `The estimated wait in ${q.name} (${ewtSeconds} s) is above its maximum of ${q.max_ewt_seconds} s` };
  }
  return null;
}

/** maxWaitingCallbacks against the count queue-status answers as waitingCallbacks. */
export function fullRefusal(queue: Pick<QueueRow, 'name' | 'max_waiting_callbacks'>, waiting: number): Refusal<'QUEUE_FULL'> | null {
  if (queue.max_waiting_callbacks === null || waiting < queue.max_waiting_callbacks) return null;
  return { outcome: 'QUEUE_FULL', message: `Queue ${queue.name} has ${waiting} callbacks waiting (at most ${queue.max_waiting_callbacks})` };
}

/**
 * Serializes the creates of one queue, so racing ones count each other against the queue-wide limits
 * (throttles, maxWaitingCallbacks). Taken before the per-number lock; a queue without those limits
 * takes none.
 */
export async function lockQueueLimits(trx: Transaction<DB>, queue: Pick<QueueRow, 'id' | 'throttles' | 'max_waiting_callbacks'>): Promise<void> {
  if (queue.throttles.length > 0 || queue.max_waiting_callbacks !== null) await lockKey(trx, `callbacks.queue-limits:${queue.id}`);
}

/** Callbacks created in the queue since each throttle's window began, and the first throttle reached. */
export async function throttleRefusal(db: Db, queue: Pick<QueueRow, 'id' | 'name' | 'throttles'>, now: Date): Promise<Refusal<'THROTTLED'> | null> {
  if (queue.throttles.length === 0) return null;
  const longest = Math.max(...queue.throttles.map((t) => t.windowMinutes));
  const counts = await db
    .selectFrom('callbacks')
    .select(queue.throttles.map((t, i) => sql<string>`count(*) filter (where requested_at > ${new Date(now.getTime() - t.windowMinutes * 60_000)})`.as(`w${i}`)))
    .where('queue_id', '=', queue.id)
    .where('requested_at', '>', new Date(now.getTime() - longest * 60_000))
    .where('requested_at', '<=', now)
    .executeTakeFirstOrThrow();
  const row = counts as Record<string, string>;
  const reached = queue.throttles.find((t, i) => Number(row[`w${i}`]) >= t.limit);
  if (!reached) return null;
  return { outcome: 'THROTTLED', message: `Queue ${queue.name} took its ${reached.limit} callbacks of the last ${reached.windowMinutes} minutes: try again later` };
}

/** maxPerNumberPerDay: the callbacks created for this number in the queue since the queue's local midnight. */
export async function numberLimitRefusal(db: Db, queue: Pick<QueueRow, 'id' | 'name' | 'timezone' | 'max_per_number_per_day'>, phoneE164: string, now: Date): Promise<Refusal<'NUMBER_LIMIT'> | null> {
  const max = queue.max_per_number_per_day;
  if (max === null) return null;
  const dayStart = DateTime.fromJSDate(now, { zone: queue.timezone }).startOf('day').toJSDate();
  const { n } = await db
    .selectFrom('callbacks')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('queue_id', '=', queue.id)
    .where('phone_e164', '=', phoneE164)
    .where('requested_at', '>=', dayStart)
    .where('requested_at', '<=', now)
    .executeTakeFirstOrThrow();
  if (Number(n) < max) return null;
  return { outcome: 'NUMBER_LIMIT', message: `${phoneE164} has had its ${max} callbacks in ${queue.name} today` };
}
