import type { ChildProcess } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as Verifier } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_WEEK, freshCallback, randomPhone, type Headers } from './helpers/access-fixtures.js';
import { authHeader, buildTestApp, TEST_JWT_SECRET, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { gatewayFor, startWorkerProcess, stopProcess, waitUntil } from './helpers/worker.js';

/**
 * Notifications survive a worker killed with SIGKILL mid-delivery: every notification reaches the
 * receiver, each under its delivery id (`webhook-id`, the receiver's idempotency key); only those in
 * flight at the kill arrive again, with the same id and body; each callback's arrive in order; every
 * delivery ends SENT. Changes made while no worker runs are delivered once one starts.
 */

const CALLBACKS = 30;
const LATER = 5;
/** Requests answered at once before the receiver starts holding them open. */
const ANSWER_FIRST = 12;
/** The worker holds a delivery this long (the shortest lease allowed): a re-claim after the kill is quick. */
const LEASE_SECONDS = 15;

interface Receipt {
  id: string;
  body: string;
  headers: IncomingHttpHeaders;
  /** Whether its signature verified with the webhook's secret when it arrived. */
  signed: boolean;
}

let t: TestApp;
let fake: FakeGenesys;
let receiver: Server;
let receiverUrl: string;
const receipts: Receipt[] = [];
/** Past ANSWER_FIRST receipts, requests are held open (never answered) while this is set. */
let holding = false;
/** The requests held open now, by delivery id. */
const held = new Map<string, ServerResponse>();
let verifier: Verifier | undefined;

function verified(id: string, body: string, headers: IncomingHttpHeaders): boolean {
  try {
    const payload = verifier?.verify(body, { 'webhook-id': id, 'webhook-timestamp': String(headers['webhook-timestamp']), 'webhook-signature': String(headers['webhook-signature']) });
    return (payload as { id?: string } | undefined)?.id === id;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  fake = await startFakeGenesys();
  t = await buildTestApp({ gateway: gatewayFor(fake), env: { RATE_LIMIT_MAX: '1000000' } });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      receipts.push({ id, body, headers: req.headers, signed: verified(id, body, req.headers) });
      if (holding && receipts.length > ANSWER_FIRST) {
        held.set(id, res);
        res.on('close', () => held.get(id) === res && held.delete(id));
        return;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
}, 120_000);
afterAll(async () => {
  for (const res of held.values()) res.destroy();
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  await t?.close();
  await fake?.close();
});

describe('notifications and a worker killed mid-delivery', () => {
  it('every notification reaches the webhook under its delivery id; only those cut off are sent again (same id, same body); in order per callback; all SENT', async () => {
    const { headers: admin } = await authHeader(t, ['administrator']);
    const { headers: actions } = await authHeader(t, ['actions']);
    const make = factories(t.database.db);
    const queue = await make.queue({ businessHoursId: (await make.hours({ weekly: ALL_WEEK })).id });
    const hookRes = await t.app.inject({ method: 'POST', url: '/admin/v1/webhooks', headers: admin, payload: { name: 'crash-receiver', url: receiverUrl, queueIds: [queue.id] } });
    expect(hookRes.statusCode, hookRes.body).toBe(201);
    verifier = new Verifier((hookRes.json() as { secret: string }).secret.replace(/^whsec_/, ''));

    const createAndCancel = async (n: number, h: Headers) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const id = await freshCallback(t, h, queue.name, true, randomPhone('+1212558'));
        const cancel = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: h, payload: { callbackId: id } });
        expect(cancel.json().outcome, cancel.body).toBe('CANCELLED');
        ids.push(id);
      }
      return ids;
    };
    const ids = await createAndCancel(CALLBACKS, actions);
    const deliveries = (callbackIds: string[]) =>
      t.database.db
        .selectFrom('notification_deliveries')
        .innerJoin('notification_events', 'notification_events.id', 'notification_deliveries.event_id')
        .select(['notification_deliveries.id', 'notification_deliveries.callback_id', 'notification_deliveries.status', 'notification_deliveries.attempts', 'notification_deliveries.channel', 'notification_deliveries.lease_until', 'notification_events.id as event_id', 'notification_events.type'])
        .where('notification_deliveries.callback_id', 'in', callbackIds)
        .execute();

    const start = () => startWorkerProcess(t.url, fake, 4, { JWT_SECRET: TEST_JWT_SECRET, NOTIFY_LEASE_SECONDS: String(LEASE_SECONDS) });
    holding = true;
    let worker: ChildProcess = start();
    let laterIds: string[] = [];
    let atKill: Awaited<ReturnType<typeof deliveries>> = [];
    let heldAtKill: string[] = [];
    let killedAt = 0;
    try {
      // Killed while it waits for the receiver's answer to several deliveries.
      await waitUntil(() => held.size >= 3, 90_000);
      heldAtKill = [...held.keys()];
      killedAt = Date.now();
      await stopProcess(worker, 'SIGKILL');
      holding = false;
      for (const res of held.values()) res.destroy();
      atKill = await deliveries(ids);
      // Changes made while no worker runs wait in the outbox.
      laterIds = await createAndCancel(LATER, actions);
      worker = start();
      await waitUntil(async () => (await deliveries([...ids, ...laterIds])).every((d) => d.status === 'SENT'), 120_000);
    } finally {
      holding = false;
      await stopProcess(worker);
    }

    const all = await deliveries([...ids, ...laterIds]);
    const events = await t.database.db.selectFrom('notification_events').select(['id', 'callback_id', 'type']).where('callback_id', 'in', [...ids, ...laterIds]).execute();
    // One webhook delivery per event, every one SENT.
    expect(events).toHaveLength(2 * (CALLBACKS + LATER));
    expect(all).toHaveLength(events.length);
    expect(new Set(all.map((d) => d.event_id))).toEqual(new Set(events.map((e) => e.id)));
    for (const d of all) expect(d, d.id).toMatchObject({ channel: 'webhook', status: 'SENT' });

    const byId = new Map<string, Receipt[]>();
    for (const r of receipts) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
    // Nothing lost: every delivery reached the receiver, under its id, with its event.
    for (const d of all) {
      const got = byId.get(d.id);
      expect(got, `${d.type} of ${d.callback_id}`).toBeDefined();
      expect(JSON.parse(got![0]!.body)).toMatchObject({ id: d.id, eventId: d.event_id, type: d.type, callback: { callbackId: d.callback_id } });
    }
    expect([...byId.keys()].sort()).toEqual(all.map((d) => d.id).sort());

    // The kill landed mid-delivery: deliveries held open were still being sent in the database.
    expect(heldAtKill.length, 'requests held open at the kill').toBeGreaterThan(0);
    const stateAtKill = new Map(atKill.map((d) => [d.id, d]));
    const sendingAtKill = heldAtKill.map((id) => stateAtKill.get(id)!).filter((d) => d.status === 'SENDING');
    expect(sendingAtKill.length, 'a held delivery was SENDING at the kill').toBeGreaterThan(0);
    // Taken before the kill with NOTIFY_LEASE_SECONDS' lease, not the default minute.
    for (const d of sendingAtKill) expect(d.lease_until!.getTime(), d.id).toBeLessThanOrEqual(killedAt + LEASE_SECONDS * 1000);
    // Never answered, each was taken again once its lease was past and sent again, same id.
    for (const id of heldAtKill) {
      expect(byId.get(id)!.length, id).toBeGreaterThanOrEqual(2);
      expect(all.find((d) => d.id === id)!.attempts, id).toBeGreaterThanOrEqual(2);
    }
    // Nothing sent twice but what the killed worker had taken and not recorded as sent; a repeat carries the same body.
    const mayRepeat = new Set(atKill.filter((d) => d.status !== 'SENT' && d.attempts > 0).map((d) => d.id));
    const repeated = [...byId.entries()].filter(([, rs]) => rs.length > 1);
    for (const [id, rs] of repeated) {
      expect(mayRepeat.has(id), `${id} arrived ${rs.length} times`).toBe(true);
      for (const r of rs) expect(r.body, id).toBe(rs[0]!.body);
    }
    for (const id of laterIds) for (const d of all.filter((x) => x.callback_id === id)) expect(byId.get(d.id), d.id).toHaveLength(1);

    // In order per callback: every CREATED (repeats included) before any CANCELLED.
    for (const id of [...ids, ...laterIds]) {
      const types = receipts
        .map((r) => JSON.parse(r.body) as { type: string; callback: { callbackId: string } })
        .filter((b) => b.callback.callbackId === id)
        .map((b) => b.type);
      expect(types.lastIndexOf('CALLBACK_CREATED'), id).toBeLessThan(types.indexOf('CALLBACK_CANCELLED'));
      expect(types.indexOf('CALLBACK_CREATED'), id).toBe(0);
    }

    // Every receipt, from either worker, was signed with the webhook's secret.
    expect(receipts.filter((r) => !r.signed).map((r) => r.id)).toEqual([]);
    console.log('notifications across a SIGKILL:', { deliveries: all.length, receipts: receipts.length, heldAtKill: heldAtKill.length, repeated: repeated.length, mayRepeat: mayRepeat.size });
  }, 300_000);
});
