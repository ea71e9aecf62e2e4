/**
 * Number screening with a large rule: `POST /actions/v1/numbers/check` for a queue whose number
 * rule permits US, CA and GB and blocks 500 patterns (premium and special-service ranges, then
 * exchange- and area-level blocks, the way operators accumulate them), created through the admin
 * service so each pattern passes validation. The requests rotate through allowed numbers (which
 * test all 500 patterns), numbers blocked by a pattern at the end of the list, national formats
 * with and without `defaultCountry`, a `tel:` URI, a number from a country that is not permitted,
 * and invalid input. Compared with the bare Fastify reference at the same rate.
 */
import { BENCH_CALLER, benchContext } from '../context.js';
import { createNumberRule } from '../../src/numbers/service.js';
import { compileRule, findBlockedPattern, screenNumber } from '../../src/numbers/screening.js';
import { createQueue } from '../../src/queues/service.js';
import type { BenchRequest, Scenario } from '../harness.js';

export const NUMBERS_QUEUE = 'bench-numbers';
export const NUMBERS_ROW = 'POST /actions/v1/numbers/check';
const RULE_SIZE = 500;

/** Premium, personal, special-service and fictional ranges in NANP and the UK. */
const SPECIAL_PATTERNS = [
  '^1900[0-9]+',
  '^1976[0-9]+',
  // Caribbean NANP area codes behind one-ring / callback scams
  '^1(242|246|264|268|284|345|441|473|649|664|721|758|767|784|809|829|849|868|869|876)[0-9]{7}$',
  '^1(500|521|522|523|524|525|526|527|528|529|533|544|566|577|588)[0-9]{7}$',
  '^1700[0-9]{7}$',
  '^1(600|622|633|644|655|677|688)[0-9]{7}$',
  '^1[2-9][0-9]{2}55501[0-9]{2}$',
  '^1[2-9][0-9]{2}976[0-9]{4}$',
  '^1[2-9][0-9]{2}(411|611|711|811|911)[0-9]{4}$',
  '^1456[0-9]{7}$',
  '^1880[0-9]{7}$',
  '^1881[0-9]{7}$',
  '^1882[0-9]{7}$',
  '^4490[0-9]{7,8}$',
  '^4491[0-9]{8}$',
  '^4498[0-9]{8}$',
  '^44909[0-9]{3}',
  '^4487[0-9]{8}$',
  '^4484[0-9]{8}$',
  '^4470[0-9]{8}$',
  '^4476[0-9]{8}$',
  '^44(55|56)[0-9]{8}$',
  '^44118[0-9]{3}$',
  '^441632960[0-9]{3}$',
  '^447700900[0-9]{3}$',
  '^447624[0-9]{6}$',
  '^447781[0-9]{6}$',
  '^447839[0-9]{6}$',
  '^447911[0-9]{6}$',
  '^881[0-9]+',
  '^882[0-9]+',
  '^883[0-9]+',
];

/** UK geographic areas with a few blocked number blocks each. */
const GB_AREAS = ['113', '114', '115', '116', '117', '118', '121', '131', '141', '151', '161', '191', '1223', '1224', '1273', '1452'];
const GB_BLOCKS = ['496', '497', '498', '499', '500', '501'];

/** NANP area codes (US and Canada) with blocked exchanges; 312 last, so its blocks end the rule. */
const NPAS = [
  '201', '202', '203', '205', '206', '207', '208', '209', '210', '212', '213', '214', '215', '216', '217', '218',
  '219', '224', '225', '228', '229', '231', '234', '239', '240', '403', '416', '514', '604', '310', '312',
];
const NXXS = ['200', '250', '300', '350', '400', '500', '600', '700', '800', '900', '990', '999'];

/** 500 distinct patterns: the special ranges first, then UK area blocks, then NANP exchange blocks (the last one is `^1312999[0-9]{4}$`). */
export function blockedPatterns(): string[] {
  const patterns = [...SPECIAL_PATTERNS];
  for (const area of GB_AREAS) for (const block of GB_BLOCKS) patterns.push(`^44${area}${block}[0-9]{${10 - area.length - block.length}}$`);
  for (const npa of NPAS) for (const nxx of NXXS) patterns.push(`^1${npa}${nxx}[0-9]{4}$`);
  if (patterns.length !== RULE_SIZE || new Set(patterns).size !== RULE_SIZE) throw new Error(`expected ${RULE_SIZE} distinct patterns, got ${patterns.length}`);
  return patterns;
}

interface Check {
  phoneNumber: string;
  defaultCountry?: string;
  /** Expected outcome, checked by a probe before measuring. */
  outcome: string;
}

/**
 * The rotation, about half allowed (every pattern tested), a quarter blocked near the end of the
 * list, the rest invalid, not permitted or blocked early. The queue's default country is US.
 */
