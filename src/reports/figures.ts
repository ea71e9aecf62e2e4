import { DateTime } from 'luxon';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/types.js';
import type { QueueWithConfig } from '../queues/queries.js';
import { slotSpecOf } from '../queues/service.js';
import { bookedCounts } from '../slots/bookings.js';
import { slotsInRange } from '../slots/engine.js';
import { COMPLETION_REASONS, type CompletionReason } from '../vocabulary.js';
import { completionCounts, connectWaits, decisionCounts, offerCounts, type Bucketing } from './queries.js';
import { REFUSAL_OUTCOMES, type SummaryRow } from './schemas.js';

/**
 * A report's figures for one queue and one local day or hour (a cell): counts that add up, and the
 * connect waits themselves, so that medians and percentiles over any set of cells are exact. The live
 * records and the daily rollups produce the same cells (the rollup stores what `liveCells` computed).
 */
export interface Cell {
  offers: number;
  offersAccepted: number;
  offersDeclined: number;
  offersNoInput: number;
  offeredImmediate: number;
  offeredScheduled: number;
  offeredBoth: number;
  createdImmediate: number;
  createdScheduled: number;
  refusals: Record<string, number>;
  completedByReason: Record<string, number>;
  retries: number;
  slotsBooked: number;
  slotsCapacity: number;
  /** Whole seconds, in any order. */
  connectWaits: number[];
}

const zeros = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, 0]));

export function emptyCell(): Cell {
  return {
    offers: 0,
    offersAccepted: 0,
    offersDeclined: 0,
    offersNoInput: 0,
    offeredImmediate: 0,
    offeredScheduled: 0,
    offeredBoth: 0,
    createdImmediate: 0,
    createdScheduled: 0,
    refusals: zeros(REFUSAL_OUTCOMES),
    completedByReason: zeros(COMPLETION_REASONS),
    retries: 0,
    slotsBooked: 0,
    slotsCapacity: 0,
    connectWaits: [],
  };
}

const COUNTS = ['offers', 'offersAccepted', 'offersDeclined', 'offersNoInput', 'offeredImmediate', 'offeredScheduled', 'offeredBoth', 'createdImmediate', 'createdScheduled', 'retries', 'slotsBooked', 'slotsCapacity'] as const;

/** Adds `b` into `a`. */
export function addCell(a: Cell, b: Cell): Cell {
  for (const k of COUNTS) a[k] += b[k];
  for (const [k, v] of Object.entries(b.refusals)) a.refusals[k] = (a.refusals[k] ?? 0) + v;
  for (const [k, v] of Object.entries(b.completedByReason)) a.completedByReason[k] = (a.completedByReason[k] ?? 0) + v;
  for (const w of b.connectWaits) a.connectWaits.push(w);
  return a;
}

/** Whether a cell holds nothing (a rolled-up day with no record and no open slot is no group). */
export function isEmptyCell(cell: Cell): boolean {
  return COUNTS.every((k) => cell[k] === 0) && cell.connectWaits.length === 0 && Object.values(cell.refusals).every((n) => n === 0) && Object.values(cell.completedByReason).every((n) => n === 0);
}

/** A rollup's stored figures: the cell without its waits (kept in their own sorted column). */
export function figuresOf(cell: Cell): Record<string, unknown> {
  const { connectWaits: _waits, ...figures } = cell;
  return figures;
}

/** A cell from stored figures; counts a later version added and an old row lacks read as 0. */
export function cellOf(figures: Record<string, unknown>, waits: number[]): Cell {
  const cell = emptyCell();
  for (const k of COUNTS) if (typeof figures[k] === 'number') cell[k] = figures[k];
  for (const [field, target] of [['refusals', cell.refusals], ['completedByReason', cell.completedByReason]] as const) {
    const stored = figures[field];
    if (stored && typeof stored === 'object') for (const [k, v] of Object.entries(stored)) if (typeof v === 'number') target[k] = v;
  }
  cell.connectWaits = [...waits];
  return cell;
}

