import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaches } from '../src/context.js';
import { createGateway } from '../src/genesys/index.js';
import { startJobRunner, type JobRunner } from '../src/jobs/runner.js';
import { buildTaskList } from '../src/jobs/tasks.js';
import { createLogger } from '../src/logger.js';
import { keywordOf } from '../src/notifications/opt-outs.js';
import { ALL_WEEK, freshCallback, randomPhone, type Headers } from './helpers/access-fixtures.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { notifyDepsFor } from './helpers/notify-deps.js';
import { factories } from './helpers/factories.js';
import { waitUntil } from './helpers/worker.js';

/** The SMS opt-out list: its admin routes, the inbound-message data action, and what it does to SMS deliveries. */

const START = '2030-03-04T15:00:00Z';
const clock = new TestClock(new Date(START));
let t: TestApp;
let admin: Headers;
let supervisor: Headers;
let restrictedAdmin: Headers;
let actions: Headers;
const phone = () => randomPhone('+1212557');

beforeAll(async () => {
  t = await buildTestApp({ clock, env: { RATE_LIMIT_MAX: '1000000', DATABASE_POOL_MAX: '20' } });
  admin = (await authHeader(t, ['administrator'])).headers;
  supervisor = (await authHeader(t, ['supervisor'])).headers;
  actions = (await authHeader(t, ['actions'])).headers;
  const q = await factories(t.database.db).queue();
  restrictedAdmin = (await authHeader(t, ['administrator'], { queues: [q.name] })).headers;
}, 60_000);
afterAll(async () => t?.close());

const inject = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, headers: Headers, payload?: object) =>
  t.app.inject({ method, url, headers, ...(payload !== undefined && { payload }) });
const optOut = (phoneNumber: string, text: string, headers: Headers = actions) => inject('POST', '/actions/v1/messages/opt-out', headers, { phoneNumber, text });
const row = (p: string) => t.database.db.selectFrom('message_opt_outs').selectAll().where('phone_e164', '=', p).executeTakeFirst();
const auditOf = (p: string) =>
  t.database.db.selectFrom('audit_log').select(['action', 'actor_name', 'before', 'after']).where('entity', '=', 'message-opt-out').where('entity_id', '=', p).orderBy('id').execute();

