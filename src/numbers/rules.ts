import { performance } from 'node:perf_hooks';
import { RE2JS } from 're2js';
import { NUMBER_TYPES, supportedCountry } from './normalize.js';

export const MAX_PATTERNS = 500;
export const MAX_PATTERN_LENGTH = 512;
/**
 * Limits on compiled size, in RE2 program units: one per instruction plus one per 100 character-class
 * ranges. RE2 keeps matching linear, but building a pattern (parsing it, then the matcher's tables of
 * class boundaries) costs time and memory in proportion to both: `(?i)[\pL\pN]` is one instruction
 * of ~780 ranges, so `(?i)[\pL\pN]{199}N` costs ~1,750 units and ~2 ms, and 490 of them stalled a
 * replica for seconds. A unit is roughly a microsecond of CPU and a few hundred bytes.
 *
 * Per pattern, 1,000 units: the longest step compiling takes at once (~1 ms), so compiling in slices
 * keeps the event loop responsive. Phone-number patterns are far below it: `^1900` is 7 units,
 * `^44(70|71)\d{8}$` 18; the costliest of 512 characters (an alternation of 36 unrelated numbers, or
 * 512 digits) ~517.
 * Per rule, 300,000 units: 500 such 512-character patterns fit (~260,000), and the worst rule accepted
 * compiles in about half a second of CPU, in slices of a few milliseconds.
 */
export const MAX_PATTERN_COST = 1_000;
export const MAX_RULE_COST = 300_000;
const RANGES_PER_UNIT = 100;
/** Compiling yields to the event loop once a slice has run this long; one step is one pattern. */
const SLICE_MS = 2;
/** How many of the costliest patterns a refusal names. */
const NAMED_COSTLY = 5;

export interface NumberRuleSpec {
  id: string;
  /** Changes on every update (e.g. updated_at as ISO text); the cache recompiles when it changes. */
  version: string;
  permittedCountries: string[];
  blockedPatterns: string[];
  blockedNumberTypes: string[];
}

export type NumberRuleInput = Pick<NumberRuleSpec, 'permittedCountries' | 'blockedPatterns' | 'blockedNumberTypes'>;

