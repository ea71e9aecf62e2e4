import { readdirSync, readFileSync } from 'node:fs';
import { createCaches } from '../src/context.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { sql } from 'kysely';
import { ensureDatabaseExists } from '../src/db/database.js';
import { startEmbeddedPostgres, withDatabase, type EmbeddedPostgres } from '../src/db/embedded.js';
import { isDatabaseUnavailable } from '../src/db/errors.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createSimulatedGateway } from '../src/genesys/simulated-gateway.js';
import { startJobRunner, type JobRunner } from '../src/jobs/runner.js';
import { buildTaskList } from '../src/jobs/tasks.js';
import { createLogger } from '../src/logger.js';
import { authHeader, buildTestApp, makeClient, type TestApp, type TestClient } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { freePort } from './helpers/ports.js';

describe('database errors that mean "come back later"', () => {
  const pgError = (code: string) => Object.assign(new Error('server said no'), { code, severity: 'FATAL' });
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['every address refused', new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], '')],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a connection that never opened', new Error('Connection terminated due to connection timeout')],
    ['no free connection in the pool', new Error('timeout exceeded when trying to connect')],
    ['a server that did not answer', new Error('Query read timeout')],
    ['an administrator shutdown (57P01)', pgError('57P01')],
    ['a server starting up (57P03)', pgError('57P03')],
    ['too many connections (53300)', pgError('53300')],
    ['a statement timeout (57014)', pgError('57014')],
    ['an idle-in-transaction timeout (25P03)', pgError('25P03')],
    ['a connection exception (08006)', pgError('08006')],
  ])('%s is the database being unavailable', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['a unique violation', pgError('23505')],
    ['a syntax error', pgError('42601')],
    ['an invalid text representation', pgError('22P02')],
    ['a programming error', new TypeError('x is undefined')],
  ])('%s is not', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});

// This file runs its own PostgreSQL, because it stops, freezes and restarts it.
const CONNECT_MS = 1_500;
const STATEMENT_MS = 2_000;
/** The longest a request may wait: a connection, then one statement (the client gives up 1 s after the server would). */
const BOUND_MS = CONNECT_MS + STATEMENT_MS + 1_000;
/** Generous: a busy machine may be slow to run the timers and the error path, never 10 s slow. */
const MARGIN_MS = 5_000;

let dir: string;
let port: number;
let pg: EmbeddedPostgres | undefined;
let t: TestApp;
let runner: JobRunner | undefined;
let admin: Record<string, string>;
let actions: Record<string, string>;
let actionsClient: TestClient;
let queueName: string;
const accepted: string[] = [];
let frozen: number[] = [];

/** The postmaster and every backend and auxiliary process it forked (they share no process group with it). */
function clusterProcesses(postmaster: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return [postmaster, ...children];
}

function freeze(): void {
  // The postmaster first, so it forks nothing new while the others are being stopped.
  frozen = clusterProcesses(pg!.pid!);
  for (const pid of frozen) process.kill(pid, 'SIGSTOP');
}

function thaw(): void {
  for (const pid of frozen) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
  frozen = [];
}

async function waitFor(fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

let phone = 5550100;
type Probe = { name: string; status: number | 'no answer'; ms: number; retryAfter?: string; body: string };

/** The routes a Genesys flow and an operator use, each of which needs the database. */
function probes(): { name: string; send: () => Promise<LightMyRequestResponse> }[] {
  return [
    { name: 'admin: list queues', send: () => t.app.inject({ method: 'GET', url: '/admin/v1/queues', headers: admin }) },
    { name: 'admin: audit', send: () => t.app.inject({ method: 'GET', url: '/admin/v1/audit', headers: admin }) },
    { name: 'action: availability', send: () => t.app.inject({ method: 'POST', url: '/actions/v1/availability', headers: actions, payload: { queue: queueName, maxSlots: 3 } }) },
    { name: 'action: check number', send: () => t.app.inject({ method: 'POST', url: '/actions/v1/numbers/check', headers: actions, payload: { queue: queueName, phoneNumber: '+12025550123' } }) },
    { name: 'action: create callback', send: () => createCallback() },
    { name: 'token', send: () => t.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: actionsClient.clientId, client_secret: actionsClient.clientSecret } }) },
  ];
}

async function createCallback() {
  const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queueName, phoneNumber: `+1202${++phone}` } });
  if (res.statusCode === 200 && res.json().outcome === 'CREATED') accepted.push(res.json().callbackId as string);
  return res;
}

/** Sends every probe at once; a probe that has not answered long after the bound counts as "no answer". */
async function probeAll(): Promise<Probe[]> {
  return Promise.all(
    probes().map(async ({ name, send }) => {
      const started = performance.now();
      const giveUp = new Promise<null>((r) => setTimeout(() => r(null), BOUND_MS + MARGIN_MS * 2).unref());
      const res = await Promise.race([send(), giveUp]);
      const ms = Math.round(performance.now() - started);
      if (!res) return { name, status: 'no answer' as const, ms, body: '' };
      const retryAfter = res.headers['retry-after'];
      return { name, status: res.statusCode, ms, body: res.body, ...(typeof retryAfter === 'string' && { retryAfter }) };
    }),
  );
}