describe('admin: /admin/v1/message-opt-outs', () => {
  it('PUT adds a number (201), again changes nothing (200, no audit entry), a note is changed and audited; GET and DELETE', async () => {
    const p = phone();
    const created = await inject('PUT', `/admin/v1/message-opt-outs/${p}`, admin, { note: 'asked by phone' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toEqual({ phoneE164: p, source: 'list', note: 'asked by phone', createdBy: expect.any(String), createdAt: '2030-03-04T15:00:00Z' });
    const again = await inject('PUT', `/admin/v1/message-opt-outs/${p}`, admin, {});
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ source: 'list', note: 'asked by phone' });
    expect((await auditOf(p)).map((a) => a.action)).toEqual(['create']);

    const noted = await inject('PUT', `/admin/v1/message-opt-outs/${encodeURIComponent(p)}`, admin, { note: 'second call' });
    expect(noted.statusCode).toBe(200);
    expect(noted.json().note).toBe('second call');

    const got = await inject('GET', `/admin/v1/message-opt-outs/${p}`, supervisor);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ phoneE164: p, source: 'list', note: 'second call' });

    // Readers do not write.
    expect((await inject('PUT', `/admin/v1/message-opt-outs/${p}`, supervisor, {})).statusCode).toBe(403);
    expect((await inject('DELETE', `/admin/v1/message-opt-outs/${p}`, supervisor)).statusCode).toBe(403);

    expect((await inject('DELETE', `/admin/v1/message-opt-outs/${p}`, admin)).statusCode).toBe(204);
    expect(await row(p)).toBeUndefined();
    expect((await inject('GET', `/admin/v1/message-opt-outs/${p}`, admin)).statusCode).toBe(404);
    expect((await inject('DELETE', `/admin/v1/message-opt-outs/${p}`, admin)).statusCode).toBe(404);

    const audit = await auditOf(p);
    expect(audit.map((a) => a.action)).toEqual(['create', 'update', 'delete']);
    expect(audit[1]).toMatchObject({ before: { note: 'asked by phone' }, after: { note: 'second call' } });
    expect(audit[2]).toMatchObject({ before: { source: 'list', note: 'second call' }, after: null });
  });

  it('normalises the number (a tel: URI is the same entry) and refuses anything else with a 400 naming phone', async () => {
    const p = phone();
    expect((await inject('PUT', `/admin/v1/message-opt-outs/${encodeURIComponent(`tel:${p}`)}`, admin, {})).statusCode).toBe(201);
    expect((await inject('GET', `/admin/v1/message-opt-outs/${p}`, admin)).json().phoneE164).toBe(p);
    for (const bad of ['2125550100', 'not-a-number', '+1', encodeURIComponent('+1 212 555 01 00 abc')]) {
      const res = await inject('PUT', `/admin/v1/message-opt-outs/${bad}`, admin, {});
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().field, bad).toBe('phone');
      const get = await inject('GET', `/admin/v1/message-opt-outs/${bad}`, admin);
      expect(get.statusCode, bad).toBe(400);
    }
    const longNote = await inject('PUT', `/admin/v1/message-opt-outs/${p}`, admin, { note: 'x'.repeat(501) });
    expect(longNote.statusCode).toBe(400);
    const extra = await inject('PUT', `/admin/v1/message-opt-outs/${p}`, admin, { source: 'STOP' });
    expect(extra.statusCode).toBe(400);
  });

  it('lists by number, filtered by digits and source, with cursor paging', async () => {
    const prefix = '+1646555';
    const numbers = ['0101', '0102', '0103', '0104', '0105'].map((s) => `${prefix}${s}`);
    for (const n of numbers.slice(0, 3)) expect((await inject('PUT', `/admin/v1/message-opt-outs/${n}`, admin, {})).statusCode).toBe(201);
    for (const n of numbers.slice(3)) expect((await optOut(n, 'STOP')).json().outcome).toBe('OPTED_OUT');

    const first = await inject('GET', `/admin/v1/message-opt-outs?phone=${encodeURIComponent(prefix)}&limit=2`, admin);
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((i: { phoneE164: string }) => i.phoneE164)).toEqual(numbers.slice(0, 2));
    const cursor = first.json().nextCursor as string;
    expect(cursor).toBe(numbers[1]);
    const rest = await inject('GET', `/admin/v1/message-opt-outs?phone=1646555&limit=10&cursor=${encodeURIComponent(cursor)}`, admin);
    expect(rest.json()).toEqual({ items: expect.any(Array), nextCursor: null });
    expect(rest.json().items.map((i: { phoneE164: string }) => i.phoneE164)).toEqual(numbers.slice(2));

    const stops = await inject('GET', `/admin/v1/message-opt-outs?phone=${encodeURIComponent(prefix)}&source=STOP`, admin);
    expect(stops.json().items.map((i: { phoneE164: string; source: string }) => [i.phoneE164, i.source])).toEqual(numbers.slice(3).map((n) => [n, 'STOP']));
    const exact = await inject('GET', `/admin/v1/message-opt-outs?phone=${encodeURIComponent(numbers[2]!)}`, admin);
    expect(exact.json().items).toHaveLength(1);

    expect((await inject('GET', '/admin/v1/message-opt-outs?phone=abc', admin)).json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'phone' });
    expect((await inject('GET', '/admin/v1/message-opt-outs?source=other', admin)).statusCode).toBe(400);
  });

  it('a restricted administrator adds numbers but removes none (the list serves every queue)', async () => {
    const p = phone();
    expect((await inject('PUT', `/admin/v1/message-opt-outs/${p}`, restrictedAdmin, { note: 'LOB request' })).statusCode).toBe(201);
    expect((await inject('GET', `/admin/v1/message-opt-outs/${p}`, restrictedAdmin)).statusCode).toBe(200);
    const removed = await inject('DELETE', `/admin/v1/message-opt-outs/${p}`, restrictedAdmin);
    expect(removed.statusCode).toBe(403);
    expect(await row(p)).toBeDefined();
  });
});

