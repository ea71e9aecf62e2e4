import { render } from 'velocityjs';

/**
 * What Genesys does with a data action's config, as far as its help center documents it: Velocity
 * templates with `$esc` and `$encoding`, a JSONPath translation map with defaults, a success
 * template. Used to run the generated artifacts against the real service.
 */

/**
 * `$esc.jsonString` as Java escapes JSON (commons-text `escapeJson`): `"`, `\` and `/` escaped, control
 * characters as `\b \f \n \r \t` or `\uXXXX`, everything outside printable ASCII as `\uXXXX` per
 * UTF-16 unit. The exact output is not documented, so the tests also run `minimalJsonString`.
 */
export function javaJsonString(value: unknown): string {
  const s = String(value);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"' || ch === '\\' || ch === '/') out += `\\${ch}`;
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** An escaper that escapes only what JSON requires and leaves non-ASCII as it is. */
export function minimalJsonString(value: unknown): string {
  return JSON.stringify(String(value)).slice(1, -1);
}

export type Escaper = (value: unknown) => string;

const encoding = { base64: (value: unknown) => Buffer.from(String(value), 'utf8').toString('base64') };

/** Renders a Velocity template with the tools Genesys provides. */
export function velocity(template: string, context: Record<string, unknown>, jsonString: Escaper = javaJsonString): string {
  return render(template, { esc: { jsonString }, encoding, ...context }, {}, { escape: false });
}

/** JSONPath as the generated translation maps use it: `$.a.b`, `$.a[0]`, `$.a[*]`. */
export function jsonPath(root: unknown, path: string): { found: true; value: unknown } | { found: false } {
  if (!path.startsWith('$')) throw new Error(`unsupported JSONPath ${path}`);
  const steps = [...path.slice(1).matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+|\*)\]/g)];
  if (steps.map((m) => m[0]).join('') !== path.slice(1)) throw new Error(`unsupported JSONPath ${path}`);
  let current: unknown[] = [root];
  let definite = true;
  for (const [, key, index] of steps) {
    const next: unknown[] = [];
    for (const node of current) {
      if (key !== undefined) {
        if (node !== null && typeof node === 'object' && !Array.isArray(node) && key in node) next.push((node as Record<string, unknown>)[key]);
      } else if (Array.isArray(node)) {
        if (index === '*') {
          definite = false;
          next.push(...node);
        } else if (Number(index) < node.length) next.push(node[Number(index)]);
      }
    }
    current = next;
  }
  if (definite) return current.length === 1 ? { found: true, value: current[0] } : { found: false };
  return { found: true, value: current };
}

export interface ResponseConfig {
  translationMap: Record<string, string>;
  translationMapDefaults: Record<string, string>;
  successTemplate: string;
}

/**
 * The resolved response: each translation-map value as JSON text (a default when its path finds
 * nothing; a null stays null, as Genesys documents), then the success template, parsed.
 */
export function resolveResponse(config: ResponseConfig, raw: unknown): unknown {
  const context: Record<string, string> = {};
  for (const [name, path] of Object.entries(config.translationMap)) {
    const hit = jsonPath(raw, path);
    if (hit.found) context[name] = JSON.stringify(hit.value);
    else if (name in config.translationMapDefaults) context[name] = config.translationMapDefaults[name]!;
    else throw new Error(`translation map ${name} (${path}) found nothing and has no default`);
  }
  const text = velocity(config.successTemplate, context);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`success template rendered invalid JSON: ${text}`, { cause: err });
  }
}

type Schema = Record<string, unknown>;

/** Problems of a value against a Genesys success schema (objects, primitives, arrays of primitives). */
export function schemaProblems(schema: Schema, value: unknown, at = '$'): string[] {
  switch (schema.type) {
    case 'string':
      return typeof value === 'string' ? [] : [`${at}: not a string`];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at}: not an integer`];
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? [] : [`${at}: not a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: not a boolean`];
    case 'array':
      return Array.isArray(value) ? value.flatMap((v, i) => schemaProblems(schema.items as Schema, v, `${at}[${i}]`)) : [`${at}: not an array`];
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      return [
        ...required.filter((k) => !(k in value)).map((k) => `${at}.${k}: missing`),
        ...Object.entries(props).flatMap(([k, s]) => (k in value ? schemaProblems(s, (value as Record<string, unknown>)[k], `${at}.${k}`) : [])),
      ];
    }
    default:
      return [`${at}: schema type ${JSON.stringify(schema.type)} is not one Genesys success schemas use`];
  }
}
