import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvHeader, csvRows, neutralise, type Column } from '../src/reports/csv.js';
import { isoLocal, isoLocalFormatter } from '../src/time.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { csvObjects, parseCsv } from './helpers/csv.js';

/**
 * The desk's export: CSV (RFC 4180, formulas neutralised) and NDJSON, the desk's filters and
 * allow-lists, local times, and a connection cut (never a complete-looking file) when the stream
 * fails after it began. Real database, real app, a real socket where the bytes matter.
 */

type H = Record<string, string>;
let t: TestApp;
let base: string;
let admin: H;
const clock = new TestClock(new Date('2030-03-05T14:00:00Z')); // a Tuesday, 09:00 in New York
const call = async (headers: H, method: 'GET' | 'POST', url: string, payload?: object) => {
  const res = await t.app.inject({ method, url, headers, ...(payload && { payload }) });
  return { status: res.statusCode, body: String(res.headers['content-type']).includes('json') && !String(res.headers['content-type']).includes('ndjson') ? res.json() : res.body, headers: res.headers };
};
const queues: Record<string, string> = {};
const ids: Record<string, string> = {};

/** A GET over a real socket: the bytes as sent, and whether the response ended properly. */
function fetchRaw(url: string, headers: H): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; complete: boolean; error?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      let error: string | undefined;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => (error = e.message));
      res.on('close', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), complete: res.complete, ...(error && { error }) }));
    });
    req.on('error', reject);
  });
}

beforeAll(async () => {
  t = await buildTestApp({ clock });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  admin = (await authHeader(t, ['administrator'])).headers;
  const actions = (await authHeader(t, ['actions'])).headers;
  const weekday = [{ start: '09:00', end: '17:00' }];
  const hoursId = (await call(admin, 'POST', '/admin/v1/business-hours', {
    name: 'Office',
    timezone: 'America/New_York',
    weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday },
  })).body.id;
  const ruleId = (await call(admin, 'POST', '/admin/v1/capacity-rules', { name: 'Four per slot', timeslotLength: 'halfHour', cells: { tuesday: { '10:00': 4, '10:30': 4 } } })).body.id;
  for (const name of ['Sales', 'Billing', 'Support']) {
    queues[name] = (await call(admin, 'POST', '/admin/v1/queues', { name, timezone: 'America/New_York', businessHoursId: hoursId, capacityRuleId: ruleId, slotDurationMinutes: 30 })).body.id;
  }
  const create = async (key: string, body: object) => {
    const res = await call(actions, 'POST', '/actions/v1/callbacks/create', body);
    expect(res.body.outcome, JSON.stringify(res.body)).toBe('CREATED');
    ids[key] = res.body.callbackId;
  };
  await create('sales', { queue: 'Sales', phoneNumber: '+12125550147', customerName: 'Ada Lovelace', desiredTime: '2030-03-05T10:00:00-05:00', userData: JSON.stringify({ note: 'says "hi", twice' }) });
  await create('billing', { queue: 'Billing', phoneNumber: '+442079460321', customerName: 'Grace Hopper', desiredTime: '2030-03-05T10:30:00-05:00' });
  await create('support', { queue: 'Support', phoneNumber: '+12125550999', customerName: 'placeholder' });
  // Names no flow would send but the export must survive: a formula, and each special character.
  await sql`update callbacks set customer_name = ${'=HYPERLINK("http://x","y")'} where id = ${ids.support}`.execute(t.database.db);
  await sql`update callbacks set customer_name = ${'Lovelace, "Ada"\r\nline two\nthree\rfour'} where id = ${ids.billing}`.execute(t.database.db);
}, 120_000);
afterAll(async () => t.close());