describe('data action: POST /actions/v1/messages/opt-out', () => {
  it('reads the whole message as a keyword: any case, trimmed, trailing . or ! ignored', () => {
    expect(['STOP', ' stop ', 'Stop!', 'stopall', 'Unsubscribe.', 'cancel', 'END', 'quit'].map((w) => keywordOf(w)?.kind)).toEqual(Array(8).fill('stop'));
    expect(['START', 'unstop', 'Yes'].map((w) => keywordOf(w)?.kind)).toEqual(['start', 'start', 'start']);
    expect(['please stop', 'STOP IT', 'no', '', 'S T O P', 'stopp'].map((w) => keywordOf(w))).toEqual(Array(6).fill(null));
  });

  it('STOP opts out (once: a second STOP changes nothing), START opts back in; other text is IGNORED; every answer 200', async () => {
    const p = phone();
    const stop = await optOut(`tel:${p}`, ' Stop ');
    expect(stop.statusCode).toBe(200);
    expect(stop.json()).toEqual({ outcome: 'OPTED_OUT', optedOut: true, phoneE164: p, source: 'STOP', keyword: 'STOP', message: expect.any(String) });
    expect((await optOut(p, 'UNSUBSCRIBE')).json()).toMatchObject({ outcome: 'OPTED_OUT', optedOut: true, source: 'STOP' });
    expect(await row(p)).toMatchObject({ source: 'STOP' });

    const chat = await optOut(p, 'When will you call me?');
    expect(chat.json()).toMatchObject({ outcome: 'IGNORED', optedOut: true, phoneE164: p, source: 'STOP', keyword: '' });

    const start = await optOut(p, 'start');
    expect(start.json()).toEqual({ outcome: 'OPTED_IN', optedOut: false, phoneE164: p, source: '', keyword: 'START', message: expect.any(String) });
    expect(await row(p)).toBeUndefined();
    expect((await optOut(p, 'YES')).json()).toMatchObject({ outcome: 'OPTED_IN', optedOut: false });

    expect((await auditOf(p)).map((a) => a.action)).toEqual(['opt-out', 'opt-in']);
  });

  it("START does not take off a number an operator listed (STILL_BLOCKED); an operator's PUT makes a STOP entry the operator's", async () => {
    const listed = phone();
    await inject('PUT', `/admin/v1/message-opt-outs/${listed}`, admin, { note: 'complaint' });
    expect((await optOut(listed, 'STOP')).json()).toMatchObject({ outcome: 'OPTED_OUT', source: 'list' });
    expect((await optOut(listed, 'START')).json()).toMatchObject({ outcome: 'STILL_BLOCKED', optedOut: true, source: 'list' });
    expect(await row(listed)).toMatchObject({ source: 'list', note: 'complaint' });

    const stopped = phone();
    await optOut(stopped, 'STOP');
    const taken = await inject('PUT', `/admin/v1/message-opt-outs/${stopped}`, admin, {});
    expect(taken.statusCode).toBe(200);
    expect(taken.json()).toMatchObject({ source: 'list' });
    expect((await optOut(stopped, 'START')).json()).toMatchObject({ outcome: 'STILL_BLOCKED' });
    expect((await auditOf(stopped)).map((a) => [a.action, a.after])).toEqual([
      ['opt-out', { source: 'STOP', note: null, keyword: 'STOP' }],
      ['update', { source: 'list' }],
    ]);
  });

  it('a sender that is no phone number: INVALID_NUMBER for a keyword, IGNORED otherwise; no text is IGNORED, no number a 400 naming it', async () => {
    expect((await optOut('hello', 'STOP')).json()).toMatchObject({ outcome: 'INVALID_NUMBER', optedOut: false, phoneE164: '', keyword: 'STOP' });
    expect((await optOut('hello', 'hi')).json()).toMatchObject({ outcome: 'IGNORED', phoneE164: '' });
    // A message without text (a picture alone): the data action leaves the empty input out.
    expect((await inject('POST', '/actions/v1/messages/opt-out', actions, { phoneNumber: phone() })).json()).toMatchObject({ outcome: 'IGNORED', optedOut: false });
    const missing = await inject('POST', '/actions/v1/messages/opt-out', actions, { text: 'STOP' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().field).toBe('phoneNumber');
  });

  it('a client restricted to some queues may pass on a STOP too (numbers belong to no queue)', async () => {
    const restricted = (await authHeader(t, ['actions'], { queues: ['nowhere'] })).headers;
    expect((await optOut(phone(), 'STOP', restricted)).json().outcome).toBe('OPTED_OUT');
  });

  it('50 concurrent STOPs and STARTs for one number: every answer 200, the entry and its audit trail agree', async () => {
    const p = phone();
    const texts = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 'STOP' : 'START'));
    const answers = await Promise.all(texts.map((text) => optOut(p, text)));
    for (const a of answers) expect(a.statusCode, a.body).toBe(200);
    for (const [i, a] of answers.entries()) expect(a.json().outcome).toBe(texts[i] === 'STOP' ? 'OPTED_OUT' : 'OPTED_IN');
    const audit = (await auditOf(p)).map((a) => a.action);
    // Each change flips the entry: never two opt-outs (or opt-ins) in a row.
    for (let i = 1; i < audit.length; i++) expect(audit[i], audit.join(',')).not.toBe(audit[i - 1]);
    expect(audit[0]).toBe('opt-out');
    const entry = await row(p);
    expect(entry !== undefined).toBe(audit.at(-1) === 'opt-out');
    if (entry) expect(entry.source).toBe('STOP');
  }, 60_000);
});

