import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';

let t: TestApp;
let admin: { authorization: string };
const refs = { hoursId: '', capacityRuleId: '', numberRuleId: '', policyId: '' };

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.inject({ method, url: `/admin/v1${url}`, headers: admin, ...(payload && { payload }) });

async function created(url: string, body: object) {
  const res = await call('POST', url, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

beforeAll(async () => {
  t = await buildTestApp();
  admin = (await authHeader(t, ['administrator'])).headers;
  refs.hoursId = (await created('/business-hours', { name: 'ref hours', timezone: 'Europe/Berlin', weekly: { monday: [{ start: '08:00', end: '20:00' }] } })).id;
  refs.capacityRuleId = (await created('/capacity-rules', { name: 'ref rule', timeslotLength: 'hour' })).id;
  refs.numberRuleId = (await created('/number-rules', { name: 'ref numbers', permittedCountries: ['DE'] })).id;
  refs.policyId = (await created('/prioritization-policies', { name: 'ref policy', mode: 'step', intervalSeconds: 60, maxSteps: 3, maxPriority: 30 })).id;
});
afterAll(async () => t.close());

interface Case {
  path: string;
  entity: string;
  /** Every field set, none to its default. */
  create(): object;
  /** The created record's id in the POST answer (clients answer { client, clientSecret }). */
  idOf?(answer: any): string;
  patch: Record<string, unknown>;
  /** The patched field's value afterwards, when it is not simply the value sent (merges). */
  expected?: unknown;
}

const cases: Case[] = [
  {
    path: '/queues',
    entity: 'queue',
    create: () => ({
      name: 'Every setting',
      genesysQueueId: 'genesys-queue-1',
      timezone: 'Europe/Berlin',
      businessHoursId: refs.hoursId,
      immediateEnabled: false,
      scheduledEnabled: false,
      slotDurationMinutes: 30,
      slotCapacity: 3,
      capacityRuleId: refs.capacityRuleId,
      numberRuleId: refs.numberRuleId,
      prioritizationPolicyId: refs.policyId,
      maxDaysAhead: 10,
      immediateBlackoutMinutes: 20,
      purgeAfterMinutes: 90,
      purgeAtClose: true,
      maxPendingPerNumber: 4,
      defaultPriority: 42,
      scriptId: 'script-1',
      defaultCountry: 'DE',
      immediateOfferHoursId: refs.hoursId,
      maxEwtSeconds: 600,
      maxWaitingCallbacks: 50,
      throttles: [{ limit: 50, windowMinutes: 10 }, { limit: 200, windowMinutes: 60 }],
      maxPerNumberPerDay: 3,
      emergencyClosed: true,
      closedReason: 'Maintenance',
    }),
    patch: { slotCapacity: 8 },
  },
  {
    path: '/business-hours',
    entity: 'business-hours',
    create: () => ({
      name: 'Every hours field',
      timezone: 'Asia/Tokyo',
      weekly: { monday: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '18:00' }], saturday: [{ start: '10:00', end: '14:00' }] },
      exceptions: [{ date: '2030-12-24', closed: false, intervals: [{ start: '09:00', end: '11:00' }] }, { date: '2030-12-25', closed: true, intervals: [] }],
    }),
    patch: { name: 'Renamed hours' },
  },
  {
    path: '/capacity-rules',
    entity: 'capacity-rule',
    create: () => ({ name: 'Every rule field', timeslotLength: 'halfHour', cells: { monday: { '09:00': 3, '09:30': 4 } } }),
    patch: { cells: { tuesday: { '10:00': 2 } } },
    expected: { monday: { '09:00': 3, '09:30': 4 }, tuesday: { '10:00': 2 } },
  },
  {
    path: '/number-rules',
    entity: 'number-rule',
    create: () => ({ name: 'Every number field', permittedCountries: ['US', 'CA'], blockedPatterns: ['^1900'], blockedNumberTypes: ['PREMIUM_RATE'] }),
    patch: { blockedPatterns: ['^1976'] },
  },
  {
    path: '/prioritization-policies',
    entity: 'prioritization-policy',
    create: () => ({ name: 'Every policy field', mode: 'age', initialDelaySeconds: 60, intervalSeconds: 45, increment: 3, basePriority: 10, pointsPerMinute: 2.5, maxSteps: 7, maxPriority: 500 }),
    patch: { maxSteps: 8 },
  },
  {
    path: '/retry-policies',
    entity: 'retry-policy',
    create: () => ({ name: 'Every retry field', match: 'ININ-OUTBOUND-PREVIEW-SKIPPED', waitSeconds: 100, maxAttempts: 4, clearSystemData: true, priority: true }),
    patch: { waitSeconds: 200 },
  },
  {
    path: '/campaigns',
    entity: 'campaign',
    create: () => ({
      name: 'Every campaign field',
      contactListId: 'contact-list-1',
      phoneColumn: 'Phone',
      nameColumn: 'FullName',
      extraColumns: { Source: 'ivr' },
      numberRuleId: refs.numberRuleId,
      businessHoursId: refs.hoursId,
      maxDelaySeconds: 600,
      maxPendingPerNumber: 2,
      maxQueuedHours: 48,
      defaultCountry: 'DE',
    }),
    patch: { maxQueuedHours: 6 },
  },
  {
    path: '/call-in-groups',
    entity: 'call-in-group',
    create: () => ({
      name: 'Every call-in field',
      accessCodeEnabled: true,
      accessCodeLength: 8,
      expirySeconds: 600,
      uniqueDnis: true,
      matchCriteria: 'ALL',
      maxCodeAttempts: 5,
      dnis: [{ number: '+18005550100', description: 'Main' }],
    }),
    patch: { maxCodeAttempts: 2 },
  },
  {
    path: '/clients',
    entity: 'client',
    create: () => ({ name: 'every-client-field', roles: ['supervisor', 'monitor'], queues: ['Every setting'], active: false }),
    idOf: (answer) => answer.client.clientId,
    patch: { name: 'renamed-client' },
  },
];

