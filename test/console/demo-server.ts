import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
import type { ConversationDetails, GenesysGateway } from '../../src/genesys/gateway.js';
import { createSimulatedGateway } from '../../src/genesys/simulated-gateway.js';
import { jobContext } from '../../src/jobs/context.js';
import { createLogger } from '../../src/logger.js';
import { runReconcile } from '../../src/reconcile/passes.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { freePort } from '../helpers/ports.js';

/**
 * The service as `npm start` runs it (embedded PostgreSQL in a throwaway directory, the demo seed,
 * the job worker), listening on 127.0.0.1, with more demo data: a few queues, business hours,
 * capacity, callbacks in every state (one overdue; completed as handled, not answered, expired,
 * cancelled), an aging track with its priority steps, an audit trail, call-in requests, webhooks (two answered by a
 * receiver on 127.0.0.1, one disabled after its days of failures). For the screenshots.
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
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn',
    // The demo's one reconcile run (below) shows an agent alerting; the worker's own runs would read the
    // simulated Genesys again, where no agent ever is, and put that callback back in queue.
    RECONCILE_INTERVAL_SECONDS: '86400',
    JWT_SECRET: 'demo-signing-secret-that-is-long-enough-0123456789', DATABASE_URL: '' });
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
  const actionsHeaders = { authorization: `Bearer ${await token(app, actionsClient.client.clientId, actionsClient.clientSecret)}` };
  const actions = injector(app, actionsHeaders);
  // The webhooks' receiver: answers every delivery, a few milliseconds later.
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.writeHead(204).end(), 5 + Math.floor(Math.random() * 40)));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  await arrange(injector(app, admin), actions, { receiverUrl, refusedUrl: `http://127.0.0.1:${await freePort()}/tickets`, db: runtime.database.db });
  await lifecycle(injector(app, admin), actions, (alerting) => runReconcile(jobContext({ db: runtime.database.db, gateway: withAgentAlerting(runtime.gateway, alerting), clock: systemClock, caches: createCaches(), logger }), { maxRequests: 100 }));

  // A callback booked an hour ago for a slot that has passed: still SCHEDULED, so overdue.
  const past = await appAt({ now: () => new Date(Date.now() - 60 * 60_000) });
  await past.ready();
  const pastActions = injector(past, { authorization: `Bearer ${await token(past, actionsClient.client.clientId, actionsClient.clientSecret)}` });
  const soon = new Date(Date.now() - 60 * 60_000 + 10 * 60_000);
  await pastActions('POST', '/actions/v1/callbacks/create', { queue: 'Sales', phoneNumber: '+12025550187', customerName: 'Late Larry', desiredTime: soon.toISOString(), acceptNearest: true }).catch(() => undefined);
  await past.close();
  await reportHistory(runtime.database.db, actions, async (daysAgo, run) => {
    const then = await appAt({ now: () => new Date(Date.now() - daysAgo * 86_400_000) });
    await then.ready();
    try {
      await run(injector(then, actionsHeaders));
    } finally {
      await then.close();
    }
  });

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    database: runtime.database,
    admin,
    close: async () => {
      await app.close();
      await new Promise((r) => receiver.close(r));
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function arrange(admin: Inject, actions: Inject, hooks: { receiverUrl: string; refusedUrl: string; db: Runtime['database']['db'] }): Promise<void> {
  const allWeek = Object.fromEntries(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((d) => [d, [{ start: '00:00', end: '24:00' }]]));
  // Exceptions in the coming days, so the calendar shows them this month or the next.
  const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const hours = (await admin('POST', '/admin/v1/business-hours', {
    name: 'Around the clock',
    timezone: 'America/New_York',
    weekly: allWeek,
    exceptions: [
      { date: inDays(2), closed: true },
      { date: inDays(4), intervals: [{ start: '09:00', end: '13:00' }] },
    ],
  })) as { id: string };
  const hourly = Object.fromEntries(Array.from({ length: 24 }, (_, h) => [`${String(h).padStart(2, '0')}:00`, h >= 8 && h < 20 ? 3 : 1]));
  const rule = (await admin('POST', '/admin/v1/capacity-rules', {
    name: 'Sales desk',
    timeslotLength: 'hour',
    cells: Object.fromEntries(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((d) => [d, hourly])),
  })) as { id: string };
  const policy = (await admin('POST', '/admin/v1/prioritization-policies', { name: 'Bump every 5 minutes', mode: 'step', initialDelaySeconds: 300, intervalSeconds: 300, increment: 5, maxSteps: 6, maxPriority: 50 })) as { id: string };
  const sales = (await admin('POST', '/admin/v1/queues', { name: 'Sales', timezone: 'America/New_York', genesysQueueId: 'sales-genesys-queue', businessHoursId: hours.id, capacityRuleId: rule.id, slotDurationMinutes: 30, prioritizationPolicyId: policy.id, defaultCountry: 'US' })) as { id: string };
  await admin('POST', '/admin/v1/queues', { name: 'Billing', timezone: 'Europe/London', slotCapacity: 2, slotDurationMinutes: 60, scheduledEnabled: true, immediateEnabled: false, defaultCountry: 'GB' });
  await admin('POST', '/admin/v1/retry-policies', { name: 'No answer: retry in 10 minutes', match: 'NO_ANSWER', waitSeconds: 600, maxAttempts: 3 });

  // Webhooks before the callbacks, so their notifications have deliveries: a CRM of the Sales queue,
  // a data warehouse taking everything, and a ticketing system that refuses every connection — failing
  // for three days already, so its next failure disables it.
  await admin('POST', '/admin/v1/webhooks', { name: 'CRM', url: `${hooks.receiverUrl}/crm/callbacks`, eventTypes: ['CALLBACK_CREATED', 'CALLBACK_RESCHEDULED', 'CALLBACK_COMPLETED', 'CALLBACK_CANCELLED'], queueIds: [sales.id] });
  await admin('POST', '/admin/v1/webhooks', { name: 'Data warehouse', url: `${hooks.receiverUrl}/warehouse/events`, disableAfterDays: 7 });
  const legacy = (await admin('POST', '/admin/v1/webhooks', { name: 'Legacy ticketing', url: hooks.refusedUrl, eventTypes: ['CALLBACK_FINAL_ATTEMPT_FAILED', 'CALLBACK_CANCELLED'] })) as { id: string };
  await hooks.db.updateTable('webhooks').set({ failing_since: new Date(Date.now() - 3 * 86_400_000 - 60_000) }).where('id', '=', legacy.id).execute();

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

  // Click-To-Call-In: a group of the Sales queue, four requests from the app; two called in, one with a wrong code first.
  await admin('POST', '/admin/v1/call-in-groups', { name: 'Sales app', queueId: sales.id, expirySeconds: 600, dnis: ['+18005550140', '+18005550141', '+18005550142'].map((number, i) => ({ number, description: `Sales line ${i + 1}` })) });
  const requested = [];
  for (const [i, from] of ['+12025551301', '+12025551302', '+12025551303', '+12025551304'].entries()) {
    requested.push((await actions('POST', '/actions/v1/call-in/requests', { group: 'Sales app', fromPhoneNumber: from, userData: JSON.stringify({ reason: ['billing', 'upgrade', 'support', 'billing'][i]! }) })) as { toPhoneNumber: string; accessCode: string });
  }
  const [a, b] = requested;
  await actions('POST', '/actions/v1/call-in/match', { dialedNumber: a!.toPhoneNumber, callerNumber: '+12025551301', accessCode: a!.accessCode });
  await actions('POST', '/actions/v1/call-in/match', { dialedNumber: b!.toPhoneNumber, callerNumber: '+12025551302', accessCode: b!.accessCode === '000000' ? '111111' : '000000' });
  await actions('POST', '/actions/v1/call-in/match', { dialedNumber: b!.toPhoneNumber, callerNumber: '+12025551302', accessCode: b!.accessCode });
}

const DEADLINE_MS = 5 * 60_000;
async function until<T>(what: string, check: () => Promise<T | undefined | null | false>): Promise<T> {
  const end = Date.now() + DEADLINE_MS;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`demo data: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * The simulated Genesys, except that an agent is being alerted on the `alerting` conversations (what
 * Genesys analytics shows while an agent is offered a callback): the reconciler reads ROUTING there.
 */