export interface CompiledPattern {
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

export interface RuleProblem {
  field: string;
  message: string;
}

/** A valid rule in its stored form with its patterns compiled, ready to be cached once saved. */
export interface PreparedRule {
  input: NumberRuleInput;
  patterns: readonly CompiledPattern[];
}

/**
 * Checks a rule as an operator entered it and compiles it, in slices so the event loop stays
 * responsive. Fields name the input as sent (`blockedPatterns[i]`); the result is the stored form:
 * uppercase codes and types, duplicates dropped, order kept.
 */
export async function prepareRule(input: NumberRuleInput): Promise<{ problem: RuleProblem } | { rule: PreparedRule }> {
  const problem = shapeProblem(input);
  if (problem) return { problem };
  const normalized = normalizeRuleInput(input);
  try {
    const patterns = await inSlices(compiling(normalized.blockedPatterns));
    return { rule: { input: normalized, patterns } };
  } catch (err) {
    if (!(err instanceof PatternError)) throw err;
    // Duplicates were dropped before compiling: name the first occurrence in the input as sent.
    const at = (index: number) => input.blockedPatterns.indexOf(normalized.blockedPatterns[index]!);
    const message = err.reason.replace(/blockedPatterns\[(\d+)\]/g, (_, i: string) => `blockedPatterns[${at(Number(i))}]`);
    return { problem: { field: `blockedPatterns[${at(err.index)}]`, message } };
  }
}

/** First problem in a rule as an operator entered it, or null. */
export async function validateRuleSpec(input: NumberRuleInput): Promise<RuleProblem | null> {
  const prepared = await prepareRule(input);
  return 'problem' in prepared ? prepared.problem : null;
}

/** Country codes and number types are accepted in any case and duplicates are not errors. */
function shapeProblem(input: NumberRuleInput): RuleProblem | null {
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
  for (const [i, source] of input.blockedPatterns.entries()) {
    if (typeof source !== 'string' || source.length === 0) return { field: `blockedPatterns[${i}]`, message: 'pattern is empty' };
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

function assemble(spec: NumberRuleSpec, patterns: readonly CompiledPattern[]): CompiledRule {
  return {
    spec,
    permittedCountries: new Set(spec.permittedCountries.map((c) => c.trim().toUpperCase())),
    blockedNumberTypes: new Set(spec.blockedNumberTypes.map((t) => t.trim().toUpperCase())),
    patterns,
  };
}

/**
 * Compiles a stored rule at once. Patterns get the same checks as in validation, so a row written
 * around the API (or by an older version) still cannot make matching expensive. Throws PatternError.
 * The service compiles with `RuleCache`, in slices; this is for scripts and tests.
 */
export function compileRule(spec: NumberRuleSpec): CompiledRule {
  return assemble(spec, atOnce(compiling(spec.blockedPatterns)));
}

/** Compiles in slices of about SLICE_MS, yielding to the event loop (I/O included) between them. */
async function compileRuleInSlices(spec: NumberRuleSpec): Promise<CompiledRule> {
  return assemble(spec, await inSlices(compiling(spec.blockedPatterns)));
}

/** One pattern's compiled size in RE2 program units (see MAX_PATTERN_COST). */
export function patternCost(re: RE2JS): number {
  // The program is not in re2js's types; its instructions carry their character ranges as pairs.
  const program = (re.re2() as unknown as { prog: { inst: { runes: ArrayLike<number> }[] } }).prog;
  let ranges = 0;
  for (const inst of program.inst) ranges += inst.runes.length / 2;
  return program.inst.length + Math.ceil(ranges / RANGES_PER_UNIT);
}

/** Steps of compiling a rule's patterns; each step is one pattern's parse or its matcher tables. */
function* compiling(sources: readonly string[]): Generator<void, CompiledPattern[], void> {
  const compiled: CompiledPattern[] = [];
  const costs: number[] = [];
  for (const [index, source] of sources.entries()) {
    const re = compilePattern(index, source);
    costs.push(patternCost(re));
    compiled.push({ source, re });
    yield;
  }
  const total = costs.reduce((a, b) => a + b, 0);
  if (total > MAX_RULE_COST) {
    const costliest = costs.map((cost, index) => ({ cost, index })).sort((a, b) => b.cost - a.cost || a.index - b.index);
    const named = costliest.slice(0, NAMED_COSTLY).map((p) => `blockedPatterns[${p.index}] (${p.cost})`);
    const more = costliest.length > NAMED_COSTLY ? ` and ${costliest.length - NAMED_COSTLY} more` : '';
    const first = costliest[0]!;
    throw new PatternError(
      first.index,
      sources[first.index]!,
      `patterns together are too complex: ${total} RE2 program units, over the rule's ${MAX_RULE_COST}; ` +
        `costliest: ${named.join(', ')}${more}`,
    );
  }
  for (const { re } of compiled) {
    // RE2 builds its matcher tables on the first match; build them now, off any request.
    void re.re2().dfa;
    re.test(WARM_UP_DIGITS);
    yield;
  }
  return compiled;
}

/** E.164 digits at their longest, to build a pattern's matcher state before the first real check. */
const WARM_UP_DIGITS = '123456789012345';

function atOnce<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

async function inSlices<T>(steps: Generator<void, T, void>): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
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
  const cost = patternCost(re);
  if (cost > MAX_PATTERN_COST) {
    throw new PatternError(index, source, `pattern is too complex: ${cost} RE2 program units, over ${MAX_PATTERN_COST} per pattern`);
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

interface CacheEntry {
  version: string;
  compiling: Promise<CompiledRule>;
  ready?: CompiledRule;
}

/**
 * The process's compiled rules, one entry per rule id at the version (the row's updated_at) it was
 * compiled for, so a change made through any replica is picked up on that replica's next lookup.
 * Checks that find a rule cold share one compilation, in slices, and wait only for their own rule.
 * Least recently used entries are dropped beyond `max`.
 */
export class RuleCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(private readonly max = 1_000) {}

  /** The rule compiled for this version, if it is ready; no database read needed. */
  peek(id: string, version: string): CompiledRule | undefined {
    const entry = this.entries.get(id);
    if (!entry?.ready || entry.version !== version) return undefined;
    this.touch(id, entry);
    return entry.ready;
  }

  /** The compiled rule for this version, compiling it in slices if this process has not yet. */
  get(spec: NumberRuleSpec): Promise<CompiledRule> {
    const hit = this.entries.get(spec.id);
    if (hit?.version === spec.version) {
      this.touch(spec.id, hit);
      return hit.compiling;
    }
    const entry: CacheEntry = { version: spec.version, compiling: compileRuleInSlices(spec) };
    entry.compiling.then(
      (rule) => (entry.ready = rule),
      () => this.entries.get(spec.id) === entry && this.entries.delete(spec.id),
    );
    this.touch(spec.id, entry);
    return entry.compiling;
  }

  /** A rule compiled while it was saved: the first check after the change finds it warm. */
  put(spec: NumberRuleSpec, patterns: readonly CompiledPattern[]): CompiledRule {
    const rule = assemble(spec, patterns);
    this.touch(spec.id, { version: spec.version, compiling: Promise.resolve(rule), ready: rule });
    return rule;
  }

  private touch(id: string, entry: CacheEntry): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