describe('PATCH changes only the fields sent', () => {
  it.each(cases)(
    '$path: an empty PATCH is 400 "nothing to change"; a PATCH of one field leaves every other field as it was, and its audit entry names only that field',
    async (c) => {
      const id = (c.idOf ?? ((a: { id: string }) => a.id))(await created(c.path, c.create()));
      const before = (await call('GET', `${c.path}/${id}`)).json();

      const empty = await call('PATCH', `${c.path}/${id}`, {});
      expect(empty.statusCode).toBe(400);
      expect(empty.json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'body', correlationId: expect.any(String) });
      expect(empty.json().message).toContain('nothing to change');
      expect((await call('GET', `${c.path}/${id}`)).json()).toEqual(before);

      const [[field, value]] = Object.entries(c.patch) as [[string, unknown]];
      const res = await call('PATCH', `${c.path}/${id}`, c.patch);
      expect(res.statusCode, res.body).toBe(200);
      const after = (await call('GET', `${c.path}/${id}`)).json();
      const { [field]: changed, updatedAt: _a, ...rest } = after;
      const { [field]: _old, updatedAt: _b, ...restBefore } = before;
      expect(changed).toEqual(c.expected ?? value);
      expect(rest).toEqual(restBefore);

      const audit = (await call('GET', `/audit?entity=${c.entity}&entityId=${id}`)).json().items;
      expect(audit.map((a: { action: string }) => a.action)).toEqual(['update', 'create']);
      expect(audit[0].before).toEqual({ [field]: before[field] });
      expect(audit[0].after).toEqual({ [field]: c.expected ?? value });
    },
  );

  it('null clears a nullable queue field and leaves the others as they were', async () => {
    const queue = await created('/queues', { ...cases[0]!.create(), name: 'Nullable fields', genesysQueueId: 'genesys-queue-2' });
    const res = await call('PATCH', `/queues/${queue.id}`, { purgeAfterMinutes: null, defaultCountry: null });
    expect(res.statusCode, res.body).toBe(200);
    const { purgeAfterMinutes, defaultCountry, updatedAt: _a, ...rest } = (await call('GET', `/queues/${queue.id}`)).json();
    const { purgeAfterMinutes: _p, defaultCountry: _d, updatedAt: _b, ...restBefore } = queue;
    expect({ purgeAfterMinutes, defaultCountry }).toEqual({ purgeAfterMinutes: null, defaultCountry: null });
    expect(rest).toEqual(restBefore);
  });

  it('defaults inside a replaced list still apply to its new items: an exception sent without closed/intervals is open with no special hours', async () => {
    const hours = await created('/business-hours', { name: 'Exceptions replaced', timezone: 'Europe/Berlin', weekly: { monday: [{ start: '09:00', end: '17:00' }] } });
    const res = await call('PATCH', `/business-hours/${hours.id}`, { exceptions: [{ date: '2030-12-24' }] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().exceptions).toEqual([{ date: '2030-12-24', closed: false, intervals: [] }]);
  });
});
