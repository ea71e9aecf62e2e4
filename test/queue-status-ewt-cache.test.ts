import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { gatewayFor } from './helpers/worker.js';

let t: TestApp;
let fake: FakeGenesys;
const clock = new TestClock(new Date());
beforeAll(async () => {
  fake = await startFakeGenesys();
  t = await buildTestApp({ gateway: gatewayFor(fake), clock });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

describe('the estimated-wait cache of queue-status', () => {
  it('answers the cached wait for 15 s, then asks Genesys again and answers the new wait', async () => {
    const queue = await factories(t.database.db).queue({ genesysQueueId: 'gq-ewt-expiry' });
    const { headers } = await authHeader(t, ['actions']);
    const ewt = async () => (await t.app.inject({ method: 'POST', url: '/actions/v1/queue-status', headers, payload: { queue: queue.name } })).json().ewtSeconds;
    const asked = () => fake.requestsTo('estimatedWaitTime').filter((r) => r.path.includes('gq-ewt-expiry')).length;
    fake.setEstimatedWait('gq-ewt-expiry', 'callback', 95);
    expect(await ewt()).toBe(95);
    expect(asked()).toBe(1);

    fake.setEstimatedWait('gq-ewt-expiry', 'callback', 240);
    clock.advance(10_000); // the app's clock: inside the window whatever the machine's speed
    expect(await ewt()).toBe(95);
    expect(asked()).toBe(1);

    clock.advance(6_000); // 16 s after the first answer
    expect(await ewt()).toBe(240);
    expect(asked()).toBe(2);
  });

  it('belongs to its app: a second app in the same process asks Genesys itself instead of answering the first app’s wait', async () => {
    const queue = await factories(t.database.db).queue({ genesysQueueId: 'gq-ewt-two-apps' });
    const other = await buildTestApp({ url: t.url, gateway: gatewayFor(fake), clock });
    try {
      const ask = async (app: TestApp) => {
        const { headers } = await authHeader(app, ['actions']);
        return (await app.app.inject({ method: 'POST', url: '/actions/v1/queue-status', headers, payload: { queue: queue.name } })).json().ewtSeconds;
      };
      const asked = () => fake.requestsTo('estimatedWaitTime').filter((r) => r.path.includes('gq-ewt-two-apps')).length;
      fake.setEstimatedWait('gq-ewt-two-apps', 'callback', 95);
      expect(await ask(t)).toBe(95);
      fake.setEstimatedWait('gq-ewt-two-apps', 'callback', 240);
      expect(await ask(other)).toBe(240);
      expect(asked()).toBe(2);
    } finally {
      await other.close();
    }
  });
});