describe('CSV cells', () => {
  const cols: Column<Record<string, unknown>>[] = ['a', 'b'].map((k) => ({ header: k, value: (r) => r[k] }));
  it('quotes what RFC 4180 says, doubles quotes, ends records in CRLF', () => {
    const out = csvRows(cols, [
      { a: 'x,y', b: 'say "no"' },
      { a: 'cr\rhere', b: 'lf\nhere' },
      { a: 'plain', b: null },
      { a: 12, b: true },
      { a: { k: 'v,w' }, b: '' },
    ]);
    expect(out).toBe('"x,y","say ""no"""\r\n"cr\rhere","lf\nhere"\r\nplain,\r\n12,true\r\n"{""k"":""v,w""}",\r\n');
    expect(parseCsv(csvHeader(cols) + out)).toEqual([
      ['a', 'b'],
      ['x,y', 'say "no"'],
      ['cr\rhere', 'lf\nhere'],
      ['plain', ''],
      ['12', 'true'],
      ['{"k":"v,w"}', ''],
    ]);
  });

  it("prefixes with ' every text a spreadsheet would run as a formula, phone numbers included", () => {
    for (const s of ['=1+2', '+12125550147', '-2+3', '@SUM(A1)', '\tx', '\r=1']) expect(neutralise(s)).toBe(`'${s}`);
    for (const s of ['', 'Ada', ' =1', '1+2', "'quoted", '{"a":1}']) expect(neutralise(s)).toBe(s);
    // Numbers a column computes are not text a caller wrote: a negative one stays a number.
    expect(csvRows(cols, [{ a: -5, b: '-5' }])).toBe("-5,'-5\r\n");
    expect(parseCsv(csvRows(cols, [{ a: '\r=cmd', b: '"=x"' }]))).toEqual([["'\r=cmd", '"=x"']]);
  });
});

