import type { FastifyRequest } from 'fastify';
import { Type, type TObject, type TSchemaOptions } from 'typebox';
import { errors } from '../errors.js';

// Keywords whose values are data, not schemas: nothing in them is a default to drop.
const DATA_KEYWORDS = new Set(['examples', 'enum', 'const', 'required']);
// An array in a PATCH replaces the whole list, so its items are new values and keep create's defaults.
const ITEM_KEYWORDS = new Set(['items', 'prefixItems', 'additionalItems']);

/**
 * The schema without its `default` keywords. Request validation fills defaults in (ajv
 * `useDefaults`), which is right for a create and wrong for a change: a default there overwrites
 * the stored value of every field the caller left out.
 */
export function withoutDefaults<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map((s: unknown) => withoutDefaults(s)) as T;
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  // Own keys with their descriptors: TypeBox keeps its markers (`~kind`, `~optional`) non-enumerable.
  for (const key of Reflect.ownKeys(schema)) {
    if (key === 'default') continue;
    const descriptor = Object.getOwnPropertyDescriptor(schema, key)!;
    const keep = typeof key !== 'string' || DATA_KEYWORDS.has(key) || ITEM_KEYWORDS.has(key) || !('value' in descriptor);
    Object.defineProperty(out, key, keep ? descriptor : { ...descriptor, value: withoutDefaults(descriptor.value) });
  }
  return out as T;
}

/**
 * A resource's PATCH body, derived from its create body: the same fields, each optional, no
 * defaults, nothing unknown. Absent means unchanged; `null` clears a nullable field.
 */
export function updateBodyOf<T extends TObject>(create: T, options: TSchemaOptions = {}) {
  return Type.Partial(withoutDefaults(create), { additionalProperties: false, minProperties: 1, ...options });
}

/**
 * A PATCH route's preValidation hook: an empty change is refused before validation, so the caller
 * reads why rather than a schema keyword.
 */
export async function refuseEmptyPatch(request: FastifyRequest): Promise<void> {
  const body = request.body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) {
    throw errors.validation('body', 'nothing to change: send at least one field');
  }
}
