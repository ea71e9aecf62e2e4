import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSelfServiceLink, createLinkSigner, selfServiceLink } from '../src/selfservice/link.js';
import { ALL_WEEK, randomPhone, scheduledTime } from './helpers/access-fixtures.js';
import { authHeader, buildTestApp, TEST_JWT_SECRET, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { corsHeaders, listen, makeKey, type TestKey } from './helpers/web.js';

const ORIGIN = 'https://shop.example.com';
const OTHER_ORIGIN = 'https://other-shop.example.com';
let t: TestApp;
let base: string;
let admin: Record<string, string>;
let actions: Record<string, string>;
let queueName: string;
let key: TestKey;
let otherKey: TestKey;

const phone = () => randomPhone('+1212555');

interface Created {
  outcome: string;
  callbackId: string;
  replayed: boolean;
  manageToken?: string;
}

async function createWithKey(body: Record<string, unknown> = {}, k: TestKey = key, origin = ORIGIN): Promise<Created> {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: { 'x-api-key': k.key, origin }, payload: { queue: queueName, phoneNumber: phone(), ...body } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Created;
}

const publicCall = (method: 'GET' | 'POST', path: string, token?: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method, url: `/public/v1/callbacks/${path}`, headers: token === undefined ? {} : { 'x-manage-token': token }, ...(payload !== undefined && { payload }) });

beforeAll(async () => {
  t = await buildTestApp({ env: { RATE_LIMIT_MAX: '1000000', PUBLISHABLE_RATE_LIMIT_PER_IP: '100000', PUBLISHABLE_RATE_LIMIT_PER_KEY: '100000' } });
  admin = (await authHeader(t, ['administrator'])).headers;
  actions = (await authHeader(t, ['actions'])).headers;
  const make = factories(t.database.db);
  const hours = await make.hours({ weekly: ALL_WEEK });
  queueName = (await make.queue({ businessHoursId: hours.id })).name;
  key = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN] });
  otherKey = await makeKey(t, admin, { queues: [queueName], origins: [OTHER_ORIGIN] });
  base = await listen(t);
}, 120_000);
afterAll(async () => t?.close());

describe('self-service: the manage token', () => {
  it('a create through a publishable key answers a manage token; a server client’s does not', async () => {
    const created = await createWithKey();
    expect(created.outcome).toBe('CREATED');
    expect(created.manageToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const server = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queueName, phoneNumber: phone() } });
    expect(server.json()).toMatchObject({ outcome: 'CREATED' });
    expect(server.json()).not.toHaveProperty('manageToken');
  });

  it('is stored only as its SHA-256 and sealed: neither its row nor the idempotent answer holds it', async () => {
    const idempotencyKey = `idem-${Math.random()}`;
    const created = await createWithKey({ idempotencyKey });
    const token = created.manageToken!;
    const row = await t.database.db.selectFrom('manage_tokens').selectAll().where('callback_id', '=', created.callbackId).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(`manage:${token}`).digest('hex'));
    expect(row.client_id).toBe(key.clientId);
    expect(row.token_sealed).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(token);
    const answers = await t.database.db.selectFrom('idempotent_answers').selectAll().execute();
    expect(JSON.stringify(answers)).not.toContain(token);
    expect(JSON.stringify(answers)).toContain(created.callbackId);
  });

  it('an idempotent replay answers the same token, also to replays racing each other; another key’s replay gets none', async () => {
    const idempotencyKey = `idem-${Math.random()}`;
    const body = { idempotencyKey, phoneNumber: phone() };
    const answers = await Promise.all(Array.from({ length: 8 }, () => createWithKey(body)));
    const tokens = new Set(answers.map((a) => a.manageToken));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
    const foreign = await createWithKey(body, otherKey, OTHER_ORIGIN);
    expect(foreign).toMatchObject({ replayed: true, callbackId: answers[0]!.callbackId });
    expect(foreign.manageToken).toBeUndefined();
    const res = await publicCall('GET', answers[0]!.callbackId, answers[0]!.manageToken);
    expect(res.statusCode, res.body).toBe(200);
  });

  it('a DUPLICATE (the number already has a callback) answers no token', async () => {
    const number = phone();
    const first = await createWithKey({ phoneNumber: number });
    const again = await createWithKey({ phoneNumber: number });
    expect(again).toMatchObject({ outcome: 'DUPLICATE', callbackId: first.callbackId });
    expect(again.manageToken).toBeUndefined();
  });
});

