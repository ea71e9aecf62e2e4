import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { systemCaller } from '../../src/auth/caller.js';
import { createClient } from '../../src/clients/service.js';
import { systemClock, type Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { contextFor, createCaches } from '../../src/context.js';
import { seedDemo } from '../../src/demo.js';
import { createSimulatedGateway } from '../../src/genesys/simulated-gateway.js';
import { createLogger } from '../../src/logger.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { freePort } from '../helpers/ports.js';

/**
 * The service as `npm start` runs it (embedded PostgreSQL in a throwaway directory, the demo seed,
 * the job worker), listening on 127.0.0.1, with more demo data: a few queues, business hours,
 * capacity, callbacks in several states (one overdue), an audit trail. For the screenshots.
 */

export interface DemoServer {
  baseUrl: string;
  app: FastifyInstance;
  database: Runtime['database'];
  /** An administrator API client's bearer header, to arrange data. */
  admin: Record<string, string>;
  close(): Promise<void>;
}

type Inject = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) => Promise<Record<string, unknown>>;

export async function startDemoServer(): Promise<DemoServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'console-demo-'));
  const port = await freePort();
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', JWT_SECRET: 'demo-signing-secret-that-is-long-enough-0123456789', DATABASE_URL: '' });
  const logger = createLogger('warn');
  const runtime = await startRuntime(config, logger, { worker: true });
  await seedDemo(runtime.database.db);
  const ctx = contextFor({ db: runtime.database.db, clock: systemClock, gateway: runtime.gateway, caches: createCaches() }, systemCaller('demo'));
  const adminClient = await createClient(ctx, { name: 'screenshots-admin', roles: ['administrator'] });
  const actionsClient = await createClient(ctx, { name: 'screenshots-actions', roles: ['actions', 'events'] });
  const appAt = (clock: Clock) => buildApp({ config, database: runtime.database, jwtSecret: config.jwtSecret!, logger, clock, gateway: createSimulatedGateway(runtime.database.db), ...(runtime.runner && { workerHealthy: runtime.runner.healthy }) });

  const app = await appAt(systemClock);
  await app.listen({ host: '127.0.0.1', port });
  const token = async (a: FastifyInstance, id: string, secret: string) =>
    ((await a.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: id, client_secret: secret } })).json() as { access_token: string }).access_token;
  const admin = { authorization: `Bearer ${await token(app, adminClient.client.clientId, adminClient.clientSecret)}` };
  const injector =
    (a: FastifyInstance, headers: Record<string, string>): Inject =>
    async (method, url, payload) => {
      const res = await a.inject({ method, url, headers, ...(payload && { payload }) });
      if (res.statusCode >= 400) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.statusCode === 204 ? {} : (res.json() as Record<string, unknown>);
    };
  await arrange(injector(app, admin), injector(app, { authorization: `Bearer ${await token(app, actionsClient.client.clientId, actionsClient.clientSecret)}` }));

  // A callback booked an hour ago for a slot that has passed: still SCHEDULED, so overdue.
  const past = await appAt({ now: () => new Date(Date.now() - 60 * 60_000) });
  await past.ready();
  const pastActions = injector(past, { authorization: `Bearer ${await token(past, actionsClient.client.clientId, actionsClient.clientSecret)}` });
  const soon = new Date(Date.now() - 60 * 60_000 + 10 * 60_000);
  await pastActions('POST', '/actions/v1/callbacks/create', { queue: 'Sales', phoneNumber: '+12025550187', customerName: 'Late Larry', desiredTime: soon.toISOString(), acceptNearest: true }).catch(() => undefined);
  await past.close();

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    database: runtime.database,
    admin,
    close: async () => {
      await app.close();
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function arrange(admin: Inject, actions: Inject): Promise<void> {
  const allWeek = Object.fromEntries(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((d) => [d, [{ start: '00:00', end: '24:00' }]]));
  const nextYear = new Date().getUTCFullYear() + 1;
  const hours = (await admin('POST', '/admin/v1/business-hours', {
    name: 'Around the clock',
    timezone: 'America/New_York',
    weekly: allWeek,
    exceptions: [
      { date: `${nextYear}-01-01`, closed: true },
      { date: `${nextYear}-12-24`, intervals: [{ start: '09:00', end: '13:00' }] },
    ],
  })) as { id: string };
  const hourly = Object.fromEntries(Array.from({ length: 24 }, (_, h) => [`${String(h).padStart(2, '0')}:00`, h >= 8 && h < 20 ? 3 : 1]));
  const rule = (await admin('POST', '/admin/v1/capacity-rules', {
    name: 'Sales desk',
    timeslotLength: 'hour',
    cells: Object.fromEntries(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((d) => [d, hourly])),
  })) as { id: string };
  const policy = (await admin('POST', '/admin/v1/prioritization-policies', { name: 'Bump every 5 minutes', mode: 'step', initialDelaySeconds: 300, intervalSeconds: 300, increment: 5, maxSteps: 6, maxPriority: 50 })) as { id: string };
  await admin('POST', '/admin/v1/queues', { name: 'Sales', timezone: 'America/New_York', genesysQueueId: 'sales-genesys-queue', businessHoursId: hours.id, capacityRuleId: rule.id, slotDurationMinutes: 30, prioritizationPolicyId: policy.id, defaultCountry: 'US' });
  await admin('POST', '/admin/v1/queues', { name: 'Billing', timezone: 'Europe/London', slotCapacity: 2, slotDurationMinutes: 60, scheduledEnabled: true, immediateEnabled: false, defaultCountry: 'GB' });
  await admin('POST', '/admin/v1/retry-policies', { name: 'No answer: retry in 10 minutes', match: 'NO_ANSWER', waitSeconds: 600, maxAttempts: 3 });

  const people = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth', 'Frances Allen'];
  const ids: string[] = [];
  for (const [i, name] of people.entries()) {
    const at = new Date(Date.now() + (2 + i * 3) * 60 * 60_000);
    const answer = await actions('POST', '/actions/v1/callbacks/create', { queue: 'Sales', phoneNumber: `+1202555${String(1100 + i * 7)}`, customerName: name, desiredTime: at.toISOString(), acceptNearest: true });
    if (typeof answer.callbackId === 'string') ids.push(answer.callbackId);
  }
  await actions('POST', '/actions/v1/callbacks/create', { queue: 'Billing', phoneNumber: '+442079460321', customerName: 'Tim Berners-Lee', desiredTime: new Date(Date.now() + 26 * 60 * 60_000).toISOString(), acceptNearest: true });
  await actions('POST', '/actions/v1/callbacks/create', { queue: 'Sales', phoneNumber: '+12025550123', customerName: 'Linus Torvalds' });
  if (ids[6]) await admin('POST', `/admin/v1/callbacks/${ids[6]}/cancel`);
  if (ids[7]) await admin('POST', `/admin/v1/callbacks/${ids[7]}/cancel`);
  await admin('PATCH', `/admin/v1/capacity-rules/${rule.id}`, { cells: { saturday: { '10:00': 6 } } });
}
