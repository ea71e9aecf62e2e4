import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

/**
 * Click-To-Call-In: a request hands out a number of the group's pool (and a code), the inbound
 * flow's match finds it again — once, before it expires, within the wrong-code allowance.
 */

const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let actions: { authorization: string };
let queue: { id: string; name: string };
beforeAll(async () => {
  t = await buildTestApp({ clock, env: { RATE_LIMIT_MAX: '1000000' } });
  actions = (await authHeader(t, ['actions'])).headers;
  const hours = await factories(t.database.db).hours();
  queue = await factories(t.database.db).queue({ businessHoursId: hours.id, genesysQueueId: 'gq-call-in', defaultPriority: 7 });
});
afterAll(async () => t.close());

let serial = 0;
let dnisSerial = 5550200;
type GroupOptions = { size?: number; unique_dnis?: boolean; access_code_enabled?: boolean; access_code_length?: number; expiry_seconds?: number; match_criteria?: 'DNIS_AND_CODE' | 'DNIS_AND_CALLER' | 'ALL'; max_code_attempts?: number; queue_id?: string | null };
/** A group with a pool of fresh numbers (the admin API is tested on its own). */
async function group(o: GroupOptions = {}): Promise<{ name: string; pool: string[] }> {
  const { size = 1, ...settings } = o;
  const name = `Group ${++serial}`;
  const row = await t.database.db.insertInto('call_in_groups').values({ name, queue_id: queue.id, created_by: 'test', ...settings }).returning('id').executeTakeFirstOrThrow();
  const pool = Array.from({ length: size }, () => `+1800${++dnisSerial}`);
  await t.database.db.insertInto('call_in_dnis').values(pool.map((number) => ({ group_id: row.id, number, description: null }))).execute();
  return { name, pool };
}
const post = (path: string, payload: object, headers = actions) => t.app.inject({ method: 'POST', url: `/actions/v1/call-in/${path}`, headers, payload });
async function request(groupName: string, extra: object = {}) {
  const res = await post('requests', { group: groupName, fromPhoneNumber: '+12024561111', ...extra });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { outcome: string; requestId: string; toPhoneNumber: string; accessCode: string; expiresAt: string; expiresInSeconds: number };
}
async function match(payload: object) {
  const res = await post('match', payload);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { matched: boolean; outcome: string; requestId: string; callbackId: string; queueId: string; genesysQueueId: string; priority: number; userData: string; attemptsLeft: number };
}