function withAgentAlerting(gateway: GenesysGateway, alerting: string[]): GenesysGateway {
  return {
    ...gateway,
    conversationDetails: async (ids: string[]): Promise<ConversationDetails[]> => {
      const known = await gateway.conversationDetails(ids);
      return known.map((d) =>
        alerting.includes(d.conversationId)
          ? { ...d, participants: [...d.participants, { purpose: 'agent', userId: 'b1f0c3a2-5d4e-4f6a-8b7c-9d0e1f2a3b4c', sessions: [{ mediaType: 'callback', segments: [{ segmentType: 'alert', start: new Date(), end: null, queueId: null, wrapUpCode: null, disconnectType: null }] }] }] }
          : d,
      );
    },
  };
}

/**
 * Callbacks taken through their lifecycle by the events Genesys would send (acd.start, acd.end,
 * wrap-up) and one reconcile run, on a queue with a fast aging policy and a callback retry policy:
 * the desk then shows every state and completion reason, and Policies an aging track with its steps.
 */
async function lifecycle(admin: Inject, actions: Inject, reconcile: (alerting: string[]) => Promise<unknown>): Promise<void> {
  const NO_ANSWER = { id: '7fb334b0-0e9e-11e4-9191-0800200c9a66', name: 'No answer' };
  const RESOLVED = 'c1a5e0d2-4b3f-4e6a-9c8d-7f6e5d4c3b2a';
  const genesysQueueId = 'support-genesys-queue';
  const hours = ((await admin('GET', '/admin/v1/business-hours')).items as { id: string; name: string }[]).find((h) => h.name === 'Around the clock')!;
  const aging = (await admin('POST', '/admin/v1/prioritization-policies', { name: 'Bump every 30 seconds', mode: 'step', initialDelaySeconds: 0, intervalSeconds: 30, increment: 10, maxSteps: 4, maxPriority: 100 })) as { id: string };
  const retry = (await admin('POST', '/admin/v1/callback-retry-policies', { name: 'No answer: two tries, a minute apart', wrapUpCodes: [NO_ANSWER], waitSeconds: 60, maxAttempts: 2 })) as { id: string };
  await admin('POST', '/admin/v1/queues', { name: 'Support', timezone: 'America/Chicago', genesysQueueId, businessHoursId: hours.id, slotCapacity: 5, slotDurationMinutes: 30, prioritizationPolicyId: aging.id, callbackRetryPolicyId: retry.id, defaultCountry: 'US' });

  type Callback = { state: string; completionReason: string | null; genesysConversationId: string | null; attempt: number };
  const callback = (id: string) => admin('GET', `/admin/v1/callbacks/${id}`) as Promise<Callback>;
  /** Waits for the delivery job to create the callback's (current attempt's) conversation in Genesys. */
  const delivered = (id: string, attempt = 1) => until(`callback ${id} delivered`, async () => {
    const c = await callback(id);
    return c.attempt === attempt && c.genesysConversationId ? c.genesysConversationId : undefined;
  });
  const event = (path: string, conversationId: string, extra: object) =>
    actions('POST', `/events/v1/${path}`, { conversationId, participantId: randomUUID(), eventTime: Date.now(), mediaType: 'CALLBACK', queueId: genesysQueueId, ...extra });
  const now = (phoneNumber: string, customerName: string) => actions('POST', '/actions/v1/callbacks/create', { queue: 'Support', phoneNumber, customerName }).then((a) => a.callbackId as string);

  const waiting = await now('+13125550101', 'Margaret Hamilton');
  const routing = await now('+13125550102', 'Radia Perlman');
  const processing = await now('+13125550103', 'John Backus');
  const handled = await now('+13125550104', 'Hedy Lamarr');
  const noAnswer = await now('+13125550105', 'Claude Shannon');
  const expired = await now('+13125550106', 'Ida Rhodes');
  const conversation: Record<string, string> = {};
  for (const id of [waiting, routing, processing, handled, noAnswer, expired]) {
    conversation[id] = await delivered(id);
    await event('conversation-acd-start', conversation[id]!, { routingPriority: 0 });
  }
  await reconcile([conversation[routing]!]);
  for (const id of [processing, handled, noAnswer]) await event('conversation-acd-end', conversation[id]!, { acdOutcome: 'ANSWERED' });
  await event('conversation-wrapup', conversation[handled]!, { wrapupCode: RESOLVED });
  await event('conversation-acd-end', conversation[expired]!, { acdOutcome: 'ABANDON', disconnectType: 'SYSTEM' });
  // Not answered: the policy tries once more a minute later; not answered again, it is done.
  await event('conversation-wrapup', conversation[noAnswer]!, { wrapupCode: NO_ANSWER.id });
  const second = await delivered(noAnswer, 2);
  await event('conversation-wrapup', second, { wrapupCode: NO_ANSWER.id });

  const expect = { [waiting]: 'QUEUED', [routing]: 'ROUTING', [processing]: 'PROCESSING', [handled]: 'COMPLETED HANDLED', [noAnswer]: 'COMPLETED NO_ANSWER', [expired]: 'COMPLETED EXPIRED' };
  for (const [id, want] of Object.entries(expect)) {
    const c = await callback(id);
    const got = c.completionReason ? `${c.state} ${c.completionReason}` : c.state;
    if (got !== want) throw new Error(`demo data: ${c.genesysConversationId} is ${got}, not ${want}`);
  }
  // The aging track of the waiting callback takes its four steps, 30 seconds apart.
  await until('the aging track to take its steps', async () => {
    const track = (await admin('GET', `/admin/v1/aging-tracks/${conversation[waiting]}`)) as { status: string };
    return track.status === 'STOPPED';
  });
}