/**
 * The percentile `p` (0–1) of sorted values, interpolated between the closest ranks (as PostgreSQL's
 * percentile_cont); null without values.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const value = sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
  return Math.round(value * 10) / 10;
}

const SLOT_CHUNK_MS = 100 * 86_400_000;

const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

/** A summary row from a cell. */
export function rowOf(group: string, queue: { id: string; name: string } | null, cell: Cell): SummaryRow {
  const waits = [...cell.connectWaits].sort((x, y) => x - y);
  const reasons = cell.completedByReason as Record<CompletionReason, number>;
  const completed = Object.values(reasons).reduce((s, n) => s + n, 0);
  const refused = Object.values(cell.refusals).reduce((s, n) => s + n, 0);
  const created = cell.createdImmediate + cell.createdScheduled;
  return {
    group,
    queueId: queue?.id ?? null,
    queueName: queue?.name ?? null,
    offers: cell.offers,
    offersAccepted: cell.offersAccepted,
    offersDeclined: cell.offersDeclined,
    offersNoInput: cell.offersNoInput,
    offeredImmediate: cell.offeredImmediate,
    offeredScheduled: cell.offeredScheduled,
    offeredBoth: cell.offeredBoth,
    acceptanceRate: ratio(cell.offersAccepted, cell.offers),
    created,
    createdImmediate: cell.createdImmediate,
    createdScheduled: cell.createdScheduled,
    refused,
    refusals: Object.fromEntries(REFUSAL_OUTCOMES.map((o) => [o, cell.refusals[o] ?? 0])) as SummaryRow['refusals'],
    completed,
    completedByReason: Object.fromEntries(COMPLETION_REASONS.map((r) => [r, reasons[r] ?? 0])) as SummaryRow['completedByReason'],
    handled: reasons.HANDLED ?? 0,
    handledRate: ratio(reasons.HANDLED ?? 0, completed),
    abandoned: reasons.ABANDONED ?? 0,
    purged: reasons.PURGED ?? 0,
    expired: reasons.EXPIRED ?? 0,
    noAnswer: reasons.NO_ANSWER ?? 0,
    connects: waits.length,
    connectWaitMedianSeconds: percentile(waits, 0.5),
    connectWaitP90Seconds: percentile(waits, 0.9),
    retries: cell.retries,
    retriesPerHandled: ratio(cell.retries, reasons.HANDLED ?? 0),
    slotsBooked: cell.slotsBooked,
    slotsCapacity: cell.slotsCapacity,
    slotUtilization: ratio(cell.slotsBooked, cell.slotsCapacity),
  };
}

/** The bucket label of an instant, as the SQL reads compute it (queries.ts `bucket`). */
export function bucketOf(at: Date, unit: Bucketing['unit'], zone: string): string {
  const dt = DateTime.fromJSDate(at, { zone });
  return unit === 'day' ? dt.toFormat('yyyy-MM-dd') : dt.toFormat("yyyy-MM-dd'T'HH':00'");
}

/**
 * One queue's cells over [from, to) from its live records, by local day or hour. Slot utilization
 * is the slot engine's grid (its capacity per slot) against the booking counters, each slot counted
 * in the bucket its start falls in.
 */
export async function liveCells(db: Kysely<DB> | Transaction<DB>, config: QueueWithConfig, from: Date, to: Date, b: Bucketing): Promise<Map<string, Cell>> {
  const cells = new Map<string, Cell>();
  const at = (key: string) => {
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = emptyCell()));
    return cell;
  };
  if (from >= to) return cells;
  const range = { queueIds: [config.queue.id], from, to };
  const [offers, decisions, completions, waits] = await Promise.all([offerCounts(db, range, b), decisionCounts(db, range, b), completionCounts(db, range, b), connectWaits(db, range, b)]);
  for (const o of offers) {
    const cell = at(o.bucket);
    cell.offers += o.n;
    if (o.result === 'ACCEPTED') cell.offersAccepted += o.n;
    else if (o.result === 'DECLINED') cell.offersDeclined += o.n;
    else cell.offersNoInput += o.n;
    if (o.offered === 'IMMEDIATE') cell.offeredImmediate += o.n;
    else if (o.offered === 'SCHEDULED') cell.offeredScheduled += o.n;
    else cell.offeredBoth += o.n;
  }
  for (const d of decisions) {
    const cell = at(d.bucket);
    if (d.outcome === 'CREATED') {
      if (d.type === 'immediate') cell.createdImmediate += d.n;
      else cell.createdScheduled += d.n;
    } else cell.refusals[d.outcome] = (cell.refusals[d.outcome] ?? 0) + d.n;
  }
  for (const c of completions) {
    const cell = at(c.bucket);
    cell.completedByReason[c.reason] = (cell.completedByReason[c.reason] ?? 0) + c.n;
    if (c.reason === 'HANDLED') cell.retries += c.retries;
  }
  for (const w of waits) at(w.bucket).connectWaits.push(w.wait);

  const zone = b.zone ?? config.queue.timezone;
  const spec = slotSpecOf(config);
  // The slot grid walks a bounded range at a time.
  for (let start = from; start < to; start = new Date(start.getTime() + SLOT_CHUNK_MS)) {
    const end = new Date(Math.min(start.getTime() + SLOT_CHUNK_MS, to.getTime()));
    for (const s of slotsInRange(spec, start, end)) at(bucketOf(s.start, b.unit, zone)).slotsCapacity += s.capacity;
  }
  for (const [start, booked] of await bookedCounts(db, config.queue.id, from, to)) at(bucketOf(new Date(start), b.unit, zone)).slotsBooked += booked;
  return cells;
}
