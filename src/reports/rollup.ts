import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import { findQueueWithConfig, type QueueWithConfig } from '../queues/queries.js';
import { addDays } from '../slots/time.js';
import { figuresOf, liveCells } from './figures.js';
import { deleteReportDaysBefore, deleteReportRecordsBefore, earliestRecord, rolledDays, saveReportDay } from './queries.js';
import { DEFAULT_REPORT_RETENTION_DAYS, firstLiveDay, localDate, startOfDay } from './service.js';

const DAY_MS = 86_400_000;
/** Days computed in one pass (the slot grid walks at most 400). */
const CHUNK_DAYS = 31;

export { DEFAULT_REPORT_RETENTION_DAYS };

export interface RollupSettings {
  retentionDays: number;
  reportRetentionDays: number;
}

/**
 * Rolls every queue's ended local days (in the queue's zone) up into `report_days`: the figures the
 * summary computes from the live records, stored per day. A day whose records are all still kept
 * (see firstLiveDay) is written again on every run, so late changes reach it; an older day is written
 * only if it has no rollup yet (retention may have deleted some of its records since). Re-runs are
 * idempotent. Retention calls this before it deletes anything, so no day's records go unrolled.
 */
export async function rollUpReports(db: Kysely<DB>, now: Date, settings: RollupSettings): Promise<{ days: number }> {
  const queues = await db.selectFrom('queues').select('id').orderBy('id').execute();
  let days = 0;
  for (const { id } of queues) {
    const config = await findQueueWithConfig(db, { queueId: id });
    if (config) days += await rollUpQueue(db, config, now, settings);
  }
  return { days };
}

async function rollUpQueue(db: Kysely<DB>, config: QueueWithConfig, now: Date, settings: RollupSettings): Promise<number> {
  const zone = config.queue.timezone;
  const yesterday = addDays(localDate(now, zone), -1);
  const liveDay = firstLiveDay(now, zone, settings.retentionDays);
  const earliest = await earliestRecord(db, config.queue.id);
  if (earliest === null) return 0;
  const oldest = localDate(new Date(now.getTime() - (settings.retentionDays + settings.reportRetentionDays) * DAY_MS), zone);
  const recordDay = localDate(new Date(earliest), zone);
  const first = recordDay > oldest ? recordDay : oldest;
  if (first > yesterday) return 0;
  const rolled = await rolledDays(db, config.queue.id, first, yesterday);
  let written = 0;
  for (let start = first; start <= yesterday; start = addDays(start, CHUNK_DAYS)) {
    const end = addDays(start, CHUNK_DAYS - 1) < yesterday ? addDays(start, CHUNK_DAYS - 1) : yesterday;
    const todo: string[] = [];
    for (let day = start; day <= end; day = addDays(day, 1)) if (day >= liveDay || !rolled.has(day)) todo.push(day);
    if (todo.length === 0) continue;
    const cells = await liveCells(db, config, startOfDay(todo[0]!, zone), startOfDay(addDays(end, 1), zone), { unit: 'day', zone: null });
    for (const day of todo) {
      const cell = cells.get(day);
      const waits = cell ? [...cell.connectWaits].sort((a, b) => a - b) : [];
      await saveReportDay(db, { queue_id: config.queue.id, day, timezone: zone, figures: cell ? figuresOf(cell) : {}, connect_waits: waits }, now, day >= liveDay);
      written++;
    }
  }
  return written;
}

/**
 * After the records of a day are deleted: the offers and create decisions older than `cutoff`, and
 * rollups older than REPORT_RETENTION_DAYS beyond it.
 */
export async function applyReportRetention(db: Kysely<DB>, cutoff: Date, reportRetentionDays: number): Promise<void> {
  await deleteReportRecordsBefore(db, cutoff);
  await deleteReportDaysBefore(db, localDate(new Date(cutoff.getTime() - reportRetentionDays * DAY_MS), 'UTC'));
}
