import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { CallbackOfferRow, DB } from '../db/types.js';
import type { OfferKind, OfferResult } from '../vocabulary.js';

type Db = Kysely<DB> | Transaction<DB>;

// --- Offers and create decisions (written by the flows' requests).

export function findOffer(db: Db, conversationId: string): Promise<CallbackOfferRow | undefined> {
  return db.selectFrom('callback_offers').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst();
}

export async function insertOffer(trx: Db, row: { conversation_id: string; queue_id: string; offered: OfferKind; result: OfferResult; at: Date }): Promise<CallbackOfferRow> {
  return trx
    .insertInto('callback_offers')
    .values({ conversation_id: row.conversation_id, queue_id: row.queue_id, offered: row.offered, result: row.result, reported_at: row.at, updated_at: row.at })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateOffer(trx: Db, conversationId: string, set: { offered: OfferKind; result: OfferResult; at: Date }): Promise<CallbackOfferRow> {
  return trx
    .updateTable('callback_offers')
    .set({ offered: set.offered, result: set.result, updated_at: set.at })
    .where('conversation_id', '=', conversationId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertDecision(trx: Db, row: { queue_id: string; at: Date; type: 'immediate' | 'scheduled'; outcome: string }): Promise<void> {
  await trx.insertInto('create_decisions').values(row).execute();
}

// --- The summary's live reads: each counts the events of [from, to) by queue and local bucket.

/** A local day or hour of a queue: `zone` null = the queue's own zone. */
export interface Bucketing {
  unit: 'day' | 'hour';
  zone: string | null;
}

function bucket(column: RawBuilder<unknown>, b: Bucketing): RawBuilder<string> {
  const local = sql`(${column} at time zone coalesce(${b.zone}::text, q.timezone))`;
  return b.unit === 'day' ? sql<string>`to_char(${local}, 'YYYY-MM-DD')` : sql<string>`to_char(date_trunc('hour', ${local}), 'YYYY-MM-DD"T"HH24:00')`;
}

export interface Range {
  queueIds: string[];
  from: Date;
  to: Date;
}

export async function offerCounts(db: Db, r: Range, b: Bucketing) {
  const { rows } = await sql<{ queue_id: string; bucket: string; offered: OfferKind; result: OfferResult; n: number }>`
    select o.queue_id, ${bucket(sql`o.reported_at`, b)} as bucket, o.offered, o.result, count(*)::int as n
    from callback_offers o join queues q on q.id = o.queue_id
    where o.queue_id = any(${r.queueIds}::uuid[]) and o.reported_at >= ${r.from} and o.reported_at < ${r.to}
    group by 1, 2, 3, 4`.execute(db);
  return rows;
}

export async function decisionCounts(db: Db, r: Range, b: Bucketing) {
  const { rows } = await sql<{ queue_id: string; bucket: string; type: 'immediate' | 'scheduled'; outcome: string; n: number }>`
    select d.queue_id, ${bucket(sql`d.at`, b)} as bucket, d.type, d.outcome, count(*)::int as n
    from create_decisions d join queues q on q.id = d.queue_id
    where d.queue_id = any(${r.queueIds}::uuid[]) and d.at >= ${r.from} and d.at < ${r.to}
    group by 1, 2, 3, 4`.execute(db);
  return rows;
}

/** Completions by reason, with the retries (attempts after the first) of the handled ones. */
export async function completionCounts(db: Db, r: Range, b: Bucketing) {
  const { rows } = await sql<{ queue_id: string; bucket: string; reason: string; n: number; retries: number }>`
    select c.queue_id, ${bucket(sql`c.completed_at`, b)} as bucket, c.completion_reason as reason, count(*)::int as n,
      coalesce(sum(c.attempt - 1), 0)::int as retries
    from callbacks c join queues q on q.id = c.queue_id
    where c.queue_id = any(${r.queueIds}::uuid[]) and c.completed_at >= ${r.from} and c.completed_at < ${r.to}
    group by 1, 2, 3`.execute(db);
  return rows;
}

/**
 * Agent connects: the first user.start of a callback's current attempt (after its last retry), with
 * its wait in whole seconds from the attempt being due — the callback's scheduled time (a scheduled
 * callback's slot, or a retry's time), else its creation.
 */
export async function connectWaits(db: Db, r: Range, b: Bucketing) {
  const { rows } = await sql<{ queue_id: string; bucket: string; wait: number }>`
    with connects as (
      select c.queue_id, coalesce(c.scheduled_time, c.created_at) as due,
        (select min(h.at) from callback_history h
          where h.callback_id = c.id and h.event = 'user.start'
            and h.at > coalesce((select max(x.at) from callback_history x where x.callback_id = c.id and x.event = 'retry-scheduled'), '-infinity')) as connected_at
      from callbacks c
      where c.queue_id = any(${r.queueIds}::uuid[])
        and exists (select 1 from callback_history s where s.callback_id = c.id and s.event = 'user.start' and s.at >= ${r.from} and s.at < ${r.to})
    )
    select k.queue_id, ${bucket(sql`k.connected_at`, b)} as bucket,
      greatest(0, round(extract(epoch from k.connected_at - k.due)))::int as wait
    from connects k join queues q on q.id = k.queue_id
    where k.connected_at >= ${r.from} and k.connected_at < ${r.to}`.execute(db);
  return rows;
}

// --- Rollups.

export interface ReportDay {
  queue_id: string;
  day: string;
  timezone: string;
  figures: Record<string, unknown>;
  connect_waits: number[];
}

export async function readReportDays(db: Db, queueIds: string[], fromDay: string, toDay: string): Promise<ReportDay[]> {
  const { rows } = await sql<ReportDay>`
    select queue_id, to_char(day, 'YYYY-MM-DD') as day, timezone, figures, connect_waits
    from report_days where queue_id = any(${queueIds}::uuid[]) and day >= ${fromDay}::date and day <= ${toDay}::date
    order by day`.execute(db);
  return rows;
}

/** Writes a day's rollup; `replace` false keeps a day already rolled up (its records may be gone). */
export async function saveReportDay(db: Db, row: ReportDay, at: Date, replace: boolean): Promise<void> {
  const values = { queue_id: row.queue_id, day: row.day, timezone: row.timezone, figures: JSON.stringify(row.figures), connect_waits: row.connect_waits, rolled_at: at };
  await db
    .insertInto('report_days')
    .values(values)
    .onConflict((oc) => (replace ? oc.columns(['queue_id', 'day']).doUpdateSet({ timezone: values.timezone, figures: values.figures, connect_waits: values.connect_waits, rolled_at: at }) : oc.columns(['queue_id', 'day']).doNothing()))
    .execute();
}

/** The days of a queue rolled up already, in [fromDay, toDay]. */
export async function rolledDays(db: Db, queueId: string, fromDay: string, toDay: string): Promise<Set<string>> {
  const { rows } = await sql<{ day: string }>`
    select to_char(day, 'YYYY-MM-DD') as day from report_days where queue_id = ${queueId} and day >= ${fromDay}::date and day <= ${toDay}::date`.execute(db);
  return new Set(rows.map((r) => r.day));
}

/** The earliest event time a queue's live records hold (what a first rollup starts from). */
export async function earliestRecord(db: Db, queueId: string): Promise<Date | null> {
  const { rows } = await sql<{ at: Date | null }>`
    select least(
      (select min(reported_at) from callback_offers where queue_id = ${queueId}),
      (select min(at) from create_decisions where queue_id = ${queueId}),
      (select min(created_at) from callbacks where queue_id = ${queueId}),
      (select min(slot_start) from slot_bookings where queue_id = ${queueId})
    ) as at`.execute(db);
  return rows[0]?.at ?? null;
}

export async function deleteReportRecordsBefore(db: Db, cutoff: Date): Promise<void> {
  await db.deleteFrom('callback_offers').where('reported_at', '<', cutoff).execute();
  await db.deleteFrom('create_decisions').where('at', '<', cutoff).execute();
}

export async function deleteReportDaysBefore(db: Db, day: string): Promise<number> {
  const result = await db.deleteFrom('report_days').where('day', '<', day).executeTakeFirst();
  return Number(result.numDeletedRows);
}
