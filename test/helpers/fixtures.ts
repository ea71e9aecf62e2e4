import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A Genesys event fixture from the nearest `shared/fixtures/genesys` above the tests: the shared
 * folder sits beside the main checkout, and one level higher for a worktree under `wt/`.
 */
export function genesysFixture(name: string): Record<string, unknown> {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'shared', 'fixtures', 'genesys', name);
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`fixture ${name} not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
