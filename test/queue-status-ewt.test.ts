import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { gatewayFor } from './helpers/worker.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';

let t: TestApp;
let fake: FakeGenesys;
beforeAll(async () => {
  fake = await startFakeGenesys();
  const gateway = gatewayFor(fake);
  t = await buildTestApp({ gateway });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

describe('POST /actions/v1/queue-status with Genesys', () => {
  it('answers the estimated wait from Genesys, asking it once for a burst of flows', async () => {
    const queue = await factories(t.database.db).queue({ genesysQueueId: 'gq-ewt' });
    const unknown = await factories(t.database.db).queue({ genesysQueueId: 'gq-unknown' });
    fake.setEstimatedWait('gq-ewt', 'callback', 95);
    fake.setEstimatedWait('gq-unknown', 'callback', null);
    const { headers } = await authHeader(t, ['actions']);
    const answers = await Promise.all(
      Array.from({ length: 25 }, () => t.app.inject({ method: 'POST', url: '/actions/v1/queue-status', headers, payload: { queue: queue.name } })),
    );
    for (const a of answers) expect(a.json().ewtSeconds).toBe(95);
    expect(fake.requestsTo('estimatedWaitTime').filter((r) => r.path.includes('gq-ewt'))).toHaveLength(1);
    const none = await t.app.inject({ method: 'POST', url: '/actions/v1/queue-status', headers, payload: { queue: unknown.name } });
    expect(none.json().ewtSeconds).toBe(-1);
  });
});
