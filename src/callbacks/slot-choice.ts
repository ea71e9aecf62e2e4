import type { Kysely, Transaction } from 'kysely';
import type { Caches } from '../context.js';
import type { DB } from '../db/types.js';
import { lockQueueConfig, type QueueWithConfig } from '../queues/queries.js';
import { slotSpecOf } from '../queues/service.js';
import { bookSlot } from '../slots/bookings.js';
import { slotContaining } from '../slots/engine.js';
import { freeSlots } from '../slots/search.js';

const DAY_MS = 86_400_000;
const MAX_NEAREST_TRIES = 5;

export interface ChosenSlot {
  start: Date;
  capacity: number;
}

export type TimeCheck =
  | { ok: true; slot: ChosenSlot }
  | { ok: false; outcome: 'IN_THE_PAST' | 'TOO_FAR_AHEAD' | 'OUTSIDE_HOURS'; message: string; around: Date };

/** A desired time for a scheduled callback: in the future, within maxDaysAhead, in an open slot. */
export function checkDesiredTime(config: QueueWithConfig, desired: Date, now: Date): TimeCheck {
  const q = config.queue;
  if (desired.getTime() <= now.getTime()) return { ok: false, outcome: 'IN_THE_PAST', message: 'The desired time has passed', around: now };
  if (desired.getTime() > now.getTime() + q.max_days_ahead * DAY_MS) {
    return { ok: false, outcome: 'TOO_FAR_AHEAD', message: `Callbacks can be scheduled at most ${q.max_days_ahead} days ahead`, around: desired };
  }
  const slot = slotContaining(slotSpecOf(config), desired);
  if (!slot || slot.capacity <= 0) return { ok: false, outcome: 'OUTSIDE_HOURS', message: 'The queue takes no callbacks at that time', around: desired };
  return { ok: true, slot };
}

/**
 * Books the slot; if it is full and `acceptNearest`, the nearest later slot with room (a few tries,
 * since others may take it first). Returns the slot booked, or null when none was.
 *
 * The capacity is the one in force when the booking commits, not the one `config` was read with:
 * the queue's configuration is locked (FOR SHARE, before any slot row) and read again, so a capacity
 * change (which locks it FOR UPDATE) and a booking serialize, and no booking that follows a decrease
 * uses the old capacity.
 */
export async function bookOrNearest(trx: Transaction<DB>, caches: Pick<Caches, 'daySlots'>, config: QueueWithConfig, slot: ChosenSlot, acceptNearest: boolean, now: Date): Promise<ChosenSlot | null> {
  const current = await lockQueueConfig(trx, config.queue.id);
  if (!current) return null;
  const q = current.queue;
  const spec = slotSpecOf(current);
  // The slot as the configuration now cuts it: gone (hours or grid changed) means no room.
  const fresh = slotContaining(spec, slot.start);
  const capacity = fresh?.start.getTime() === slot.start.getTime() ? fresh.capacity : 0;
  if (await bookSlot(trx, q.id, slot.start, capacity)) return slot;
  if (!acceptNearest) return null;
  const horizon = new Date(now.getTime() + q.max_days_ahead * DAY_MS);
  let from = new Date(slot.start.getTime() + 1);
  for (let tries = 0; tries < MAX_NEAREST_TRIES; tries++) {
    const [next] = await freeSlots(trx, caches.daySlots, { queueId: q.id, version: current.version, spec, from, to: horizon, max: 1 });
    if (!next) return null;
    if (await bookSlot(trx, q.id, next.start, next.capacity)) return next;
    from = new Date(next.start.getTime() + 1);
  }
  return null;
}

/** Up to `count` free slots nearest to `around`, in the future and within the queue's horizon. */
export async function nearestSlots(db: Kysely<DB>, caches: Pick<Caches, 'daySlots'>, config: QueueWithConfig, around: Date, now: Date, count = 3): Promise<Date[]> {
  if (!config.queue.scheduled_enabled) return [];
  const spec = slotSpecOf(config);
  const horizon = new Date(now.getTime() + config.queue.max_days_ahead * DAY_MS);
  const from = new Date(Math.max(now.getTime() + 1, Math.min(around.getTime(), horizon.getTime())));
  const base = { queueId: config.queue.id, version: config.version, spec, max: count };
  const later = await freeSlots(db, caches.daySlots, { ...base, from, to: horizon });
  const earlier = await freeSlots(db, caches.daySlots, { ...base, from: new Date(now.getTime() + 1), to: from, backwards: true });
  const distance = (d: Date) => Math.abs(d.getTime() - around.getTime());
  return [...later, ...earlier]
    .map((s) => s.start)
    .sort((a, b) => distance(a) - distance(b))
    .slice(0, count)
    .sort((a, b) => a.getTime() - b.getTime());
}
