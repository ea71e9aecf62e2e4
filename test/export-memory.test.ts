import http from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { parseCsv } from './helpers/csv.js';

/**
 * 100,000 callbacks exported over a real socket while the server's memory is sampled: the export
 * streams page by page, so the heap grows by a small fraction of the file, and every row arrives
 * exactly once (the keyset is exact even where thousands of rows share a millisecond).
 */

const ROWS = 100_000;

/**
 * A full collection, so that a sample counts what the process holds, not garbage the collector has
 * not come to yet (a stream of this size churns through far more than it keeps).
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
let t: TestApp;
let base: string;
let admin: Record<string, string>;

/** The test's ids spell their row number: 00000000-0000-4000-8000-<g in hex>. */
const idOf = (g: number) => `00000000-0000-4000-8000-${g.toString(16).padStart(12, '0')}`;

beforeAll(async () => {
  t = await buildTestApp();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  admin = (await authHeader(t, ['administrator'])).headers;
  const post = async (url: string, payload: object) => (await t.app.inject({ method: 'POST', url, headers: admin, payload })).json() as { id: string };
  const hours = await post('/admin/v1/business-hours', { name: 'Always', timezone: 'UTC', weekly: { monday: [{ start: '00:00', end: '23:59' }] } });
  const rule = await post('/admin/v1/capacity-rules', { name: 'Rule', timeslotLength: 'hour', cells: { monday: { '10:00': 1 } } });
  const queue = await post('/admin/v1/queues', { name: 'Bulk', timezone: 'UTC', businessHoursId: hours.id, capacityRuleId: rule.id, slotDurationMinutes: 30 });
  // One statement: three rows share each microsecond, a thousand rows share each millisecond.
  await sql`
    insert into callbacks (id, queue_id, type, state, phone_e164, customer_name, user_data, priority, created_by, created_at, updated_at)
    select ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, ${queue.id}, 'immediate', 'QUEUED',
           '+1212' || lpad(g::text, 7, '0'), 'Customer ' || g, jsonb_build_object('order', 'A-' || g, 'note', 'asked, "after 5"'), g % 10, 'load-test',
           timestamptz '2030-03-01T00:00:00Z' + (g / 3) * interval '1 microsecond', timestamptz '2030-03-01T00:00:00Z'
    from generate_series(1, ${ROWS}) g`.execute(t.database.db);
  await sql`analyze callbacks`.execute(t.database.db);
}, 180_000);
afterAll(async () => t.close());

describe('exporting 100,000 callbacks', () => {
  it('streams every row exactly once in bounded memory', async () => {
    const seen = new Uint8Array(ROWS + 1);
    let rows = 0;
    let duplicates = 0;
    let strangers = 0;
    let bytes = 0;
    let header: string[] = [];
    const samples: number[] = []; // live heap, after a full collection
    const raw: number[] = []; // heap as found, garbage included
    const rss: number[] = [];
    gc();
    const before = process.memoryUsage();
    const sample = setInterval(() => raw.push(process.memoryUsage().heapUsed), 10);
    let chunks = 0;
    const sampleLive = () => {
      gc();
      const m = process.memoryUsage();
      samples.push(m.heapUsed);
      rss.push(m.rss);
    };
    const started = performance.now();
    const result = await new Promise<{ status: number; complete: boolean; xRows: string | undefined }>((resolve, reject) => {
      http
        .get(`${base}/admin/v1/callbacks/export?format=csv&queue=Bulk`, { headers: admin }, (res) => {
          let tail = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            bytes += Buffer.byteLength(chunk);
            if (chunks++ % 25 === 0) sampleLive(); // while the server is midway through its pages
            const lines = (tail + chunk).split('\r\n');
            tail = lines.pop()!;
            for (const line of lines) {
              if (header.length === 0) {
                header = parseCsv(`${line}\r\n`)[0]!;
                continue;
              }
              rows++;
              // Every thousandth record parsed whole: the header's fields, the quoted JSON intact.
              if (rows % 1_000 === 0) {
                const [record] = parseCsv(`${line}\r\n`);
                expect(record).toHaveLength(header.length);
                expect(JSON.parse(record![header.indexOf('userData')]!)).toMatchObject({ note: 'asked, "after 5"' });
              }
              const id = line.slice(0, 36);
              const g = id.startsWith('00000000-0000-4000-8000-') ? parseInt(id.slice(24), 16) : NaN;
              if (!(g >= 1 && g <= ROWS)) strangers++;
              else if (seen[g]!++ > 0) duplicates++;
            }
          });
          res.on('end', () => resolve({ status: res.statusCode!, complete: res.complete && tail === '', xRows: res.headers['x-rows'] as string | undefined }));
          res.on('error', reject);
        })
        .on('error', reject);
    });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sample);
    const peakHeapGrowth = Math.max(...samples) - before.heapUsed;
    const peakRawGrowth = Math.max(...raw) - before.heapUsed;
    const peakRssGrowth = Math.max(...rss) - before.rss;
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    console.log(
      `export of ${rows} rows: ${mb(bytes)} in ${seconds.toFixed(1)} s; peak live-heap growth ${mb(peakHeapGrowth)} (${samples.length} samples), ` +
        `peak heap growth with garbage ${mb(peakRawGrowth)}, peak RSS growth ${mb(peakRssGrowth)}`,
    );
    expect(result).toEqual({ status: 200, complete: true, xRows: String(ROWS) });
    expect(header[0]).toBe('id');
    expect([rows, duplicates, strangers]).toEqual([ROWS, 0, 0]);
    expect(seen.subarray(1).every((n) => n === 1)).toBe(true);
    expect(samples.length).toBeGreaterThan(5);
    expect(bytes).toBeGreaterThan(30e6);
    // The whole file never sits in memory: the heap grows by far less than a quarter of it.
    expect(peakHeapGrowth).toBeLessThan(bytes / 4);
  }, 120_000);
});