describe('self-service: reading, cancelling, rescheduling with the token', () => {
  it('reads state, times in UTC and the queue’s zone, queue name; the place among waiting callbacks by priority then age', async () => {
    // A key cannot set a priority (the contact center's flows do): the priorities are set as a flow's would be.
    const low = await createWithKey();
    const high = await createWithKey();
    const lowLater = await createWithKey();
    for (const [c, priority] of [[low, 1], [high, 10], [lowLater, 1]] as const) {
      await t.database.db.updateTable('callbacks').set({ priority }).where('id', '=', c.callbackId).execute();
    }
    const read = async (c: Created) => {
      const res = await publicCall('GET', c.callbackId, c.manageToken);
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as Record<string, unknown>;
    };
    const [h, l, ll] = [await read(high), await read(low), await read(lowLater)];
    expect(h).toMatchObject({ callbackId: high.callbackId, type: 'immediate', state: 'QUEUED', completionReason: '', queueName, ewtSeconds: -1, canCancel: true, canReschedule: false });
    // Other tests add callbacks to this queue: compare places, not absolute numbers.
    expect(h.position as number).toBeLessThan(l.position as number);
    expect(l.position as number).toBeLessThan(ll.position as number);

    const scheduled = await createWithKey({ desiredTime: scheduledTime(3) });
    const s = await read(scheduled);
    expect(s).toMatchObject({ type: 'scheduled', state: 'SCHEDULED', scheduledTime: scheduledTime(3).replace('.000Z', 'Z'), position: null, ewtSeconds: -1, canReschedule: true });
    expect(s.scheduledTimeLocal).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  });

  it('cancels as the customer: CANCELLED_BY_CUSTOMER, the history names the customer, the key and the channel', async () => {
    const c = await createWithKey();
    const res = await publicCall('POST', `${c.callbackId}/cancel`, c.manageToken, {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ outcome: 'CANCELLED', callbackId: c.callbackId });
    const read = (await publicCall('GET', c.callbackId, c.manageToken)).json();
    expect(read).toMatchObject({ state: 'COMPLETED', completionReason: 'CANCELLED_BY_CUSTOMER', canCancel: false });
    const history = await t.database.db.selectFrom('callback_history').selectAll().where('callback_id', '=', c.callbackId).where('event', '=', 'cancelled').executeTakeFirstOrThrow();
    expect(history).toMatchObject({ actor_kind: 'customer', actor: key.clientId, actor_name: `customer via ${key.name}`, reason: 'CANCELLED_BY_CUSTOMER', to_state: 'COMPLETED' });
    const keyRow = await t.database.db.selectFrom('publishable_keys').select('id').where('client_id', '=', key.clientId).executeTakeFirstOrThrow();
    expect(history.detail).toEqual({ channel: 'self-service', keyId: keyRow.id });
    // The desk shows it the same way.
    const desk = (await t.app.inject({ method: 'GET', url: `/admin/v1/callbacks/${c.callbackId}`, headers: admin })).json() as { history: { actorKind: string; event: string }[] };
    expect(desk.history.find((h) => h.event === 'cancelled')?.actorKind).toBe('customer');
    // Completed: a second cancel answers the data action's outcome, the read still works for a day.
    const again = await publicCall('POST', `${c.callbackId}/cancel`, c.manageToken, {});
    expect(again.json()).toMatchObject({ outcome: 'ALREADY_COMPLETED' });
  });

  it('racing cancels with the token: exactly one cancels', async () => {
    const c = await createWithKey();
    const answers = await Promise.all(Array.from({ length: 10 }, () => publicCall('POST', `${c.callbackId}/cancel`, c.manageToken, {})));
    const outcomes = answers.map((r) => (r.json() as { outcome: string }).outcome);
    expect(outcomes.filter((o) => o === 'CANCELLED')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'ALREADY_COMPLETED')).toHaveLength(9);
    const cancelled = await t.database.db.selectFrom('callback_history').select('id').where('callback_id', '=', c.callbackId).where('event', '=', 'cancelled').execute();
    expect(cancelled).toHaveLength(1);
  });

  it('a callback an agent is handling (PROCESSING) answers NOT_CANCELLABLE and stays', async () => {
    const c = await createWithKey();
    await t.database.db.updateTable('callbacks').set({ state: 'PROCESSING' }).where('id', '=', c.callbackId).execute();
    const res = await publicCall('POST', `${c.callbackId}/cancel`, c.manageToken, {});
    expect(res.json()).toMatchObject({ outcome: 'NOT_CANCELLABLE' });
    expect((await publicCall('GET', c.callbackId, c.manageToken)).json()).toMatchObject({ state: 'PROCESSING', canCancel: false });
  });

  it('reschedules to a slot of the callback’s availability, as the customer', async () => {
    const c = await createWithKey({ desiredTime: scheduledTime(2) });
    const avail = await publicCall('GET', `${c.callbackId}/availability?start=${encodeURIComponent(scheduledTime(4))}&maxSlots=3`, c.manageToken);
    expect(avail.statusCode, avail.body).toBe(200);
    const slot = (avail.json() as { slots: string[] }).slots[0]!;
    expect(slot).toBeDefined();
    const res = await publicCall('POST', `${c.callbackId}/reschedule`, c.manageToken, { desiredTime: slot });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ outcome: 'RESCHEDULED', callbackId: c.callbackId, scheduledTime: slot });
    const history = await t.database.db.selectFrom('callback_history').selectAll().where('callback_id', '=', c.callbackId).where('event', '=', 'rescheduled').executeTakeFirstOrThrow();
    expect(history).toMatchObject({ actor_kind: 'customer', actor: key.clientId });
    // An immediate callback cannot be moved: the data action's outcome.
    const now = await createWithKey();
    expect((await publicCall('POST', `${now.callbackId}/reschedule`, now.manageToken, { desiredTime: slot })).json()).toMatchObject({ outcome: 'NOT_RESCHEDULABLE' });
    // A bad time is a 400 naming the field.
    const bad = await publicCall('POST', `${c.callbackId}/reschedule`, c.manageToken, { desiredTime: 'tomorrow' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'desiredTime' });
  });
});

