import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/app.js';

/**
 * The overload guard samples the event-loop delay once a second. A block longer than that interval
 * leaves the sampler's timer overdue, so it runs before any timer set after the block: the probe
 * that follows sees the sample that includes the block. The sample is a mean over the interval, so
 * a block may be averaged below the threshold once; the loop blocks again, a bounded number of times.
 */
const BLOCK_MS = 1_500;
const ROUNDS = 8;

const apps: TestApp[] = [];
afterEach(async () => {
  while (apps.length) await apps.pop()!.close();
});

let handled = 0;
function testRoutes(app: FastifyInstance): void {
  app.post('/test/block', { config: { public: true } }, async () => {
    const until = performance.now() + BLOCK_MS;
    while (performance.now() < until) {
      // a handler that hogs the event loop, as a runaway computation would
    }
    return { blocked: BLOCK_MS };
  });
  app.get('/test/work', { config: { public: true } }, async () => ({ handled: ++handled }));
}

async function blockThenProbe(t: TestApp) {
  const probes = [];
  for (let round = 0; round < ROUNDS; round++) {
    await t.app.inject({ method: 'POST', url: '/test/block' });
    await sleep(1); // runs after the overdue sampler
    const probe = await t.app.inject({ method: 'GET', url: '/test/work' });
    probes.push(probe);
    if (probe.statusCode !== 200) break;
  }
  return probes;
}

describe('overload guard', () => {
  it('sheds load with 503 SERVICE_UNAVAILABLE, Retry-After and a correlation id while the event loop lags past OVERLOAD_MAX_EVENT_LOOP_DELAY_MS, without running the handler', async () => {
    const t = await buildTestApp({ env: { OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '5' }, beforeReady: testRoutes });
    apps.push(t);
    handled = 0;
    const probes = await blockThenProbe(t);
    const shed = probes.at(-1)!;
    expect(shed.statusCode, `no 503 after ${probes.length} blocks`).toBe(503);
    expect(shed.headers['retry-after']).toBe('5');
    expect(shed.json()).toEqual({
      error: 'SERVICE_UNAVAILABLE',
      message: 'The service is overloaded (eventLoopDelay)',
      correlationId: shed.headers['inin-correlation-id'],
    });
    // Only the probes answered 200 ran the handler; the shed one never reached it.
    expect(handled).toBe(probes.filter((p) => p.statusCode === 200).length);
  }, 120_000); // up to ROUNDS blocks of BLOCK_MS

  it('never sheds load in test apps (the guard is off unless a test turns it on)', async () => {
    const t = await buildTestApp({ beforeReady: testRoutes });
    apps.push(t);
    expect(t.config.overloadMaxEventLoopDelayMs).toBe(0);
    await t.app.inject({ method: 'POST', url: '/test/block' });
    await sleep(1);
    expect((await t.app.inject({ method: 'GET', url: '/test/work' })).statusCode).toBe(200);
  });
});
