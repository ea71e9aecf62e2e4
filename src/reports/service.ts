import { DateTime } from 'luxon';
import { assertQueueAccess } from '../auth/access.js';
import type { Context } from '../context.js';
import { errors } from '../errors.js';
import { findQueueWithConfig, type QueueWithConfig } from '../queues/queries.js';
import { allowedQueues, resolveQueue } from '../queues/resolve.js';
import { addDays } from '../slots/time.js';
import { checkZone, isoUtc, parseTimeFilter } from '../time.js';
import type { ReportGrouping } from '../vocabulary.js';
import { addCell, cellOf, emptyCell, isEmptyCell, liveCells, rowOf, type Cell } from './figures.js';
import { readReportDays } from './queries.js';
import { MAX_HOURLY_DAYS, MAX_SUMMARY_DAYS, type Summary, type SummaryQuery, type SummaryRow } from './schemas.js';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 7;
/** REPORT_RETENTION_DAYS unless configured. */
export const DEFAULT_REPORT_RETENTION_DAYS = 400;

export interface ReportSettings {
  /** RETENTION_DAYS: how long the records themselves are kept. */
  retentionDays: number;
  /** REPORT_RETENTION_DAYS: how much longer the daily rollups are kept (default 400). */
  reportRetentionDays?: number | undefined;
}

/** The local date of an instant in a zone, and the first instant of a local date. */
export const localDate = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat('yyyy-MM-dd');
export const startOfDay = (date: string, zone: string) => DateTime.fromISO(date, { zone }).startOf('day').toJSDate();

/**
 * The first local day of a queue whose records are all still kept: the first whose start is not
 * before `now − retentionDays` (retention deletes only records whose every time is older). Older
 * days are read from the daily rollups.
 */
export function firstLiveDay(now: Date, zone: string, retentionDays: number): string {
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  const day = localDate(cutoff, zone);
  return startOfDay(day, zone).getTime() >= cutoff.getTime() ? day : addDays(day, 1);
}

/** How a queue's part of [from, to) is read: whole rolled-up days, then live records. */
interface QueuePlan {
  config: QueueWithConfig;
  /** Rolled-up local days [firstDay, lastDay], or null. */
  rolled: { firstDay: string; lastDay: string } | null;
  live: { from: Date; to: Date } | null;
}

function planQueue(config: QueueWithConfig, from: Date, to: Date, now: Date, settings: ReportSettings, source: 'auto' | 'live'): QueuePlan {
  const zone = config.queue.timezone;
  if (source === 'live') return { config, rolled: null, live: { from, to } };
  const liveDay = firstLiveDay(now, zone, settings.retentionDays);
  const liveStart = startOfDay(liveDay, zone);
  // Before the live horizon only whole days count: those starting in [from, to) and ending by `to`.
  let firstDay = localDate(from, zone);
  if (startOfDay(firstDay, zone) < from) firstDay = addDays(firstDay, 1);
  let lastDay = addDays(liveDay, -1);
  while (lastDay >= firstDay && startOfDay(addDays(lastDay, 1), zone) > to) lastDay = addDays(lastDay, -1);
  const liveFrom = from > liveStart ? from : liveStart;
  return { config, rolled: lastDay >= firstDay ? { firstDay, lastDay } : null, live: liveFrom < to ? { from: liveFrom, to } : null };
}

/** The queues a summary covers: those named (each checked), else every queue the caller may use. */
async function coveredQueues(ctx: Context, names: readonly string[] | undefined): Promise<QueueWithConfig[]> {
  if (names && names.length > 0) {
    const found = new Map<string, QueueWithConfig>();
    for (const name of names) {
      // By name first, then by our id or the Genesys queue id (as the data actions' queueId).
      const byName = await findQueueWithConfig(ctx.db, { queue: name });
      if (byName) assertQueueAccess(ctx.caller, byName.queue);
      const config = byName ?? (await resolveQueue(ctx, { queueId: name }));
      found.set(config.queue.id, config);
    }
    return [...found.values()];
  }
  const allowed = await allowedQueues(ctx);
  const ids = allowed === null ? (await ctx.db.selectFrom('queues').select('id').execute()).map((q) => q.id) : allowed.map((q) => q.id);
  const configs = await Promise.all(ids.map((id) => findQueueWithConfig(ctx.db, { queueId: id })));
  return configs.filter((c): c is QueueWithConfig => c !== undefined);
}

/**
 * `GET /admin/v1/reports/summary`: the figures of [from, to) for the caller's queues, one plain row
 * per group (queue, local day or local hour) plus the totals. Days whose records retention may have
 * deleted come from the daily rollups, whole; later times from the live records.
 * `source: 'live'` reads live records only (what a rollup computes, to compare with it).
 */