describe('local times', () => {
  it('are written as isoLocal writes them, across offset changes, in seconds', () => {
    for (const zone of ['UTC', 'America/New_York', 'Europe/London', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/St_Johns']) {
      const format = isoLocalFormatter(zone);
      // Every 3 h 7 min 13 s through 2030, and each minute of the days its offsets change.
      const instants: number[] = [];
      for (let ms = Date.UTC(2030, 0, 1); ms < Date.UTC(2031, 0, 1); ms += 11_233_000) instants.push(ms);
      for (const day of [Date.UTC(2030, 2, 10), Date.UTC(2030, 2, 31), Date.UTC(2030, 3, 7), Date.UTC(2030, 9, 6), Date.UTC(2030, 9, 27), Date.UTC(2030, 10, 3)]) {
        for (let ms = day - 14 * 3_600_000; ms < day + 14 * 3_600_000; ms += 600_000) instants.push(ms);
      }
      const wrong = instants.map((ms) => new Date(ms)).filter((d) => format(d) !== isoLocal(d, zone));
      expect(wrong.map((d) => `${zone} ${d.toISOString()}: ${format(d)} vs ${isoLocal(d, zone)}`)).toEqual([]);
      const withMs = new Date('2030-03-10T07:00:00.456Z');
      expect(format(withMs)).toBe(isoLocal(new Date('2030-03-10T07:00:00Z'), zone));
    }
    expect(isoLocalFormatter('America/New_York')(new Date('2030-03-10T06:59:59Z'))).toBe('2030-03-10T01:59:59-05:00');
    expect(isoLocalFormatter('America/New_York')(new Date('2030-03-10T07:00:00Z'))).toBe('2030-03-10T03:00:00-04:00');
  });
});

describe('GET /admin/v1/callbacks/export', () => {
  it('streams the filter as CSV: a header row, every public field, quoting and neutralised formulas', async () => {
    const res = await fetchRaw(`${base}/admin/v1/callbacks/export?format=csv`, admin);
    expect(res.status).toBe(200);
    expect(res.complete).toBe(true);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="callbacks-20300305T140000Z.csv"');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['x-rows']).toBe('3');
    expect(res.body.endsWith('\r\n')).toBe(true);
    const rows = csvObjects(res.body);
    expect(Object.keys(rows[0]!)).toEqual([
      'id', 'queueName', 'type', 'state', 'completionReason', 'phoneE164', 'customerName', 'desiredTime', 'scheduledTime', 'priority', 'deliveryStatus', 'deliveryAttempts',
      'ivrConversationId', 'genesysConversationId', 'createdBy', 'createdAt', 'completedAt', 'queueId', 'attempt', 'deliveryError', 'idempotencyKey', 'updatedAt', 'userData',
      'timezone', 'desiredTimeUtc', 'scheduledTimeUtc', 'createdAtUtc', 'updatedAtUtc', 'completedAtUtc',
    ]);
    expect(rows.map((r) => r.id)).toEqual([ids.support, ids.billing, ids.sales]); // newest first
    const [support, billing, sales] = rows;
    expect(support!.customerName).toBe(`'=HYPERLINK("http://x","y")`);
    expect(billing!.customerName).toBe('Lovelace, "Ada"\r\nline two\nthree\rfour');
    expect(sales).toMatchObject({
      queueName: 'Sales',
      queueId: queues.Sales,
      type: 'scheduled',
      state: 'SCHEDULED',
      completionReason: '',
      phoneE164: "'+12125550147",
      customerName: 'Ada Lovelace',
      desiredTime: '2030-03-05T15:00:00Z',
      desiredTimeUtc: '2030-03-05T15:00:00Z',
      priority: '0',
      attempt: '1',
      timezone: 'UTC',
      userData: '{"note":"says \\"hi\\", twice"}',
    });
    expect(JSON.parse(sales!.userData!)).toEqual({ note: 'says "hi", twice' });
    // The bytes themselves: the quoted name, quotes doubled, its CR and LF inside the quotes.
    expect(res.body).toContain(',"Lovelace, ""Ada""\r\nline two\nthree\rfour",');
  });

  it('writes local times in the chosen time zone, with their offset, next to the UTC columns', async () => {
    const res = await fetchRaw(`${base}/admin/v1/callbacks/export?timezone=Europe/Paris&queue=Sales`, admin);
    const [sales] = csvObjects(res.body);
    expect(sales).toMatchObject({ timezone: 'Europe/Paris', desiredTime: '2030-03-05T16:00:00+01:00', desiredTimeUtc: '2030-03-05T15:00:00Z', scheduledTime: '2030-03-05T16:00:00+01:00' });
    // The database stamps creation: the same instant, in Paris and in UTC.
    expect(sales!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/);
    expect(new Date(sales!.createdAt!).toISOString().replace('.000', '')).toBe(sales!.createdAtUtc);
  });

  it('format=json: NDJSON, one object a line with the fields of the desk’s callback answer', async () => {
    const res = await fetchRaw(`${base}/admin/v1/callbacks/export?format=json&timezone=America/New_York`, admin);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="callbacks-20300305T140000Z.ndjson"');
    expect(res.body.endsWith('\n')).toBe(true);
    const lines = res.body.slice(0, -1).split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const desk = (await call(admin, 'GET', '/admin/v1/callbacks')).body.items as Record<string, unknown>[];
    expect(lines.map((l) => l.id)).toEqual(desk.map((d) => d.id));
    lines.forEach((line, k) => expect(line).toMatchObject(desk[k]!));
    expect(lines[2]).toMatchObject({ desiredTime: '2030-03-05T15:00:00Z', desiredTimeLocal: '2030-03-05T10:00:00-05:00', timezone: 'America/New_York' });
    expect(lines[0]).toMatchObject({ customerName: '=HYPERLINK("http://x","y")', completedAtLocal: null }); // data for programs: not neutralised
  });

  it("takes the desk listing's and the desk search's filters", async () => {
    const idsOf = async (query: string) => {
      const res = await call(admin, 'GET', `/admin/v1/callbacks/export?format=json&${query}`);
      expect(res.status, String(res.body)).toBe(200);
      return String(res.body).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id).sort();
    };
    expect(await idsOf('queue=Sales')).toEqual([ids.sales]);
    expect(await idsOf(`queueId=${queues.Billing}`)).toEqual([ids.billing]);
    expect(await idsOf(`queue=Sales&queue=${queues.Billing}`)).toEqual([ids.sales, ids.billing].sort());
    expect(await idsOf('state=QUEUED')).toEqual([ids.support]);
    expect(await idsOf('type=scheduled')).toEqual([ids.sales, ids.billing].sort());
    expect(await idsOf('phone=%2B1%20212%20555%200147')).toEqual([ids.sales]);
    expect(await idsOf('q=Hopper')).toEqual([]);
    expect(await idsOf('q=020%207946%200321')).toEqual([ids.billing]);
    expect(await idsOf('deliveryStatus=PENDING&deliveryStatus=DELIVERED')).toHaveLength(3);
    expect(await idsOf(`from=${encodeURIComponent('2030-03-05T15:15:00Z')}&to=${encodeURIComponent('2030-03-05T16:00:00Z')}`)).toEqual([ids.billing]);
    // Nothing found is still a file: the header alone.
    const empty = await call(admin, 'GET', '/admin/v1/callbacks/export?state=PROCESSING');
    expect(empty.body).toBe(`${parseCsv(String((await call(admin, 'GET', '/admin/v1/callbacks/export')).body))[0]!.join(',')}\r\n`);
    expect(empty.headers['x-rows']).toBe('0');
  });

  it('answers a bad filter with a 400 naming the field (or 404 for an unknown queue), before any byte of a file', async () => {
    const bad = async (query: string) => {
      const res = await call(admin, 'GET', `/admin/v1/callbacks/export?${query}`);
      expect(res.headers['content-type']).toContain('application/json');
      return [res.status, res.body.field];
    };
    expect(await bad('format=xlsx')).toEqual([400, 'format']);
    expect(await bad('timezone=Mars/Olympus')).toEqual([400, 'timezone']);
    expect(await bad('state=LOST')).toEqual([400, 'state[0]']);
    expect(await bad('queueId=nope')).toEqual([400, 'queueId']);
    expect(await bad('phone=abc')).toEqual([400, 'phone']);
    expect(await bad('from=yesterday')).toEqual([400, 'from']);
    expect(await bad(`from=${encodeURIComponent('2030-03-06T00:00:00Z')}&to=${encodeURIComponent('2030-03-05T00:00:00Z')}`)).toEqual([400, 'to']);
    expect(await bad('limit=5')).toEqual([400, 'limit']);
    expect((await bad('queue=Nowhere'))[0]).toBe(404);
  });

  it('gives a restricted caller only the rows of its queues, and refuses it another queue', async () => {
    const sup = (await authHeader(t, ['supervisor'], { queues: ['Sales'] })).headers;
    for (const format of ['csv', 'json']) {
      const res = await fetchRaw(`${base}/admin/v1/callbacks/export?format=${format}`, sup);
      expect(res.status).toBe(200);
      expect(res.headers['x-rows']).toBe('1');
      expect(res.body).toContain(ids.sales);
      expect(res.body).not.toContain(ids.billing);
      expect(res.body).not.toContain(ids.support);
    }
    expect((await call(sup, 'GET', '/admin/v1/callbacks/export?queue=Billing')).status).toBe(403);
    expect((await call(sup, 'GET', `/admin/v1/callbacks/export?queueId=${queues.Billing}`)).status).toBe(403);
    const nothing = (await authHeader(t, ['monitor'], { queues: [] })).headers;
    expect(csvObjects(String((await call(nothing, 'GET', '/admin/v1/callbacks/export')).body))).toEqual([]);
    const flow = (await authHeader(t, ['actions'])).headers;
    expect((await call(flow, 'GET', '/admin/v1/callbacks/export')).status).toBe(403);
  });
});

