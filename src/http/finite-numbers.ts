import type { FastifyRequest } from 'fastify';
import { errors } from './errors.js';

/**
 * Query coercion turns "1e309" or "Infinity" into Infinity, and ajv's integer, minimum and maximum
 * checks all pass it (JSON.parse makes Infinity of 1e309 too, in free-form fields). No input of ours
 * means infinity; it would reach PostgreSQL as "Infinity" or a loop as its bound.
 */
export function nonFinitePath(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return path || 'body';
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v).reverse()) stack.push([child, path ? `${path}.${k}` : k]);
    }
  }
  return null;
}

/** preHandler hook, so it sees the inputs as validation coerced them. */
export async function refuseNonFinite(request: FastifyRequest): Promise<void> {
  for (const part of [request.query, request.body, request.params]) {
    const path = nonFinitePath(part);
    if (path) throw errors.validation(path, `${path} must be a finite number`);
  }
}
