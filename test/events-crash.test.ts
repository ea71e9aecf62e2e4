import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { gatewayFor, startWorkerProcess, stopProcess, waitUntil } from './helpers/worker.js';

/** Aging checks and preview re-submissions survive a worker killed with SIGKILL, and happen once. */

let t: TestApp;
let fake: FakeGenesys;
beforeAll(async () => {
  fake = await startFakeGenesys();
  t = await buildTestApp({ gateway: gatewayFor(fake) });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

describe('event jobs and a worker killed mid-run', () => {
  it('changes cut off by a SIGKILL are redone after a restart: each aging step and each retry recorded once, Genesys asked again only for what was cut off', async () => {
    const { headers: events } = await authHeader(t, ['events']);
    const { headers: admin } = await authHeader(t, ['administrator']);
    const policy = (await t.app.inject({ method: 'POST', url: '/admin/v1/prioritization-policies', headers: admin, payload: { name: 'one-step', mode: 'step', intervalSeconds: 30, increment: 3, maxSteps: 1, maxPriority: 100 } })).json();
    await factories(t.database.db).queue({ genesysQueueId: 'gq-crash', prioritizationPolicyId: policy.id });
    await t.app.inject({ method: 'POST', url: '/admin/v1/retry-policies', headers: admin, payload: { name: 'skip', match: 'SKIPPED', waitSeconds: 1, maxAttempts: 3 } });

    const conversations: string[] = [];
    for (let i = 0; i < 15; i++) {
      const id = fake.seedConversation({ participants: [{ purpose: 'customer', callbacks: [{ state: 'connected' }] }, { purpose: 'acd', queueId: 'gq-crash', callbacks: [{ state: 'connected' }] }] });
      conversations.push(id);
      const res = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-start', headers: events, payload: { conversationId: id, participantId: 'p', mediaType: 'CALLBACK', queueId: 'gq-crash', eventTime: Date.now() } });
      expect(res.json().action).toBe('TRACKING_STARTED');
    }
    const contactIds: string[] = [];
    for (let i = 0; i < 10; i++) {
      const number = `+1555000${String(1000 + i)}`;
      const contactId = fake.seedContact({ contactListId: 'crash-list', data: { Phone: number }, callRecords: { Phone: { lastAttempt: new Date().toISOString(), lastResult: 'SKIPPED' } } });
      contactIds.push(contactId);
      await t.app.inject({ method: 'POST', url: '/events/v1/preview-accepted', headers: events, payload: { conversationId: `pa-${i}`, phoneNumber: number, contactId, contactListId: 'crash-list' } });
      const res = await t.app.inject({
        method: 'POST',
        url: '/events/v1/conversation-user-end',
        headers: events,
        payload: { conversationId: `ue-${i}`, participantId: 'p', eventTime: Date.now(), disconnectType: 'CLIENT', mediaType: 'CALLBACK', provider: 'PureCloud Callback', direction: 'OUTBOUND', callbackNumber: number },
      });
      expect(res.json().action).toBe('RETRY_SCHEDULED');
    }

    // Genesys does each change at once but answers slowly: a worker killed meanwhile never learns of it.
    fake.slowAnswer('setPriority', 500);
    fake.slowAnswer('addContacts', 500);
    const prioritiesSentTo = (conversationId: string) => fake.requestsTo('setPriority').filter((r) => r.path.endsWith(`/${conversationId}`));
    const contactsSent = (contactId: string) => fake.requestsTo('addContacts').filter((r) => (r.body as { id?: string }[]).some((c) => c.id === contactId)).length;
    let cutPriorities = 0;
    let cutContacts = 0;
    const start = () => startWorkerProcess(t.url, fake, 4);
    let worker: ChildProcess = start();
    try {
      await waitUntil(() => fake.requestsTo('setPriority').length + fake.requestsTo('addContacts').length >= 4, 30_000);
      await stopProcess(worker, 'SIGKILL');
      // Genesys did these changes, but the killed worker never recorded them.
      const recorded = new Set((await t.database.db.selectFrom('aging_steps').select('conversation_id').where('conversation_id', 'in', conversations).execute()).map((r) => r.conversation_id));
      cutPriorities = conversations.filter((c) => prioritiesSentTo(c).length > 0 && !recorded.has(c)).length;
      const submitted = (await t.database.db.selectFrom('retry_attempts').select('id').where('status', '=', 'SUBMITTED').execute()).length;
      cutContacts = contactIds.filter((id) => contactsSent(id) > 0).length - submitted;
      expect(cutPriorities + cutContacts, 'some changes were cut off mid-call').toBeGreaterThan(0);
      worker = start();
      await waitUntil(async () => {
        const active = await t.database.db.selectFrom('aging_tracks').select('conversation_id').where('status', '=', 'ACTIVE').execute();
        const waiting = await t.database.db.selectFrom('retry_attempts').select('id').where('status', '=', 'SCHEDULED').execute();
        return active.length === 0 && waiting.length === 0;
      }, 60_000);
    } finally {
      fake.slowAnswer('setPriority', 0);
      fake.slowAnswer('addContacts', 0);
      await stopProcess(worker);
    }
    // Each track took its one step, recorded once; each retry was submitted and recorded once.
    const steps = await t.database.db.selectFrom('aging_steps').select(['conversation_id', 'priority']).where('conversation_id', 'in', conversations).execute();
    expect(steps).toHaveLength(conversations.length);
    expect(new Set(steps.map((s) => s.conversation_id)).size).toBe(conversations.length);
    for (const s of steps) expect(s.priority).toBe(3);
    const tracks = await t.database.db.selectFrom('aging_tracks').select(['steps', 'stop_reason']).where('conversation_id', 'in', conversations).execute();
    for (const tr of tracks) expect(tr).toEqual({ steps: 1, stop_reason: 'MAX_STEPS' });
    const attempts = await t.database.db.selectFrom('retry_attempts').select(['status']).execute();
    expect(attempts.filter((a) => a.status === 'SUBMITTED')).toHaveLength(contactIds.length);
    // Genesys was asked once per change, and again only for a change cut off by the kill.
    for (const c of conversations) {
      expect(prioritiesSentTo(c).map((r) => (r.body as { priority: number }).priority), c).toContain(3);
      expect(fake.conversations.get(c)?.priority).toBe(3);
    }
    const priorityCalls = conversations.reduce((n, c) => n + prioritiesSentTo(c).length, 0);
    expect(priorityCalls).toBeGreaterThanOrEqual(conversations.length);
    expect(priorityCalls).toBeLessThanOrEqual(conversations.length + cutPriorities);
    const contactCalls = contactIds.reduce((n, id) => n + contactsSent(id), 0);
    for (const id of contactIds) expect(contactsSent(id), id).toBeGreaterThanOrEqual(1);
    expect(contactCalls).toBeLessThanOrEqual(contactIds.length + cutContacts);
    // Re-sending a contact is an upsert by id: the list holds each contact once, with its data.
    for (const id of contactIds) expect(fake.contacts.get('crash-list')?.get(id)?.data.Phone).toMatch(/^\+1555000/);
  }, 120_000);
});
