import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { gatewayFor, startWorkerProcess, stopProcess, waitUntil } from './helpers/worker.js';

/**
 * Retries survive a worker killed with SIGKILL: mid-delivery of a retry (Genesys did the create but
 * the worker never learnt it), and between attempts (the retries pending). After restarts every
 * callback gets exactly its policy's attempts in Genesys — none lost, none sent twice — and ends
 * COMPLETED/NO_ANSWER.
 */

const NO_ANSWER = 'c0ffee00-0000-4000-8000-000000000001';
const MAX_ATTEMPTS = 3;
const CALLBACKS = 12;

let t: TestApp;
let fake: FakeGenesys;
beforeAll(async () => {
  fake = await startFakeGenesys();
  t = await buildTestApp({ gateway: gatewayFor(fake), env: { DATABASE_POOL_MAX: '20' } });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

describe('callback retries and a worker killed mid-run', () => {
  it('exactly maxAttempts callbacks per record reach Genesys across SIGKILLs mid-retry-delivery and between attempts; each ends COMPLETED/NO_ANSWER', async () => {
    const { headers: admin } = await authHeader(t, ['administrator']);
    const { headers: actions } = await authHeader(t, ['actions']);
    const { headers: events } = await authHeader(t, ['events']);
    const policy = (
      await t.app.inject({ method: 'POST', url: '/admin/v1/callback-retry-policies', headers: admin, payload: { name: 'crash', wrapUpCodes: [{ id: NO_ANSWER }], waitSeconds: 60, maxAttempts: MAX_ATTEMPTS } })
    ).json();
    const genesysQueueId = `gq-crash-${randomUUID()}`;
    const queue = await factories(t.database.db).queue({ genesysQueueId, maxPendingPerNumber: 100, callbackRetryPolicyId: policy.id });
    const ids: string[] = [];
    for (let i = 0; i < CALLBACKS; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queue.name, phoneNumber: `+1202555${String(2000 + i)}`, customerName: `Caller ${i}` } });
      expect(res.json().outcome, res.body).toBe('CREATED');
      ids.push(res.json().callbackId);
    }

    const rows = () => t.database.db.selectFrom('callbacks').select(['id', 'state', 'completion_reason', 'attempt', 'delivery_status', 'genesys_conversation_id']).where('id', 'in', ids).execute();
    const createsFor = (id: string) => fake.requestsTo('createCallback').filter((r) => (r.body as { data: Record<string, string> }).data.callbackEngineId === id);
    /** The Genesys conversations carrying a callback's id, by the attempt they carry. */
    const attemptsInGenesys = (id: string) =>
      [...fake.conversations.values()].flatMap((c) => c.participants.filter((p) => p.attributes?.callbackEngineId === id).map((p) => p.attributes!.callbackEngineAttempt));
    // The wait has passed: the retries' delivery jobs are due now (the worker runs on the real clock).
    const retriesDue = () =>
      sql`update graphile_worker._private_jobs set run_at = now() where locked_at is null
          and task_id = (select id from graphile_worker._private_tasks where identifier = 'deliver-callback')`.execute(t.database.db);
    const allDelivered = (attempt: number) => async () => (await rows()).every((r) => r.delivery_status === 'DELIVERED' && r.attempt === attempt);
    const wrapUpAll = async (expected: string) => {
      const answers = await Promise.all(
        (await rows()).map((r) =>
          t.app.inject({ method: 'POST', url: '/events/v1/conversation-wrapup', headers: events, payload: { conversationId: r.genesys_conversation_id, participantId: randomUUID(), eventTime: Date.now(), mediaType: 'CALLBACK', wrapupCode: NO_ANSWER } }),
        ),
      );
      for (const a of answers) expect(a.json().action, a.body).toBe(expected);
    };

    // Genesys creates at once but answers slowly: a worker killed meanwhile never learns it succeeded.
    fake.slowAnswer('createCallback', 400);
    const start = () => startWorkerProcess(t.url, fake, 4);
    let worker: ChildProcess = start();
    let cutOff = 0;
    /** Retries Genesys created whose worker died before recording them. */
    let createdUnrecorded: string[] = [];
    let cutIds: string[] = [];
    try {
      // Attempt 1.
      await waitUntil(allDelivered(1), 60_000);
      await wrapUpAll('RETRY_SCHEDULED');

      // Attempt 2: killed mid-delivery.
      const before = fake.requestsTo('createCallback').length;
      await retriesDue();
      await waitUntil(() => fake.requestsTo('createCallback').length - before >= 3, 30_000);
      await stopProcess(worker, 'SIGKILL');
      const sending = (await rows()).filter((r) => r.delivery_status === 'SENDING' && r.attempt === 2);
      cutOff = sending.length;
      expect(cutOff, 'some retry deliveries were cut off mid-call').toBeGreaterThan(0);
      cutIds = sending.map((r) => r.id);
      createdUnrecorded = sending.filter((r) => attemptsInGenesys(r.id).includes('2')).map((r) => r.id);
      worker = start();
      await waitUntil(allDelivered(2), 60_000);
      await wrapUpAll('RETRY_SCHEDULED');

      // Between attempts: killed with every third attempt pending, restarted, then the wait passes.
      await stopProcess(worker, 'SIGKILL');
      worker = start();
      await retriesDue();
      await waitUntil(allDelivered(3), 60_000);
      await wrapUpAll('NO_ANSWER');
    } finally {
      fake.slowAnswer('createCallback', 0);
      await stopProcess(worker);
    }

    for (const r of await rows()) expect(r, r.id).toMatchObject({ state: 'COMPLETED', completion_reason: 'NO_ANSWER', attempt: MAX_ATTEMPTS });
    for (const id of ids) {
      // One Genesys callback per attempt, each sent once, none lost.
      expect(attemptsInGenesys(id).sort(), id).toEqual(['1', '2', '3']);
      expect(createsFor(id), id).toHaveLength(MAX_ATTEMPTS);
    }
    // The cut-off deliveries Genesys had carried out were found there after the restart, not sent again.
    const reconciled = await t.database.db.selectFrom('callback_history').select('callback_id').where('callback_id', 'in', ids).where('event', '=', 'delivery-reconciled').execute();
    const reconciledIds = reconciled.map((r) => r.callback_id);
    for (const id of createdUnrecorded) expect(reconciledIds, id).toContain(id);
    // (A request already on its way when the worker died may have been carried out just after.)
    for (const id of reconciledIds) expect(cutIds, id).toContain(id);
    console.log('callback retries across SIGKILLs:', { callbacks: CALLBACKS, maxAttempts: MAX_ATTEMPTS, creates: ids.reduce((sum, id) => sum + createsFor(id).length, 0), cutOffMidDelivery: cutOff, reconciledAfterRestart: reconciledIds.length });
    const attempts = await t.database.db.selectFrom('callback_attempts').select(['callback_id', 'attempt', 'outcome']).where('callback_id', 'in', ids).execute();
    expect(attempts).toHaveLength(CALLBACKS * MAX_ATTEMPTS);
    expect(attempts.filter((a) => a.outcome === 'NO_ANSWER')).toHaveLength(CALLBACKS);
  }, 240_000);
});
