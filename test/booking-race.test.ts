import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookSlot, releaseSlot } from '../src/slots/bookings.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  // A pool as large as a busy deployment's, so the requests really run at the same time.
  t = await buildTestApp({ env: { DATABASE_POOL_MAX: '50' } });
});
afterAll(async () => t.close());

const slot = new Date('2030-03-05T14:15:00Z');

async function counter(queueId: string): Promise<number> {
  const row = await t.database.db.selectFrom('slot_bookings').select('booked').where('queue_id', '=', queueId).where('slot_start', '=', slot).executeTakeFirst();
  return row?.booked ?? 0;
}

describe('bookSlot under concurrency', () => {
  it('never books more than capacity: 300 concurrent bookings of a slot with capacity 5 → exactly 5', async () => {
    const queue = await factories(t.database.db).queue();
    const results = await Promise.all(
      Array.from({ length: 300 }, () => t.database.db.transaction().execute((trx) => bookSlot(trx, queue.id, slot, 5))),
    );
    const successes = results.filter(Boolean).length;
    expect(successes).toBe(5);
    expect(await counter(queue.id)).toBe(successes);
  });

  it('books nothing more in a full slot (capacity 3, 3 booked), even 300 times at once', async () => {
    const queue = await factories(t.database.db).queue();
    for (let i = 0; i < 3; i++) expect(await bookSlot(t.database.db, queue.id, slot, 3)).toBe(true);
    const results = await Promise.all(
      Array.from({ length: 300 }, () => t.database.db.transaction().execute((trx) => bookSlot(trx, queue.id, slot, 3))),
    );
    expect(results.filter(Boolean)).toHaveLength(0);
    expect(await counter(queue.id)).toBe(3);
  });

  it('books nothing in a slot of capacity 0 and leaves no counter behind', async () => {
    const queue = await factories(t.database.db).queue();
    expect(await bookSlot(t.database.db, queue.id, slot, 0)).toBe(false);
    const rows = await t.database.db.selectFrom('slot_bookings').select('booked').where('queue_id', '=', queue.id).execute();
    expect(rows).toEqual([]);
  });

  it('keeps the counter exact when bookings and releases race, and a rolled-back booking frees its place', async () => {
    const queue = await factories(t.database.db).queue();
    for (let i = 0; i < 5; i++) await bookSlot(t.database.db, queue.id, slot, 5);
    // 100 releases and 100 bookings at once: every release frees a place some booking may take.
    const [released, booked] = await Promise.all([
      Promise.all(Array.from({ length: 100 }, () => releaseSlot(t.database.db, queue.id, slot))),
      Promise.all(Array.from({ length: 100 }, () => bookSlot(t.database.db, queue.id, slot, 5))),
    ]);
    const final = await counter(queue.id);
    expect(final).toBe(5 + booked.filter(Boolean).length - released.filter(Boolean).length);
    expect(final).toBeLessThanOrEqual(5);

    // A rolled-back transaction leaves the counter as it found it: 4 of 5 booked, the last place free.
    const other = await factories(t.database.db).queue();
    for (let i = 0; i < 4; i++) await bookSlot(t.database.db, other.id, slot, 5);
    let full: boolean | undefined;
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        expect(await bookSlot(trx, other.id, slot, 5)).toBe(true);
        full = !(await bookSlot(trx, other.id, slot, 5));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(full).toBe(true);
    expect(await counter(other.id)).toBe(4);
    expect(await bookSlot(t.database.db, other.id, slot, 5)).toBe(true);
  });

  it('never lets the counter go below zero', async () => {
    const queue = await factories(t.database.db).queue();
    await bookSlot(t.database.db, queue.id, slot, 5);
    await Promise.all(Array.from({ length: 20 }, () => releaseSlot(t.database.db, queue.id, slot)));
    expect(await counter(queue.id)).toBe(0);
  });
});
