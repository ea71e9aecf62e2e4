/**
 * Genesys data-action contracts from the OpenAPI schemas of `/actions/v1` and `/events/v1` routes.
 * Genesys refuses (or silently breaks on) contracts outside a small subset of JSON Schema, so the
 * conversion is strict: anything it cannot express exactly is collected as a problem, and the
 * generator refuses to write artifacts while there is one.
 */

import { NOT_FOR_FLOWS } from '../../http/schemas.js';

export type Json = Record<string, unknown>;
export type Primitive = 'string' | 'integer' | 'number' | 'boolean';

/** Genesys input and output property names (they also become Velocity variable names). */
export const LEGAL_NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;
/** Reserved by Genesys in input contracts. */
export const RESERVED_INPUTS = ['orgId', 'integrationId', 'rawRequest'] as const;
/** Names already bound in a success template's Velocity context: an output by that name would shadow them. */
export const RESERVED_OUTPUTS = ['rawResult', 'esc', 'math', 'encoding', 'successTemplateUtils', 'input', 'credentials', 'authResponse'] as const;

const PRIMITIVES: readonly string[] = ['string', 'integer', 'number', 'boolean'];

export class GenesysContractError extends Error {
  constructor(readonly problems: string[]) {
    super(`Genesys would reject these data-action contracts (fix the route schemas):\n  - ${problems.join('\n  - ')}`);
    this.name = 'GenesysContractError';
  }
}

export interface InputField {
  name: string;
  type: Primitive;
  required: boolean;
  description: string;
}

export interface OutputField {
  name: string;
  schema: Json;
  /** JSON text Genesys substitutes when the JSONPath finds nothing (`translationMapDefaults`). */
  fallback: string;
}

export interface Contract {
  inputs: InputField[];
  outputs: OutputField[];
  inputSchema: Json;
  successSchema: Json;
}

const isNull = (s: Json) => s.type === 'null' || (Array.isArray(s.enum) && s.enum.length === 1 && s.enum[0] === null);

function describe(schema: Json): string {
  const parts: string[] = [];
  if (typeof schema.description === 'string' && schema.description.trim() !== '') {
    const text = schema.description.trim();
    parts.push(/[.!?)]$/.test(text) ? text : `${text}.`);
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) parts.push(`One of: ${schema.enum.join(', ')}.`);
  if (schema.default !== undefined) parts.push(`Default: ${JSON.stringify(schema.default)}.`);
  return parts.join(' ');
}

const plainPrimitive = (s: Json): Primitive | undefined =>
  typeof s.type === 'string' && PRIMITIVES.includes(s.type) && s.$ref === undefined ? (s.type as Primitive) : undefined;

/**
 * The one primitive type Genesys can declare for this schema. A union of primitives (an event's
 * `eventTime`: epoch milliseconds or ISO text) takes its numeric member, which is what triggers send.
 */
function primitiveOf(schema: Json, where: string, problems: string[]): Primitive | undefined {
  if (JSON.stringify(schema).includes('"$ref"')) {
    problems.push(`${where}: $ref is not allowed`);
    return undefined;
  }
  const plain = plainPrimitive(schema);
  if (plain) return plain;
  const variants = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (Array.isArray(variants)) {
    const types = variants.filter((v) => !isNull(v)).map(plainPrimitive);
    if (types.length > 0 && types.every((t) => t !== undefined)) {
      return (['integer', 'number', 'boolean', 'string'] as const).find((t) => types.includes(t))!;
    }
    problems.push(`${where}: a union with non-primitive members cannot be a flat input`);
    return undefined;
  }
  problems.push(`${where}: type ${JSON.stringify(schema.type ?? 'missing')} is not string, integer, number or boolean (input contracts must be flat)`);
  return undefined;
}

/** The flat input contract of a route body. */
export function inputContract(body: Json | undefined, where: string, problems: string[]): InputField[] {
  if (!body) return [];
  if (body.$ref !== undefined) {
    problems.push(`${where} body: $ref is not allowed`);
    return [];
  }
  if (body.type !== 'object') {
    problems.push(`${where} body: must be a JSON object`);
    return [];
  }
  const properties = (body.properties ?? {}) as Record<string, Json>;
  const required = new Set(Array.isArray(body.required) ? (body.required as string[]) : []);
  const fields: InputField[] = [];
  for (const [name, schema] of Object.entries(properties)) {
    const at = `${where} input "${name}"`;
    if (!LEGAL_NAME.test(name)) problems.push(`${at}: name must match ${LEGAL_NAME}`);
    if ((RESERVED_INPUTS as readonly string[]).includes(name)) problems.push(`${at}: name is reserved by Genesys`);
    const type = primitiveOf(schema, at, problems);
    if (!type) continue;
    // A required property with a default is filled in by the service: Architect need not set it.
    fields.push({ name, type, required: required.has(name) && schema.default === undefined, description: describe(schema) });
  }
  return fields;
}

function fallbackOf(schema: Json): string {
  switch (schema.type) {
    case 'string':
      return '""';
    case 'integer':
    case 'number':
      return '0';
    case 'boolean':
      return 'false';
    case 'array':
      return '[]';
    default:
      return '{}';
  }
}