describe('a call-in request', () => {
  it('hands out a number of the pool and a code of the group’s length, valid for its expiry, keeping only a keyed hash of the code', async () => {
    clock.set('2030-03-04T15:00:00Z');
    const g = await group({ size: 3, access_code_length: 8, expiry_seconds: 120 });
    const r = await request(g.name);
    expect(r).toMatchObject({ outcome: 'READY', expiresAt: '2030-03-04T15:02:00Z', expiresInSeconds: 120 });
    expect(g.pool).toContain(r.toPhoneNumber);
    expect(r.accessCode).toMatch(/^[0-9]{8}$/);
    const row = await t.database.db.selectFrom('call_in_requests').selectAll().where('id', '=', r.requestId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'PENDING', to_number: r.toPhoneNumber, from_phone_e164: '+12024561111', queue_id: queue.id });
    expect(row.access_code_hash).not.toContain(r.accessCode);
    expect(JSON.stringify(row)).not.toContain(r.accessCode);
  });

  it('without access codes answers no code', async () => {
    const g = await group({ access_code_enabled: false, match_criteria: 'DNIS_AND_CALLER' });
    expect(await request(g.name)).toMatchObject({ outcome: 'READY', accessCode: '' });
  });

  it('spreads requests over the pool: the least busy number first', async () => {
    const g = await group({ size: 4 });
    const numbers: string[] = [];
    for (let i = 0; i < 8; i++) numbers.push((await request(g.name)).toPhoneNumber);
    const counts = g.pool.map((n) => numbers.filter((x) => x === n).length);
    expect(counts).toEqual([2, 2, 2, 2]);
  });

  it('never hands out a live code twice on one number: 200 racing requests on a one-number pool get 200 different codes', async () => {
    const g = await group({ size: 1, access_code_length: 6 });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => post('requests', { group: g.name, fromPhoneNumber: `+1202456${String(2000 + i)}` })));
    expect(answers.map((a) => a.statusCode).filter((s) => s !== 200)).toEqual([]);
    const codes = answers.map((a) => a.json().accessCode as string);
    expect(new Set(codes).size).toBe(200);
  });

  it('unique DNIS under 200 racing requests: each of 50 numbers handed to one pending request, the rest NO_NUMBER_AVAILABLE, freed on expiry', async () => {
    clock.set('2030-03-04T16:00:00Z');
    const g = await group({ size: 50, unique_dnis: true, expiry_seconds: 30 });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => post('requests', { group: g.name, fromPhoneNumber: `+1202457${String(2000 + i)}` })));
    expect(answers.map((a) => a.statusCode).filter((s) => s !== 200)).toEqual([]);
    const ready = answers.map((a) => a.json()).filter((a) => a.outcome === 'READY');
    expect(ready).toHaveLength(50);
    expect(new Set(ready.map((a) => a.toPhoneNumber)).size).toBe(50);
    expect(answers.filter((a) => a.json().outcome === 'NO_NUMBER_AVAILABLE')).toHaveLength(150);
    // 29 s later all still held; at 30 s they have expired and the pool is free again.
    clock.set('2030-03-04T16:00:29Z');
    expect((await request(g.name)).outcome).toBe('NO_NUMBER_AVAILABLE');
    clock.set('2030-03-04T16:00:30Z');
    expect((await request(g.name)).outcome).toBe('READY');
    expect(await t.database.db.selectFrom('call_in_requests').select('id').where('to_number', 'in', g.pool).where('state', '=', 'EXPIRED').execute()).toHaveLength(50);
  });

  it('screens the caller’s number with the group queue’s rule and refuses unknown or completed callbacks', async () => {
    const g = await group();
    expect((await request(g.name, { fromPhoneNumber: '12' })).outcome).toBe('INVALID_NUMBER');
    expect((await request(g.name, { callbackId: '00000000-0000-4000-8000-000000000000' })).outcome).toBe('NOT_FOUND');
    const created = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queue.name, phoneNumber: '+12024569999' } });
    const callbackId = created.json().callbackId as string;
    await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId } });
    expect((await request(g.name, { callbackId })).outcome).toBe('ALREADY_COMPLETED');
  });

  it('answers 404 naming the group for an unknown one, 400 for a bad callbackId or userData, 403 for a group of a queue the client may not use', async () => {
    const unknown = await post('requests', { group: 'No such group', fromPhoneNumber: '+12024561111' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('No such group');
    expect((await post('requests', { group: 'x', fromPhoneNumber: '+12024561111', callbackId: 'nope' })).statusCode).toBe(400);
    const g = await group();
    const badData = await post('requests', { group: g.name, fromPhoneNumber: '+12024561111', userData: '[1]' });
    expect(badData.statusCode).toBe(400);
    expect(badData.json().field).toBe('userData');
    const other = (await authHeader(t, ['actions'], { queues: ['some-other-queue'] })).headers;
    expect((await post('requests', { group: g.name, fromPhoneNumber: '+12024561111' }, other)).statusCode).toBe(403);
  });
});

