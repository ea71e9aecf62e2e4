import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as Receiver } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, skewDateNow, TestClock, type TestApp } from './helpers/app.js';
import { ALL_WEEK, freshCallback } from './helpers/access-fixtures.js';
import { factories } from './helpers/factories.js';

let t: TestApp;
let clock: TestClock;
let skew: ReturnType<typeof skewDateNow>;
let admin: Record<string, string>;
let monitor: Record<string, string>;
let actions: Record<string, string>;
let qa: { id: string; name: string };
let qb: { id: string; name: string };
let restrictedA: Record<string, string>;
let receiver: Server;
let receiverUrl: string;
let answerWith = 204;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

const uid = () => Math.random().toString(36).slice(2, 10);
type Json = Record<string, unknown>;

function api(headers: Record<string, string>, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  return t.app.inject({ method, url, headers, ...(payload && { payload }) });
}
async function create(payload: Json = {}, headers = admin) {
  const res = await api(headers, 'POST', '/admin/v1/webhooks', { name: `hook-${uid()}`, url: receiverUrl, ...payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Json & { id: string; secret: string };
}

beforeAll(async () => {
  skew = skewDateNow();
  clock = new TestClock(new Date());
  t = await buildTestApp({ clock, captureLogs: true, env: { RATE_LIMIT_MAX: '1000000' } });
  admin = (await authHeader(t, ['administrator'])).headers;
  monitor = (await authHeader(t, ['monitor'])).headers;
  actions = (await authHeader(t, ['actions'])).headers;
  const make = factories(t.database.db);
  const hours = await make.hours({ weekly: ALL_WEEK });
  qa = await make.queue({ businessHoursId: hours.id });
  qb = await make.queue({ businessHoursId: hours.id });
  restrictedA = (await authHeader(t, ['administrator'], { queues: [qa.name] })).headers;
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answerWith).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
}, 120_000);
afterAll(async () => {
  skew?.restore();
  await new Promise((r) => receiver?.close(r));
  await t?.close();
});

describe('webhooks: CRUD and validation', () => {
  it('creates with defaults, answers the secret once, lists and gets without it', async () => {
    const hook = await create({ eventTypes: ['CALLBACK_CREATED'] });
    expect(hook.secret).toMatch(/^whsec_/);
    expect(hook).toMatchObject({ url: receiverUrl, eventTypes: ['CALLBACK_CREATED'], queueIds: [], enabled: true, disableAfterDays: 3, failingSince: null, disabledReason: null, secretHint: `…${hook.secret.slice(-4)}` });
    for (const [h, url] of [[admin, `/admin/v1/webhooks/${hook.id}`], [monitor, `/admin/v1/webhooks/${hook.id}`], [admin, '/admin/v1/webhooks']] as const) {
      const res = await api(h, 'GET', url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(hook.id);
      expect(res.body).not.toContain(hook.secret);
    }
    const row = await t.database.db.selectFrom('webhooks').selectAll().where('id', '=', hook.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(hook.secret.slice(6));
    const audit = await t.database.db.selectFrom('audit_log').selectAll().where('entity_id', '=', hook.id).execute();
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toContain(hook.secret);
  });

  it('a PATCH changes only what it was sent; a monitor may not write', async () => {
    const hook = await create({ eventTypes: ['CALLBACK_PURGED'], disableAfterDays: 7 });
    const res = await api(admin, 'PATCH', `/admin/v1/webhooks/${hook.id}`, { disableAfterDays: 2 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: hook.name, eventTypes: ['CALLBACK_PURGED'], disableAfterDays: 2, url: receiverUrl });
    expect((await api(monitor, 'PATCH', `/admin/v1/webhooks/${hook.id}`, { enabled: false })).statusCode).toBe(403);
    expect((await api(monitor, 'POST', '/admin/v1/webhooks', { name: 'x', url: receiverUrl })).statusCode).toBe(403);
    expect((await api(admin, 'PATCH', `/admin/v1/webhooks/${hook.id}`, {})).statusCode).toBe(400);
  });

  it.each([
    [{ url: 'http://hooks.example.com/x' }, 'url'],
    [{ url: 'ftp://hooks.example.com/x' }, 'url'],
    [{ url: 'not a url' }, 'url'],
    [{ url: 'https://user:pw@hooks.example.com/x' }, 'url'],
    [{ eventTypes: ['CALLBACK_EXPLODED'] }, 'eventTypes'],
    [{ disableAfterDays: 0 }, 'disableAfterDays'],
    [{ disableAfterDays: 31 }, 'disableAfterDays'],
    [{ queueIds: ['00000000-0000-4000-8000-000000000000'] }, 'queueIds'],
    [{ queueIds: ['nope'] }, 'queueIds'],
    [{ secret: 'whsec_mine' }, 'secret'],
  ])('refuses %j naming %s', async (payload, field) => {
    const res = await api(admin, 'POST', '/admin/v1/webhooks', { name: `bad-${uid()}`, url: 'https://hooks.example.com/x', ...payload });
    expect(res.statusCode, res.body).toBe(400);
    expect(JSON.stringify(res.json())).toContain(field);
  });

  it('HTTPS anywhere, plain HTTP only to 127.0.0.1/localhost on a DATABASE_URL install', async () => {
    expect((await api(admin, 'POST', '/admin/v1/webhooks', { name: `s-${uid()}`, url: 'https://hooks.example.com/x' })).statusCode).toBe(201);
    expect((await api(admin, 'POST', '/admin/v1/webhooks', { name: `l-${uid()}`, url: 'http://localhost:9/x' })).statusCode).toBe(201);
  });

  it('names are unique (409) and a delete removes it', async () => {
    const hook = await create();
    expect((await api(admin, 'POST', '/admin/v1/webhooks', { name: hook.name, url: receiverUrl })).statusCode).toBe(409);
    expect((await api(admin, 'DELETE', `/admin/v1/webhooks/${hook.id}`)).statusCode).toBe(204);
    expect((await api(admin, 'GET', `/admin/v1/webhooks/${hook.id}`)).statusCode).toBe(404);
  });

  it('enabling again clears the failure state', async () => {
    const hook = await create();
    await t.database.db.updateTable('webhooks').set({ enabled: false, failing_since: clock.now(), disabled_reason: 'failing for 3 days', disabled_at: clock.now() }).where('id', '=', hook.id).execute();
    const got = (await api(admin, 'GET', `/admin/v1/webhooks/${hook.id}`)).json() as Json;
    expect(got).toMatchObject({ enabled: false, disabledReason: 'failing for 3 days' });
    expect(got.failingSince).not.toBeNull();
    const res = await api(admin, 'PATCH', `/admin/v1/webhooks/${hook.id}`, { enabled: true });
    expect(res.json()).toMatchObject({ enabled: true, failingSince: null, disabledReason: null, disabledAt: null });
  });
});

describe('webhooks: queue allow-list', () => {
  it('a restricted caller must name its own queues and sees only webhooks wholly within them', async () => {
    expect((await api(restrictedA, 'POST', '/admin/v1/webhooks', { name: `r-${uid()}`, url: receiverUrl })).json()).toMatchObject({ field: 'queueIds' });
    expect((await api(restrictedA, 'POST', '/admin/v1/webhooks', { name: `r-${uid()}`, url: receiverUrl, queueIds: [qb.id] })).statusCode).toBe(403);
    const own = await create({ queueIds: [qa.id] }, restrictedA);
    const all = await create();
    const mixed = await create({ queueIds: [qa.id, qb.id] });
    const list = (await api(restrictedA, 'GET', '/admin/v1/webhooks')).json() as { items: { id: string }[] };
    const ids = list.items.map((i) => i.id);
    expect(ids).toContain(own.id);
    expect(ids).not.toContain(all.id);
    expect(ids).not.toContain(mixed.id);
    for (const id of [all.id, mixed.id]) {
      expect((await api(restrictedA, 'GET', `/admin/v1/webhooks/${id}`)).statusCode).toBe(404);
      expect((await api(restrictedA, 'PATCH', `/admin/v1/webhooks/${id}`, { enabled: false })).statusCode).toBe(404);
      expect((await api(restrictedA, 'DELETE', `/admin/v1/webhooks/${id}`)).statusCode).toBe(404);
      expect((await api(restrictedA, 'POST', `/admin/v1/webhooks/${id}/test`)).statusCode).toBe(404);
    }
    expect((await api(restrictedA, 'PATCH', `/admin/v1/webhooks/${own.id}`, { queueIds: [qa.id, qb.id] })).statusCode).toBe(403);
    expect((await api(restrictedA, 'PATCH', `/admin/v1/webhooks/${own.id}`, { queueIds: [] })).statusCode).toBe(400);
  });
});

describe('webhooks: test-send, rotation, delivery log', () => {
  it('sends a signed WEBHOOK_TEST a receiver verifies, and logs the attempt', async () => {
    const hook = await create();
    received.length = 0;
    answerWith = 204;
    const res = await api(admin, 'POST', `/admin/v1/webhooks/${hook.id}/test`);
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json() as { ok: boolean; statusCode: number; latencyMs: number; messageId: string };
    expect(out).toMatchObject({ ok: true, statusCode: 204, error: null });
    expect(received).toHaveLength(1);
    const msg = new Receiver(hook.secret).verify(received[0]!.body, received[0]!.headers as Record<string, string>) as Json;
    expect(msg).toMatchObject({ id: out.messageId, type: 'WEBHOOK_TEST', webhookId: hook.id, time: clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z') });
    expect(received[0]!.headers['webhook-id']).toBe(out.messageId);

    answerWith = 500;
    const failed = (await api(admin, 'POST', `/admin/v1/webhooks/${hook.id}/test`)).json() as Json;
    expect(failed).toMatchObject({ ok: false, statusCode: 500, error: 'HTTP 500' });

    const log = (await api(monitor, 'GET', `/admin/v1/webhooks/${hook.id}/deliveries`)).json() as { items: Json[]; nextBefore: string | null };
    expect(log.items.map((i) => [i.ok, i.statusCode, i.test])).toEqual([[false, 500, true], [true, 204, true]]);
    expect(log.items[0]).toMatchObject({ deliveryId: null, eventType: null, callbackId: null, deliveryStatus: null, error: 'HTTP 500' });
    expect(log.nextBefore).toBeNull();
    const page1 = (await api(admin, 'GET', `/admin/v1/webhooks/${hook.id}/deliveries?limit=1`)).json() as { items: Json[]; nextBefore: string };
    expect(page1.items).toHaveLength(1);
    const page2 = (await api(admin, 'GET', `/admin/v1/webhooks/${hook.id}/deliveries?limit=1&before=${page1.nextBefore}`)).json() as { items: Json[]; nextBefore: string | null };
    expect(page2.items.map((i) => i.statusCode)).toEqual([204]);
    expect(page2.nextBefore).toBeNull();
    expect((await api(admin, 'GET', `/admin/v1/webhooks/${hook.id}/deliveries?limit=501`)).statusCode).toBe(400);
    answerWith = 204;
  });

  it('a test-send to nothing listening answers the error, not a 500', async () => {
    const hook = await create({ url: 'http://127.0.0.1:9/nothing' });
    const res = await api(admin, 'POST', `/admin/v1/webhooks/${hook.id}/test`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: false, statusCode: null });
  });

  it('rotation answers the new secret once; the old one verifies for 24 hours, then no longer', async () => {
    const hook = await create();
    const res = await api(admin, 'POST', `/admin/v1/webhooks/${hook.id}/rotate-secret`);
    expect(res.statusCode, res.body).toBe(200);
    const rotated = res.json() as { secret: string; webhook: Json; previousSecretExpiresAt: string };
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(hook.secret);
    expect(new Date(rotated.previousSecretExpiresAt).getTime()).toBe(Math.floor((clock.now().getTime() + 86_400_000) / 1000) * 1000);
    expect((await api(admin, 'GET', `/admin/v1/webhooks/${hook.id}`)).body).not.toContain(rotated.secret);

    received.length = 0;
    await api(admin, 'POST', `/admin/v1/webhooks/${hook.id}/test`);
    for (const secret of [hook.secret, rotated.secret]) expect(() => new Receiver(secret).verify(received[0]!.body, received[0]!.headers as Record<string, string>)).not.toThrow();

    clock.advance(86_400_000 + 1000);
    skew.advance(86_400_000 + 1000);
    // Tokens issued a day ago have expired.
    admin = (await authHeader(t, ['administrator'])).headers;
    monitor = (await authHeader(t, ['monitor'])).headers;
    actions = (await authHeader(t, ['actions'])).headers;
    received.length = 0;
    await api(admin, 'POST', `/admin/v1/webhooks/${hook.id}/test`);
    expect(() => new Receiver(rotated.secret).verify(received[0]!.body, received[0]!.headers as Record<string, string>)).not.toThrow();
    expect(() => new Receiver(hook.secret).verify(received[0]!.body, received[0]!.headers as Record<string, string>)).toThrow();
  });

  it('secrets never reach the logs', () => {
    const logs = t.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toMatch(/whsec_/);
  });
});

describe("a callback's notifications", () => {
  it('lists its events with each delivery, access as to the callback', async () => {
    const hook = await create();
    const callbackId = await freshCallback(t, actions as { authorization: string }, qa.name);
    const db = t.database.db;
    const event = await db
      .insertInto('notification_events')
      .values({ callback_id: callbackId, queue_id: qa.id, type: 'CALLBACK_CREATED', occurred_at: clock.now(), data: JSON.stringify({ callbackId }) })
      .returning(['id', 'seq'])
      .executeTakeFirstOrThrow();
    const delivery = await db
      .insertInto('notification_deliveries')
      .values({ event_id: event.id, callback_id: callbackId, seq: event.seq, channel: 'webhook', webhook_id: hook.id, target: `webhook:${hook.id}`, status: 'FAILED', attempts: 2, last_error: 'HTTP 503', next_attempt_at: clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('notification_deliveries').values({ event_id: event.id, callback_id: callbackId, seq: event.seq, channel: 'sms', webhook_id: null, target: 'sms', status: 'SENT', attempts: 1, last_error: null, sent_at: clock.now(), next_attempt_at: clock.now() }).execute();
    await db.insertInto('notification_attempts').values({ delivery_id: delivery.id, webhook_id: hook.id, channel: 'webhook', at: clock.now(), ok: false, status_code: 503, latency_ms: 12, error: 'HTTP 503' }).execute();

    const res = await api(monitor, 'GET', `/admin/v1/callbacks/${callbackId}/notifications`);
    expect(res.statusCode, res.body).toBe(200);
    const items = (res.json() as { items: { id: string; type: string; deliveries: Json[] }[] }).items;
    // The create's own notification (written by the outbox, not sent: no worker runs here), then the one inserted above.
    expect(items.map((i) => i.type)).toEqual(['CALLBACK_CREATED', 'CALLBACK_CREATED']);
    expect(items[0]!.deliveries.filter((d) => d.target === hook.name)).toEqual([expect.objectContaining({ channel: 'webhook', status: 'PENDING', attempts: 0 })]);
    const mine = items.find((i) => i.id === event.id)!;
    expect(mine.deliveries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: 'webhook', target: hook.name, status: 'FAILED', attempts: 2, lastError: 'HTTP 503', latencyMs: 12, sentAt: null }),
        expect.objectContaining({ channel: 'sms', target: 'sms', status: 'SENT', attempts: 1, latencyMs: null }),
      ]),
    );
    const log = (await api(admin, 'GET', `/admin/v1/webhooks/${hook.id}/deliveries`)).json() as { items: Json[] };
    expect(log.items[0]).toMatchObject({ deliveryId: delivery.id, eventType: 'CALLBACK_CREATED', callbackId, deliveryStatus: 'FAILED', latencyMs: 12, test: false });

    const restrictedB = (await authHeader(t, ['administrator'], { queues: [qb.name] })).headers;
    expect((await api(restrictedB, 'GET', `/admin/v1/callbacks/${callbackId}/notifications`)).statusCode).toBe(403);
    expect((await api(admin, 'GET', '/admin/v1/callbacks/00000000-0000-4000-8000-000000000000/notifications')).statusCode).toBe(404);
  });
});
