import { createCaches } from '../src/context.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelInGenesys, deliverCallback, rescheduleInGenesys } from '../src/callbacks/tasks.js';
import { requestCampaignCallback } from '../src/campaigns/service.js';
import { dialCampaignCallback } from '../src/campaigns/tasks.js';
import { systemClock } from '../src/clock.js';
import { classifyFailure, ErrorCode } from '../src/genesys/errors.js';
import { GenesysError, type GenesysGateway } from '../src/genesys/gateway.js';
import { createSimulatedGateway } from '../src/genesys/simulated-gateway.js';
import { jobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { resubmitContact } from '../src/retries/service.js';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { testContext } from './helpers/context.js';
import { factories } from './helpers/factories.js';

/** One Genesys failure policy for every job: retry, give up, or outcome unknown. */

const failure = (status: number, code: string, retryable = false) => new GenesysError(`Genesys answered ${status} ${code}`, status, code, retryable);
const first = { attempts: 1, max_attempts: 25 };
const last = { attempts: 25, max_attempts: 25 };

describe('classifyFailure', () => {
  it('retry: Genesys asks to come back (429, 5xx, timeouts, network, a closed gateway)', () => {
    for (const err of [failure(429, 'too.many.requests', true), failure(503, 'service.unavailable', true), failure(500, 'internal.server.error'), failure(0, ErrorCode.timeout, true), failure(0, ErrorCode.network, true), failure(0, ErrorCode.closed, true)]) {
      expect(classifyFailure(err, first), err.message).toBe('retry');
    }
  });

  it('retry: our credentials failed (401 after the session logged in again, a failed login), in every job alike', () => {
    expect(classifyFailure(failure(401, 'bad.credentials'), first)).toBe('retry');
    expect(classifyFailure(failure(400, ErrorCode.loginFailed), first)).toBe('retry');
  });

  it('retry: a failure that is not Genesys’ (our database, a bug)', () => {
    expect(classifyFailure(new Error('connection terminated'), first)).toBe('retry');
  });

  it('give up: Genesys refused this request (400, 403, 404, 409, refused arguments)', () => {
    for (const err of [failure(400, 'bad.request'), failure(403, 'missing.permissions'), failure(404, 'not.found'), failure(409, 'conflict'), failure(0, ErrorCode.invalidArgument), failure(0, ErrorCode.unexpected)]) {
      expect(classifyFailure(err, first), err.message).toBe('give-up');
    }
  });

  it('give up: on the job’s last attempt, whatever failed', () => {
    expect(classifyFailure(failure(503, 'service.unavailable', true), last)).toBe('give-up');
    expect(classifyFailure(failure(0, ErrorCode.outcomeUnknown, true), last)).toBe('give-up');
  });

  it('outcome unknown: the request may have been carried out', () => {
    expect(classifyFailure(failure(504, ErrorCode.outcomeUnknown, true), first)).toBe('outcome-unknown');
  });
});

describe('every job follows it', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  /** The simulated gateway with some calls failing. */
  const failing = (overrides: Partial<GenesysGateway>) => jobContext({ db: t.database.db, gateway: { ...createSimulatedGateway(t.database.db), ...overrides }, clock: systemClock, caches: createCaches(), logger: createLogger('silent') });
  const throwing = (err: unknown) => async () => {
    throw err;
  };

  async function campaignCallback() {
    const name = `c-${Math.random().toString(36).slice(2)}`;
    const created = await t.app.inject({ method: 'POST', url: '/admin/v1/campaigns', headers: (await authHeader(t, ['administrator'])).headers, payload: { name, contactListId: 'list-1', phoneColumn: 'Phone', maxDelaySeconds: 3600 } });
    expect(created.statusCode, created.body).toBe(201);
    const answer = await requestCampaignCallback(testContext(t.database.db), { campaign: name, phoneNumber: '+12025550140', delaySeconds: 0, priority: false } as never);
    expect(answer.outcome).toBe('SCHEDULED');
    return answer.callbackId;
  }
  const campaignRow = (id: string) => t.database.db.selectFrom('campaign_callbacks').select(['state', 'delivery_status', 'delivery_error']).where('id', '=', id).executeTakeFirstOrThrow();

  it('campaign dialing retries a 401 (as delivery does) instead of failing the callback', async () => {
    const id = await campaignCallback();
    await expect(dialCampaignCallback(failing({ addContacts: throwing(failure(401, 'bad.credentials')) }), { id }, { job: first as never })).rejects.toThrow();
    expect(await campaignRow(id)).toMatchObject({ state: 'SCHEDULED', delivery_status: 'PENDING' });
    await dialCampaignCallback(failing({}), { id }, { job: first as never });
    expect(await campaignRow(id)).toMatchObject({ state: 'QUEUED', delivery_status: 'DELIVERED' });
  });

  it('campaign dialing gives up on a refusal, and on its last attempt', async () => {
    const refused = await campaignCallback();
    await dialCampaignCallback(failing({ addContacts: throwing(failure(400, 'bad.request')) }), { id: refused }, { job: first as never });
    expect(await campaignRow(refused)).toMatchObject({ state: 'COMPLETED', delivery_status: 'FAILED', delivery_error: expect.stringContaining('400') });
    const exhausted = await campaignCallback();
    await dialCampaignCallback(failing({ addContacts: throwing(failure(503, 'service.unavailable', true)) }), { id: exhausted }, { job: last as never });
    expect((await campaignRow(exhausted)).delivery_status).toBe('FAILED');
  });

  async function deliveredCallback(desiredTime?: string) {
    const queue = await factories(t.database.db).queue({ genesysQueueId: `gq-${Math.random().toString(36).slice(2)}` });
    const actions = (await authHeader(t, ['actions'])).headers;
    const payload = { queue: queue.name, phoneNumber: '+12025550141', ...(desiredTime && { desiredTime, acceptNearest: true }) };
    const created = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload });
    expect(created.json().outcome, created.body).toBe('CREATED');
    const callbackId = created.json().callbackId as string;
    await deliverCallback(failing({}), { callbackId }, { job: first as never });
    return callbackId;
  }
  const events = async (callbackId: string) => (await t.database.db.selectFrom('callback_history').select(['event', 'actor']).where('callback_id', '=', callbackId).orderBy('id').execute());

  it('a cancel Genesys refuses is recorded once instead of retried; a retryable one is retried; a 404 is done', async () => {
    const refused = await deliveredCallback();
    await cancelInGenesys(failing({ cancelCallback: throwing(failure(400, 'bad.request')) }), { callbackId: refused });
    expect((await events(refused)).at(-1)).toEqual({ event: 'cancel-in-genesys-failed', actor: 'worker' });

    const busy = await deliveredCallback();
    await expect(cancelInGenesys(failing({ cancelCallback: throwing(failure(503, 'service.unavailable', true)) }), { callbackId: busy })).rejects.toThrow();
    await expect(cancelInGenesys(failing({ cancelCallback: throwing(failure(504, ErrorCode.outcomeUnknown, true)) }), { callbackId: busy })).rejects.toThrow();
    await expect(cancelInGenesys(failing({ cancelCallback: throwing(failure(401, 'bad.credentials')) }), { callbackId: busy })).rejects.toThrow();

    const gone = await deliveredCallback();
    await cancelInGenesys(failing({ cancelCallback: throwing(failure(404, 'not.found')) }), { callbackId: gone });
    expect((await events(gone)).at(-1)).toEqual({ event: 'cancelled-in-genesys', actor: 'worker' });
  });

  it('a reschedule Genesys refuses is recorded once instead of retried', async () => {
    const callbackId = await deliveredCallback(new Date(Date.now() + 86_400_000).toISOString().slice(0, 13) + ':00');
    const row = await t.database.db.selectFrom('callbacks').select(['state', 'scheduled_time']).where('id', '=', callbackId).executeTakeFirstOrThrow();
    expect(row.state).toBe('SCHEDULED');
    await rescheduleInGenesys(failing({ rescheduleCallback: throwing(failure(400, 'bad.request')) }), { callbackId });
    expect((await events(callbackId)).at(-1)).toEqual({ event: 'reschedule-in-genesys-failed', actor: 'worker' });
    await expect(rescheduleInGenesys(failing({ rescheduleCallback: throwing(failure(429, 'too.many.requests', true)) }), { callbackId })).rejects.toThrow();
  });

  it('a preview re-submission Genesys refuses ends the attempt as FAILED; a retryable one is retried', async () => {
    const db = t.database.db;
    const contact = await db
      .insertInto('preview_contacts')
      .values({ phone_digits: '12025550142', contact_id: `c-${Math.random()}`, contact_list_id: 'list-1', accepted_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    let n = 0;
    const attempt = async () =>
      String((await db.insertInto('retry_attempts').values({ preview_contact_id: contact.id, attempt: ++n, status: 'SCHEDULED' }).returning('id').executeTakeFirstOrThrow()).id);
    const found = async () => ({ id: 'c', contactListId: 'list-1', data: { Phone: '+12025550142' }, callable: true, callRecords: {} });
    const status = async (id: string) => (await db.selectFrom('retry_attempts').select(['status', 'error']).where('id', '=', id).executeTakeFirstOrThrow());

    const refused = await attempt();
    await resubmitContact(failing({ getContact: found, addContacts: throwing(failure(400, 'bad.request')) }), { attemptId: refused }, { job: first as never });
    expect(await status(refused)).toMatchObject({ status: 'FAILED', error: expect.stringContaining('400') });

    const busy = await attempt();
    await expect(resubmitContact(failing({ getContact: found, addContacts: throwing(failure(401, 'bad.credentials')) }), { attemptId: busy }, { job: first as never })).rejects.toThrow();
    expect((await status(busy)).status).toBe('SCHEDULED');
  });
});