describe('matching a call to its request', () => {
  it('by dialed number and code: MATCHED once with the callback’s queue, priority and data; then ALREADY_USED', async () => {
    const g = await group({ size: 2 });
    const created = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queue.name, phoneNumber: '+12024568888', priority: 42, userData: '{"account":"A-1"}' } });
    expect(created.json().outcome, created.body).toBe('CREATED');
    const callbackId = created.json().callbackId as string;
    const r = await request(g.name, { callbackId, userData: '{"reason":"billing"}' });
    const m = await match({ dialedNumber: r.toPhoneNumber, accessCode: r.accessCode });
    expect(m).toMatchObject({ matched: true, outcome: 'MATCHED', requestId: r.requestId, callbackId, queueId: queue.id, genesysQueueId: 'gq-call-in', priority: 42 });
    expect(JSON.parse(m.userData)).toEqual({ account: 'A-1', reason: 'billing' });
    expect(await match({ dialedNumber: r.toPhoneNumber, accessCode: r.accessCode })).toMatchObject({ matched: false, outcome: 'ALREADY_USED', requestId: r.requestId });
  });

  it('without a callback: the group queue and its default priority', async () => {
    const g = await group();
    const r = await request(g.name);
    expect(await match({ dialedNumber: `tel:${r.toPhoneNumber}`, callerNumber: '+12024561111', accessCode: r.accessCode })).toMatchObject({ outcome: 'MATCHED', callbackId: '', queueId: queue.id, priority: 7, userData: '{}' });
  });

  it('20 calls presenting one request at once: one MATCHED, 19 ALREADY_USED', async () => {
    const g = await group();
    const r = await request(g.name);
    const answers = await Promise.all(Array.from({ length: 20 }, () => post('match', { dialedNumber: r.toPhoneNumber, accessCode: r.accessCode })));
    const outcomes = answers.map((a) => a.json().outcome as string);
    expect(outcomes.filter((o) => o === 'MATCHED')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'ALREADY_USED')).toHaveLength(19);
  });

  it('expires exactly at expiresAt (controlled clock)', async () => {
    clock.set('2030-03-04T17:00:00Z');
    const g = await group({ expiry_seconds: 10 });
    const a = await request(g.name);
    const b = await request(g.name, { fromPhoneNumber: '+12024561112' });
    clock.set('2030-03-04T17:00:09.999Z');
    expect((await match({ dialedNumber: a.toPhoneNumber, accessCode: a.accessCode })).outcome).toBe('MATCHED');
    clock.set('2030-03-04T17:00:10Z');
    expect(await match({ dialedNumber: b.toPhoneNumber, accessCode: b.accessCode })).toMatchObject({ outcome: 'EXPIRED', requestId: b.requestId });
  });

  it('a wrong code: WRONG_CODE with the tries left, then the request is locked and even the right code no longer matches', async () => {
    const g = await group({ max_code_attempts: 3 });
    const r = await request(g.name, { fromPhoneNumber: '+12024561113' });
    const wrong = r.accessCode === '000000' ? '111111' : '000000';
    expect(await match({ dialedNumber: r.toPhoneNumber, callerNumber: '+12024561113', accessCode: wrong })).toMatchObject({ outcome: 'WRONG_CODE', attemptsLeft: 2, requestId: r.requestId });
    expect(await match({ dialedNumber: r.toPhoneNumber, callerNumber: '+12024561113', accessCode: wrong })).toMatchObject({ outcome: 'WRONG_CODE', attemptsLeft: 1 });
    expect(await match({ dialedNumber: r.toPhoneNumber, callerNumber: '+12024561113', accessCode: wrong })).toMatchObject({ outcome: 'NO_MATCH', matched: false });
    expect(await match({ dialedNumber: r.toPhoneNumber, callerNumber: '+12024561113', accessCode: r.accessCode })).toMatchObject({ outcome: 'NO_MATCH', matched: false });
    expect((await t.database.db.selectFrom('call_in_requests').select(['state', 'wrong_codes']).where('id', '=', r.requestId).executeTakeFirstOrThrow())).toEqual({ state: 'LOCKED', wrong_codes: 3 });
  });

  it('by dialed number and caller (no code), and ALL: both the caller and the code', async () => {
    const byCaller = await group({ access_code_enabled: false, match_criteria: 'DNIS_AND_CALLER' });
    const c = await request(byCaller.name, { fromPhoneNumber: '+12024561114' });
    expect((await match({ dialedNumber: c.toPhoneNumber, callerNumber: '+12024561115' })).outcome).toBe('NO_MATCH');
    expect((await match({ dialedNumber: c.toPhoneNumber })).outcome).toBe('NO_MATCH');
    expect(await match({ dialedNumber: c.toPhoneNumber, callerNumber: '+1 (202) 456-1114' })).toMatchObject({ outcome: 'MATCHED', requestId: c.requestId });

    const all = await group({ match_criteria: 'ALL' });
    const a = await request(all.name, { fromPhoneNumber: '+12024561116' });
    expect((await match({ dialedNumber: a.toPhoneNumber, callerNumber: '+12024561117', accessCode: a.accessCode })).outcome).toBe('NO_MATCH');
    expect((await match({ dialedNumber: a.toPhoneNumber, accessCode: a.accessCode })).outcome).toBe('NO_MATCH');
    expect(await match({ dialedNumber: a.toPhoneNumber, callerNumber: '+12024561116', accessCode: a.accessCode })).toMatchObject({ outcome: 'MATCHED', requestId: a.requestId });
  });

  it('a client restricted to other queues does not match (NO_MATCH) and leaves the request pending', async () => {
    const g = await group();
    const r = await request(g.name);
    const other = (await authHeader(t, ['actions'], { queues: ['some-other-queue'] })).headers;
    const res = await post('match', { dialedNumber: r.toPhoneNumber, accessCode: r.accessCode }, other);
    expect(res.json()).toMatchObject({ matched: false, outcome: 'NO_MATCH', requestId: '' });
    expect(await match({ dialedNumber: r.toPhoneNumber, accessCode: r.accessCode })).toMatchObject({ outcome: 'MATCHED', requestId: r.requestId });
  });

  it('answers 400 naming the field for an unreadable dialed number or a code that is not digits', async () => {
    const bad = await post('match', { dialedNumber: 'abc' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('dialedNumber');
    const code = await post('match', { dialedNumber: '+18005550100', accessCode: '12ab' });
    expect(code.statusCode).toBe(400);
    expect(code.json().field).toBe('accessCode');
  });
});
