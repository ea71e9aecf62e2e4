import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileRule,
  digitsOf,
  findBlockedPattern,
  MAX_RULE_COST,
  normalizeNumber,
  normalizeRuleInput,
  NUMBER_TYPES,
  patternCost,
  PatternError,
  prepareRule,
  RuleCache,
  SCREENING_OUTCOMES,
  screenNumber,
  validateRuleSpec,
} from '../src/numbers/screening.js';
import type { NumberRuleSpec, ScreeningResult } from '../src/numbers/screening.js';

// Example numbers, each checked against libphonenumber's "max" metadata (see the first test).
const US_WHITE_HOUSE = '+12024561111'; // FIXED_LINE_OR_MOBILE: NANP does not tell the two apart
const GB_FIXED = '+442079460958';
const GB_MOBILE = '+447400123456';
const GB_PREMIUM = '+449098790000';
const GB_TOLL_FREE = '+448001111111';
const FR_MOBILE = '+33612345678';
const DE_FIXED = '+493012345678';
const FREEPHONE_800 = '+80012345678'; // valid, but in no country
const FICTIONAL_US = '+15555551234'; // the Genesys samples' numbers: invalid for libphonenumber

const spec = (over: Partial<NumberRuleSpec> = {}): NumberRuleSpec => ({
  id: 'rule-1',
  version: '2025-01-01T00:00:00.000Z',
  permittedCountries: ['GB', 'US'],
  blockedPatterns: [],
  blockedNumberTypes: [],
  ...over,
});

