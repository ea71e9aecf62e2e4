import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { csvObjects } from './helpers/csv.js';
import { factories } from './helpers/factories.js';

/** The report summary as a file: the same rows as its JSON answer, written by the callback export's writer. */

const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let admin: Record<string, string>;
let queues: { id: string; name: string }[];
const period = 'from=2030-03-04T00:00:00Z&to=2030-03-05T00:00:00Z';
const get = (url: string, headers = admin) => t.app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  t = await buildTestApp({ clock });
  admin = (await authHeader(t, ['administrator'])).headers;
  const actions = (await authHeader(t, ['actions'])).headers;
  const f = factories(t.database.db);
  queues = [await f.queue({ name: '=Sales' }), await f.queue({ name: 'Billing, east' })];
  for (const [k, result] of (['ACCEPTED', 'DECLINED', 'ACCEPTED', 'NO_INPUT'] as const).entries()) {
    const res = await t.app.inject({ method: 'POST', url: '/actions/v1/offers', headers: actions, payload: { queue: queues[k % 2]!.name, conversationId: `conv-${k}`, offered: 'BOTH', result } });
    expect(res.json().outcome, res.body).toBe('RECORDED');
  }
}, 120_000);
afterAll(async () => t.close());

/** A CSV cell as the JSON value it was written from. */
const fromCell = (cell: string, json: unknown) =>
  json === null ? cell === '' : typeof json === 'number' ? Number(cell) === json : typeof json === 'string' && /^[=+\-@\t\r]/.test(json) ? cell === `'${json}` : cell === String(json);

describe('GET /admin/v1/reports/summary?format=', () => {
  it('csv: one record per group and the totals last, every figure of the JSON answer, nested counts as columns', async () => {
    const json = (await get(`/admin/v1/reports/summary?${period}`)).json();
    const res = await get(`/admin/v1/reports/summary?${period}&format=csv`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="summary-queue-20300304T000000Z-20300305T000000Z.csv"');
    const records = csvObjects(res.body);
    const expected = [...json.rows, json.totals] as Record<string, unknown>[];
    expect(records).toHaveLength(expected.length);
    expect(records.map((r) => r.group)).toEqual(["'=Sales", 'Billing, east', 'total']);
    expect(records[2]).toMatchObject({ offers: '4', offersAccepted: '2', offersDeclined: '1', offersNoInput: '1', acceptanceRate: '0.5' });
    const flat = (row: Record<string, unknown>) =>
      Object.entries(row).flatMap(([k, v]) => (v !== null && typeof v === 'object' ? Object.entries(v).map(([s, n]) => [`${k}.${s}`, n] as const) : [[k, v] as const]));
    records.forEach((record, i) => {
      const want = flat(expected[i]!);
      expect(Object.keys(record)).toEqual(want.map(([k]) => k));
      for (const [k, v] of want) expect(fromCell(record[k]!, v), `${k}: ${record[k]} vs ${JSON.stringify(v)}`).toBe(true);
    });
    expect(Object.keys(records[0]!)).toContain('refusals.SLOT_FULL');
  });

  it('json: NDJSON, the rows of the answer then its totals, one a line', async () => {
    const json = (await get(`/admin/v1/reports/summary?${period}&groupBy=day&timezone=UTC`)).json();
    const res = await get(`/admin/v1/reports/summary?${period}&groupBy=day&timezone=UTC&format=json`);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="summary-day-20300304T000000Z-20300305T000000Z.ndjson"');
    expect(res.body.endsWith('\n')).toBe(true);
    expect(res.body.slice(0, -1).split('\n').map((l) => JSON.parse(l))).toEqual([...json.rows, json.totals]);
  });

  it('keeps the summary’s checks and scope: a bad input is a 400 naming the field, a restricted caller gets its queues only', async () => {
    for (const [query, field] of [['format=xlsx', 'format'], ['groupBy=week&format=csv', 'groupBy'], ['timezone=Mars/Olympus&format=csv', 'timezone']]) {
      const res = await get(`/admin/v1/reports/summary?${period}&${query}`);
      expect([res.statusCode, res.json().field]).toEqual([400, field]);
    }
    const sup = (await authHeader(t, ['supervisor'], { queues: [queues[1]!.name] })).headers as Record<string, string>;
    const mine = csvObjects((await get(`/admin/v1/reports/summary?${period}&format=csv`, sup)).body);
    expect(mine.map((r) => r.group)).toEqual(['Billing, east', 'total']);
    expect(mine[1]).toMatchObject({ offers: '2' });
    expect((await get(`/admin/v1/reports/summary?${period}&format=csv&queue=${encodeURIComponent('=Sales')}`, sup)).statusCode).toBe(403);
  });
});
