import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RE2JS } from 're2js';
import { MAX_PATTERN_COST, MAX_RULE_COST, patternCost } from '../src/numbers/screening.js';
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

let n = 0;
const name = () => `stall-${++n}-${Math.random().toString(36).slice(2, 6)}`;
const createRule = (payload: object) => t.app.inject({ method: 'POST', url: '/admin/v1/number-rules', headers: admin, payload });

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Distinct patterns of case-folded letter-or-digit classes: tiny to type, costly to compile. */
const wide = (repeat: number, count: number) =>
  Array.from({ length: count }, (_, i) => `(?i)[\\pL\\pN]{${repeat}}${LETTERS[i % 26]}${LETTERS[Math.floor(i / 26) % 26]}`);

const costOf = (pattern: string) => patternCost(RE2JS.compile(pattern));

/**
 * Sends `/healthz` again and again until `work` settles, each from a new turn of the event loop as
 * a request from a socket would be. For each answer it counts the RE2 program units compiled while
 * the request waited (every `RE2JS.compile`, weighed with `patternCost`): how much compiling the
 * service did before answering. A count, not a duration: the service yields after a slice of a few
 * milliseconds of wall time (a few thousand units here), so a busy machine can only lower it.
 */
async function healthzWhile<T>(app: TestApp['app'], work: Promise<T>): Promise<{ result: T; heldUnits: number; answered: number }> {
  let settled = false;
  const done = work.finally(() => (settled = true));
  let heldUnits = 0;
  let answered = 0;
  while (!settled) {
    const before = compiledUnits;
    await new Promise((resolve) => setImmediate(resolve));
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    heldUnits = Math.max(heldUnits, compiledUnits - before);
    expect(res.statusCode).toBe(200);
    answered++;
  }
  return { result: await done, heldUnits, answered };
}

/** RE2 program units compiled so far, by this module or a fresh copy of the service (re2js itself is shared). */
let compiledUnits = 0;
const compile = RE2JS.compile.bind(RE2JS);
beforeAll(() => {
  vi.spyOn(RE2JS, 'compile').mockImplementation(((...args: Parameters<typeof RE2JS.compile>) => {
    const re = compile(...args);
    compiledUnits += patternCost(re);
    return re;
  }) as typeof RE2JS.compile);
});

/** At most a fifth of the rule budget compiled while one /healthz waits (the whole budget is ~0.5 s of CPU, a slice ~2 ms). */
const MAX_HELD_UNITS = MAX_RULE_COST / 5;