describe('SMS deliveries and the opt-out list', () => {
  let runner: JobRunner | undefined;
  afterAll(async () => runner?.stop());

  async function startRunner() {
    const logger = createLogger('silent');
    runner = await startJobRunner({
      pool: t.database.pool,
      db: t.database.db,
      tasks: buildTaskList({
        db: t.database.db,
        gateway: createGateway(t.config.genesys, t.database.db, logger),
        clock,
        caches: createCaches(),
        logger,
        retentionDays: 14,
        notifications: notifyDepsFor(t, { backoffMs: [100, 200] }),
      }),
      concurrency: 4,
      pollInterval: 100,
      logger,
    });
  }

  const smsDelivery = (callbackId: string) => t.database.db.selectFrom('notification_deliveries').select(['status', 'last_error']).where('callback_id', '=', callbackId).where('channel', '=', 'sms').executeTakeFirst();
  const textsTo = async (p: string) =>
    (await t.database.db.selectFrom('simulated_genesys_calls').select('request').where('operation', '=', 'sendAgentlessMessage').execute()).filter((c) => (c.request as { toAddress?: string }).toAddress === p).length;

  it('a STOP after the text was queued drops it; an opted-out number gets no delivery; START restores texts, the dropped one stays dropped', async () => {
    const make = factories(t.database.db);
    const hours = await make.hours({ weekly: ALL_WEEK });
    const q = await make.queue({ businessHoursId: hours.id, maxPendingPerNumber: 10, smsSender: '+15550001111', smsTemplates: { CALLBACK_CREATED: '{queueName} calls you soon. {link}' } });
    const p = phone();

    // Queued while the number was still texted; the STOP comes before the worker sends it.
    const queued = await freshCallback(t, actions, q.name, false, p);
    expect(await smsDelivery(queued)).toMatchObject({ status: 'PENDING' });
    expect((await optOut(p, 'STOP')).json().outcome).toBe('OPTED_OUT');
    await startRunner();
    await waitUntil(async () => (await smsDelivery(queued))?.status === 'DROPPED', 30_000);
    expect(await smsDelivery(queued)).toEqual({ status: 'DROPPED', last_error: 'opted out' });

    // While opted out: the event is written, no SMS delivery is made.
    const whileOut = await freshCallback(t, actions, q.name, false, p);
    const events = await t.database.db.selectFrom('notification_events').select('type').where('callback_id', '=', whileOut).execute();
    expect(events.map((e) => e.type)).toEqual(['CALLBACK_CREATED']);
    expect(await smsDelivery(whileOut)).toBeUndefined();

    // START: the next notification is texted; the dropped one is not sent after all.
    expect((await optOut(p, 'START')).json().outcome).toBe('OPTED_IN');
    const after = await freshCallback(t, actions, q.name, false, p);
    await waitUntil(async () => (await smsDelivery(after))?.status === 'SENT', 30_000);
    expect(await textsTo(p)).toBe(1);
    expect(await smsDelivery(queued)).toMatchObject({ status: 'DROPPED' });

    // An operator's entry works the same way, and its removal restores texts too.
    expect((await inject('PUT', `/admin/v1/message-opt-outs/${p}`, admin, {})).statusCode).toBe(201);
    const listed = await freshCallback(t, actions, q.name, false, p);
    expect(await smsDelivery(listed)).toBeUndefined();
    expect((await inject('DELETE', `/admin/v1/message-opt-outs/${p}`, admin)).statusCode).toBe(204);
    const again = await freshCallback(t, actions, q.name, false, p);
    await waitUntil(async () => (await smsDelivery(again))?.status === 'SENT', 30_000);
    expect(await textsTo(p)).toBe(2);
  }, 90_000);
});
