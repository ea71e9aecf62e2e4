import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDnisCsv } from '../src/callin/dnis-csv.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

/** Click-To-Call-In groups: the admin API, the DNIS pool (JSON and CSV) and the Call-In tab's records. */

const START = '2030-03-04T15:00:00Z';
const clock = new TestClock(new Date(START));
let t: TestApp;
let admin: { authorization: string };
let monitor: { authorization: string };
let make: ReturnType<typeof factories>;
let seq = 0;

beforeAll(async () => {
  t = await buildTestApp({ clock });
  admin = (await authHeader(t, ['administrator'])).headers;
  monitor = (await authHeader(t, ['monitor'])).headers;
  make = factories(t.database.db);
});
afterAll(async () => t.close());

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
const call = (method: Method, url: string, payload?: unknown, headers: Record<string, string> = admin) =>
  t.app.inject({ method, url: `/admin/v1${url}`, headers, ...(payload !== undefined && { payload: payload as object }) });
const csv = (id: string, text: string, query = '', headers: Record<string, string> = admin) =>
  t.app.inject({ method: 'POST', url: `/admin/v1/call-in-groups/${id}/dnis/import${query}`, headers: { ...headers, 'content-type': 'text/csv' }, payload: text });

/** Distinct valid toll-free numbers (+1 800 …). */
const numbers = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `+1800${String(2_000_000 + from + i).padStart(7, '0')}`);
const pool = (n: number, from = 0) => numbers(n, from).map((number) => ({ number }));
const name = (prefix = 'group') => `${prefix} ${++seq} ${randomUUID().slice(0, 6)}`;

async function group(body: Record<string, unknown> = {}, headers = admin) {
  const res = await call('POST', '/call-in-groups', { name: name(), dnis: pool(2, seq * 10), ...body }, headers);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}
const dnisOf = async (id: string) => (await call('GET', `/call-in-groups/${id}/dnis?limit=1000`)).json();
const auditOf = async (id: string) => (await call('GET', `/audit?entity=call-in-group&entityId=${id}`)).json().items as { action: string; before: any; after: any }[];