describe('an export that fails after it began', () => {
  it('aborts the connection: the client sees a cut transfer, never a complete-looking file', async () => {
    // 2,500 more callbacks (three pages), the oldest unreadable: the first pages are on the wire before it fails.
    await sql`
      insert into callbacks (queue_id, type, state, phone_e164, customer_name, created_by, created_at)
      select ${queues.Support}, 'immediate', 'QUEUED', '+1212555' || lpad(g::text, 4, '0'), 'bulk ' || g, 'test', timestamptz '2030-03-01T00:00:00Z' + g * interval '1 second'
      from generate_series(1, 2500) g`.execute(t.database.db);
    const oldest = await sql<{ id: string }>`select id from callbacks where customer_name = 'bulk 1'`.execute(t.database.db);
    await sql`update callbacks set desired_time = 'infinity' where id = ${oldest.rows[0]!.id}`.execute(t.database.db);
    try {
      for (const format of ['csv', 'json']) {
        const res = await fetchRaw(`${base}/admin/v1/callbacks/export?queue=Support&format=${format}`, admin);
        expect(res.status).toBe(200);
        expect(res.complete).toBe(false);
        expect(res.error).toBe('aborted');
        expect(res.body).toContain('bulk 2500');
        expect(res.body).not.toContain(oldest.rows[0]!.id);
      }
      // The app still serves the next export of what it can read.
      const ok = await fetchRaw(`${base}/admin/v1/callbacks/export?queue=Support&state=QUEUED&from=${encodeURIComponent('2030-03-01T00:00:02Z')}`, admin);
      expect(ok.complete).toBe(true);
      expect(csvObjects(ok.body)).toHaveLength(2_499);
    } finally {
      await sql`delete from callbacks where created_by = 'test'`.execute(t.database.db);
    }
  });
});

