import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { CallbackHistoryTable, CallbackRow, CallbacksTable, CallbackState, DB, DeliveryStatus } from '../db/types.js';
import { PENDING_STATES, type CompletionReason } from '../vocabulary.js';

/**
 * Every statement on `callbacks`, `callback_history` and `idempotent_answers`. Other modules (the
 * desk, the worker, events, campaigns, maintenance) call these and never name the tables.
 */

export const CALLBACK_COLUMNS = [
  'id',
  'queue_id',
  'type',
  'state',
  'completion_reason',
  'phone_e164',
  'customer_name',
  'desired_time',
  'scheduled_time',
  'slot_start',
  'priority',
  'ivr_conversation_id',
  'waited_seconds',
  'attempt',
  'genesys_conversation_id',
  'genesys_callback_id',
  'user_data',
  'idempotency_key',
  'delivery_status',
  'delivery_attempts',
  'delivery_error',
  'delivered_at',
  'created_by',
  'requested_at',
  'created_at',
  'updated_at',
  'completed_at',
  'reconciled_at',
  'reconcile_lease',
  'reconcile_misses',
  'reconcile_missing_since',
  'routing_skills',
  'routing_language',
  'preferred_agent_ids',
  'routing_label',
  'owner_agent_id',
  'ownership_ends_at',
  'caller_id',
  'caller_id_name',
  'script_id',
  'device_token',
  'device_platform',
  'upcoming_status',
  'upcoming_checked_at',
  'call_in_request_id',
] as const;

const HISTORY_COLUMNS = ['id', 'callback_id', 'at', 'actor', 'actor_name', 'actor_kind', 'event', 'from_state', 'to_state', 'reason', 'detail'] as const;

type Db = Kysely<DB> | Transaction<DB>;

