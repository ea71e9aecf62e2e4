import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/types.js';

/**
 * Slot booking counters. Booking is one conditional upsert: it inserts the counter at 1 or adds 1
 * only while the slot holds fewer than `capacity`. PostgreSQL serializes concurrent upserts of one
 * key on the row lock and re-checks the condition after waiting, so under any concurrency a slot
 * never holds more than its capacity.
 */
export async function bookSlot(trx: Transaction<DB> | Kysely<DB>, queueId: string, slotStart: Date, capacity: number): Promise<boolean> {
  if (capacity <= 0) return false;
  const { rows } = await sql<{ booked: number }>`
    insert into slot_bookings (queue_id, slot_start, booked)
    values (${queueId}, ${slotStart}, 1)
    on conflict (queue_id, slot_start)
      do update set booked = slot_bookings.booked + 1
      where slot_bookings.booked < ${capacity}
    returning booked`.execute(trx);
  return rows.length === 1;
}

/** Gives one place back (a cancelled or moved callback). Never goes below zero; true if a place was freed. */
export async function releaseSlot(trx: Transaction<DB> | Kysely<DB>, queueId: string, slotStart: Date): Promise<boolean> {
  const result = await trx
    .updateTable('slot_bookings')
    .set((eb) => ({ booked: eb('booked', '-', 1) }))
    .where('queue_id', '=', queueId)
    .where('slot_start', '=', slotStart)
    .where('booked', '>', 0)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Booked counts by slot start (epoch ms) for slots in [from, to). */
export async function bookedCounts(db: Kysely<DB> | Transaction<DB>, queueId: string, from: Date, to: Date): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('slot_bookings')
    .select(['slot_start', 'booked'])
    .where('queue_id', '=', queueId)
    .where('slot_start', '>=', from)
    .where('slot_start', '<', to)
    .execute();
  return new Map(rows.map((r) => [r.slot_start.getTime(), r.booked]));
}
