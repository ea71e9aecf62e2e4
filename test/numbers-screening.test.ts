import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileRule,
  digitsOf,
  findBlockedPattern,
  normalizeNumber,
  normalizeRuleInput,
  NUMBER_TYPES,
  PatternError,
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

  it('accepts a complete rule, with country codes and types in any case', () => {
    expect(validateRuleSpec(input({ permittedCountries: ['gb'], blockedNumberTypes: ['premium_rate', 'UNKNOWN'] }))).toBeNull();
    expect(validateRuleSpec(input({ blockedNumberTypes: [...NUMBER_TYPES] }))).toBeNull();
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
    [{ blockedPatterns: Array.from({ length: 120 }, () => '[0-9]{900}') }, 'blockedPatterns[110]', /together are too complex/],
  ];
  it.each(refusals.map(([over, field, message]) => ({ over, field, message })))(
    'refuses a rule at $field ($message)',
    ({ over, field, message }) => {
      const error = validateRuleSpec(input(over));
      expect(error?.field).toBe(field);
      expect(error?.message).toMatch(message);
    },
  );

  it('accepts 500 number patterns, and patterns of 512 characters', () => {
    const numbers = Array.from({ length: 500 }, (_, i) => `^4420794${String(i).padStart(4, '0')}\\d{2}$`);
    expect(validateRuleSpec(input({ blockedPatterns: numbers }))).toBeNull();
    const long = `^${'[0-9]'.repeat(102)}$`;
    expect(long).toHaveLength(512);
    const alternation = `^(?:${Array.from({ length: 36 }, (_, i) => `4420794${String(i).padStart(6, '0')}`).join('|')})$`;
    expect(validateRuleSpec(input({ blockedPatterns: [long, alternation] }))).toBeNull();
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
  /** Mean time per call, the best of several batches, so one GC pause does not decide the result. */
  function timePerCall(fn: () => void, reps: number): number {
    fn();
    let best = Infinity;
    for (let batch = 0; batch < 5; batch++) {
      const start = performance.now();
      for (let i = 0; i < reps; i++) fn();
      best = Math.min(best, (performance.now() - start) / reps);
    }
    return best;
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

  it.each(CATASTROPHIC)('%s compiles or is refused, and when it compiles matching scales linearly', (pattern, matchesOnes) => {
    const error = validateRuleSpec({ permittedCountries: ['GB'], blockedPatterns: [pattern], blockedNumberTypes: [] });
    if (error) {
      expect(error.message.length).toBeGreaterThan(0);
      return;
    }
    const rule = compileRule(spec({ blockedPatterns: [pattern] }));
    for (const variant of [0, 1, 2]) {
      const times = [1_000, 10_000, 100_000].map((n) => {
        const text = inputs(n)[variant]!;
        return timePerCall(() => findBlockedPattern(rule, text), Math.max(3, 2_000_000 / n));
      });
      const [t1k, t10k, t100k] = times as [number, number, number];
      expect(t100k / t10k, `${pattern} variant ${variant}: ${times.join(', ')} ms`).toBeLessThan(30);
      expect(t10k / t1k, `${pattern} variant ${variant}: ${times.join(', ')} ms`).toBeLessThan(30);
    }
    expect(findBlockedPattern(rule, '1'.repeat(100_000))).toBe(matchesOnes ? pattern : null);
  });
});

describe('RuleCache', () => {
  it('compiles once per version and recompiles when the version changes', () => {
    const cache = new RuleCache();
    const v1 = spec({ blockedPatterns: ['^44'] });
    const first = cache.get(v1);
    expect(cache.get({ ...v1, blockedPatterns: ['^44'] })).toBe(first);

    const v2 = { ...v1, version: '2025-01-02T00:00:00.000Z', blockedPatterns: ['^1'] };
    const second = cache.get(v2);
    expect(second).not.toBe(first);
    expect(second.spec.version).toBe(v2.version);
    expect(screenNumber(second, US_WHITE_HOUSE).outcome).toBe('BLOCKED_PATTERN');
    expect(cache.size).toBe(1);
  });

  it('keeps at most max rules, dropping the least recently used', () => {
    const cache = new RuleCache(2);
    const a = cache.get(spec({ id: 'a' }));
    const b = cache.get(spec({ id: 'b' }));
    cache.get(spec({ id: 'a' }));
    cache.get(spec({ id: 'c' }));
    expect(cache.size).toBe(2);
    expect(cache.get(spec({ id: 'a' }))).toBe(a);
    expect(cache.get(spec({ id: 'b' }))).not.toBe(b);
  });

  it('does not cache a rule that fails to compile', () => {
    const cache = new RuleCache();
    expect(() => cache.get(spec({ blockedPatterns: ['('] }))).toThrow(PatternError);
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

  it('an arbitrary pattern is refused by validation or gives a usable rule', () => {
    const regexish = fc.string({ unit: fc.constantFrom(...'()[]{}*+?|^$\\.,-0123456789adpLx=<>!:'.split('')), maxLength: 40 });
    fc.assert(
      fc.property(fc.oneof(regexish, fc.string({ unit: 'binary', maxLength: 600 }), anyUtf16), (pattern) => {
        const s = spec({ blockedPatterns: [pattern] });
        const error = validateRuleSpec(s);
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
