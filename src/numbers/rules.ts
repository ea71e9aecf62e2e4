import { RE2JS } from 're2js';
import { NUMBER_TYPES, supportedCountry } from './normalize.js';

export const MAX_PATTERNS = 500;
export const MAX_PATTERN_LENGTH = 512;
/**
 * RE2 keeps matching linear in the input, but the constant grows with the program: a pattern of wide
 * character classes (`\pL{990}`, ~1,000 instructions) costs ~7 ms on its first match, so 500 of them
 * would stall the event loop for ~3.5 s. The rule bound keeps that under ~0.7 s. Patterns over at most
 * 15 digits need a few hundred instructions at most: 500 single-number patterns are ~9,000.
 */
export const MAX_PATTERN_INSTRUCTIONS = 1_000;
export const MAX_RULE_INSTRUCTIONS = 100_000;

export interface NumberRuleSpec {
  id: string;
  /** Changes on every update (e.g. updated_at as ISO text); the cache recompiles when it changes. */
  version: string;
  permittedCountries: string[];
  blockedPatterns: string[];
  blockedNumberTypes: string[];
}

export type NumberRuleInput = Pick<NumberRuleSpec, 'permittedCountries' | 'blockedPatterns' | 'blockedNumberTypes'>;

interface CompiledPattern {
  source: string;
  re: RE2JS;
}

export interface CompiledRule {
  spec: NumberRuleSpec;
  permittedCountries: ReadonlySet<string>;
  blockedNumberTypes: ReadonlySet<string>;
  patterns: readonly CompiledPattern[];
}

export class PatternError extends Error {
  override name = 'PatternError';
  constructor(
    readonly index: number,
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`blockedPatterns[${index}]: ${reason}`);
  }
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(NUMBER_TYPES);

/**
 * First problem in a rule as an operator entered it, or null. Country codes and number types are
 * accepted in any case and duplicates are not errors: `normalizeRuleInput` uppercases and dedupes.
 */
export function validateRuleSpec(input: NumberRuleInput): { field: string; message: string } | null {
  if (input.permittedCountries.length === 0) {
    return { field: 'permittedCountries', message: 'at least one permitted country is required' };
  }
  for (const [i, code] of input.permittedCountries.entries()) {
    if (!supportedCountry(code)) {
      return { field: `permittedCountries[${i}]`, message: 'not an ISO-3166 alpha-2 country code with known numbering' };
    }
  }
  for (const [i, type] of input.blockedNumberTypes.entries()) {
    if (typeof type !== 'string' || !KNOWN_TYPES.has(type.trim().toUpperCase())) {
      return { field: `blockedNumberTypes[${i}]`, message: `must be one of ${NUMBER_TYPES.join(', ')}` };
    }
  }
  if (input.blockedPatterns.length > MAX_PATTERNS) {
    return { field: 'blockedPatterns', message: `at most ${MAX_PATTERNS} patterns` };
  }
  try {
    compilePatterns(input.blockedPatterns);
  } catch (err) {
    if (err instanceof PatternError) return { field: `blockedPatterns[${err.index}]`, message: err.reason };
    throw err;
  }
  return null;
}

/** The stored form of a valid rule: uppercase codes and types, duplicates dropped, order kept. */
export function normalizeRuleInput(input: NumberRuleInput): NumberRuleInput {
  const upper = (values: string[]) => [...new Set(values.map((v) => v.trim().toUpperCase()))];
  return {
    permittedCountries: upper(input.permittedCountries),
    blockedPatterns: [...new Set(input.blockedPatterns)],
    blockedNumberTypes: upper(input.blockedNumberTypes),
  };
}

/**
 * Compiles a stored rule. Patterns get the same checks as in validation, so a row written around the
 * API (or by an older version) still cannot make matching expensive. Throws PatternError.
 */
export function compileRule(spec: NumberRuleSpec): CompiledRule {
  return {
    spec,
    permittedCountries: new Set(spec.permittedCountries.map((c) => c.trim().toUpperCase())),
    blockedNumberTypes: new Set(spec.blockedNumberTypes.map((t) => t.trim().toUpperCase())),
    patterns: compilePatterns(spec.blockedPatterns),
  };
}

function compilePatterns(sources: readonly string[]): CompiledPattern[] {
  const compiled: CompiledPattern[] = [];
  let total = 0;
  for (const [index, source] of sources.entries()) {
    const re = compilePattern(index, source);
    total += re.re2().numberOfInstructions();
    if (total > MAX_RULE_INSTRUCTIONS) {
      throw new PatternError(index, source, `patterns together are too complex (over ${MAX_RULE_INSTRUCTIONS} RE2 instructions)`);
    }
    compiled.push({ source, re });
  }
  return compiled;
}

function compilePattern(index: number, source: string): RE2JS {
  if (typeof source !== 'string' || source.length === 0) throw new PatternError(index, String(source), 'pattern is empty');
  if (source.length > MAX_PATTERN_LENGTH) {
    throw new PatternError(index, source, `pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    // RE2 syntax errors read "error parsing regexp: missing closing ]: `[`"; keep the useful part.
    const reason = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    throw new PatternError(index, source, `not a valid RE2 pattern: ${reason}`);
  }
  if (re.re2().numberOfInstructions() > MAX_PATTERN_INSTRUCTIONS) {
    throw new PatternError(index, source, `pattern is too complex (over ${MAX_PATTERN_INSTRUCTIONS} RE2 instructions)`);
  }
  return re;
}

/**
 * First blocked pattern found anywhere in `digits` (find semantics: anchor with ^ and $ to match
 * whole numbers), or null. Linear in the length of `digits` for every pattern.
 */
export function findBlockedPattern(rule: CompiledRule, digits: string): string | null {
  for (const p of rule.patterns) if (p.re.test(digits)) return p.source;
  return null;
}

/**
 * Compiled rules by id, recompiled when the version (from the database row) changes, so every replica
 * picks up an edit on its next lookup. Least recently used entries are dropped beyond `max`.
 */
export class RuleCache {
  private readonly entries = new Map<string, CompiledRule>();

  constructor(private readonly max = 1_000) {}

  get(spec: NumberRuleSpec): CompiledRule {
    const hit = this.entries.get(spec.id);
    this.entries.delete(spec.id);
    const rule = hit && hit.spec.version === spec.version ? hit : compileRule(spec);
    this.entries.set(spec.id, rule);
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    return rule;
  }

  get size(): number {
    return this.entries.size;
  }
}
