import { readFileSync } from 'node:fs';

/** A Genesys payload sample from `test/fixtures/genesys`. */
export function genesysFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/genesys/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}