export function findCallback(db: Db, id: string): Promise<CallbackRow | undefined> {
  return db.selectFrom('callbacks').select(CALLBACK_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function lockCallback(trx: Transaction<DB>, id: string): Promise<CallbackRow | undefined> {
  return trx.selectFrom('callbacks').select(CALLBACK_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Pending callbacks of a number (in a queue, or in all queues), soonest first. */
export function pendingForNumber(db: Db, phoneE164: string, queueId?: string): Promise<CallbackRow[]> {
  let q = db.selectFrom('callbacks').select(CALLBACK_COLUMNS).where('phone_e164', '=', phoneE164).where('state', 'in', PENDING_STATES);
  if (queueId !== undefined) q = q.where('queue_id', '=', queueId);
  return q.orderBy((eb) => eb.fn.coalesce('scheduled_time', 'created_at')).orderBy('created_at').execute();
}

export async function countPendingForNumber(trx: Transaction<DB>, queueId: string, phoneE164: string): Promise<number> {
  const { n } = await trx
    .selectFrom('callbacks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('queue_id', '=', queueId)
    .where('phone_e164', '=', phoneE164)
    .where('state', 'in', PENDING_STATES)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** The callback Genesys knows as this conversation, locked, with its queue's identity (for the access check). */
export function lockCallbackOfConversation(trx: Transaction<DB>, conversationId: string) {
  return trx
    .selectFrom('callbacks')
    .innerJoin('queues', 'queues.id', 'callbacks.queue_id')
    .select(['callbacks.id', 'callbacks.state', 'callbacks.waited_seconds', 'queues.id as queue_id', 'queues.name as queue_name', 'queues.genesys_queue_id'])
    .where('callbacks.genesys_conversation_id', '=', conversationId)
    .forUpdate('callbacks')
    .executeTakeFirst();
}

/** A queue's waiting callbacks, and its scheduled ones from `now` to `dayEnd`. */
export async function queueCounts(db: Db, queueId: string, now: Date, dayEnd: Date): Promise<{ waiting: number; today: number }> {
  const counts = await db
    .selectFrom('callbacks')
    .select((eb) => [
      eb.fn.countAll<number>().filterWhere('state', 'in', ['QUEUED', 'ROUTING']).as('waiting'),
      eb.fn.countAll<number>().filterWhere((w) => w.and([w('state', '=', 'SCHEDULED'), w('scheduled_time', '>=', now), w('scheduled_time', '<=', dayEnd)])).as('today'),
    ])
    .where('queue_id', '=', queueId)
    .where('state', '<>', 'COMPLETED')
    .executeTakeFirstOrThrow();
  return { waiting: Number(counts.waiting), today: Number(counts.today) };
}

export type NewCallback = Omit<Insertable<CallbacksTable>, 'id' | 'created_at' | 'updated_at'>;

export function insertCallback(trx: Transaction<DB>, values: NewCallback): Promise<CallbackRow> {
  return trx.insertInto('callbacks').values(values).returning(CALLBACK_COLUMNS).executeTakeFirstOrThrow();
}

/** A callback's new time and slot. */
export function setSchedule(trx: Transaction<DB>, id: string, to: { desired_time: Date; scheduled_time: Date; slot_start: Date; updated_at: Date; ownership_ends_at?: Date }): Promise<CallbackRow> {
  return trx.updateTable('callbacks').set(to).where('id', '=', id).returning(CALLBACK_COLUMNS).executeTakeFirstOrThrow();
}

/** A callback's new state (with its completion when it completes); lifecycle.ts decides which moves are legal. */
export async function setState(trx: Transaction<DB>, id: string, to: { state: CallbackState; updated_at: Date; completion_reason?: CompletionReason | null; completed_at?: Date }): Promise<{ queue: string }> {
  return trx
    .updateTable('callbacks')
    .set(to)
    .where('id', '=', id)
    .returning((eb) => eb.selectFrom('queues').select('queues.name').whereRef('queues.id', '=', 'callbacks.queue_id').as('queue'))
    .executeTakeFirstOrThrow() as Promise<{ queue: string }>;
}

export interface DeliveryChange {
  delivery_status: DeliveryStatus;
  updated_at: Date;
  delivery_attempts?: number;
  delivery_error?: string | null;
  delivered_at?: Date;
  genesys_conversation_id?: string | null;
  genesys_callback_id?: string | null;
}

/**
 * Records a delivery step, only while the delivery is in one of `from` (lifecycle.ts's transition
 * table: `deliveryFrom(to)`), so a step that lost a race changes nothing.
 */
export async function setDelivery(db: Db, id: string, change: DeliveryChange, from: readonly DeliveryStatus[]): Promise<void> {
  await db.updateTable('callbacks').set(change).where('id', '=', id).where('delivery_status', 'in', from).execute();
}

// --- The reconciler's claim on callbacks it compares with Genesys.

/**
 * Takes a lease on up to `limit` callbacks to compare with Genesys: delivered, not completed, not
 * leased by another run, not yet compared in this run (`before`: the run's start), least recently
 * compared first. SKIP LOCKED and the lease keep two runs (two workers) off the same callbacks.
 */
export async function leaseForReconcile(db: Db, opts: { now: Date; leaseUntil: Date; before: Date; limit: number }): Promise<{ id: string; conversationId: string }[]> {
  const rows = await db
    .updateTable('callbacks')
    .set({ reconcile_lease: opts.leaseUntil })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('callbacks')
        .select('id')
        .where('state', '<>', 'COMPLETED')
        .where('genesys_conversation_id', 'is not', null)
        .where('delivery_status', '=', 'DELIVERED')
        .where((w) => w.or([w('reconcile_lease', 'is', null), w('reconcile_lease', '<', opts.now)]))
        .where((w) => w.or([w('reconciled_at', 'is', null), w('reconciled_at', '<', opts.before)]))
        .orderBy(sql`reconciled_at nulls first`)
        .orderBy('id')
        .limit(opts.limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['id', 'genesys_conversation_id'])
    .execute();
  return rows.map((r) => ({ id: r.id, conversationId: r.genesys_conversation_id! }));
}

/** The reconciler compared the callback with Genesys: its lease ends, and how often Genesys did not know it. */
export async function setReconciled(db: Db, id: string, to: { reconciled_at: Date; reconcile_misses: number; reconcile_missing_since: Date | null }): Promise<void> {
  await db.updateTable('callbacks').set({ ...to, reconcile_lease: null }).where('id', '=', id).execute();
}

/** Leases given back unused (Genesys did not answer): the callbacks stay first in line. */
export async function releaseReconcileLeases(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('callbacks').set({ reconcile_lease: null }).where('id', 'in', ids).execute();
}

/** Callbacks the reconciler still has to compare: not completed, delivered to Genesys. */
export async function countReconcilable(db: Db): Promise<number> {
  const { n } = await db
    .selectFrom('callbacks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', '<>', 'COMPLETED')
    .where('genesys_conversation_id', 'is not', null)
    .where('delivery_status', '=', 'DELIVERED')
    .executeTakeFirstOrThrow();
  return Number(n);
}

/**
 * The next attempt of a retried callback: SCHEDULED again at the retry time, no slot (a retry is no
 * new booking), delivery back to PENDING without the ended attempt's conversation — only while the
 * delivery is in `from` (lifecycle.ts: RETRY_DELIVERY_FROM). Answers whether it changed the row.
 */
export async function setNextAttempt(
  trx: Transaction<DB>,
  id: string,
  to: { attempt: number; at: Date; now: Date },
  from: readonly DeliveryStatus[],
): Promise<boolean> {
  const result = await trx
    .updateTable('callbacks')
    .set({
      state: 'SCHEDULED',
      attempt: to.attempt,
      desired_time: to.at,
      scheduled_time: to.at,
      slot_start: null,
      delivery_status: 'PENDING',
      delivery_error: null,
      delivered_at: null,
      genesys_conversation_id: null,
      genesys_callback_id: null,
      // A new conversation: the reconciler starts afresh on it.
      reconciled_at: null,
      reconcile_misses: 0,
      reconcile_missing_since: null,
      reconcile_lease: null,
      updated_at: to.now,
    })
    .where('id', '=', id)
    .where('delivery_status', 'in', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Callbacks not yet handled in queues that purge (after some minutes, or at close), oldest first:
 * immediate ones, and scheduled ones whose time has come.
 */
export function purgeCandidates(db: Db, limit: number, now: Date) {  return db
    .selectFrom('callbacks')
    .innerJoin('queues', 'queues.id', 'callbacks.queue_id')
    .leftJoin('business_hours as h', 'h.id', 'queues.business_hours_id')
    .select(CALLBACK_COLUMNS.map((c) => `callbacks.${c}` as const))
    .select(['queues.purge_after_minutes', 'queues.purge_at_close', 'h.id as h_id', 'h.timezone as h_timezone', 'h.weekly as h_weekly', 'h.exceptions as h_exceptions', 'h.recurring as h_recurring', 'h.holiday_calendars as h_holiday_calendars', 'h.revision as h_revision'])
    .where('callbacks.state', 'in', ['SCHEDULED', 'QUEUED', 'ROUTING'])
    .where((eb) => eb.or([eb('callbacks.type', '=', 'immediate'), eb.and([eb('callbacks.type', '=', 'scheduled'), eb('callbacks.scheduled_time', '<=', now)])]))
    .where((eb) => eb.or([eb('queues.purge_after_minutes', 'is not', null), eb('queues.purge_at_close', '=', true)]))
    .orderBy('callbacks.created_at')
    .limit(limit)
    .execute();
}

/** Deletes callbacks desired (or, immediate ones, created) and completed (or last changed) before `cutoff`; their history goes with them. */
export async function deleteCallbacksBefore(db: Db, cutoff: Date): Promise<number> {
  const result = await db
    .deleteFrom('callbacks')
    .where((eb) => eb(eb.fn.coalesce('desired_time', 'created_at'), '<', cutoff))
    // Nor before its completion (or last change) is as old: every day a report counts it on is past.
    .where((eb) => eb(eb.fn.coalesce('completed_at', 'updated_at'), '<', cutoff))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

// --- The desk's search: a callback with its queue's name and Genesys id.

export type CallbackWithQueue = CallbackRow & { queue_name: string; genesys_queue_id: string | null };

function withQueue(db: Db) {
  return db
    .selectFrom('callbacks')
    .innerJoin('queues', 'queues.id', 'callbacks.queue_id')
    .select(CALLBACK_COLUMNS.map((c) => `callbacks.${c}` as const))
    .select(['queues.name as queue_name', 'queues.genesys_queue_id']);
}

export function findCallbackWithQueue(db: Db, id: string): Promise<CallbackWithQueue | undefined> {
  return withQueue(db).where('callbacks.id', '=', id).executeTakeFirst();
}

/** What the desk searches by, already parsed and checked. */
export interface CallbackSearch {
  /** The caller's queues; null = every queue. */
  allowedQueueIds: string[] | null;
  /** Queues the filter names (each must match). */
  queueIds: string[];
  state?: CallbackState | undefined;
  deliveryStatus?: DeliveryStatus | undefined;
  phoneE164?: string | undefined;
  /** Scheduled (or created, for immediate ones) in [from, to). */
  from?: Date | undefined;
  to?: Date | undefined;
  pendingOnly?: boolean;
}

function searched(db: Db, s: CallbackSearch) {
  let q = withQueue(db);
  if (s.allowedQueueIds) q = s.allowedQueueIds.length === 0 ? q.where('callbacks.id', 'is', null) : q.where('callbacks.queue_id', 'in', s.allowedQueueIds);
  if (s.state) q = q.where('callbacks.state', '=', s.state);
  for (const id of s.queueIds) q = q.where('callbacks.queue_id', '=', id);
  if (s.deliveryStatus) q = q.where('callbacks.delivery_status', '=', s.deliveryStatus);
  if (s.phoneE164) q = q.where('callbacks.phone_e164', '=', s.phoneE164);
  const from = s.from;
  if (from) q = q.where((eb) => eb(eb.fn.coalesce('callbacks.scheduled_time', 'callbacks.created_at'), '>=', from));
  const to = s.to;
  if (to) q = q.where((eb) => eb(eb.fn.coalesce('callbacks.scheduled_time', 'callbacks.created_at'), '<', to));
  if (s.pendingOnly) q = q.where('callbacks.state', '<>', 'COMPLETED');
  return q;
}

/** A page of matches, newest first, after the exact (created_at, id) key. */
export function searchCallbacksPage(db: Db, s: CallbackSearch, limit: number, after?: ExactKey): Promise<(CallbackWithQueue & { created_key: string })[]> {
  let q = searched(db, s).select(CREATED_KEY);
  if (after) q = q.where(before(after));
  return q.orderBy('callbacks.created_at', 'desc').orderBy('callbacks.id', 'desc').limit(limit).execute();
}

/** Ids of matches, oldest first, at most `limit`. */
export async function searchCallbackIds(db: Db, s: CallbackSearch, limit: number): Promise<string[]> {
  return (await searched(db, s).orderBy('callbacks.created_at').limit(limit).execute()).map((r) => r.id);
}

// --- History

export type NewHistoryEntry = Omit<Insertable<CallbackHistoryTable>, 'id' | 'at'>;

export async function insertHistory(trx: Transaction<DB>, entry: NewHistoryEntry): Promise<void> {
  await trx.insertInto('callback_history').values(entry).execute();
}

export function historyOf(db: Db, callbackId: string) {
  return db.selectFrom('callback_history').select(HISTORY_COLUMNS).where('callback_id', '=', callbackId).orderBy('id').execute();
}

// --- Idempotent answers: the first answer to a request, by scope and idempotency key.

export async function findIdempotentAnswer(trx: Transaction<DB>, scope: string, key: string): Promise<unknown> {
  const row = await trx.selectFrom('idempotent_answers').select('answer').where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
  return row?.answer;
}

export async function saveIdempotentAnswer(trx: Transaction<DB>, scope: string, key: string, answer: unknown): Promise<void> {
  await trx.insertInto('idempotent_answers').values({ scope, key, answer: JSON.stringify(answer) }).execute();
}

export async function deleteIdempotentAnswersBefore(db: Db, cutoff: Date): Promise<void> {
  await db.deleteFrom('idempotent_answers').where('created_at', '<', cutoff).execute();
}

// --- The console's search: several states, queues and delivery statuses at once, and free text.

export interface CallbackFind {
  /** The caller's queues; null = every queue. */
  allowedQueueIds: string[] | null;
  /** Any of these queues (empty = no queue filter). */
  queueIds: string[];
  states: CallbackState[];
  deliveryStatuses: DeliveryStatus[];
  type?: 'immediate' | 'scheduled' | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Digits that appear anywhere in the E.164 number (any of these). */
  phoneDigits: string[];
  /** Part of the customer's name, case-insensitive. */
  name?: string | undefined;
  /** A callback id or a conversation id (IVR or Genesys callback conversation). */
  anyId?: string | undefined;
  /** Only this queue (with `queueIds`: one of those and this one). */
  queueId?: string | undefined;
  /** Exactly this E.164 number. */
  phoneE164?: string | undefined;
  /** Only callbacks whose last delivery attempt failed with an error. */
  withDeliveryError?: boolean;
  /** Newest created first (default), or most recently updated first. */
  order?: 'created' | 'updated';
}

const likeEscaped = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The callbacks a search finds (every reader of the console's search filters through here). */
function found(db: Db, s: CallbackFind) {
  let q = withQueue(db);
  if (s.allowedQueueIds) q = s.allowedQueueIds.length === 0 ? q.where('callbacks.id', 'is', null) : q.where('callbacks.queue_id', 'in', s.allowedQueueIds);
  if (s.queueIds.length > 0) q = q.where('callbacks.queue_id', 'in', s.queueIds);
  if (s.queueId) q = q.where('callbacks.queue_id', '=', s.queueId);
  if (s.phoneE164) q = q.where('callbacks.phone_e164', '=', s.phoneE164);
  if (s.states.length > 0) q = q.where('callbacks.state', 'in', s.states);
  if (s.deliveryStatuses.length > 0) q = q.where('callbacks.delivery_status', 'in', s.deliveryStatuses);
  if (s.type) q = q.where('callbacks.type', '=', s.type);
  const { from, to, name, anyId } = s;
  if (from) q = q.where((eb) => eb(eb.fn.coalesce('callbacks.scheduled_time', 'callbacks.created_at'), '>=', from));
  if (to) q = q.where((eb) => eb(eb.fn.coalesce('callbacks.scheduled_time', 'callbacks.created_at'), '<', to));
  const text: { digits: string[]; name?: string; anyId?: string } = { digits: s.phoneDigits, ...(name && { name }), ...(anyId && { anyId }) };
  if (text.digits.length > 0 || text.name || text.anyId) {
    q = q.where((eb) =>
      eb.or([
        ...text.digits.map((d) => eb('callbacks.phone_e164', 'like', `%${likeEscaped(d)}%`)),
        ...(text.name ? [eb('callbacks.customer_name', 'ilike', `%${likeEscaped(text.name)}%`)] : []),
        ...(text.anyId
          ? [
              eb('callbacks.ivr_conversation_id', '=', text.anyId),
              eb('callbacks.genesys_conversation_id', '=', text.anyId),
              ...(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text.anyId) ? [eb('callbacks.id', '=', text.anyId)] : []),
            ]
          : []),
      ]),
    );
  }
  if (s.withDeliveryError) q = q.where('callbacks.delivery_error', 'is not', null);
  return q;
}

/** A page of the console's search, newest first, after the exact (created_at, id) key. */
export function findCallbacksPage(db: Db, s: CallbackFind, limit: number, after?: ExactKey): Promise<(CallbackWithQueue & { created_key: string })[]> {
  const q = found(db, s).select(CREATED_KEY);
  if (s.order === 'updated') return q.orderBy('callbacks.updated_at', 'desc').orderBy('callbacks.id', 'desc').limit(limit).execute();
  const paged = after ? q.where(before(after)) : q;
  return paged.orderBy('callbacks.created_at', 'desc').orderBy('callbacks.id', 'desc').limit(limit).execute();
}

/**
 * Where a keyset read stopped: the last row's creation time exactly as PostgreSQL stores it (in
 * microseconds: a JavaScript Date would round it to the millisecond and skip or repeat the rows
 * created in the same millisecond) and its id.
 */
export interface ExactKey {
  createdKey: string;
  id: string;
}

/** A row's exact key, as PostgreSQL prints its creation time. */
const CREATED_KEY = sql<string>`callbacks.created_at::text`.as('created_key');

/** Rows after `after` in newest-first order. */
const before = (after: ExactKey) => sql<boolean>`(callbacks.created_at, callbacks.id) < (${after.createdKey}::timestamptz, ${after.id}::uuid)`;

/** The next rows a search finds, newest first, after `after` (none: from the newest). */
export async function findCallbacksAfter(db: Db, s: CallbackFind, limit: number, after?: ExactKey): Promise<{ rows: CallbackWithQueue[]; last: ExactKey | undefined }> {
  let q = found(db, s).select(CREATED_KEY);
  if (after) q = q.where(before(after));
  const rows = await q.orderBy('callbacks.created_at', 'desc').orderBy('callbacks.id', 'desc').limit(limit).execute();
  const tail = rows[rows.length - 1];
  return { rows, last: tail && { createdKey: tail.created_key, id: tail.id } };
}

/** How many callbacks a search finds. */
export async function countFound(db: Db, s: CallbackFind): Promise<number> {
  const { n } = await db
    .selectFrom(found(db, s).as('f'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

/**
 * A waiting (QUEUED or ROUTING) callback's place among its queue's waiting callbacks, 1 = next, in
 * the order Genesys routes them: higher routing priority first (the aging track's current priority
 * when the callback's conversation has an active one, else the callback's own), then the longest
 * waiting (from when it became due — its scheduled time, else its creation — less the seconds the
 * caller had already waited). Null when the callback is not waiting.
 */
export async function waitingPosition(db: Db, callback: Pick<CallbackRow, 'id' | 'queue_id'>): Promise<number | null> {
  const row = await sql<{ position: string }>`
    select position from (
      select c.id, row_number() over (
        order by coalesce(a.current_priority, c.priority) desc,
                 coalesce(c.scheduled_time, c.created_at) - make_interval(secs => c.waited_seconds),
                 c.created_at, c.id
      ) as position
      from callbacks c
      left join aging_tracks a on a.conversation_id = c.genesys_conversation_id and a.status = 'ACTIVE'
      where c.queue_id = ${callback.queue_id} and c.state in ('QUEUED', 'ROUTING')
    ) ranked where id = ${callback.id}`.execute(db);
  const first = row.rows[0];
  return first === undefined ? null : Number(first.position);
}