export async function summary(ctx: Context, query: SummaryQuery, settings: ReportSettings, source: 'auto' | 'live' = 'auto'): Promise<Summary> {
  const now = ctx.clock.now();
  const to = query.to === undefined ? now : parseTimeFilter(query.to, 'to');
  const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_DAYS * DAY_MS) : parseTimeFilter(query.from, 'from');
  if (from >= to) throw errors.validation('from', 'from must be before to');
  const groupBy = query.groupBy as ReportGrouping;
  const maxDays = groupBy === 'hour' ? MAX_HOURLY_DAYS : MAX_SUMMARY_DAYS;
  if (to.getTime() - from.getTime() > maxDays * DAY_MS) throw errors.validation('to', `A summary${groupBy === 'hour' ? ' by hour' : ''} covers at most ${maxDays} days`);
  checkZone(query.timezone, 'timezone');
  const zone = query.timezone ?? null;

  const queues = (await coveredQueues(ctx, query.queue)).sort((a, b) => a.queue.name.localeCompare(b.queue.name));
  const plans = queues.map((config) => planQueue(config, from, to, now, settings, source));
  const rolledPlans = plans.filter((p) => p.rolled !== null);
  if (rolledPlans.length > 0) {
    if (groupBy === 'hour') throw errors.validation('groupBy', `Hours are kept ${settings.retentionDays} days; older days have daily figures only: group by day or queue, or start later`);
    const other = rolledPlans.find((p) => zone !== null && p.config.queue.timezone !== zone);
    if (other) throw errors.validation('timezone', `Days older than ${settings.retentionDays} days are kept as queue ${other.config.queue.name}'s days (${other.config.queue.timezone}): leave timezone out, or start later`);
  }

  const groups = new Map<string, { queue: { id: string; name: string } | null; cell: Cell }>();
  const add = (key: string, queue: { id: string; name: string } | null, cell: Cell) => {
    const group = groups.get(key) ?? { queue, cell: emptyCell() };
    addCell(group.cell, cell);
    groups.set(key, group);
  };
  for (const q of queues) if (groupBy === 'queue') add(q.queue.id, { id: q.queue.id, name: q.queue.name }, emptyCell());
  let rolledUpThrough: string | null = null;
  for (const plan of plans) {
    const q = plan.config.queue;
    const keyOf = (bucket: string) => (groupBy === 'queue' ? q.id : bucket);
    const queue = groupBy === 'queue' ? { id: q.id, name: q.name } : null;
    if (plan.rolled) {
      const stored = await readReportDays(ctx.db, [q.id], plan.rolled.firstDay, plan.rolled.lastDay);
      for (const day of stored) {
        const cell = cellOf(day.figures, day.connect_waits);
        if (!isEmptyCell(cell)) add(keyOf(day.day), queue, cell);
      }
      // A day not rolled up yet (no roll-up ran since it ended) is read from the records it still has;
      // one older than the rollups are kept is gone.
      const rolled = new Set(stored.map((d) => d.day));
      const kept = localDate(new Date(now.getTime() - (settings.retentionDays + (settings.reportRetentionDays ?? DEFAULT_REPORT_RETENTION_DAYS)) * DAY_MS), q.timezone);
      const missing: string[] = [];
      for (let day = plan.rolled.firstDay; day <= plan.rolled.lastDay; day = addDays(day, 1)) if (!rolled.has(day) && day > kept) missing.push(day);
      if (missing.length > 0) {
        const zoneOfQueue = q.timezone;
        const cells = await liveCells(ctx.db, plan.config, startOfDay(missing[0]!, zoneOfQueue), startOfDay(addDays(missing.at(-1)!, 1), zoneOfQueue), { unit: 'day', zone: null });
        for (const day of missing) {
          const cell = cells.get(day);
          if (cell) add(keyOf(day), queue, cell);
        }
      }
      if (rolledUpThrough === null || plan.rolled.lastDay > rolledUpThrough) rolledUpThrough = plan.rolled.lastDay;
    }
    if (plan.live) {
      const cells = await liveCells(ctx.db, plan.config, plan.live.from, plan.live.to, { unit: groupBy === 'hour' ? 'hour' : 'day', zone });
      for (const [bucket, cell] of cells) add(keyOf(bucket), queue, cell);
    }
  }

  const ordered = [...groups.entries()].sort(([a, ga], [b, gb]) => (groupBy === 'queue' ? ga.queue!.name.localeCompare(gb.queue!.name) : a < b ? -1 : a > b ? 1 : 0));
  const rows: SummaryRow[] = ordered.map(([key, g]) => rowOf(groupBy === 'queue' ? g.queue!.name : key, g.queue, g.cell));
  const total = emptyCell();
  for (const [, g] of ordered) addCell(total, g.cell);
  return {
    from: isoUtc(from),
    to: isoUtc(to),
    groupBy,
    timezone: zone,
    queues: queues.map((q) => ({ id: q.queue.id, name: q.queue.name, timezone: q.queue.timezone })),
    rows,
    totals: rowOf('total', null, total),
    rolledUpThrough,
  };
}
