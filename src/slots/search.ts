import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { DB } from '../db/types.js';
import { Lru } from '../lru.js';
import { bookedCounts } from './bookings.js';
import { gridZone, slotsForDay, type QueueSlotSpec, type Slot } from './engine.js';

/**
 * Finding bookable slots: the engine's open slots minus what is booked. Day grids are cached (a
 * DaySlotCache the app owns) by the queue's configuration version (which changes with the queue, its
 * hours or its rule), so a hot availability lookup costs one small query per day it looks at.
 */

/** Open slots with capacity of a day, by configuration version and local date; least recently used dropped beyond `max`. */
export class DaySlotCache {
  private readonly days: Lru<Slot[]>;

  constructor(max = 20_000) {
    this.days = new Lru(max);
  }

  day(version: string, spec: QueueSlotSpec, date: string): Slot[] {
    return this.days.get(`${version}|${date}`, () => slotsForDay(spec, date).filter((s) => s.capacity > 0));
  }

  get size(): number {
    return this.days.size;
  }
}

export interface FreeSlot {
  start: Date;
  /** Local start with offset in the grid zone (the engine computed it already). */
  localStart: string;
  capacity: number;
  remaining: number;
}

export interface SlotQuery {
  queueId: string;
  version: string;
  spec: QueueSlotSpec;
  /** Slots starting at or after this instant... */
  from: Date;
  /** ...and before this one. */
  to: Date;
  max: number;
  /** Walk backwards from `to` instead of forwards from `from`. */
  backwards?: boolean;
}

/** Up to `max` slots in [from, to) with places left, nearest to `from` (or to `to`, backwards). */
export async function freeSlots(db: Kysely<DB>, days: DaySlotCache, q: SlotQuery): Promise<FreeSlot[]> {
  const zone = gridZone(q.spec);
  const found: FreeSlot[] = [];
  if (q.to <= q.from || q.max <= 0) return found;
  const first = DateTime.fromJSDate(q.backwards ? new Date(q.to.getTime() - 1) : q.from, { zone }).startOf('day');
  const last = DateTime.fromJSDate(q.backwards ? q.from : new Date(q.to.getTime() - 1), { zone }).startOf('day');
  const step = q.backwards ? -1 : 1;
  for (let day = first; q.backwards ? day >= last : day <= last; day = day.plus({ days: step })) {
    const candidates = days.day(q.version, q.spec, day.toISODate()!).filter((s) => s.start >= q.from && s.start < q.to);
    if (candidates.length === 0) continue;
    if (q.backwards) candidates.reverse();
    const booked = await bookedCounts(db, q.queueId, candidates.reduce((a, s) => (s.start < a ? s.start : a), candidates[0]!.start), new Date(Math.max(...candidates.map((s) => s.start.getTime())) + 1));
    for (const slot of candidates) {
      const remaining = slot.capacity - (booked.get(slot.start.getTime()) ?? 0);
      if (remaining <= 0) continue;
      found.push({ start: slot.start, localStart: slot.localStart, capacity: slot.capacity, remaining });
      if (found.length >= q.max) return found;
    }
  }
  return found;
}
