import { normalizeNumber, supportedCountry } from './normalize.js';
import { findBlockedPattern } from './rules.js';
import type { CompiledRule } from './rules.js';

export {
  digitsOf,
  MAX_INPUT_LENGTH,
  NON_GEOGRAPHIC_REGION,
  normalizeNumber,
  NUMBER_TYPES,
  supportedCountry,
} from './normalize.js';
export type { NormalizedNumber, NormalizeResult, NumberTypeName } from './normalize.js';
export {
  compileRule,
  findBlockedPattern,
  MAX_PATTERN_COST,
  MAX_PATTERN_LENGTH,
  MAX_PATTERNS,
  MAX_RULE_COST,
  normalizeRuleInput,
  patternCost,
  PatternError,
  prepareRule,
  RuleCache,
  validateRuleSpec,
} from './rules.js';
export type { CompiledPattern, CompiledRule, NumberRuleInput, NumberRuleSpec, PreparedRule } from './rules.js';

export type ScreeningOutcome =
  | 'ALLOWED'
  | 'INVALID_NUMBER'
  | 'COUNTRY_NOT_PERMITTED'
  | 'BLOCKED_NUMBER_TYPE'
  | 'BLOCKED_PATTERN';

export const SCREENING_OUTCOMES: readonly ScreeningOutcome[] = [
  'ALLOWED',
  'INVALID_NUMBER',
  'COUNTRY_NOT_PERMITTED',
  'BLOCKED_NUMBER_TYPE',
  'BLOCKED_PATTERN',
];

/** Every field is always present; '' where it does not apply (no E.164 for an invalid number, ...). */
export interface ScreeningResult {
  allowed: boolean;
  outcome: ScreeningOutcome;
  phoneE164: string;
  country: string;
  numberType: string;
  matchedPattern: string;
  message: string;
}

/**
 * Screens a number against a rule (null: no rule, every valid number is allowed). The order is the
 * product's, after Genesys Callback: a number from a country that is not permitted is refused for that
 * reason alone and its patterns are not evaluated. Never throws for any input string.
 *
 * `defaultCountry` reads national numbers; the caller resolves it (request, then queue); when it is
 * missing the rule's first permitted country is used.
 */
export function screenNumber(rule: CompiledRule | null, input: string, defaultCountry?: string): ScreeningResult {
  const fallback = supportedCountry(defaultCountry) ?? rule?.spec.permittedCountries[0];
  const normalized = normalizeNumber(input, fallback);
  if (!normalized.ok) {
    return result('INVALID_NUMBER', { message: normalized.message });
  }
  const { e164, country, numberType } = normalized.number;
  const known = { phoneE164: e164, country, numberType };

  if (rule && !rule.permittedCountries.has(country)) {
    return result('COUNTRY_NOT_PERMITTED', { ...known, message: `country ${country} is not permitted by the rule` });
  }
  if (rule && rule.blockedNumberTypes.has(numberType)) {
    return result('BLOCKED_NUMBER_TYPE', { ...known, message: `number type ${numberType} is blocked by the rule` });
  }
  const matchedPattern = rule ? findBlockedPattern(rule, e164.slice(1)) : null;
  if (matchedPattern !== null) {
    return result('BLOCKED_PATTERN', { ...known, matchedPattern, message: 'number matches a blocked pattern' });
  }
  return result('ALLOWED', { ...known, message: 'number is allowed' });
}

function result(
  outcome: ScreeningOutcome,
  fields: Partial<Omit<ScreeningResult, 'allowed' | 'outcome'>> & { message: string },
): ScreeningResult {
  return {
    allowed: outcome === 'ALLOWED',
    outcome,
    phoneE164: '',
    country: '',
    numberType: '',
    matchedPattern: '',
    ...fields,
  };
}
