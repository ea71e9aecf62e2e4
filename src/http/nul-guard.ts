import type { FastifyRequest } from 'fastify';
import { errors } from './errors.js';

/** The path of the first string holding U+0000, which PostgreSQL cannot store in text or jsonb. */
export function nulPath(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'body' : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = nulPath(v, `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) return path ? `${path}.${k.replace(/\u0000/g, '')}` : k.replace(/\u0000/g, '') || 'body';
      const found = nulPath(v, path ? `${path}.${k}` : k);
      if (found) return found;
    }
  }
  return null;
}

export function assertNoNul(value: unknown, field: string): void {
  const path = nulPath(value, field);
  if (path) throw errors.validation(path, `${path} must not contain NUL characters`);
}

/** preValidation hook: a NUL anywhere in the input is a 400 naming the field, never a database error. */
export async function refuseNul(request: FastifyRequest): Promise<void> {
  for (const part of [request.body, request.query, request.params]) {
    const path = nulPath(part);
    if (path) throw errors.validation(path, `${path} must not contain NUL characters`);
  }
}
