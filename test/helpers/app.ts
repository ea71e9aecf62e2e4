import { testContext } from './context.js';
import { Writable } from 'node:stream';
import { vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import type { GenesysGateway } from '../../src/genesys/gateway.js';
import { createClient } from '../../src/clients/service.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createDatabase, type Database } from '../../src/db/database.js';
import type { Role } from '../../src/auth/caller.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase } from './db.js';

export const TEST_JWT_SECRET = 'test-signing-secret-that-is-long-enough-0123456789';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  config: Config;
  url: string;
  /** Log lines written by the app, when built with `captureLogs`. */
  logs: string[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database (several apps on one database); default: a fresh clone of the template. */
  url?: string;
  captureLogs?: boolean;
  clock?: Clock;
  gateway?: GenesysGateway;
  /** The in-process worker's health for /readyz; absent: the worker runs elsewhere. */
  workerHealthy?: () => boolean;
  /** Add test-only routes before the app is ready. */
  beforeReady?: (app: FastifyInstance) => void;
}

export async function buildTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const url = opts.url ?? (await createTestDatabase());
  const config = loadConfig({
    DATABASE_URL: url,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: opts.captureLogs ? 'trace' : 'silent',
    // A busy test machine lags its event loop; only a test about load shedding turns the guard on.
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    // Likewise a burst of hundreds of racing requests queues for connections and locks far longer
    // there; only the outage test tightens these bounds.
    DATABASE_CONNECT_TIMEOUT_MS: '60000',
    DATABASE_STATEMENT_TIMEOUT_MS: '60000',
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '60000',
    ...opts.env,
  });
  const database = createDatabase(url, { max: config.databasePoolMax, timeouts: config.databaseTimeouts });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const app = await buildApp({ config, database, jwtSecret: config.jwtSecret!, logger, ...(opts.clock && { clock: opts.clock }), ...(opts.gateway && { gateway: opts.gateway }), ...(opts.workerHealthy && { workerHealthy: opts.workerHealthy }) });
  opts.beforeReady?.(app);
  await app.ready();
  return {
    app,
    database,
    config,
    url,
    logs,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

export interface TestClient {
  clientId: string;
  clientSecret: string;
}

export async function makeClient(t: TestApp, roles: Role[], extra: { name?: string; queues?: string[] } = {}): Promise<TestClient> {
  const { client, clientSecret } = await createClient(testContext(t.database.db), {
    name: extra.name ?? `client-${Math.random().toString(36).slice(2)}`,
    roles,
    queues: extra.queues ?? null,
  });
  return { clientId: client.clientId, clientSecret };
}

export async function tokenFor(t: TestApp, client: TestClient): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    payload: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret },
  });
  if (res.statusCode !== 200) throw new Error(`token request failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { access_token: string }).access_token;
}

/** A client with these roles and a bearer header for it. */
export async function authHeader(t: TestApp, roles: Role[], extra: { queues?: string[] } = {}) {
  const client = await makeClient(t, roles, extra);
  return { client, headers: { authorization: `Bearer ${await tokenFor(t, client)}` } };
}

/** A clock tests set and move by hand. */
export class TestClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date | string): void {
    this.current = new Date(to);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/**
 * Moves `Date.now()` (which in-memory caches read) `ms` ahead of the real clock until `restore()`;
 * the app's own clock and timers are untouched.
 */
export function skewDateNow(): { advance(ms: number): void; restore(): void } {
  const real = Date.now.bind(Date);
  let offset = 0;
  const spy = vi.spyOn(Date, 'now').mockImplementation(() => real() + offset);
  return {
    advance(ms: number) {
      offset += ms;
    },
    restore() {
      spy.mockRestore();
    },
  };
}