/**
 * A week for the Reports page: offers and refused create requests on each of the last seven days (on
 * apps whose clock is that day), and agent connects on the Support callbacks a few minutes after
 * they were created.
 */
async function reportHistory(db: Runtime['database']['db'], actions: Inject, onDay: (daysAgo: number, run: (actions: Inject) => Promise<void>) => Promise<void>): Promise<void> {
  const KINDS = ['IMMEDIATE', 'SCHEDULED', 'BOTH'] as const;
  const offers = async (a: Inject, day: number, n: number) => {
    for (let i = 0; i < n; i++) {
      const result = i % 3 === 2 ? 'DECLINED' : i % 5 === 4 ? 'NO_INPUT' : 'ACCEPTED';
      await a('POST', '/actions/v1/offers', { queue: i % 2 === 0 ? 'Sales' : 'Support', conversationId: `demo-offer-${day}-${i}`, offered: KINDS[i % 3], result });
    }
  };
  for (let day = 6; day >= 1; day--) {
    await onDay(day, async (a) => {
      await offers(a, day, 4 + ((day * 5) % 7));
      await a('POST', '/actions/v1/callbacks/create', { queue: 'Sales', phoneNumber: '+1 000' });
      if (day % 2 === 0) await a('POST', '/actions/v1/callbacks/create', { queue: 'Billing', phoneNumber: '+442079460321' });
    });
  }
  await offers(actions, 0, 6);
  const support = await db
    .selectFrom('callbacks')
    .innerJoin('queues', 'queues.id', 'callbacks.queue_id')
    .select(['callbacks.id', 'callbacks.created_at'])
    .where('queues.name', '=', 'Support')
    .where('callbacks.state', 'in', ['PROCESSING', 'COMPLETED'])
    .orderBy('callbacks.created_at')
    .execute();
  for (const [i, c] of support.entries()) {
    await db
      .insertInto('callback_history')
      .values({ callback_id: c.id, at: new Date(c.created_at.getTime() + (50 + 70 * i) * 1000), actor: 'demo', actor_name: 'demo', actor_kind: 'system', event: 'user.start', from_state: null, to_state: null, reason: null, detail: null })
      .execute();
  }
}
