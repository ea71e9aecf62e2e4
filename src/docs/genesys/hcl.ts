/** Just enough HCL writing for the generated Terraform module. */

/**
 * A quoted HCL string. Terraform reads `${` and `%{` in quoted strings as its own templates, so the
 * Velocity in data-action templates is written `$${` and `%%{` and reaches Genesys unchanged.
 */
export function hclString(value: string): string {
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(value)) throw new Error(`refusing to write a control character into HCL: ${JSON.stringify(value)}`);
  // (a function replacement: in a replacement string `$$` would mean one `$`)
  return JSON.stringify(value).replaceAll('${', () => '$${').replaceAll('%{', () => '%%{');
}

/** A quoted HCL string that keeps `${...}` Terraform interpolations (for values built from variables). */
export function hclTemplate(value: string): string {
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(value)) throw new Error(`refusing to write a control character into HCL: ${JSON.stringify(value)}`);
  return JSON.stringify(value).replaceAll('%{', () => '%%{');
}

const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** A JSON value as an HCL expression (objects with quoted keys, so any JSON key is safe). */
export function hclValue(value: unknown, indent = ''): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every(isScalar)) return `[${value.map((v) => hclValue(v)).join(', ')}]`;
    return `[\n${value.map((v) => `${inner}${hclValue(v, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{\n${attributes(entries.map(([k, v]) => [JSON.stringify(k), hclValue(v, inner)]), inner)}\n${indent}}`;
}

/** `name = value` lines aligned the way `terraform fmt` aligns consecutive single-line attributes. */
export function attributes(pairs: [string, string][], indent: string): string {
  const width = Math.max(...pairs.filter(([, v]) => !v.includes('\n')).map(([k]) => k.length), 0);
  return pairs.map(([k, v]) => `${indent}${v.includes('\n') ? k : k.padEnd(width)} = ${v}`).join('\n');
}