describe('creating a group', () => {
  it('answers the group with the defaults and its DNIS count; GET and the list show it', async () => {
    const res = await call('POST', '/call-in-groups', { name: '  Mobile app  ', dnis: [{ number: '+18005550100', description: ' Main ' }, { number: '18005550101' }] });
    expect(res.statusCode, res.body).toBe(201);
    const g = res.json();
    expect(g).toMatchObject({
      name: 'Mobile app',
      queueId: null,
      accessCodeEnabled: true,
      accessCodeLength: 6,
      expirySeconds: 30,
      uniqueDnis: false,
      matchCriteria: 'DNIS_AND_CODE',
      maxCodeAttempts: 3,
      dnisCount: 2,
    });
    expect((await call('GET', `/call-in-groups/${g.id}`)).json()).toEqual(g);
    expect((await call('GET', '/call-in-groups')).json().items.map((i: { id: string }) => i.id)).toContain(g.id);
    // The + is added; the description trimmed.
    expect((await dnisOf(g.id)).items).toEqual([
      { number: '+18005550100', description: 'Main' },
      { number: '+18005550101', description: null },
    ]);
  });

  const bounds: [field: string, value: number, ok: boolean][] = [
    ['accessCodeLength', 3, false],
    ['accessCodeLength', 4, true],
    ['accessCodeLength', 12, true],
    ['accessCodeLength', 13, false],
    ['expirySeconds', 9, false],
    ['expirySeconds', 10, true],
    ['expirySeconds', 1800, true],
    ['expirySeconds', 1801, false],
    ['maxCodeAttempts', 0, false],
    ['maxCodeAttempts', 1, true],
    ['maxCodeAttempts', 10, true],
    ['maxCodeAttempts', 11, false],
  ];
  it.each(bounds)('%s %i → %s', async (field, value, ok) => {
    const res = await call('POST', '/call-in-groups', { name: name(), dnis: pool(1), [field]: value });
    if (ok) {
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()[field]).toBe(value);
    } else {
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().field).toBe(field);
    }
  });

  it('the same bounds hold for a PATCH, which leaves the group as it was when refused', async () => {
    const g = await group();
    for (const [field, value, ok] of bounds) {
      const res = await call('PATCH', `/call-in-groups/${g.id}`, { [field]: value });
      expect(res.statusCode, `${field} ${value}: ${res.body}`).toBe(ok ? 200 : 400);
      if (!ok) expect(res.json().field).toBe(field);
    }
  });

  it('holds 10,000 numbers, refuses 10,001', async () => {
    const big = await call('POST', '/call-in-groups', { name: name('big'), dnis: pool(10_000) });
    expect(big.statusCode, big.body.slice(0, 300)).toBe(201);
    expect(big.json().dnisCount).toBe(10_000);
    const tooBig = await call('POST', '/call-in-groups', { name: name('too big'), dnis: pool(10_001) });
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json().field).toBe('dnis');
    const empty = await call('POST', '/call-in-groups', { name: name('empty'), dnis: [] });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().field).toBe('dnis');
    const replaced = await call('PUT', `/call-in-groups/${big.json().id}/dnis`, { dnis: pool(10_001) });
    expect(replaced.statusCode).toBe(400);
    expect((await call('GET', `/call-in-groups/${big.json().id}`)).json().dnisCount).toBe(10_000);
  });

  it('a number of 16 characters is taken, one of 17 refused; a description of 32 taken, 33 refused', async () => {
    const sixteen = '+436641234567890';
    const seventeen = '+4930123456789012';
    expect(sixteen).toHaveLength(16);
    expect(seventeen).toHaveLength(17);
    const ok = await call('POST', '/call-in-groups', { name: name(), dnis: [{ number: sixteen, description: 'd'.repeat(32) }] });
    expect(ok.statusCode, ok.body).toBe(201);
    expect((await dnisOf(ok.json().id)).items).toEqual([{ number: sixteen, description: 'd'.repeat(32) }]);

    const long = await call('POST', '/call-in-groups', { name: name(), dnis: [{ number: seventeen }] });
    expect(long.statusCode).toBe(400);
    expect(long.json().field).toBe('dnis[0].number');
    const longDescription = await call('POST', '/call-in-groups', { name: name(), dnis: [{ number: sixteen, description: 'd'.repeat(33) }] });
    expect(longDescription.statusCode).toBe(400);
    expect(longDescription.json().field).toBe('dnis[0].description');
  });

  it('refuses what is not E.164 and numbers listed twice, naming the entry', async () => {
    for (const number of ['+1 800 555 0100', '+1800abc0100', '+15555550100', '0800-1234']) {
      const res = await call('POST', '/call-in-groups', { name: name(), dnis: [{ number: '+18005550100' }, { number }] });
      expect(res.statusCode, number).toBe(400);
      expect(res.json().field, number).toMatch(/^dnis/);
      expect(res.json().message, number).toContain('dnis[1]');
    }
    const twice = await call('POST', '/call-in-groups', { name: name(), dnis: [{ number: '+18005550100' }, { number: '+18005550101' }, { number: '18005550100' }] });
    expect(twice.statusCode).toBe(400);
    expect(twice.json()).toMatchObject({ field: 'dnis', details: { errorCount: 1, errors: [{ index: 2, message: '+18005550100 is listed twice (first at dnis[0])' }] } });
  });

  it('names are unique case-insensitively (409) and may hold any characters', async () => {
    const first = await group({ name: 'Ünïcode & <symbols> #1' });
    expect(first.name).toBe('Ünïcode & <symbols> #1');
    const clash = await call('POST', '/call-in-groups', { name: '  ünïcode & <SYMBOLS> #1 ', dnis: pool(1) });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error).toBe('CONFLICT');
    const blank = await call('POST', '/call-in-groups', { name: '   ', dnis: pool(1) });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().field).toBe('name');
    const tooLong = await call('POST', '/call-in-groups', { name: 'n'.repeat(101), dnis: pool(1) });
    expect(tooLong.statusCode).toBe(400);
    expect((await call('POST', '/call-in-groups', { name: 'n'.repeat(100), dnis: pool(1) })).statusCode).toBe(201);
  });

  it('a code-based match with access codes off is a contradiction naming matchCriteria', async () => {
    for (const matchCriteria of [undefined, 'DNIS_AND_CODE', 'ALL']) {
      const res = await call('POST', '/call-in-groups', { name: name(), dnis: pool(1), accessCodeEnabled: false, ...(matchCriteria && { matchCriteria }) });
      expect(res.statusCode, String(matchCriteria)).toBe(400);
      expect(res.json().field).toBe('matchCriteria');
    }
    const byCaller = await group({ accessCodeEnabled: false, matchCriteria: 'DNIS_AND_CALLER', uniqueDnis: true });
    expect(byCaller).toMatchObject({ accessCodeEnabled: false, matchCriteria: 'DNIS_AND_CALLER', uniqueDnis: true });
    // Turning codes off under a code-based match, or a code-based match without codes, by PATCH.
    const coded = await group();
    const off = await call('PATCH', `/call-in-groups/${coded.id}`, { accessCodeEnabled: false });
    expect(off.statusCode).toBe(400);
    expect(off.json().field).toBe('matchCriteria');
    const all = await call('PATCH', `/call-in-groups/${byCaller.id}`, { matchCriteria: 'ALL' });
    expect(all.statusCode).toBe(400);
    expect(all.json().field).toBe('matchCriteria');
    expect((await call('PATCH', `/call-in-groups/${coded.id}`, { accessCodeEnabled: false, matchCriteria: 'DNIS_AND_CALLER' })).statusCode).toBe(200);
  });

  it('monitors, supervisors and developers read; only administrators write', async () => {
    const g = await group();
    for (const role of ['monitor', 'supervisor', 'developer'] as const) {
      const { headers } = await authHeader(t, [role]);
      expect((await call('GET', '/call-in-groups', undefined, headers)).statusCode).toBe(200);
      expect((await call('GET', `/call-in-groups/${g.id}`, undefined, headers)).statusCode).toBe(200);
      expect((await call('GET', `/call-in-groups/${g.id}/dnis`, undefined, headers)).statusCode).toBe(200);
      expect((await call('POST', '/call-in-groups', { name: name(), dnis: pool(1) }, headers)).statusCode).toBe(403);
      expect((await call('PATCH', `/call-in-groups/${g.id}`, { expirySeconds: 60 }, headers)).statusCode).toBe(403);
      expect((await csv(g.id, '+18005550100\n', '', headers)).statusCode).toBe(403);
    }
  });
});

