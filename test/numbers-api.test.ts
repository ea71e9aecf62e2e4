import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

let t: TestApp;
let admin: { authorization: string };
let actions: { authorization: string };
beforeAll(async () => {
  t = await buildTestApp();
  admin = (await authHeader(t, ['administrator'])).headers;
  actions = (await authHeader(t, ['actions'])).headers;
});
afterAll(async () => t.close());

const createRule = (payload: object) => t.app.inject({ method: 'POST', url: '/admin/v1/number-rules', headers: admin, payload });
const check = (payload: object) => t.app.inject({ method: 'POST', url: '/actions/v1/numbers/check', headers: actions, payload });
let n = 0;
const name = () => `rule-${++n}-${Math.random().toString(36).slice(2, 6)}`;

describe('number rules', () => {
  it('normalize countries and types, and refuse what cannot be used with 400 naming the field', async () => {
    const ok = await createRule({ name: name(), permittedCountries: ['us', 'CA', 'us'], blockedPatterns: ['^1900'], blockedNumberTypes: ['PREMIUM_RATE'] });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ permittedCountries: ['US', 'CA'], blockedPatterns: ['^1900'], blockedNumberTypes: ['PREMIUM_RATE'] });

    const cases: [object, string, RegExp][] = [
      [{ permittedCountries: [] }, 'permittedCountries', /fewer than 1|at least one/],
      [{ permittedCountries: ['ZZ'] }, 'permittedCountries[0]', /country/],
      [{ permittedCountries: ['US'], blockedPatterns: ['^1(23'] }, 'blockedPatterns[0]', /RE2|missing/i],
      [{ permittedCountries: ['US'], blockedPatterns: ['^(?=1)'] }, 'blockedPatterns[0]', /RE2|invalid|lookahead/i],
      [{ permittedCountries: ['US'], blockedNumberTypes: ['EXPENSIVE'] }, 'blockedNumberTypes[0]', /allowed|one of/],
      [{ permittedCountries: ['US'], blockedPatterns: Array.from({ length: 501 }, (_, i) => `^${i}`) }, 'blockedPatterns', /more than 500/],
      [{ permittedCountries: ['US'], blockedPatterns: ['1'.repeat(513)] }, 'blockedPatterns[0]', /more than 512/],
    ];
    for (const [body, field, message] of cases) {
      const res = await createRule({ name: name(), ...body });
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json().field).toBe(field);
      expect(res.json().message).toMatch(message);
    }
  });

  it('accept 500 patterns of 512 characters at most', async () => {
    const res = await createRule({ name: name(), permittedCountries: ['GB'], blockedPatterns: Array.from({ length: 500 }, (_, i) => `^44${String(i).padStart(3, '0')}[0-9]+`) });
    expect(res.statusCode).toBe(201);
  });

  it('try numbers through the test endpoint with the data action’s answer', async () => {
    const rule = (await createRule({ name: name(), permittedCountries: ['GB'], blockedPatterns: ['^44207946'], blockedNumberTypes: ['PREMIUM_RATE'] })).json();
    const tryIt = async (phoneNumber: string) =>
      (await t.app.inject({ method: 'POST', url: `/admin/v1/number-rules/${rule.id}/test`, headers: admin, payload: { phoneNumber } })).json();
    expect(await tryIt('+447400123456')).toMatchObject({ allowed: true, outcome: 'ALLOWED', phoneE164: '+447400123456', country: 'GB', numberType: 'MOBILE' });
    expect(await tryIt('020 7946 0958')).toMatchObject({ allowed: false, outcome: 'BLOCKED_PATTERN', matchedPattern: '^44207946', phoneE164: '+442079460958' });
    expect(await tryIt('+449098790000')).toMatchObject({ allowed: false, outcome: 'BLOCKED_NUMBER_TYPE', numberType: 'PREMIUM_RATE' });
    expect(await tryIt('+12024561111')).toMatchObject({ allowed: false, outcome: 'COUNTRY_NOT_PERMITTED', country: 'US' });
    expect(await tryIt('not a number')).toMatchObject({ allowed: false, outcome: 'INVALID_NUMBER', phoneE164: '' });
  });

  it('cannot be deleted while assigned (409 listing the queues), and can after unassigning (204)', async () => {
    const rule = (await createRule({ name: name(), permittedCountries: ['US'] })).json();
    const queue = await factories(t.database.db).queue({ numberRuleId: rule.id });
    const refused = await t.app.inject({ method: 'DELETE', url: `/admin/v1/number-rules/${rule.id}`, headers: admin });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().details.queues).toEqual([{ id: queue.id, name: queue.name }]);
    await t.app.inject({ method: 'PATCH', url: `/admin/v1/queues/${queue.id}`, headers: admin, payload: { numberRuleId: null } });
    expect((await t.app.inject({ method: 'DELETE', url: `/admin/v1/number-rules/${rule.id}`, headers: admin })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/admin/v1/number-rules/${rule.id}`, headers: admin })).statusCode).toBe(404);
  });
});

describe('POST /actions/v1/numbers/check', () => {
  it('screens in the product’s order: a non-permitted number that also matches a pattern is COUNTRY_NOT_PERMITTED', async () => {
    const rule = (await createRule({ name: name(), permittedCountries: ['US'], blockedPatterns: ['^44', '^1202'] })).json();
    const queue = await factories(t.database.db).queue({ numberRuleId: rule.id });
    expect((await check({ queue: queue.name, phoneNumber: '+442079460958' })).json()).toMatchObject({ outcome: 'COUNTRY_NOT_PERMITTED', matchedPattern: '' });
    expect((await check({ queue: queue.name, phoneNumber: '+12024561111' })).json()).toMatchObject({ outcome: 'BLOCKED_PATTERN', matchedPattern: '^1202' });
    expect((await check({ queue: queue.name, phoneNumber: '+15555551234' })).json().outcome).toBe('INVALID_NUMBER');
  });

  it('reads tel: URIs and national numbers with the request’s, the queue’s or the rule’s default country', async () => {
    const rule = (await createRule({ name: name(), permittedCountries: ['GB', 'US'] })).json();
    const ukQueue = await factories(t.database.db).queue({ numberRuleId: rule.id, defaultCountry: 'GB' });
    const plain = await factories(t.database.db).queue({ numberRuleId: rule.id });
    expect((await check({ queue: ukQueue.name, phoneNumber: 'tel:+12024561111' })).json()).toMatchObject({ outcome: 'ALLOWED', phoneE164: '+12024561111' });
    expect((await check({ queue: ukQueue.name, phoneNumber: '020 7946 0958' })).json()).toMatchObject({ outcome: 'ALLOWED', phoneE164: '+442079460958' });
    expect((await check({ queue: ukQueue.name, phoneNumber: '(202) 456-1111', defaultCountry: 'US' })).json()).toMatchObject({ outcome: 'ALLOWED', phoneE164: '+12024561111' });
    // No default on the queue: the rule's first permitted country (GB).
    expect((await check({ queue: plain.name, phoneNumber: '020 7946 0958' })).json()).toMatchObject({ outcome: 'ALLOWED', country: 'GB' });
    expect((await check({ rule: rule.name, phoneNumber: '07400 123456' })).json()).toMatchObject({ outcome: 'ALLOWED', numberType: 'MOBILE' });
  });

  it('allows every valid number for a queue without a rule; every output key is always present', async () => {
    const queue = await factories(t.database.db).queue();
    const body = (await check({ queue: queue.name, phoneNumber: '+33612345678' })).json();
    expect(body).toEqual({ allowed: true, outcome: 'ALLOWED', phoneE164: '+33612345678', country: 'FR', numberType: 'MOBILE', matchedPattern: '', message: expect.any(String) });
  });

  it('sees a rule change at once, on every replica', async () => {
    const rule = (await createRule({ name: name(), permittedCountries: ['US'] })).json();
    const queue = await factories(t.database.db).queue({ numberRuleId: rule.id });
    const other = await buildTestApp({ url: t.url });
    try {
      const otherActions = (await authHeader(other, ['actions'])).headers;
      const checkOn = async (phoneNumber: string) =>
        (await other.app.inject({ method: 'POST', url: '/actions/v1/numbers/check', headers: otherActions, payload: { queue: queue.name, phoneNumber } })).json().outcome;
      expect(await checkOn('+12024561111')).toBe('ALLOWED');
      await new Promise((r) => setTimeout(r, 5)); // a distinct updated_at
      await t.app.inject({ method: 'PATCH', url: `/admin/v1/number-rules/${rule.id}`, headers: admin, payload: { blockedPatterns: ['^1202'] } });
      expect(await checkOn('+12024561111')).toBe('BLOCKED_PATTERN');
    } finally {
      await other.close();
    }
  });

  it('answers 400 for a missing number or both queue and rule, 404 for an unknown queue or rule', async () => {
    const queue = await factories(t.database.db).queue();
    expect((await check({ queue: queue.name })).json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'phoneNumber' });
    expect((await check({ queue: queue.name, rule: 'x', phoneNumber: '+12024561111' })).json()).toMatchObject({ field: 'rule' });
    expect((await check({ queue: 'nope', phoneNumber: '+12024561111' })).statusCode).toBe(404);
    expect((await check({ rule: 'nope', phoneNumber: '+12024561111' })).statusCode).toBe(404);
  });

  it('never answers 500 for any phone number or default country (fuzzed)', async () => {
    const rule = (await createRule({ name: name(), permittedCountries: ['US', 'GB'], blockedPatterns: ['^1900', '(a+)+$'] })).json();
    const queue = await factories(t.database.db).queue({ numberRuleId: rule.id });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[+0-9 ()-.]{0,30}$/)), fc.option(fc.string({ maxLength: 4 }), { nil: undefined }), async (phoneNumber, defaultCountry) => {
        const res = await check({ queue: queue.name, phoneNumber, ...(defaultCountry !== undefined && { defaultCountry }) });
        expect([200, 400]).toContain(res.statusCode);
        if (res.statusCode === 200) expect(Object.keys(res.json()).sort()).toEqual(['allowed', 'country', 'matchedPattern', 'message', 'numberType', 'outcome', 'phoneE164']);
      }),
      { numRuns: 300 },
    );
  });

  it('never answers 500 for any pattern an operator types, and a rule saved is always usable (fuzzed)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.stringMatching(/^[\^$()[\]{}|*+?.\\d0-9]{1,20}$/)), { minLength: 1, maxLength: 5 }), async (patterns) => {
        const res = await createRule({ name: name(), permittedCountries: ['US'], blockedPatterns: patterns });
        expect([201, 400]).toContain(res.statusCode);
        if (res.statusCode === 201) {
          const screened = await check({ rule: res.json().id, phoneNumber: '+12024561111' });
          expect(screened.statusCode).toBe(200);
        }
      }),
      { numRuns: 150 },
    );
  });
});