const CHECKS: Check[] = [
  { phoneNumber: '+14152390187', outcome: 'ALLOWED' },
  { phoneNumber: '+13129991234', outcome: 'BLOCKED_PATTERN' }, // the last pattern
  { phoneNumber: '(415) 239-0187', defaultCountry: 'US', outcome: 'ALLOWED' },
  { phoneNumber: '+442079460018', outcome: 'ALLOWED' },
  { phoneNumber: '(312) 990-0042', outcome: 'BLOCKED_PATTERN' }, // national, read as US (queue default), one of the last patterns
  { phoneNumber: '12345', outcome: 'INVALID_NUMBER' },
  { phoneNumber: '020 7946 0018', defaultCountry: 'GB', outcome: 'ALLOWED' },
  { phoneNumber: '+1 312 800 5555', outcome: 'BLOCKED_PATTERN' },
  { phoneNumber: '613-230-1234', defaultCountry: 'CA', outcome: 'ALLOWED' },
  { phoneNumber: 'tel:+16132301234', outcome: 'ALLOWED' },
  { phoneNumber: '+4930123456', outcome: 'COUNTRY_NOT_PERMITTED' },
  { phoneNumber: '+13107001234', outcome: 'BLOCKED_PATTERN' },
  { phoneNumber: '0161 239 0187', defaultCountry: 'GB', outcome: 'ALLOWED' },
  { phoneNumber: 'call me maybe', outcome: 'INVALID_NUMBER' },
  { phoneNumber: '+12122390187', outcome: 'ALLOWED' },
  { phoneNumber: '+19005550123', outcome: 'BLOCKED_PATTERN' }, // the first pattern
];

interface Answer {
  allowed: boolean;
  outcome: string;
  phoneE164: string;
  matchedPattern: string;
}

export const numbersCheck: Scenario = {
  name: 'numbers-check',
  description: 'POST /actions/v1/numbers/check, rule with 500 blocked patterns (US, CA, GB), rotating allowed/blocked/invalid/national numbers vs bare Fastify',
  defaultRate: 500,
  goals: { [NUMBERS_ROW]: { maxP99Ms: 10, minRpsRatio: 0.5 } },
  async run(ctx) {
    const { harness } = ctx;
    ctx.log('starting PostgreSQL and the app');
    const database = await harness.startBenchDatabase();
    ctx.defer(database.stop);
    const bench = await harness.startBenchApp(database.url);
    ctx.defer(bench.close);
    const actor = BENCH_CALLER;

    const patterns = blockedPatterns();
    const rule = await createNumberRule(bench.db, { name: 'bench-500-patterns', permittedCountries: ['US', 'CA', 'GB'], blockedPatterns: patterns }, actor, benchContext(bench.db).caches.numberRules);
    if (rule.blockedPatterns.length !== RULE_SIZE) throw new Error(`rule stored ${rule.blockedPatterns.length} patterns`);
    await createQueue(benchContext(bench.db), { name: NUMBERS_QUEUE, timezone: 'America/New_York', numberRuleId: rule.id, defaultCountry: 'US' });

    // Where each blocked number matches, to show it is near the end of the list.
    const compiled = compileRule({ id: rule.id, version: 'probe', permittedCountries: rule.permittedCountries, blockedPatterns: rule.blockedPatterns, blockedNumberTypes: [] });
    const positions = CHECKS.filter((c) => c.outcome === 'BLOCKED_PATTERN').map((c) => {
      const e164 = screenNumber(compiled, c.phoneNumber, c.defaultCountry ?? 'US').phoneE164;
      const matched = findBlockedPattern(compiled, e164.slice(1));
      return `${e164} → #${matched === null ? '?' : patterns.indexOf(matched) + 1}`;
    });
    ctx.log(`rule: ${RULE_SIZE} patterns; blocked numbers match ${positions.join(', ')}`);

    const authorization = await harness.makeToken(bench.app, bench.db, ['actions']);
    const url = `${bench.baseUrl}/actions/v1/numbers/check`;
    const headers = { authorization, 'content-type': 'application/json' };
    const bodies = CHECKS.map(({ phoneNumber, defaultCountry }) => JSON.stringify({ queue: NUMBERS_QUEUE, phoneNumber, ...(defaultCountry && { defaultCountry }) }));

    // Every body once: 200 and the expected outcome.
    for (const [i, body] of bodies.entries()) {
      const answer = JSON.parse(await harness.probe(url, { method: 'POST', headers, body })) as Answer;
      if (answer.outcome !== CHECKS[i]!.outcome) throw new Error(`${body}: expected ${CHECKS[i]!.outcome}, got ${JSON.stringify(answer)}`);
    }
    ctx.log(`probed ${bodies.length} numbers: ${CHECKS.map((c) => c.outcome).join(', ')}`);

    const bare = await ctx.bare();
    const requests: BenchRequest[] = bodies.map((body) => ({ method: 'POST', path: '/actions/v1/numbers/check', body }));
    const row = await ctx.measure({ name: NUMBERS_ROW, url, method: 'POST', headers, body: bodies[0]!, requests });
    return [bare, row];
  },
};
