import { isUtf8 } from 'node:buffer';
import type { FastifyBodyParser, FastifyRequest } from 'fastify';
import { errors } from '../errors.js';

/**
 * Data-action bodies are flat and admin bodies a few levels deep; a generous bound still keeps a
 * hostile 20,000-level body from exhausting the stack of anything that walks it later.
 */
export const MAX_INPUT_DEPTH = 32;

// With the u flag a well-formed pair is one code point, so only a lone half matches.
const LONE_SURROGATE = /\p{Cs}/u;
/** A key at fault, as it can be named in an answer. */
const printable = (key: string) => key.replace(/\u0000/g, '').replace(/\p{Cs}/gu, '\uFFFD');

/**
 * Why PostgreSQL could not store this string, or null. U+0000 is refused by text and jsonb; a lone
 * UTF-16 surrogate is refused by jsonb and silently turned into U+FFFD in text.
 */
export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must not contain unpaired UTF-16 surrogates';
  return null;
}

export interface InputProblem {
  field: string;
  message: string;
}

const keyPath = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Why one value (or, with `isKey`, one object key) is refused, or null. */
export type ValueCheck = (value: unknown, isKey: boolean) => string | null;

const storable: ValueCheck = (v) => (typeof v === 'string' ? textProblem(v) : null);

/**
 * The first value or key `check` refuses, or the first value nested deeper than MAX_INPUT_DEPTH, with
 * the path of the input at fault, in document order. Iterative, so that depth cannot overflow it.
 */
export function firstProblem(value: unknown, check: ValueCheck, root = ''): InputProblem | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') {
      const problem = check(v, false);
      if (problem) return { field: path || 'body', message: `${path || 'body'} ${problem}` };
      continue;
    }
    if (depth >= MAX_INPUT_DEPTH) {
      const field = path || 'body';
      return { field, message: `${field} is nested deeper than ${MAX_INPUT_DEPTH} levels` };
    }
    const children: { value: unknown; path: string; depth: number }[] = [];
    if (Array.isArray(v)) {
      v.forEach((item, i) => children.push({ value: item, path: `${path}[${i}]`, depth: depth + 1 }));
    } else {
      for (const [k, item] of Object.entries(v)) {
        const problem = check(k, true);
        if (problem) {
          const field = keyPath(path, printable(k)) || 'body';
          return { field, message: `${field} ${problem}` };
        }
        children.push({ value: item, path: keyPath(path, k), depth: depth + 1 });
      }
    }
    // Reversed, so that the first problem in document order is the one reported.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return null;
}

/** The first string (value or key) that cannot be stored, or the first value nested too deep. */
export const inputProblem = (value: unknown, root = '') => firstProblem(value, storable, root);

/** A hook refusing, with a 400 naming the field, the first problem in body, query or params. */
export function refuseInputs(check: ValueCheck) {
  return async (request: FastifyRequest): Promise<void> => {
    for (const part of [request.body, request.query, request.params]) {
      const problem = firstProblem(part, check);
      if (problem) throw errors.validation(problem.field, problem.message);
    }
  };
}

/** For JSON text inside an input (jsonData, userData): the same rules as the request itself. */
export function assertStorable(value: unknown, field: string): void {
  const problem = inputProblem(value, field);
  if (problem) throw errors.validation(problem.field, problem.message);
}

/** preValidation hook: unstorable text or runaway nesting anywhere in the input is a 400 naming the field. */
export const refuseUnstorable = refuseInputs(storable);

/**
 * JSON bodies must be UTF-8 (RFC 8259): invalid bytes are refused, not silently replaced with U+FFFD.
 * The rest (empty body, syntax, prototype poisoning) is Fastify's own parser.
 */
export function utf8JsonParser(parse: FastifyBodyParser<string>): FastifyBodyParser<Buffer> {
  return (request, body, done) => {
    if (!isUtf8(body)) return done(errors.invalidJson('The body is not valid JSON: it is not UTF-8'), undefined);
    return parse(request, body.toString('utf8'), done);
  };
}
