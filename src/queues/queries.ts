import type { Kysely, Transaction } from 'kysely';
import { shareRuleRow } from '../capacity/queries.js';
import type { BusinessHoursRow, CapacityRuleRow, DB, NewQueue, NumberRuleRow, QueueRow, QueueUpdate } from '../db/types.js';
import { UUID_RE } from '../ids.js';

export const QUEUE_COLUMNS = [
  'id',
  'name',
  'genesys_queue_id',
  'timezone',
  'business_hours_id',
  'immediate_enabled',
  'scheduled_enabled',
  'slot_duration_minutes',
  'slot_capacity',
  'capacity_rule_id',
  'number_rule_id',
  'max_days_ahead',
  'immediate_blackout_minutes',
  'purge_after_minutes',
  'purge_at_close',
  'max_pending_per_number',
  'default_priority',
  'script_id',
  'default_country',
  'prioritization_policy_id',
  'callback_retry_policy_id',
  'immediate_offer_hours_id',
  'max_ewt_seconds',
  'max_waiting_callbacks',
  'throttles',
  'max_per_number_per_day',
  'emergency_closed',
  'closed_reason',
  'owned_callbacks_enabled',
  'default_ownership_hours',
  'ownership_expiry',
  'sms_sender',
  'sms_templates',
  'upcoming_minutes',
  'call_in_group_id',
  'call_in_expiry_minutes',
  'created_at',
  'updated_at',
] as const;