describe('self-service: refusals are a 404 that tells nothing', () => {
  let mine: Created;
  let theirs: Created;
  beforeAll(async () => {
    mine = await createWithKey();
    theirs = await createWithKey();
  });

  it.each([
    ['no token', () => publicCall('GET', mine.callbackId)],
    ['another callback’s token', () => publicCall('GET', mine.callbackId, theirs.manageToken)],
    ['a malformed token', () => publicCall('GET', mine.callbackId, 'x')],
    ['a well-formed unknown token', () => publicCall('GET', mine.callbackId, 'A'.repeat(43))],
    ['an unknown callback', () => publicCall('GET', '00000000-0000-4000-8000-000000000000', mine.manageToken)],
    ['an API token instead', () => t.app.inject({ method: 'GET', url: `/public/v1/callbacks/${mine.callbackId}`, headers: admin })],
    ['cancel without a token', () => publicCall('POST', `${mine.callbackId}/cancel`, undefined, {})],
    ['cancel with another callback’s token', () => publicCall('POST', `${mine.callbackId}/cancel`, theirs.manageToken, {})],
    ['reschedule with another callback’s token', () => publicCall('POST', `${mine.callbackId}/reschedule`, theirs.manageToken, { desiredTime: scheduledTime(3) })],
    ['availability without a token', () => publicCall('GET', `${mine.callbackId}/availability`)],
  ])('%s → 404', async (_name, call) => {
    const res = await call();
    expect(res.statusCode, res.body).toBe(404);
    expect(res.json()).toMatchObject({ error: 'NOT_FOUND', message: 'Callback (with this manage token) not found' });
  });

  it('nothing changed: the callback is still queued', async () => {
    expect((await publicCall('GET', mine.callbackId, mine.manageToken)).json()).toMatchObject({ state: 'QUEUED' });
  });

  it('a publishable key on a self-service route is refused (keys reach only their routes)', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/public/v1/callbacks/${mine.callbackId}`, headers: { 'x-api-key': key.key, origin: ORIGIN, 'x-manage-token': mine.manageToken! } });
    expect(res.statusCode).toBe(403);
  });

  it('the token expires a day after the callback completed', async () => {
    const c = await createWithKey();
    await publicCall('POST', `${c.callbackId}/cancel`, c.manageToken, {});
    expect((await publicCall('GET', c.callbackId, c.manageToken)).statusCode).toBe(200);
    await t.database.db.updateTable('callbacks').set({ completed_at: new Date(Date.now() - 25 * 3_600_000) }).where('id', '=', c.callbackId).execute();
    expect((await publicCall('GET', c.callbackId, c.manageToken)).statusCode).toBe(404);
    expect((await publicCall('POST', `${c.callbackId}/cancel`, c.manageToken, {})).statusCode).toBe(404);
  });

  it('a deactivated key’s callbacks are no longer managed through it', async () => {
    const k = await makeKey(t, admin, { queues: [queueName], origins: [ORIGIN] });
    const c = await createWithKey({}, k);
    expect(c.outcome).toBe('CREATED');
    expect((await publicCall('GET', c.callbackId, c.manageToken)).statusCode).toBe(200);
    const off = await t.app.inject({ method: 'PATCH', url: `/admin/v1/clients/${k.clientId}`, headers: admin, payload: { active: false } });
    expect(off.statusCode, off.body).toBe(200);
    expect((await publicCall('GET', c.callbackId, c.manageToken)).statusCode).toBe(404);
  });
});

describe('self-service: the signed link', () => {
  const signer = createLinkSigner(TEST_JWT_SECRET);
  const now = new Date('2030-01-01T00:00:00Z');

  it('has the documented form and verifies; tampered or expired links do not', () => {
    const id = '11111111-2222-4333-8444-555555555555';
    const link = selfServiceLink({ id }, { baseUrl: 'https://cb.example.com/', signer, now });
    const url = new URL(link);
    expect(`${url.origin}${url.pathname}`).toBe(`https://cb.example.com/public/v1/callbacks/${id}`);
    const exp = Number(url.searchParams.get('exp'));
    const sig = url.searchParams.get('sig')!;
    expect(exp).toBe(now.getTime() / 1000 + 7 * 86_400);
    expect(checkSelfServiceLink(signer, id, exp, sig, now)).toBe('valid');
    expect(checkSelfServiceLink(signer, id, exp + 1, sig, now)).toBe('bad-signature');
    expect(checkSelfServiceLink(signer, '11111111-2222-4333-8444-555555555556', exp, sig, now)).toBe('bad-signature');
    expect(checkSelfServiceLink(signer, id, exp, `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`, now)).toBe('bad-signature');
    expect(checkSelfServiceLink(createLinkSigner('another-secret-that-is-long-enough-0123456789'), id, exp, sig, now)).toBe('bad-signature');
    expect(checkSelfServiceLink(signer, id, exp, sig, new Date(exp * 1000))).toBe('expired');
    // A base URL with a path keeps it.
    expect(selfServiceLink({ id }, { baseUrl: 'https://example.com/cb', signer, now })).toMatch(/^https:\/\/example\.com\/cb\/public\/v1\/callbacks\//);
  });

  it('reads the status through the service; a tampered or expired link, or one used to cancel, is a 404', async () => {
    const c = await createWithKey();
    const link = new URL(selfServiceLink({ id: c.callbackId }, { baseUrl: base, signer, now: new Date() }));
    const res = await t.app.inject({ method: 'GET', url: `${link.pathname}${link.search}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ callbackId: c.callbackId, state: 'QUEUED' });
    const tampered = new URL(link);
    tampered.searchParams.set('exp', String(Number(link.searchParams.get('exp')) + 60));
    expect((await t.app.inject({ method: 'GET', url: `${tampered.pathname}${tampered.search}` })).statusCode).toBe(404);
    const expired = new URL(selfServiceLink({ id: c.callbackId }, { baseUrl: base, signer, now: new Date(), expiresAt: new Date(Date.now() - 1000) }));
    expect((await t.app.inject({ method: 'GET', url: `${expired.pathname}${expired.search}` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `${link.pathname}/cancel${link.search}`, payload: {} })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `${link.pathname}/cancel`, payload: {} })).statusCode).toBe(404);
    expect((await publicCall('GET', c.callbackId, c.manageToken)).json()).toMatchObject({ state: 'QUEUED' });
  });
});

describe('self-service: CORS answers the origins of the key that created the callback', () => {
  it('preflight and request from the creating key’s origin are allowed; another key’s origin is not', async () => {
    const c = await createWithKey();
    const url = `${base}/public/v1/callbacks/${c.callbackId}/cancel`;
    const preflight = (origin: string) => fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-manage-token' } });
    const ok = await preflight(ORIGIN);
    expect(corsHeaders(ok)).toMatchObject({ 'access-control-allow-origin': ORIGIN });
    expect(corsHeaders(ok)['access-control-allow-headers']).toContain('x-manage-token');
    expect(corsHeaders(await preflight(OTHER_ORIGIN))).not.toHaveProperty('access-control-allow-origin');
    const read = (origin: string) => fetch(`${base}/public/v1/callbacks/${c.callbackId}`, { headers: { origin, 'x-manage-token': c.manageToken! } });
    const mineRead = await read(ORIGIN);
    expect(mineRead.status).toBe(200);
    expect(mineRead.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const theirRead = await read(OTHER_ORIGIN);
    expect(theirRead.headers.get('access-control-allow-origin')).toBeNull();
  });
});