function expectAllUnavailable(results: Probe[]): void {
  for (const r of results) {
    expect({ name: r.name, status: r.status }).toEqual({ name: r.name, status: 503 });
    expect(JSON.parse(r.body)).toMatchObject({ error: 'SERVICE_UNAVAILABLE', correlationId: expect.any(String) });
    expect(Number(r.retryAfter), r.name).toBeGreaterThan(0);
    // Nothing about the server, the driver or the connection reaches the caller.
    expect(r.body).not.toMatch(/ECONN|127\.0\.0\.1|postgres|timeout|terminated|pg_|select/i);
    expect(r.body).not.toContain(String(port));
    expect(r.ms, `${r.name} answered in ${r.ms} ms`).toBeLessThan(BOUND_MS + MARGIN_MS);
  }
}

async function allSucceed(): Promise<boolean> {
  const results = await probeAll();
  return results.every((r) => r.status === 200);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'callbacks-outage-'));
  port = await freePort();
  pg = await startEmbeddedPostgres({ dataDir: dir, port });
  await ensureDatabaseExists(pg.url, 'app');
  const url = withDatabase(pg.url, 'app');
  await migrateToLatest(url);
  t = await buildTestApp({ url, env: { DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_MS), DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_MS) } });
  admin = (await authHeader(t, ['administrator'])).headers;
  actionsClient = await makeClient(t, ['actions']);
  actions = (await authHeader(t, ['actions'])).headers;
  queueName = (await factories(t.database.db).queue({ genesysQueueId: 'gq-outage' })).name;
  // Jobs run on the app's pool, through the outages, like the in-process worker of the service.
  const logger = createLogger('silent');
  runner = await startJobRunner({
    pool: t.database.pool,
    db: t.database.db,
    tasks: buildTaskList({ db: t.database.db, gateway: createSimulatedGateway(t.database.db), clock: systemClock, caches: createCaches(), logger, retentionDays: 14 }),
    concurrency: 2,
    pollInterval: 200,
    heartbeatMs: 1_000,
    deadAfterSeconds: 3,
    logger,
  });
});

afterAll(async () => {
  thaw();
  await runner?.stop();
  await t?.close();
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('PostgreSQL down or frozen', () => {
  it('answers 503 with Retry-After on every route while the database is stopped, and recovers without a restart', async () => {
    expect(await allSucceed()).toBe(true);
    const before = accepted.length;
    expect(before).toBeGreaterThan(0);

    await pg!.stop();
    expectAllUnavailable(await probeAll());

    pg = await startEmbeddedPostgres({ dataDir: dir, port });
    await waitFor(allSucceed);
    expect(accepted.length).toBeGreaterThan(before);
  });

  it('answers 503 within the configured bound while the database is frozen, and recovers when it thaws', async () => {
    // Idle connections in the pool, so some requests reach a frozen backend and others a frozen postmaster.
    await Promise.all([allSucceed(), allSucceed()]);
    let results: Probe[];
    try {
      freeze();
      results = await probeAll();
      // A second round meets whatever the first left behind in the pool.
      results.push(...(await probeAll()));
    } finally {
      thaw();
    }
    console.info(`frozen database: answers in ${results.map((r) => `${r.name} ${r.status} ${r.ms} ms`).join(', ')}; bound ${BOUND_MS} ms`);
    expectAllUnavailable(results);

    await waitFor(allSucceed);
  });

  it('discards a connection whose query the client gave up on, instead of lending it out again', async () => {
    const client = await t.database.pool.connect();
    try {
      freeze();
      await expect(client.query('select 1')).rejects.toThrow('Query read timeout');
    } finally {
      thaw();
      client.release();
    }
    const next = await t.database.pool.connect();
    try {
      expect(next).not.toBe(client);
      expect((await next.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      next.release();
    }
  });

  it('loses no accepted write: every callback answered CREATED is in the database, and its delivery job ran after the outages', async () => {
    expect(accepted.length).toBeGreaterThan(1);
    const rows = await t.database.db.selectFrom('callbacks').select('id').where('id', 'in', accepted).execute();
    expect(rows.map((r) => r.id).sort()).toEqual([...accepted].sort());
    // Jobs that failed during the outages wait out graphile-worker's backoff (longer the more often they
    // failed, so on a slow machine): bring them forward, since what is proven here is that none is lost or stuck.
    await sql`update graphile_worker._private_jobs set run_at = now() where locked_at is null`.execute(t.database.db);
    const delivered = async () =>
      (await t.database.db.selectFrom('callbacks').select('delivery_status').where('id', 'in', accepted).execute()).every((r) => r.delivery_status === 'DELIVERED');
    await waitFor(delivered, 50_000);
    expect(runner!.healthy()).toBe(true);
  }, 60_000);
});