export function findQueue(db: Kysely<DB> | Transaction<DB>, id: string): Promise<QueueRow | undefined> {
  return db.selectFrom('queues').select(QUEUE_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function lockQueue(trx: Transaction<DB>, id: string): Promise<QueueRow | undefined> {
  return trx.selectFrom('queues').select(QUEUE_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function listQueueRows(db: Kysely<DB>): Promise<QueueRow[]> {
  return db.selectFrom('queues').select(QUEUE_COLUMNS).orderBy('name').execute();
}

export function insertQueue(trx: Transaction<DB>, values: NewQueue): Promise<QueueRow> {
  return trx.insertInto('queues').values(values).returning(QUEUE_COLUMNS).executeTakeFirstOrThrow();
}

export function updateQueueRow(trx: Transaction<DB>, id: string, values: QueueUpdate): Promise<QueueRow> {
  return trx.updateTable('queues').set(values).where('id', '=', id).returning(QUEUE_COLUMNS).executeTakeFirstOrThrow();
}

export async function deleteQueueRow(trx: Transaction<DB>, id: string): Promise<void> {
  await trx.deleteFrom('queues').where('id', '=', id).execute();
}

/** Every queue's names, as an allow-list may name it. */
export function listQueueIdentities(db: Kysely<DB> | Transaction<DB>): Promise<Pick<QueueRow, 'id' | 'name' | 'genesys_queue_id'>[]> {
  return db.selectFrom('queues').select(['id', 'name', 'genesys_queue_id']).execute();
}

/** Business hours as a queue's configuration carries them. */
export type HoursConfig = Pick<BusinessHoursRow, 'id' | 'timezone' | 'weekly' | 'exceptions' | 'recurring' | 'holiday_calendars' | 'revision'>;

export interface QueueWithConfig {
  queue: QueueRow;
  /** Changes whenever the queue, its hours or its rule change: a cache key that is right on every replica. */
  version: string;
  hours: HoursConfig | null;
  /** The immediate offer hours (a schedule inside `hours`), when the queue has them. */
  offerHours: HoursConfig | null;
  rule: Pick<CapacityRuleRow, 'id' | 'timeslot_length' | 'cells'> | null;
  /** Only its identity and version: the compiled rule comes from a cache (numbers/service.ts). */
  numberRule: Pick<NumberRuleRow, 'id' | 'updated_at'> | null;
}

/**
 * A queue as a flow names it — `queue` (its name) or `queueId` (our id or the Genesys queue id) —
 * with its hours and capacity rule, in one round trip.
 */
export async function findQueueWithConfig(db: Kysely<DB>, ref: { queue?: string | undefined; queueId?: string | undefined }): Promise<QueueWithConfig | undefined> {
  let q = db
    .selectFrom('queues')
    .leftJoin('business_hours as h', 'h.id', 'queues.business_hours_id')
    .leftJoin('capacity_rules as r', 'r.id', 'queues.capacity_rule_id')
    .leftJoin('number_rules as n', 'n.id', 'queues.number_rule_id')
    .leftJoin('business_hours as o', 'o.id', 'queues.immediate_offer_hours_id')
    .select(QUEUE_COLUMNS.map((c) => `queues.${c}` as const))
    .select([
      'h.timezone as h_timezone',
      'h.weekly as h_weekly',
      'h.exceptions as h_exceptions',
      'h.recurring as h_recurring',
      'h.holiday_calendars as h_holiday_calendars',
      'h.revision as h_revision',
      'h.updated_at as h_updated_at',
      'r.timeslot_length as r_length',
      'r.cells as r_cells',
      'r.updated_at as r_updated_at',
      'n.updated_at as n_updated_at',
      'o.timezone as o_timezone',
      'o.weekly as o_weekly',
      'o.exceptions as o_exceptions',
      'o.recurring as o_recurring',
      'o.holiday_calendars as o_holiday_calendars',
      'o.revision as o_revision',
      'o.updated_at as o_updated_at',
    ]);
  if (ref.queueId !== undefined) {
    const id = ref.queueId;
    // A Genesys queue id may look like one of our ids: the queue whose own id it is wins.
    q = UUID_RE.test(id)
      ? q.where((eb) => eb.or([eb('queues.id', '=', id), eb('queues.genesys_queue_id', '=', id)])).orderBy((eb) => eb('queues.id', '=', id), 'desc')
      : q.where('queues.genesys_queue_id', '=', id);
  } else if (ref.queue !== undefined) {
    q = q.where('queues.name', '=', ref.queue);
  } else {
    return undefined;
  }
  const row = await q.executeTakeFirst();
  if (!row) return undefined;
  const { h_timezone, h_weekly, h_exceptions, h_recurring, h_holiday_calendars, h_revision, h_updated_at, r_length, r_cells, r_updated_at, n_updated_at, o_timezone, o_weekly, o_exceptions, o_recurring, o_holiday_calendars, o_revision, o_updated_at, ...queue } = row;
  return {
    queue: queue as QueueRow,
    version: [queue.id, queue.updated_at.getTime(), h_updated_at?.getTime() ?? '', h_revision ?? '', r_updated_at?.getTime() ?? '', o_updated_at?.getTime() ?? '', o_revision ?? ''].join(':'),
    hours: queue.business_hours_id && h_timezone ? { id: queue.business_hours_id, timezone: h_timezone, weekly: h_weekly!, exceptions: h_exceptions!, recurring: h_recurring!, holiday_calendars: h_holiday_calendars!, revision: h_revision! } : null,
    offerHours: queue.immediate_offer_hours_id && o_timezone ? { id: queue.immediate_offer_hours_id, timezone: o_timezone, weekly: o_weekly!, exceptions: o_exceptions!, recurring: o_recurring!, holiday_calendars: o_holiday_calendars!, revision: o_revision! } : null,
    rule: queue.capacity_rule_id && r_length ? { id: queue.capacity_rule_id, timeslot_length: r_length, cells: r_cells! } : null,
    numberRule: queue.number_rule_id && n_updated_at ? { id: queue.number_rule_id, updated_at: n_updated_at } : null,
  };
}

/**
 * The queue's configuration as it stands now, held until the transaction ends: the queue row FOR SHARE,
 * then the capacity rule it uses FOR SHARE (a capacity change locks them FOR UPDATE, so it and a booking
 * serialize), then read. A booking takes this before any slot row (lock order: configuration, then slots).
 */
export async function lockQueueConfig(trx: Transaction<DB>, queueId: string): Promise<QueueWithConfig | undefined> {
  const row = await trx.selectFrom('queues').select('capacity_rule_id').where('id', '=', queueId).forShare().executeTakeFirst();
  if (!row) return undefined;
  if (row.capacity_rule_id) await shareRuleRow(trx, row.capacity_rule_id);
  return findQueueWithConfig(trx, { queueId });
}

/** The queue a Genesys queue id names (one queue per Genesys queue id). */
export function findQueueByGenesysId(db: Kysely<DB> | Transaction<DB>, genesysQueueId: string): Promise<QueueRow | undefined> {
  return db.selectFrom('queues').select(QUEUE_COLUMNS).where('genesys_queue_id', '=', genesysQueueId).executeTakeFirst();
}
