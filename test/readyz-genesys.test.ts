/**
 * /readyz's Genesys line: whether the engine's credential gets a token, reported apart from
 * readiness (a slow or failing Genesys never makes the service unready).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../src/genesys/errors.js';
import { GenesysError } from '../src/genesys/gateway.js';
import { createGenesysCheck } from '../src/genesys/readiness.js';
import { createSdkGateway } from '../src/genesys/sdk-gateway.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A probe the test resolves or rejects by hand, counting how often it was asked. */
function manualProbe() {
  const pending: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  const probe = () => new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
  return { probe, pending };
}

describe('the Genesys token check', () => {
  it('answers ok once the probe resolves, and shares one probe between concurrent checks', async () => {
    const { probe, pending } = manualProbe();
    const check = createGenesysCheck(probe, { timeoutMs: 60_000 });
    const answers = Promise.all([check(), check(), check()]);
    expect(pending).toHaveLength(1);
    pending[0]!.resolve();
    expect(await answers).toEqual(['ok', 'ok', 'ok']);
  });

  it('tells a refused login from an unreachable Genesys, and keeps a failure for its TTL', async () => {
    let now = 0;
    const { probe, pending } = manualProbe();
    const check = createGenesysCheck(probe, { timeoutMs: 60_000, failureTtlMs: 30_000, now: () => now });
    const first = check();
    pending[0]!.reject(new GenesysError('Genesys login failed (401)', 401, ErrorCode.loginFailed, false));
    expect(await first).toBe('rejected');
    now = 29_999;
    expect(await check()).toBe('rejected');
    expect(pending).toHaveLength(1); // answered from memory
    now = 30_000;
    const again = check();
    expect(pending).toHaveLength(2);
    pending[1]!.reject(new GenesysError('Service Unavailable', 503, 'service.unavailable', true));
    expect(await again).toBe('unreachable');
    now = 60_000;
    const third = check();
    pending[2]!.reject(new Error('socket hang up'));
    expect(await third).toBe('unreachable');
    now = 90_000;
    const fourth = check();
    pending[3]!.resolve();
    expect(await fourth).toBe('ok');
  });

  it('answers slow when the login has not answered in time, and the next check joins that login', async () => {
    const { probe, pending } = manualProbe();
    const check = createGenesysCheck(probe, { timeoutMs: 10 });
    expect(await check()).toBe('slow'); // the probe never answered
    const next = check();
    expect(pending).toHaveLength(1);
    pending[0]!.resolve();
    expect(await next).toBe('ok');
  });
});

describe('GET /readyz with Genesys credentials', () => {
  async function appWith(fake: FakeGenesys, clientSecret = fake.clientSecret): Promise<TestApp> {
    const gateway = createSdkGateway({ region: undefined, baseUrl: fake.baseUrl, clientId: fake.clientId, clientSecret, baseBackoffMs: 20, maxRetries: 0 });
    cleanups.push(() => gateway.close!());
    const t = await buildTestApp({ gateway });
    cleanups.push(() => t.close());
    return t;
  }
  async function fakeGenesys(): Promise<FakeGenesys> {
    const fake = await startFakeGenesys();
    cleanups.push(() => fake.close());
    return fake;
  }
  /** The first answers may be `slow` on a busy machine; the login's outcome is what is checked. */
  async function settled(t: TestApp) {
    for (;;) {
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      const body = res.json() as { status: string; genesys?: string };
      if (body.genesys !== 'slow') return { statusCode: res.statusCode, body };
    }
  }

  it('reports ok when the engine gets a token, apart from the checks that decide readiness', async () => {
    const fake = await fakeGenesys();
    const t = await appWith(fake);
    expect(await settled(t)).toEqual({ statusCode: 200, body: { status: 'ready', checks: { database: 'ok', worker: 'elsewhere' }, genesys: 'ok' } });
    // The token is reused: probes do not log in again.
    await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(fake.requestsTo('token')).toHaveLength(1);
  });

  it('reports a wrong credential as rejected at once, and stays ready', async () => {
    const fake = await fakeGenesys();
    const t = await appWith(fake, 'not-the-secret-of-this-client');
    expect(await settled(t)).toEqual({ statusCode: 200, body: { status: 'ready', checks: { database: 'ok', worker: 'elsewhere' }, genesys: 'rejected' } });
    const logins = fake.requestsTo('token').length;
    await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(fake.requestsTo('token')).toHaveLength(logins); // the failure is kept a while
  });

  it('reports a login that does not answer as slow, and stays ready', async () => {
    const fake = await fakeGenesys();
    fake.hold('token');
    const t = await appWith(fake);
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { database: 'ok', worker: 'elsewhere' }, genesys: 'slow' });
    fake.release('token');
    expect((await settled(t)).body.genesys).toBe('ok');
  });

  it('has no Genesys line without credentials (the simulated gateway)', async () => {
    const t = await buildTestApp();
    cleanups.push(() => t.close());
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready', checks: { database: 'ok', worker: 'elsewhere' } });
  });
});
