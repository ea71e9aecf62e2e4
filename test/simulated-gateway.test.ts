import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaches } from '../src/context.js';
import { deliverCallback } from '../src/callbacks/tasks.js';
import { systemClock } from '../src/clock.js';
import { createSimulatedGateway } from '../src/genesys/simulated-gateway.js';
import { jobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

describe('the simulated Genesys gateway (no credentials configured)', () => {
  it('delivers callbacks by recording what would have been sent, visible to operators', async () => {
    const queue = await factories(t.database.db).queue({ genesysQueueId: 'gq-sim' });
    const { headers } = await authHeader(t, ['actions']);
    const created = (await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers, payload: { queue: queue.name, phoneNumber: '+12024561111', customerName: 'Ada', userData: '{"account":"42"}' } })).json();
    const gateway = createSimulatedGateway(t.database.db);
    const deps = jobContext({ db: t.database.db, gateway, clock: systemClock, caches: createCaches(), logger: createLogger('silent') });
    await deliverCallback(deps, { callbackId: created.callbackId }, { job: { attempts: 1, max_attempts: 25 } as never });

    const row = await t.database.db.selectFrom('callbacks').select(['delivery_status', 'genesys_conversation_id']).where('id', '=', created.callbackId).executeTakeFirstOrThrow();
    expect(row.delivery_status).toBe('DELIVERED');
    const { headers: monitor } = await authHeader(t, ['monitor']);
    const calls = (await t.app.inject({ method: 'GET', url: '/admin/v1/genesys/simulated-calls?operation=createCallback', headers: monitor })).json().items;
    expect(calls[0].request).toMatchObject({ queueId: 'gq-sim', callbackNumbers: ['+12024561111'], callbackUserName: 'Ada', data: { account: '42', callbackEngineId: created.callbackId } });
    expect(calls[0].response.conversationId).toBe(row.genesys_conversation_id);
    // A simulated conversation waits in queue, so priority aging works end to end without Genesys.
    const conversation = await gateway.getConversation(row.genesys_conversation_id!);
    expect(conversation?.participants.find((p) => p.purpose === 'acd')).toMatchObject({ state: 'connected', queueId: 'gq-sim' });
    expect(await gateway.findCallback('gq-sim', created.callbackId, new Date(0))).toMatchObject({ conversationId: row.genesys_conversation_id });
  });
});

describe('the simulated gateway’s conversation details (what the reconciler reads)', () => {
  it('a callback it created is scheduled until its time, then waits in queue; a cancelled one has ended; others are unknown', async () => {
    const { genesysView } = await import('../src/reconcile/genesys-state.js');
    const gateway = createSimulatedGateway(t.database.db);
    const later = await gateway.createCallback({ queueId: 'gq-sim', callbackNumbers: ['+12024561112'], data: {}, callbackScheduledTime: new Date(Date.now() + 3_600_000) });
    const now = await gateway.createCallback({ queueId: 'gq-sim', callbackNumbers: ['+12024561113'], data: {} });
    const gone = await gateway.createCallback({ queueId: 'gq-sim', callbackNumbers: ['+12024561114'], data: {} });
    await gateway.cancelCallback(gone.conversationId);
    const details = await gateway.conversationDetails([later.conversationId, now.conversationId, gone.conversationId, 'never-created']);
    const byId = new Map(details.map((d) => [d.conversationId, genesysView(d)]));
    expect(byId.has('never-created')).toBe(false);
    expect(byId.get(later.conversationId)).toMatchObject({ state: 'SCHEDULED' });
    expect(byId.get(now.conversationId)).toMatchObject({ state: 'QUEUED' });
    // Ended by our own cancel (a disconnect from the client side): only ever asked about if it is still pending here.
    expect(byId.get(gone.conversationId)).toMatchObject({ state: 'COMPLETED' });
    expect(await gateway.conversationDetails([])).toEqual([]);
  });
});