describe('changing a group', () => {
  it('a PATCH changes only what it was sent; its audit entry names only that field', async () => {
    const g = await group({ accessCodeLength: 8, expirySeconds: 120, uniqueDnis: true, maxCodeAttempts: 5 });
    clock.advance(1000);
    const res = await call('PATCH', `/call-in-groups/${g.id}`, { expirySeconds: 300 });
    expect(res.statusCode, res.body).toBe(200);
    const { expirySeconds, updatedAt, ...rest } = res.json();
    const { expirySeconds: _e, updatedAt: before, ...restBefore } = g;
    expect(expirySeconds).toBe(300);
    expect(rest).toEqual(restBefore);
    expect(updatedAt).not.toBe(before);
    const [update] = await auditOf(g.id);
    expect(update).toMatchObject({ action: 'update', before: { expirySeconds: 120 }, after: { expirySeconds: 300 } });
  });

  it('the name cannot be changed (400 naming name), nor the pool by PATCH; an empty PATCH is refused', async () => {
    const g = await group();
    const renamed = await call('PATCH', `/call-in-groups/${g.id}`, { name: 'Another name', expirySeconds: 60 });
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json().field).toBe('name');
    const pooled = await call('PATCH', `/call-in-groups/${g.id}`, { dnis: pool(1) });
    expect(pooled.statusCode).toBe(400);
    expect(pooled.json().field).toBe('dnis');
    const empty = await call('PATCH', `/call-in-groups/${g.id}`, {});
    expect(empty.statusCode).toBe(400);
    expect((await call('GET', `/call-in-groups/${g.id}`)).json()).toEqual(g);
  });

  it('PUT .../dnis replaces the pool and is audited with what changed', async () => {
    const g = await group({ dnis: pool(3, 500) });
    const [a, b, c] = numbers(3, 500);
    const res = await call('PUT', `/call-in-groups/${g.id}/dnis`, { dnis: [{ number: a, description: 'kept' }, { number: '+18885550100' }] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().dnisCount).toBe(2);
    expect((await dnisOf(g.id)).items).toEqual([
      { number: a, description: 'kept' },
      { number: '+18885550100', description: null },
    ]);
    const [entry] = await auditOf(g.id);
    expect(entry).toMatchObject({ action: 'replace-dnis', before: { dnisCount: 3 }, after: { dnisCount: 2, addedCount: 1, removedCount: 2, added: ['+18885550100'], removed: [b, c] } });
  });

  it('the pool reads a page at a time, by number', async () => {
    const g = await group({ dnis: pool(25, 700).reverse() });
    const page = (await call('GET', `/call-in-groups/${g.id}/dnis?limit=10&offset=20`)).json();
    expect(page).toEqual({ items: numbers(5, 720).map((number) => ({ number, description: null })), total: 25, offset: 20 });
  });
});

