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

  it('books nothing in a slot of capacity 0, even 300 times at once', async () => {
    const queue = await factories(t.database.db).queue();
    const results = await Promise.all(Array.from({ length: 300 }, () => bookSlot(t.database.db, queue.id, slot, 0)));
    expect(results.filter(Boolean)).toHaveLength(0);
    expect(await counter(queue.id)).toBe(0);
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

    const before = await counter(queue.id);
    await t.database.db
      .transaction()
      .execute(async (trx) => {
        await releaseSlot(trx, queue.id, slot);
        await bookSlot(trx, queue.id, slot, 5);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await counter(queue.id)).toBe(before);
  });

  it('never lets the counter go below zero', async () => {
    const queue = await factories(t.database.db).queue();
    await bookSlot(t.database.db, queue.id, slot, 5);
    await Promise.all(Array.from({ length: 20 }, () => releaseSlot(t.database.db, queue.id, slot)));
    expect(await counter(queue.id)).toBe(0);
  });
});
