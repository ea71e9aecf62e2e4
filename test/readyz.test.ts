import { mkdtemp, rm } from 'node:fs/promises';
import { createCaches } from '../src/context.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDatabaseExists } from '../src/db/database.js';
import { startEmbeddedPostgres, withDatabase, type EmbeddedPostgres } from '../src/db/embedded.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { startJobRunner } from '../src/jobs/runner.js';
import { buildTaskList } from '../src/jobs/tasks.js';
import { createSimulatedGateway } from '../src/genesys/simulated-gateway.js';
import { createLogger } from '../src/logger.js';
import { systemClock } from '../src/clock.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { freePort } from './helpers/ports.js';

// This file runs its own PostgreSQL, because it stops and restarts it.
let dir: string;
let pg: EmbeddedPostgres | undefined;
let t: TestApp | undefined;
afterAll(async () => {
  await t?.close();
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function waitFor(fn: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('/readyz', () => {
  it('goes unready when the database stops and recovers when it is back', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'callbacks-readyz-'));
    const port = await freePort();
    pg = await startEmbeddedPostgres({ dataDir: dir, port });
    await ensureDatabaseExists(pg.url, 'app');
    const url = withDatabase(pg.url, 'app');
    await migrateToLatest(url);
    t = await buildTestApp({ url });
    const ready = async () => (await t!.app.inject({ method: 'GET', url: '/readyz' })).statusCode;

    expect(await ready()).toBe(200);
    await pg.stop();
    const down = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: 'unready', checks: { database: 'down', worker: 'elsewhere' } });
    // Liveness does not depend on the database: the process is fine, only not ready.
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    pg = await startEmbeddedPostgres({ dataDir: dir, port });
    await waitFor(async () => (await ready()) === 200);
    expect(await ready()).toBe(200);
  });
});

describe('/readyz and the in-process job worker', () => {
  it('is ready with worker ok while the runner runs, and 503 with worker down once it has stopped', async () => {
    const w = await buildTestApp({ workerHealthy: () => runner.healthy() });
    const logger = createLogger('silent');
    const runner = await startJobRunner({
      pool: w.database.pool,
      db: w.database.db,
      tasks: buildTaskList({ db: w.database.db, gateway: createSimulatedGateway(w.database.db), clock: systemClock, caches: createCaches(), logger, retentionDays: 14 }),
      concurrency: 1,
      logger,
    });
    let stopped = false;
    try {
      const up = await w.app.inject({ method: 'GET', url: '/readyz' });
      expect(up.statusCode).toBe(200);
      expect(up.json()).toEqual({ status: 'ready', checks: { database: 'ok', worker: 'ok' } });
      await runner.stop();
      stopped = true;
      const down = await w.app.inject({ method: 'GET', url: '/readyz' });
      expect(down.statusCode).toBe(503);
      expect(down.json()).toEqual({ status: 'unready', checks: { database: 'ok', worker: 'down' } });
    } finally {
      if (!stopped) await runner.stop();
      await w.close();
    }
  });
});