describe('deleting a group', () => {
  async function request(groupId: string, expiresInMs: number, state: 'PENDING' | 'MATCHED' = 'PENDING') {
    await t.database.db
      .insertInto('call_in_requests')
      .values({ user_data: '{}', group_id: groupId, from_phone_e164: '+12125550199', to_number: '+18005550100', exclusive: false, state, expires_at: new Date(clock.now().getTime() + expiresInMs), created_by: 'test', created_at: clock.now() })
      .execute();
  }

  it('is refused (409) while a pending request has not expired; once it has, the group goes, audited', async () => {
    const g = await group();
    await request(g.id, 30_000);
    await request(g.id, -1_000);
    await request(g.id, 60_000, 'MATCHED');
    const refused = await call('DELETE', `/call-in-groups/${g.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().details).toEqual({ pendingRequests: 1 });
    expect((await call('GET', `/call-in-groups/${g.id}`)).statusCode).toBe(200);
    clock.advance(30_000);
    const deleted = await call('DELETE', `/call-in-groups/${g.id}`);
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect((await call('GET', `/call-in-groups/${g.id}`)).statusCode).toBe(404);
    expect((await auditOf(g.id)).map((e) => e.action)).toEqual(['delete', 'create']);
  });
});

describe('CSV import and export', () => {
  it('imports number,description lines, with or without a header, replacing the pool', async () => {
    const g = await group();
    const file = 'number,description\r\n+18005550100,Main line\r\n18005550101,\r\n+18005550102\r\n"+18005550103","Sales, ""East"""\r\n\r\n';
    const res = await csv(g.id, file);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ mode: 'replace', imported: 4, dnisCount: 4 });
    expect((await dnisOf(g.id)).items).toEqual([
      { number: '+18005550100', description: 'Main line' },
      { number: '+18005550101', description: null },
      { number: '+18005550102', description: null },
      { number: '+18005550103', description: 'Sales, "East"' },
    ]);
    const noHeader = await csv(g.id, '+18885550100,Only\n');
    expect(noHeader.json()).toEqual({ mode: 'replace', imported: 1, dnisCount: 1 });
    const [entry] = await auditOf(g.id);
    expect(entry).toMatchObject({ action: 'import-dnis', before: { dnisCount: 4 }, after: { dnisCount: 1, addedCount: 1, removedCount: 4 } });
  });

  it('refuses the whole file, listing every bad line with its number, and changes nothing', async () => {
    const g = await group({ dnis: [{ number: '+18005550199', description: 'before' }] });
    const before = await dnisOf(g.id);
    const lines = [
      'number,description',
      '+18005550100,fine',
      '+1 800 555 0101,spaces',
      '+4930123456789012,seventeen characters',
      `+18005550102,${'d'.repeat(33)}`,
      '+18005550100,again',
      '+18005550103,a,b',
      '',
      'not a number',
      `+18005550104,${'d'.repeat(32)}`,
    ];
    const res = await csv(g.id, lines.join('\n'));
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body).toMatchObject({ error: 'VALIDATION_FAILED', field: 'body' });
    expect(body.message).toContain('line 3');
    expect(body.details.errorCount).toBe(6);
    expect(body.details.errors.map((e: { line: number }) => e.line)).toEqual([3, 4, 5, 6, 7, 9]);
    expect(body.details.errors[1].message).toContain('longer than 16 characters');
    expect(body.details.errors[2].message).toContain('longer than 32 characters');
    expect(body.details.errors[3].message).toBe('+18005550100 is listed twice (first on line 2)');
    expect(await dnisOf(g.id)).toEqual(before);
    expect((await auditOf(g.id)).map((e) => e.action)).toEqual(['create']);
  });

  it('lists at most 100 errors but counts them all; more than 10,000 numbers is refused', async () => {
    const g = await group();
    const bad = await csv(g.id, Array.from({ length: 150 }, (_, i) => `bad-${i}`).join('\n'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.errorCount).toBe(150);
    expect(bad.json().details.errors).toHaveLength(100);
    const ok = await csv(g.id, numbers(10_000).join('\n'));
    expect(ok.statusCode, ok.body.slice(0, 300)).toBe(200);
    expect(ok.json().dnisCount).toBe(10_000);
    const tooMany = await csv(g.id, numbers(10_001).join('\n'));
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().message).toContain('10,001');
    expect((await call('GET', `/call-in-groups/${g.id}`)).json().dnisCount).toBe(10_000);
    const empty = await csv(g.id, 'number,description\n');
    expect(empty.statusCode).toBe(400);
  });

  it('mode=append adds to the pool; a number already there is an error on its line', async () => {
    const g = await group({ dnis: [{ number: '+18005550100' }] });
    const added = await csv(g.id, '+18005550101,new\n', '?mode=append');
    expect(added.json()).toEqual({ mode: 'append', imported: 1, dnisCount: 2 });
    const clash = await csv(g.id, '+18005550102\n+18005550100\n', '?mode=append');
    expect(clash.statusCode).toBe(400);
    expect(clash.json().details.errors).toEqual([{ line: 2, message: '+18005550100 is already in the pool' }]);
    expect((await dnisOf(g.id)).total).toBe(2);
  });

  it('refuses a body that is not text/csv (415) or not UTF-8', async () => {
    const g = await group();
    const json = await t.app.inject({ method: 'POST', url: `/admin/v1/call-in-groups/${g.id}/dnis/import`, headers: { ...admin, 'content-type': 'text/plain' }, payload: '+18005550100' });
    expect(json.statusCode).toBe(415);
    const latin1 = await t.app.inject({ method: 'POST', url: `/admin/v1/call-in-groups/${g.id}/dnis/import`, headers: { ...admin, 'content-type': 'text/csv' }, payload: Buffer.from([0x2b, 0x31, 0x2c, 0xe9, 0x0a]) });
    expect(latin1.statusCode).toBe(400);
  });

  it('exports the pool as CSV that imports back to the same pool', async () => {
    const g = await group({ dnis: [{ number: '+18005550100', description: '=SUM(A1), "quoted"' }, { number: '+18005550101' }, { number: '+436641234567890', description: 'Wien' }] });
    const before = await dnisOf(g.id);
    const res = await call('GET', `/call-in-groups/${g.id}/dnis/export`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain('attachment');
    // Numbers stay text in a spreadsheet: a leading + is neutralised, and read back as it was.
    expect(res.body.split('\r\n')[0]).toBe('number,description');
    expect(res.body).toContain("'+18005550100");
    await call('PUT', `/call-in-groups/${g.id}/dnis`, { dnis: pool(1) });
    const back = await csv(g.id, res.body);
    expect(back.statusCode, back.body).toBe(200);
    expect(await dnisOf(g.id)).toEqual(before);
  });
});

describe('reading a DNIS file', () => {
  it('follows RFC 4180 quoting and counts lines across quoted line breaks', () => {
    const { entries, errors } = parseDnisCsv('\uFEFFNumber,Description\r+18005550100,"two\nlines"\r\n"+18005550101",plain\n+18005550102,"a ""quote"""');
    expect(errors).toEqual([]);
    expect(entries).toEqual([
      { at: 2, number: '+18005550100', description: 'two\nlines' },
      { at: 4, number: '+18005550101', description: 'plain' },
      { at: 5, number: '+18005550102', description: 'a "quote"' },
    ]);
  });

  it('names a broken quote, a stray quote and a bad header by line', () => {
    expect(parseDnisCsv('+18005550100,"open\n+18005550101,x').errors).toEqual([{ line: 1, message: 'a quoted cell is not closed' }]);
    expect(parseDnisCsv('+18005550100,ab"c\n+18005550101,x').errors.map((e) => e.line)).toEqual([1]);
    expect(parseDnisCsv('+18005550100,"ab"c\n').errors.map((e) => e.line)).toEqual([1]);
    expect(parseDnisCsv('number,notes\n+18005550100\n').errors).toEqual([{ line: 1, message: 'the header must be "number,description"' }]);
    expect(parseDnisCsv("'+18005550100,'=x\n").entries).toEqual([{ at: 1, number: '+18005550100', description: '=x' }]);
  });
});

describe('queue scoping', () => {
  let qa: { id: string; name: string };
  let qb: { id: string; name: string };
  let restricted: { authorization: string };
  let restrictedMonitor: { authorization: string };
  let inQa: { id: string };
  let inQb: { id: string };
  let noQueue: { id: string };
  beforeAll(async () => {
    qa = await make.queue();
    qb = await make.queue();
    restricted = (await authHeader(t, ['administrator'], { queues: [qa.name] })).headers;
    restrictedMonitor = (await authHeader(t, ['monitor'], { queues: [qa.name] })).headers;
    inQa = await group({ queueId: qa.id });
    inQb = await group({ queueId: qb.id });
    noQueue = await group();
  });

  it('a restricted caller lists and reads only its queues’ groups; others are 403', async () => {
    for (const headers of [restricted, restrictedMonitor]) {
      const listed = (await call('GET', '/call-in-groups', undefined, headers)).json().items.map((g: { id: string }) => g.id);
      expect(listed).toContain(inQa.id);
      expect(listed).not.toContain(inQb.id);
      expect(listed).not.toContain(noQueue.id);
      expect((await call('GET', `/call-in-groups/${inQa.id}`, undefined, headers)).statusCode).toBe(200);
      for (const other of [inQb, noQueue]) {
        expect((await call('GET', `/call-in-groups/${other.id}`, undefined, headers)).statusCode).toBe(403);
        expect((await call('GET', `/call-in-groups/${other.id}/dnis`, undefined, headers)).statusCode).toBe(403);
        expect((await call('GET', `/call-in-groups/${other.id}/dnis/export`, undefined, headers)).statusCode).toBe(403);
      }
    }
    const unrestricted = (await call('GET', '/call-in-groups', undefined, monitor)).json().items.map((g: { id: string }) => g.id);
    expect(unrestricted).toEqual(expect.arrayContaining([inQa.id, inQb.id, noQueue.id]));
  });

  it('a restricted administrator creates and changes groups of its queues only', async () => {
    expect((await call('POST', '/call-in-groups', { name: name(), queueId: qa.id, dnis: pool(1) }, restricted)).statusCode).toBe(201);
    expect((await call('POST', '/call-in-groups', { name: name(), queueId: qb.id, dnis: pool(1) }, restricted)).statusCode).toBe(403);
    expect((await call('POST', '/call-in-groups', { name: name(), dnis: pool(1) }, restricted)).statusCode).toBe(403);
    expect((await call('PATCH', `/call-in-groups/${inQa.id}`, { expirySeconds: 45 }, restricted)).statusCode).toBe(200);
    expect((await call('PATCH', `/call-in-groups/${inQa.id}`, { queueId: qb.id }, restricted)).statusCode).toBe(403);
    expect((await call('PATCH', `/call-in-groups/${inQa.id}`, { queueId: null }, restricted)).statusCode).toBe(403);
    expect((await call('PATCH', `/call-in-groups/${inQb.id}`, { expirySeconds: 45 }, restricted)).statusCode).toBe(403);
    expect((await call('PUT', `/call-in-groups/${inQb.id}/dnis`, { dnis: pool(1) }, restricted)).statusCode).toBe(403);
    expect((await csv(inQb.id, '+18005550100\n', '', restricted)).statusCode).toBe(403);
    expect((await call('DELETE', `/call-in-groups/${noQueue.id}`, undefined, restricted)).statusCode).toBe(403);
    expect((await call('GET', `/call-in-groups/${inQb.id}`)).json().expirySeconds).toBe(30);
    const unknownQueue = await call('POST', '/call-in-groups', { name: name(), queueId: randomUUID(), dnis: pool(1) });
    expect(unknownQueue.statusCode).toBe(400);
    expect(unknownQueue.json().field).toBe('queueId');
  });
  it('a restricted caller reads the audit entries of its queues’ groups, not of the others', async () => {
    const { headers } = await authHeader(t, ['supervisor'], { queues: [qa.name] });
    const entries = async (id: string) => (await call('GET', `/audit?entity=call-in-group&entityId=${id}`, undefined, headers)).json().items as { action: string }[];
    expect((await entries(inQa.id)).map((e) => e.action)).toContain('create');
    expect(await entries(inQb.id)).toEqual([]);
    expect(await entries(noQueue.id)).toEqual([]);
  });
});

describe('racing creations', () => {
  it('of one name (in different cases) create one group; the others are 409', async () => {
    const base = `Race ${randomUUID().slice(0, 6)} ÄÖÜ`;
    const variants = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? base.toUpperCase() : base.toLowerCase()));
    const answers = await Promise.all(variants.map((n) => call('POST', '/call-in-groups', { name: n, dnis: pool(1) })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, ...Array<number>(19).fill(409)]);
    const listed = (await call('GET', '/call-in-groups')).json().items.filter((g: { name: string }) => g.name.toLowerCase() === base.toLowerCase());
    expect(listed).toHaveLength(1);
  });

  it('of pool changes to one group leave one whole pool, never a mix', async () => {
    const g = await group({ dnis: pool(1) });
    const pools = Array.from({ length: 12 }, (_, i) => numbers(50, 1_000 + i * 100));
    const answers = await Promise.all(
      pools.map((p, i) => (i % 2 === 0 ? call('PUT', `/call-in-groups/${g.id}/dnis`, { dnis: p.map((number) => ({ number })) }) : csv(g.id, p.join('\n')))),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array<number>(12).fill(200));
    const now = (await dnisOf(g.id)).items.map((d: { number: string }) => d.number);
    expect(pools.some((p) => JSON.stringify(p) === JSON.stringify(now))).toBe(true);
  });
});

describe('the Call-In tab: GET /admin/v1/call-in/requests', () => {
  let qa: { id: string; name: string };
  let g1: { id: string; name: string };
  let g2: { id: string };
  const base = new Date('2030-05-01T00:00:00Z');
  const at = (minutes: number) => new Date(base.getTime() + minutes * 60_000);
  const ids: string[] = [];

  beforeAll(async () => {
    clock.set('2030-05-02T00:00:00Z');
    qa = await make.queue();
    g1 = await group({ queueId: qa.id });
    g2 = await group();
    // 20 requests of g1, one a minute from base; 5 of g2 after them.
    const rows = [
      ...Array.from({ length: 20 }, (_, i) => ({ group_id: g1.id, created_at: at(i), state: (i % 4 === 0 ? 'MATCHED' : i % 4 === 1 ? 'EXPIRED' : 'PENDING') as 'PENDING' })),
      ...Array.from({ length: 5 }, (_, i) => ({ group_id: g2.id, created_at: at(20 + i), state: 'LOCKED' as const })),
    ].map((r, i) => ({
      ...r,
      from_phone_e164: `+1212555${String(1000 + i)}`,
      to_number: '+18005550100',
      access_code_hash: i % 2 === 0 ? `secret-hash-${i}` : null,
      exclusive: false,
      // Requests 18 and 19 are still pending after the clock's now; the other PENDING ones have expired.
      expires_at: i >= 18 ? new Date('2030-05-02T00:10:00Z') : new Date(at(i).getTime() + 30_000),
      user_data: JSON.stringify({ order: String(i) }),
      created_by: 'test',
    }));
    const inserted = await t.database.db.insertInto('call_in_requests').values(rows).returning('id').execute();
    ids.push(...inserted.map((r) => r.id));
  });

  const list = async (query: string, headers = monitor) => {
    const res = await call('GET', `/call-in/requests?${query}`, undefined, headers);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('answers newest first by default, never the code or its hash', async () => {
    const page = await list('');
    expect(page.total).toBeGreaterThanOrEqual(25);
    const mine = page.items.filter((r: { id: string }) => ids.includes(r.id));
    expect(mine.map((r: { id: string }) => r.id)).toEqual([...ids].reverse());
    const first = mine.find((r: { id: string }) => r.id === ids[0]);
    expect(first).toMatchObject({ groupId: g1.id, groupName: g1.name, fromPhoneNumber: '+12125551000', toPhoneNumber: '+18005550100', hasAccessCode: true, state: 'MATCHED', userData: { order: '0' } });
    expect(JSON.stringify(page)).not.toContain('secret-hash');
    expect(JSON.stringify(page)).not.toMatch(/access_?code_?hash/i);
  });

  it('filters by creation time, group and state; a pending request past its expiry is EXPIRED', async () => {
    const window = await list(`groupId=${g1.id}&from=${at(5).toISOString()}&to=${at(10).toISOString()}&sort=asc`);
    expect(window.items.map((r: { id: string }) => r.id)).toEqual(ids.slice(5, 10));
    expect((await list(`groupId=${g2.id}`)).items.map((r: { state: string }) => r.state)).toEqual(['LOCKED', 'LOCKED', 'LOCKED', 'LOCKED', 'LOCKED']);
    const pending = await list(`groupId=${g1.id}&state=PENDING`);
    expect(pending.items.map((r: { id: string }) => r.id)).toEqual([ids[19], ids[18]]);
    const expired = await list(`groupId=${g1.id}&state=EXPIRED`);
    // Stored EXPIRED (1, 5, 9, 13, 17) and pending past expiry (2, 3, 6, 7, 10, 11, 14, 15).
    expect(expired.items).toHaveLength(13);
    expect(expired.items.every((r: { state: string }) => r.state === 'EXPIRED')).toBe(true);
    expect((await list(`groupId=${g1.id}&state=MATCHED`)).items).toHaveLength(5);
    const bad = await call('GET', `/call-in/requests?from=${at(10).toISOString()}&to=${at(5).toISOString()}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('to');
    expect((await call('GET', `/call-in/requests?groupId=${randomUUID()}`)).statusCode).toBe(404);
    expect((await call('GET', '/call-in/requests?state=DONE')).statusCode).toBe(400);
  });

  it('pages: limit up to 500, offset, nextOffset', async () => {
    const one = await list(`groupId=${g1.id}&limit=8`);
    expect(one).toMatchObject({ offset: 0, total: 20, truncated: false, nextOffset: 8 });
    expect(one.items.map((r: { id: string }) => r.id)).toEqual(ids.slice(12, 20).reverse());
    const last = await list(`groupId=${g1.id}&limit=8&offset=16`);
    expect(last.items.map((r: { id: string }) => r.id)).toEqual(ids.slice(0, 4).reverse());
    expect(last.nextOffset).toBeNull();
    expect((await call('GET', '/call-in/requests?limit=501')).statusCode).toBe(400);
    expect((await call('GET', '/call-in/requests?limit=500')).statusCode).toBe(200);
  });

  it('a restricted caller sees only the requests of its queues’ groups', async () => {
    const { headers } = await authHeader(t, ['monitor'], { queues: [qa.name] });
    const page = await list('', headers);
    expect(page.items.length).toBe(20);
    expect(page.items.every((r: { groupId: string }) => r.groupId === g1.id)).toBe(true);
    expect((await call('GET', `/call-in/requests?groupId=${g2.id}`, undefined, headers)).statusCode).toBe(403);
    expect((await call('GET', '/call-in/requests', undefined, (await authHeader(t, ['actions'])).headers)).statusCode).toBe(403);
  });

  it('holds the 5,000 newest records the filter matches: sorted either way, the oldest beyond reach', async () => {
    const g = await group();
    const rows = Array.from({ length: 5_003 }, (_, i) => ({
      group_id: g.id,
      from_phone_e164: '+12125550100',
      to_number: '+18005550100',
      exclusive: false,
      state: 'MATCHED' as const,
      expires_at: at(i),
      created_at: new Date(base.getTime() - 86_400_000 + i * 1000),
      user_data: JSON.stringify({ n: String(i) }),
      created_by: 'test',
    }));
    await t.database.db.insertInto('call_in_requests').values(rows).execute();
    const newest = await list(`groupId=${g.id}`);
    expect(newest).toMatchObject({ total: 5_000, truncated: true, nextOffset: 500 });
    expect(newest.items).toHaveLength(500);
    expect(newest.items[0].userData.n).toBe('5002');
    const end = await list(`groupId=${g.id}&offset=4999`);
    expect(end.items.map((r: { userData: { n: string } }) => r.userData.n)).toEqual(['3']);
    expect(end.nextOffset).toBeNull();
    // Oldest first within the list: the 3 oldest records are not in it.
    const oldest = await list(`groupId=${g.id}&sort=asc&limit=2`);
    expect(oldest.items.map((r: { userData: { n: string } }) => r.userData.n)).toEqual(['3', '4']);
    expect((await call('GET', `/call-in/requests?offset=5000`)).statusCode).toBe(400);
  });
});