const short = (v: unknown) => {
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

const RESULT_KEYS = ['allowed', 'country', 'matchedPattern', 'message', 'numberType', 'outcome', 'phoneE164'];

function expectWellFormed(r: ScreeningResult) {
  expect(Object.keys(r).sort()).toEqual(RESULT_KEYS);
  for (const key of RESULT_KEYS.filter((k) => k !== 'allowed')) expect(typeof r[key as keyof ScreeningResult]).toBe('string');
  expect(typeof r.allowed).toBe('boolean');
  expect(SCREENING_OUTCOMES).toContain(r.outcome);
  expect(r.allowed).toBe(r.outcome === 'ALLOWED');
  expect(r.message.length).toBeGreaterThan(0);
}

describe('normalizeNumber', () => {
  it.each([
    [US_WHITE_HOUSE, undefined, US_WHITE_HOUSE, 'US', 'FIXED_LINE_OR_MOBILE'],
    [GB_FIXED, undefined, GB_FIXED, 'GB', 'FIXED_LINE'],
    [GB_MOBILE, undefined, GB_MOBILE, 'GB', 'MOBILE'],
    [GB_PREMIUM, undefined, GB_PREMIUM, 'GB', 'PREMIUM_RATE'],
    [GB_TOLL_FREE, undefined, GB_TOLL_FREE, 'GB', 'TOLL_FREE'],
    [FR_MOBILE, undefined, FR_MOBILE, 'FR', 'MOBILE'],
    [DE_FIXED, undefined, DE_FIXED, 'DE', 'FIXED_LINE'],
    [FREEPHONE_800, undefined, FREEPHONE_800, '001', 'TOLL_FREE'],
  ])('reads %s as E.164 with country and number type', (input, dc, e164, country, numberType) => {
    expect(normalizeNumber(input, dc)).toEqual({ ok: true, number: { e164, country, numberType } });
  });

  it.each([
    ['tel:+12024561111', undefined, US_WHITE_HOUSE],
    ['TEL:+1-202-456-1111;ext=12', undefined, US_WHITE_HOUSE],
    ['tel:202-456-1111;phone-context=+1', undefined, US_WHITE_HOUSE],
    ['tel:+442079460958;isub=1234;phone-context=example.com', undefined, GB_FIXED],
    ['(202) 456-1111', 'US', US_WHITE_HOUSE],
    ['202.456.1111', 'us', US_WHITE_HOUSE],
    ['  +1 (202) 456-1111  ', undefined, US_WHITE_HOUSE],
    ['+1 [202] 456/1111', undefined, US_WHITE_HOUSE],
    ['020 7946 0958', 'GB', GB_FIXED],
    ['(+44) 20 7946 0958', undefined, GB_FIXED],
    ['+44\u00a020\u00a07946\u00a00958', undefined, GB_FIXED],
    ['0044 20 7946 0958', 'GB', GB_FIXED],
    ['00442079460958', 'DE', GB_FIXED],
    ['011 44 20 7946 0958', 'US', GB_FIXED],
  ])('accepts %j (default country %s)', (input, dc, e164) => {
    const r = normalizeNumber(input, dc);
    expect(r.ok && r.number.e164).toBe(e164);
  });

  const refusals: [string, RegExp][] = [
    ['', /empty/],
    ['   ', /empty/],
    ['tel:', /empty/],
    ['abc', /letters/],
    ['+12024561111abc', /letters/],
    ['+1 202 456 1111 ext 12', /letters/],
    ['+1 202 456 1111 #', /only digits/],
    ['☎️ +12024561111', /only digits/],
    ['12+34', /'\+'/],
    ['++12024561111', /'\+'/],
    ['+-()', /no digits/],
    ['2024561111', /default country/],
    [FICTIONAL_US, /not a valid phone number/],
    ['+1202', /not a valid phone number|not a phone number/],
    ['+1' + '2'.repeat(63), /longer than 64/],
    ['1'.repeat(100_000), /longer than 64/],
  ];
  it.each(refusals.map(([input, message]) => ({ label: short(input), input, message })))(
    'refuses $label with a clear message',
    ({ input, message }) => {
      const r = normalizeNumber(input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(message);
    },
  );
});

describe('digitsOf', () => {
  it('keeps the digits of a Genesys ANI, even a fictional one', () => {
    expect(digitsOf('tel:+15555551234')).toBe('15555551234');
    expect(digitsOf('+1 (555) 555-1234')).toBe('15555551234');
    expect(digitsOf('tel:+1-555-555-1234;ext=99')).toBe('15555551234');
    expect(digitsOf('sip:+15555551234@10.0.0.1')).toBe('15555551234');
    expect(digitsOf('15555551234')).toBe('15555551234');
    expect(digitsOf('')).toBe('');
  });
});

describe('screenNumber', () => {
  const rule = compileRule(
    spec({ blockedPatterns: ['^1234[0-9]+', '^44790', '999'], blockedNumberTypes: ['PREMIUM_RATE'] }),
  );

  it('allows a valid number from a permitted country, with every field filled in', () => {
    const r = screenNumber(rule, 'tel:+12024561111');
    expect(r).toEqual({
      allowed: true,
      outcome: 'ALLOWED',
      phoneE164: US_WHITE_HOUSE,
      country: 'US',
      numberType: 'FIXED_LINE_OR_MOBILE',
      matchedPattern: '',
      message: 'number is allowed',
    });
  });

  it('refuses an invalid number as INVALID_NUMBER, with the other fields empty', () => {
    const r = screenNumber(rule, FICTIONAL_US);
    expectWellFormed(r);
    expect(r).toMatchObject({ allowed: false, outcome: 'INVALID_NUMBER', phoneE164: '', country: '', numberType: '' });
  });

  it('refuses a number from a country not in the rule', () => {
    expect(screenNumber(rule, FR_MOBILE)).toMatchObject({ outcome: 'COUNTRY_NOT_PERMITTED', country: 'FR', phoneE164: FR_MOBILE });
  });

  it('checks the country before patterns: a non-permitted number matching a pattern is COUNTRY_NOT_PERMITTED', () => {
    const r = screenNumber(rule, '+49301234999'); // DE, and contains 999
    expect(r.outcome).toBe('COUNTRY_NOT_PERMITTED');
    expect(r.matchedPattern).toBe('');
  });

  it('refuses a blocked number type before patterns: a premium number matching a pattern is BLOCKED_NUMBER_TYPE', () => {
    const r = screenNumber(rule, '+449098790999'); // premium rate, and contains 999
    expect(r).toMatchObject({ outcome: 'BLOCKED_NUMBER_TYPE', numberType: 'PREMIUM_RATE', matchedPattern: '' });
  });

  it('refuses a number matching a pattern and reports the pattern', () => {
    expect(screenNumber(rule, '+447900123456')).toMatchObject({ outcome: 'BLOCKED_PATTERN', matchedPattern: '^44790' });
    expect(screenNumber(rule, '+12029995555')).toMatchObject({ outcome: 'BLOCKED_PATTERN', matchedPattern: '999' });
    expect(screenNumber(rule, GB_MOBILE).outcome).toBe('ALLOWED');
  });

  it('matches patterns against the E.164 digits without "+", with find semantics', () => {
    const r = compileRule(spec({ blockedPatterns: ['^1202'] }));
    expect(screenNumber(r, '(202) 456-1111', 'US').outcome).toBe('BLOCKED_PATTERN');
    const plus = compileRule(spec({ blockedPatterns: ['^\\+1'] }));
    expect(screenNumber(plus, US_WHITE_HOUSE).outcome).toBe('ALLOWED');
  });

  it('without a rule allows every valid number and still refuses invalid ones', () => {
    expect(screenNumber(null, GB_PREMIUM)).toMatchObject({ outcome: 'ALLOWED', numberType: 'PREMIUM_RATE' });
    expect(screenNumber(null, FREEPHONE_800)).toMatchObject({ outcome: 'ALLOWED', country: '001' });
    expect(screenNumber(null, FICTIONAL_US).outcome).toBe('INVALID_NUMBER');
    expect(screenNumber(null, '2024561111').outcome).toBe('INVALID_NUMBER');
  });

  it("reads a national number with the caller's default country, else the rule's first permitted country", () => {
    const gbFirst = compileRule(spec({ permittedCountries: ['gb', 'US'] }));
    expect(screenNumber(gbFirst, '020 7946 0958')).toMatchObject({ outcome: 'ALLOWED', phoneE164: GB_FIXED });
    expect(screenNumber(gbFirst, '(202) 456-1111', 'US')).toMatchObject({ outcome: 'ALLOWED', phoneE164: US_WHITE_HOUSE });
    expect(screenNumber(gbFirst, '020 7946 0958', 'XX').phoneE164).toBe(GB_FIXED);
  });

  it('a non-geographic number is never in a permitted country', () => {
    expect(screenNumber(rule, FREEPHONE_800).outcome).toBe('COUNTRY_NOT_PERMITTED');
  });
});

describe('validateRuleSpec and compileRule', () => {
  const input = (over: Partial<NumberRuleSpec> = {}) => {
    const { permittedCountries, blockedPatterns, blockedNumberTypes } = spec(over);
    return { permittedCountries, blockedPatterns, blockedNumberTypes };
  };

  it('accepts a complete rule, with country codes and types in any case', async () => {
    expect(await validateRuleSpec(input({ permittedCountries: ['gb'], blockedNumberTypes: ['premium_rate', 'UNKNOWN'] }))).toBeNull();
    expect(await validateRuleSpec(input({ blockedNumberTypes: [...NUMBER_TYPES] }))).toBeNull();
  });

  const refusals: [Partial<NumberRuleSpec>, string, RegExp][] = [
    [{ permittedCountries: [] }, 'permittedCountries', /at least one/],
    [{ permittedCountries: ['GB', 'XX'] }, 'permittedCountries[1]', /ISO-3166/],
    [{ permittedCountries: ['GBR'] }, 'permittedCountries[0]', /ISO-3166/],
    [{ blockedNumberTypes: ['MOBILE', 'SATELLITE'] }, 'blockedNumberTypes[1]', /PREMIUM_RATE/],
    [{ blockedPatterns: Array.from({ length: 501 }, (_, i) => `^${i}`) }, 'blockedPatterns', /at most 500/],
    [{ blockedPatterns: ['^44', ''] }, 'blockedPatterns[1]', /empty/],
    [{ blockedPatterns: ['1'.repeat(513)] }, 'blockedPatterns[0]', /longer than 512/],
    [{ blockedPatterns: ['^44', '[0-9'] }, 'blockedPatterns[1]', /not a valid RE2 pattern: missing closing \]/],
    [{ blockedPatterns: ['(?=44)'] }, 'blockedPatterns[0]', /unsupported Perl syntax/],
    [{ blockedPatterns: ['(\\d)\\1'] }, 'blockedPatterns[0]', /invalid escape sequence/],
    [{ blockedPatterns: ['(.*){1,32000}[bc]'] }, 'blockedPatterns[0]', /invalid repeat count/],
    [{ blockedPatterns: ['\\pL{1000}'.repeat(56)] }, 'blockedPatterns[0]', /too complex/],
    // 202 instructions only, but ~700 character ranges each: the matcher's tables grow with the ranges.
    [{ blockedPatterns: ['^44', '\\pL{200}'] }, 'blockedPatterns[1]', /too complex: \d+ RE2 program units, over 1000 per pattern/],
    // Duplicates are dropped before compiling; the field still names the pattern as sent.
    [{ blockedPatterns: ['^44', '^44', '(?i)[\\pL\\pN]{199}N'] }, 'blockedPatterns[2]', /too complex/],
    [
      { blockedPatterns: Array.from({ length: 400 }, (_, i) => `^${String(i).padStart(3, '0')}[0-9]{900}`) },
      'blockedPatterns[0]',
      /together are too complex: \d+ RE2 program units, over the rule's 300000; costliest: blockedPatterns\[0\] \(\d+\), .* and 395 more/,
    ],
  ];
  it.each(refusals.map(([over, field, message]) => ({ over, field, message })))(
    'refuses a rule at $field ($message)',
    async ({ over, field, message }) => {
      const error = await validateRuleSpec(input(over));
      expect(error?.field).toBe(field);
      expect(error?.message).toMatch(message);
    },
  );

  /** Deterministic digits, so no two patterns share long prefixes (which RE2 would factor out). */
  const digitsFrom = (seed: number) => (n: number) =>
    Array.from({ length: n }, () => ((seed = (seed * 48_271) % 2_147_483_647), seed % 10)).join('');

  it('accepts 500 patterns of 512 characters each: alternations of unrelated numbers, digit classes, literal digits', async () => {
    const digits = digitsFrom(7);
    // 36 numbers of 13 and 14 digits: 4 + 471 + 35 + 2 characters.
    const alternation = () => `^(?:${Array.from({ length: 36 }, (_, i) => digits(i < 3 ? 14 : 13)).join('|')})$`;
    const classes = (i: number) => `^${String(i).padStart(3, '0')}${'[0-9]'.repeat(101)}\\d$`;
    const literal = (i: number) => `^${String(i).padStart(3, '0')}${digits(508)}`;
    const patterns = Array.from({ length: 500 }, (_, i) => (i % 10 === 0 ? classes(i) : i % 10 === 1 ? literal(i) : alternation()));
    expect(patterns.every((p) => p.length === 512)).toBe(true);
    expect(new Set(patterns).size).toBe(500);

    const prepared = await prepareRule(input({ blockedPatterns: patterns }));
    if (!('rule' in prepared)) throw new Error(JSON.stringify(prepared.problem));
    const costs = prepared.rule.patterns.map((p) => patternCost(p.re));
    // Ordinary 512-character patterns cost about their length: room under both caps.
    expect(Math.max(...costs)).toBeLessThanOrEqual(520);
    expect(costs.reduce((a, b) => a + b, 0)).toBeLessThan(MAX_RULE_COST);
  });

  it('accepts 500 patterns of 512 literal digits, the costliest ordinary rule (~517 units each)', async () => {
    const digits = digitsFrom(11);
    const patterns = Array.from({ length: 500 }, (_, i) => `^${String(i).padStart(3, '0')}${digits(508)}`);
    expect(patterns.every((p) => p.length === 512)).toBe(true);
    expect(await validateRuleSpec(input({ blockedPatterns: patterns }))).toBeNull();
  });

  it('compileRule throws a PatternError naming the pattern, its index and the reason', () => {
    const err = (() => {
      try {
        compileRule(spec({ blockedPatterns: ['^44', '(a'] }));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PatternError);
    expect(err).toMatchObject({ index: 1, pattern: '(a', reason: expect.stringMatching(/missing closing \)/) });
  });

  it('normalizeRuleInput uppercases codes and types and drops duplicates, keeping order', () => {
    expect(
      normalizeRuleInput({ permittedCountries: ['us', 'GB', 'US'], blockedPatterns: ['^1', '^2', '^1'], blockedNumberTypes: ['voip', 'VOIP'] }),
    ).toEqual({ permittedCountries: ['US', 'GB'], blockedPatterns: ['^1', '^2'], blockedNumberTypes: ['VOIP'] });
  });
});

describe('pattern safety', () => {
  /**
   * Characters of the input RE2 reads while matching (re2js reads a string with charCodeAt). RE2's
   * guarantee is O(program × input): every (instruction, position) pair at most once, where a
   * backtracking engine re-reads the input exponentially often on these patterns.
   */
  function readsWhile(fn: () => void): number {
    const original = String.prototype.charCodeAt;
    let reads = 0;
    String.prototype.charCodeAt = function (this: string, pos: number) {
      reads++;
      return original.call(this, pos);
    };
    try {
      fn();
    } finally {
      String.prototype.charCodeAt = original;
    }
    return reads;
  }

  // Exponential for a backtracking engine; the flag says whether the pattern matches a run of '1's.
  const CATASTROPHIC: [string, boolean][] = [
    ['(a+)+$', false],
    ['^(\\d+)+$', true],
    ['(\\d*)*x', false],
    ['(\\d+)+5$', false],
    ['(\\d|\\d\\d)+$', true],
    ['(x+x+)+y', false],
  ];
  const inputs = (n: number) => ['1234567890'.repeat(n / 10), '1'.repeat(n - 1) + 'y', 'a'.repeat(n - 1) + '!'];

  it.each(CATASTROPHIC)('%s compiles or is refused, and when it compiles matching reads each character at most (program size) times', async (pattern, matchesOnes) => {
    const error = await validateRuleSpec({ permittedCountries: ['GB'], blockedPatterns: [pattern], blockedNumberTypes: [] });
    if (error) {
      expect(error.message.length).toBeGreaterThan(0);
      return;
    }
    const rule = compileRule(spec({ blockedPatterns: [pattern] }));
    const program = rule.patterns[0]!.re.re2().numberOfInstructions();
    for (const n of [1_000, 10_000, 100_000]) {
      for (const text of inputs(n)) {
        const reads = readsWhile(() => findBlockedPattern(rule, text));
        expect(reads, `${pattern} on ${n} characters`).toBeLessThanOrEqual(program * (n + 1));
        // And in practice once or twice per character: no re-reading at all.
        expect(reads, `${pattern} on ${n} characters`).toBeLessThanOrEqual(3 * n);
      }
    }
    expect(findBlockedPattern(rule, '1'.repeat(100_000))).toBe(matchesOnes ? pattern : null);
  });
});

describe('RuleCache', () => {
  it('compiles once per version and recompiles when the version changes', async () => {
    const cache = new RuleCache();
    const v1 = spec({ blockedPatterns: ['^44'] });
    const first = await cache.get(v1);
    expect(await cache.get({ ...v1, blockedPatterns: ['^44'] })).toBe(first);
    expect(cache.peek(v1.id, v1.version)).toBe(first);

    const v2 = { ...v1, version: '2025-01-02T00:00:00.000Z', blockedPatterns: ['^1'] };
    expect(cache.peek(v2.id, v2.version)).toBeUndefined();
    const second = await cache.get(v2);
    expect(second).not.toBe(first);
    expect(second.spec.version).toBe(v2.version);
    expect(screenNumber(second, US_WHITE_HOUSE).outcome).toBe('BLOCKED_PATTERN');
    expect(cache.size).toBe(1);
  });

  it('shares one compilation between checks that find a rule cold, and peek never waits for it', async () => {
    const cache = new RuleCache();
    const cold = spec({ blockedPatterns: Array.from({ length: 50 }, (_, i) => `^44${i}`) });
    const [a, b] = [cache.get(cold), cache.get(cold)];
    expect(cache.peek(cold.id, cold.version)).toBeUndefined();
    expect(await a).toBe(await b);
    expect(cache.peek(cold.id, cold.version)).toBe(await a);
  });

  it('keeps a rule compiled while it was saved, for the version saved', () => {
    const cache = new RuleCache();
    const saved = spec({ blockedPatterns: ['^1'] });
    const rule = cache.put(saved, compileRule(saved).patterns);
    expect(cache.peek(saved.id, saved.version)).toBe(rule);
    expect(cache.peek(saved.id, '2030-01-01T00:00:00.000Z')).toBeUndefined();
  });

  it('keeps at most max rules, dropping the least recently used', async () => {
    const cache = new RuleCache(2);
    const a = await cache.get(spec({ id: 'a' }));
    const b = await cache.get(spec({ id: 'b' }));
    await cache.get(spec({ id: 'a' }));
    await cache.get(spec({ id: 'c' }));
    expect(cache.size).toBe(2);
    expect(await cache.get(spec({ id: 'a' }))).toBe(a);
    expect(await cache.get(spec({ id: 'b' }))).not.toBe(b);
  });

  it('does not cache a rule that fails to compile', async () => {
    const cache = new RuleCache();
    await expect(cache.get(spec({ blockedPatterns: ['('] }))).rejects.toThrow(PatternError);
    expect(cache.size).toBe(0);
  });
});

describe('properties', () => {
  const rule = compileRule(spec({ blockedPatterns: ['^44', '999'], blockedNumberTypes: ['PREMIUM_RATE'] }));
  const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 80 });
  const phoneLike = fc.string({ unit: fc.constantFrom(...'0123456789+-() .tel:;=x'.split('')), maxLength: 70 });
  const inputs = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), anyUtf16, phoneLike);

  it('screenNumber never throws and always returns a well-formed result', () => {
    fc.assert(
      fc.property(inputs, fc.option(fc.string(), { nil: undefined }), fc.boolean(), (input, dc, withRule) => {
        expectWellFormed(screenNumber(withRule ? rule : null, input, dc));
      }),
      { numRuns: 2_000 },
    );
  });

  it('digitsOf returns only ASCII digits for any input', () => {
    fc.assert(fc.property(inputs, (input) => /^[0-9]*$/.test(digitsOf(input))), { numRuns: 1_000 });
  });

  it('an arbitrary pattern is refused by validation or gives a usable rule', async () => {
    const regexish = fc.string({ unit: fc.constantFrom(...'()[]{}*+?|^$\\.,-0123456789adpLx=<>!:'.split('')), maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(regexish, fc.string({ unit: 'binary', maxLength: 600 }), anyUtf16), async (pattern) => {
        const s = spec({ blockedPatterns: [pattern] });
        const error = await validateRuleSpec(s);
        if (error) {
          expect(error.field).toBe('blockedPatterns[0]');
          expect(() => compileRule(s)).toThrow(PatternError);
          return;
        }
        const compiled = compileRule(s);
        for (const n of [US_WHITE_HOUSE, GB_FIXED, FICTIONAL_US, 'tel:+442079460958']) expectWellFormed(screenNumber(compiled, n));
      }),
      { numRuns: 2_000 },
    );
  });
});