describe('number rules cannot stall the service', () => {
  it('refuses 490 patterns like (?i)[\\pL\\pN]{199}N with 400 naming the first, each being over the per-pattern cost', async () => {
    const patterns = wide(197, 490);
    const res = await createRule({ name: name(), permittedCountries: ['US'], blockedPatterns: patterns });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'VALIDATION_FAILED', field: 'blockedPatterns[0]' });
    expect(res.json().message).toMatch(/^blockedPatterns\[0\]: pattern is too complex: \d+ RE2 program units, over 1000 per pattern$/);
  });

  it('refuses a rule whose patterns together cost over the rule budget, on create and PATCH, with 400 naming the costliest', async () => {
    const patterns = [...wide(100, 489), '^1900'];
    expect(costOf(patterns[0]!)).toBeLessThanOrEqual(MAX_PATTERN_COST);

    const created = await createRule({ name: name(), permittedCountries: ['US'], blockedPatterns: patterns });
    expect(created.statusCode).toBe(400);
    const body = created.json();
    expect(body).toMatchObject({ error: 'VALIDATION_FAILED', field: 'blockedPatterns[0]' });
    expect(typeof body.correlationId).toBe('string');
    expect(body.message).toMatch(
      /^blockedPatterns\[0\]: patterns together are too complex: \d+ RE2 program units, over the rule's 300000; costliest: blockedPatterns\[0\] \(\d+\), blockedPatterns\[1\] \(\d+\), blockedPatterns\[2\] \(\d+\), blockedPatterns\[3\] \(\d+\), blockedPatterns\[4\] \(\d+\) and 485 more$/,
    );

    const rule = (await createRule({ name: name(), permittedCountries: ['US'], blockedPatterns: ['^1900'] })).json();
    const patched = await t.app.inject({ method: 'PATCH', url: `/admin/v1/number-rules/${rule.id}`, headers: admin, payload: { blockedPatterns: patterns } });
    expect(patched.statusCode).toBe(400);
    expect(patched.json()).toMatchObject({ field: 'blockedPatterns[0]', message: expect.stringMatching(/together are too complex/) });
    const after = await t.app.inject({ method: 'GET', url: `/admin/v1/number-rules/${rule.id}`, headers: admin });
    expect(after.json()).toMatchObject({ blockedPatterns: ['^1900'], updatedAt: rule.updatedAt });
  });

  it('answers 409 naming the rule and pattern, not 500, when a stored rule no longer compiles (written around the API)', async () => {
    const rule = (await createRule({ name: name(), permittedCountries: ['US'], blockedPatterns: ['^1900'] })).json();
    await t.database.db
      .updateTable('number_rules')
      .set({ blocked_patterns: ['^1900', wide(199, 1)[0]!], updated_at: new Date() })
      .where('id', '=', rule.id)
      .execute();
    const res = await t.app.inject({
      method: 'POST',
      url: '/actions/v1/numbers/check',
      headers: actions,
      payload: { rule: rule.name, phoneNumber: '+12025550123' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'CONFLICT', details: { ruleId: rule.id, field: 'blockedPatterns[1]' } });
    expect(res.json().message).toMatch(/cannot be used until an administrator edits it: blockedPatterns\[1\]: pattern is too complex/);
  });

  it('saves the costliest rule accepted, and screens with it on a replica whose cache is cold, without /healthz ever waiting behind more than a fifth of the rule budget of compiling', async () => {
    // The widest pattern under the per-pattern cap, as many times as the rule budget allows.
    let repeat = 1;
    while (costOf(wide(repeat + 1, 1)[0]!) <= MAX_PATTERN_COST) repeat++;
    const cost = costOf(wide(repeat, 1)[0]!);
    // An ordinary pattern last, so a blocked answer shows every pattern before it was compiled and tried.
    const patterns = [...wide(repeat, Math.min(499, Math.floor(MAX_RULE_COST / cost) - 1)), '^1202'];
    const total = patterns.map(costOf).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(MAX_RULE_COST);
    expect(total).toBeGreaterThan(0.95 * MAX_RULE_COST);

    const unitsBefore = compiledUnits;
    const saved = await healthzWhile(t.app, createRule({ name: name(), permittedCountries: ['US'], blockedPatterns: patterns }));
    expect(saved.result.statusCode).toBe(201);
    expect(compiledUnits - unitsBefore).toBeGreaterThanOrEqual(total); // the count saw every pattern compiled
    expect(saved.heldUnits).toBeLessThanOrEqual(MAX_HELD_UNITS);
    expect(saved.answered).toBeGreaterThan(5);
    const rule = saved.result.json();
    const queue = await factories(t.database.db).queue({ numberRuleId: rule.id });

    // Another replica: the same database, its own copy of every module, so nothing compiled here.
    vi.resetModules();
    const fresh = (await import('./helpers/app.js')) as typeof import('./helpers/app.js');
    const replica = await fresh.buildTestApp({ url: t.url });
    try {
      const coldBefore = compiledUnits;
      const check = replica.app.inject({ method: 'POST', url: '/actions/v1/numbers/check', headers: actions, payload: { queue: queue.name, phoneNumber: '+12024561111' } });
      const cold = await healthzWhile(replica.app, check);
      expect(compiledUnits - coldBefore).toBeGreaterThanOrEqual(total); // compiled again, cold
      expect(cold.result.json()).toMatchObject({ outcome: 'BLOCKED_PATTERN', matchedPattern: '^1202' });
      expect(cold.heldUnits).toBeLessThanOrEqual(MAX_HELD_UNITS);
      expect(cold.answered).toBeGreaterThan(5);
    } finally {
      await replica.close();
    }
  });
});
