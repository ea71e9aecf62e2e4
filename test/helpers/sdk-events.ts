import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Genesys topic payloads built from the SDK's own event models (purecloud-platform-client-v2's
 * index.d.ts), not from our names: a field the model does not have is an error.
 */

export type SdkFieldType = 'string' | 'number' | 'boolean' | 'string[]';

let declarations: string | undefined;
function sdkTypes(): string {
  if (declarations === undefined) {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('purecloud-platform-client-v2/package.json'));
    declarations = readFileSync(path.join(dir, 'index.d.ts'), 'utf8');
  }
  return declarations;
}

/** The fields of `Models.<name>` with their declared types. */
export function sdkModel(name: string): Record<string, SdkFieldType> {
  const text = sdkTypes();
  const start = text.indexOf(`export interface ${name} {`);
  if (start < 0) throw new Error(`the SDK has no model ${name}`);
  const body = text.slice(start, text.indexOf('\n\t}', start));
  const fields: Record<string, SdkFieldType> = {};
  for (const m of body.matchAll(/^\t\t"(\w+)"\??: (.+);$/gm)) {
    const type = m[2]!.trim();
    const mapped = type === 'string' ? 'string' : type === 'number' ? 'number' : type === 'boolean' ? 'boolean' : type === 'Array<string>' ? 'string[]' : undefined;
    if (!mapped) throw new Error(`${name}.${m[1]}: unexpected type ${type}`);
    fields[m[1]!] = mapped;
  }
  return fields;
}

/**
 * A payload of the model with every field set (strings `<field>-value`, numbers 0, booleans false,
 * lists empty) and `values` on top; `undefined` in `values` leaves a field out.
 */
export function sdkEvent(model: string, values: Record<string, unknown>): Record<string, unknown> {
  const fields = sdkModel(model);
  const unknown = Object.keys(values).filter((k) => !(k in fields));
  if (unknown.length > 0) throw new Error(`${model} has no field ${unknown.join(', ')}`);
  const filler = { string: (n: string) => `${n}-value`, number: () => 0, boolean: () => false, 'string[]': () => [] as string[] };
  const event: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(fields)) event[name] = filler[type](name);
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete event[name];
    else event[name] = value;
  }
  return event;
}
