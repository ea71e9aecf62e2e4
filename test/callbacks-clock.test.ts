import { jobContext } from '../src/jobs/context.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaches } from '../src/context.js';
import { clientCaller } from '../src/auth/caller.js';
import { purgeCallbacks } from '../src/callbacks/maintenance.js';
import { deliverCallback } from '../src/callbacks/tasks.js';
import { createSimulatedGateway } from '../src/genesys/simulated-gateway.js';
import { createLogger } from '../src/logger.js';
import { allowedQueueIds } from '../src/queues/resolve.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { createBusinessMetrics } from '../src/ops/business-metrics.js';

/** Callbacks change at the time the app's clock says, not the machine's; the allow-list filter is one function. */

const START = '2030-03-04T15:00:00Z';
const clock = new TestClock(new Date(START));
let t: TestApp;
let actions: { authorization: string };
let make: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await buildTestApp({ clock });
  actions = (await authHeader(t, ['actions'])).headers;
  make = factories(t.database.db);
});
afterAll(async () => t.close());

let phone = 4567300;
async function immediate(queueName: string): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queueName, phoneNumber: `+1202${phone++}` } });
  expect(res.json().outcome, res.body).toBe('CREATED');
  return res.json().callbackId;
}
const row = (id: string) => t.database.db.selectFrom('callbacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('the clock of callback changes', () => {
  it('a cancel completes the callback at the app clock’s time', async () => {
    clock.set(START);
    const queue = await make.queue();
    const id = await immediate(queue.name);
    clock.advance(3_600_000);
    const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/cancel', headers: actions, payload: { callbackId: id } });
    expect(res.json().outcome, res.body).toBe('CANCELLED');
    const cb = await row(id);
    expect(cb.completed_at).toEqual(clock.now());
    expect(cb.updated_at).toEqual(clock.now());
  });

  it('a delivery records the worker clock’s time as delivered_at', async () => {
    clock.set(START);
    const queue = await make.queue({ genesysQueueId: 'gq-clock-delivery' });
    const id = await immediate(queue.name);
    clock.advance(60_000);
    const deps = jobContext({ db: t.database.db, gateway: createSimulatedGateway(t.database.db), clock, caches: createCaches(), logger: createLogger('silent') });
    await deliverCallback(deps, { callbackId: id }, { job: { attempts: 1, max_attempts: 25 } } as never);
    const cb = await row(id);
    expect(cb.delivery_status).toBe('DELIVERED');
    expect(cb.delivered_at).toEqual(clock.now());
    expect(cb.updated_at).toEqual(clock.now());
  });

  it('a purge completes the callback at the purge job’s time', async () => {
    clock.set(START);
    const queue = await make.queue({ purgeAfterMinutes: 30 });
    const id = await immediate(queue.name);
    const at = new Date(clock.now().getTime() + 45 * 60_000);
    const { purged } = await purgeCallbacks(t.database.db, at, createBusinessMetrics());
    expect(purged).toContain(id);
    expect(await row(id)).toMatchObject({ state: 'COMPLETED', completion_reason: 'PURGED', completed_at: at });
  });
});

describe('allowedQueueIds', () => {
  it('gives the ids of the queues an allow-list names by name, id or Genesys queue id, and null for an unrestricted caller', async () => {
    const [byName, byId, byGenesys, other] = [await make.queue(), await make.queue(), await make.queue({ genesysQueueId: `gq-allowed-${Math.random()}` }), await make.queue()];
    const caller = clientCaller({ id: 'c', name: 'c', roles: ['supervisor'], queues: [byName.name, byId.id, byGenesys.genesysQueueId!] });
    const ids = await allowedQueueIds({ db: t.database.db, caller });
    expect(ids).toEqual(expect.arrayContaining([byName.id, byId.id, byGenesys.id]));
    expect(ids).not.toContain(other.id);
    expect(await allowedQueueIds({ db: t.database.db, caller: { ...caller, queues: null } })).toBeNull();
  });
});