/** An output property as Genesys may declare it: primitives, objects of them, arrays of primitives. */
function outputSchema(schema: Json, at: string, problems: string[]): Json | undefined {
  if (schema.$ref !== undefined) {
    problems.push(`${at}: $ref is not allowed`);
    return undefined;
  }
  const description = describe(schema);
  const withDescription = (s: Json) => (description ? { ...s, description } : s);
  if (typeof schema.type === 'string' && PRIMITIVES.includes(schema.type)) return withDescription({ type: schema.type });
  if (schema.type === 'array') {
    const items = (schema.items ?? {}) as Json;
    if (items.type === 'array') {
      problems.push(`${at}: nested arrays are not allowed`);
      return undefined;
    }
    if (typeof items.type !== 'string' || !PRIMITIVES.includes(items.type) || items.$ref !== undefined) {
      problems.push(`${at}: arrays must hold strings, integers, numbers or booleans`);
      return undefined;
    }
    return withDescription({ type: 'array', items: { type: items.type } });
  }
  if (schema.type === 'object') {
    const properties: Record<string, Json> = {};
    for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
      if (!LEGAL_NAME.test(name)) problems.push(`${at}.${name}: name must match ${LEGAL_NAME}`);
      const converted = outputSchema(child, `${at}.${name}`, problems);
      if (converted) properties[name] = converted;
    }
    return withDescription({ type: 'object', properties, additionalProperties: true });
  }
  problems.push(`${at}: ${schema.anyOf || schema.oneOf ? 'unions are' : `type ${JSON.stringify(schema.type ?? 'missing')} is`} not allowed in an output contract`);
  return undefined;
}

/** The success contract of a route's 200 answer. */
export function outputContract(answer: Json | undefined, where: string, problems: string[]): OutputField[] {
  if (!answer || answer.type !== 'object' || answer.$ref !== undefined) {
    problems.push(`${where}: the 200 answer must be a JSON object schema (no $ref)`);
    return [];
  }
  const fields: OutputField[] = [];
  for (const [name, schema] of Object.entries((answer.properties ?? {}) as Record<string, Json>)) {
    if (schema[NOT_FOR_FLOWS] === true) continue;
    const at = `${where} output "${name}"`;
    if (!LEGAL_NAME.test(name)) problems.push(`${at}: name must match ${LEGAL_NAME}`);
    if ((RESERVED_OUTPUTS as readonly string[]).includes(name)) problems.push(`${at}: name is reserved in Genesys success templates`);
    const converted = outputSchema(schema, at, problems);
    if (converted) fields.push({ name, schema: converted, fallback: fallbackOf(converted) });
  }
  if (fields.length === 0) problems.push(`${where}: the answer has no outputs`);
  return fields;
}

export function contractOf(inputs: InputField[], outputs: OutputField[], description: string): Contract {
  const required = inputs.filter((f) => f.required).map((f) => f.name);
  return {
    inputs,
    outputs,
    inputSchema: {
      type: 'object',
      description,
      // JSON Schema draft 4 (what Genesys reads) does not allow an empty `required`.
      ...(required.length > 0 && { required }),
      properties: Object.fromEntries(inputs.map((f) => [f.name, f.description ? { type: f.type, description: f.description } : { type: f.type }])),
      additionalProperties: true,
    },
    successSchema: {
      type: 'object',
      properties: Object.fromEntries(outputs.map((f) => [f.name, f.schema])),
      additionalProperties: true,
    },
  };
}

/**
 * Checks a finished contract the way Genesys reads it, independent of how it was built: the tests
 * run it over the committed exports, and the generator over what it is about to write.
 */
export function lintContract(name: string, inputSchema: Json, successSchema: Json): string[] {
  const problems: string[] = [];
  const text = JSON.stringify({ inputSchema, successSchema });
  if (text.includes('"$ref"')) problems.push(`${name}: $ref in a contract`);
  if (inputSchema.type !== 'object') problems.push(`${name}: input contract is not an object`);
  const inputs = (inputSchema.properties ?? {}) as Record<string, Json>;
  for (const [key, s] of Object.entries(inputs)) {
    if (!LEGAL_NAME.test(key)) problems.push(`${name}: input "${key}" has an illegal name`);
    if ((RESERVED_INPUTS as readonly string[]).includes(key)) problems.push(`${name}: input "${key}" is reserved`);
    if (typeof s.type !== 'string' || !PRIMITIVES.includes(s.type)) problems.push(`${name}: input "${key}" is not flat`);
  }
  for (const r of (inputSchema.required ?? []) as string[]) if (!(r in inputs)) problems.push(`${name}: required input "${r}" is not declared`);
  if (successSchema.type !== 'object') problems.push(`${name}: output contract is not an object`);
  const walk = (s: Json, at: string, inArray: boolean): void => {
    if (s.type === 'array') {
      if (inArray) problems.push(`${name}: nested array at ${at}`);
      const items = (s.items ?? {}) as Json;
      if (typeof items.type !== 'string' || !PRIMITIVES.includes(items.type)) problems.push(`${name}: array ${at} does not hold primitives`);
      walk(items, `${at}[]`, true);
    } else if (s.type === 'object') {
      for (const [key, child] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
        if (!LEGAL_NAME.test(key)) problems.push(`${name}: output "${at}${key}" has an illegal name`);
        walk(child, `${at}${key}.`, inArray);
      }
    } else if (typeof s.type !== 'string' || !PRIMITIVES.includes(s.type)) {
      problems.push(`${name}: output ${at} has type ${JSON.stringify(s.type)}`);
    }
  };
  walk(successSchema, '', false);
  return problems;
}