describe('an export while callbacks change', () => {
  it('writes every callback that was there exactly once while others are created and updated', async () => {
    const N = 4_000;
    await sql`
      insert into callbacks (queue_id, type, state, phone_e164, customer_name, created_by, created_at)
      select ${queues.Billing}, 'immediate', 'QUEUED', '+1212556' || lpad(g::text, 4, '0'), 'race ' || g, 'race-test', now() - interval '1 day' + (g / 4) * interval '1 microsecond'
      from generate_series(1, ${N}) g`.execute(t.database.db);
    const before = new Set((await sql<{ id: string }>`select id from callbacks where created_by = 'race-test'`.execute(t.database.db)).rows.map((r) => r.id));
    let done = false;
    let writes = 0;
    // Creates and updates race the export's pages: new callbacks, and changes to the ones it reads.
    const writer = (async () => {
      while (!done) {
        await sql`
          insert into callbacks (queue_id, type, state, phone_e164, customer_name, created_by)
          select ${queues.Billing}, 'immediate', 'QUEUED', '+1212557' || lpad((random() * 9999)::int::text, 4, '0'), 'late', 'race-test' from generate_series(1, 20)`.execute(t.database.db);
        await sql`update callbacks set priority = priority + 1, updated_at = now() where id in (select id from callbacks where created_by = 'race-test' order by random() limit 50)`.execute(t.database.db);
        writes++;
      }
    })();
    const seen = new Map<string, number>();
    try {
      await new Promise<void>((resolve, reject) => {
        http
          .get(`${base}/admin/v1/callbacks/export?format=json&queue=Billing`, { headers: admin }, (res) => {
            let tail = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              const lines = (tail + chunk).split('\n');
              tail = lines.pop()!;
              for (const line of lines) {
                const id = (JSON.parse(line) as { id: string }).id;
                seen.set(id, (seen.get(id) ?? 0) + 1);
              }
              // A slow reader: the export waits on the connection while the writer goes on.
              res.pause();
              setTimeout(() => res.resume(), 5);
            });
            res.on('end', () => (res.complete && tail === '' ? resolve() : reject(new Error('cut'))));
            res.on('error', reject);
          })
          .on('error', reject);
      });
    } finally {
      done = true;
      await writer;
    }
    expect(writes).toBeGreaterThan(0);
    expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
    expect([...before].filter((id) => !seen.has(id))).toEqual([]);
    await sql`delete from callbacks where created_by = 'race-test'`.execute(t.database.db);
  });
});
