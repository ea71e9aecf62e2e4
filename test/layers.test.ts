import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The import-boundary check `npm test` runs (`depcruise src`), proven to bite: the repository's own
 * rules, run over a small tree of files that break them.
 */
const config = createRequire(import.meta.url)('../.dependency-cruiser.cjs') as IConfiguration;

const FIXTURE: Record<string, string> = {
  'src/callbacks/lifecycle.ts': `export const A = 1;\n`,
  'src/queues/service.ts': `import { B } from '../callbacks/service.js';\nexport const Q = B;\n`,
  'src/callbacks/service.ts': `import type { FastifyRequest } from 'fastify';\nimport { A } from './lifecycle.js';\nexport const B = A;\nexport type R = FastifyRequest;\n`,
  'src/callbacks/routes.ts': `import type { FastifyInstance } from 'fastify';\nimport { B } from './service.js';\nexport const C = (app: FastifyInstance) => B;\n`,
  'src/db/resource.ts': `import { A } from '../callbacks/lifecycle.js';\nexport const D = A;\n`,
  'src/slots/engine.ts': `import { Q } from '../queues/service.js';\nexport const S = Q;\n`,
  'src/jobs/tasks.ts': `import { B } from '../callbacks/service.js';\nexport const T = B;\n`,
  'src/jobs/runner.ts': `import { A } from '../callbacks/lifecycle.js';\nexport const U = A;\n`,
  'src/time.ts': `import { A } from './callbacks/lifecycle.js';\nexport const V = A;\n`,
  'src/events/service.ts': `import { W2 } from '../campaigns/service.js';\nexport const W = 1;\n`,
  'src/campaigns/service.ts': `import { W } from '../events/service.js';\nexport const W2 = W;\n`,
};

let dir: string;
let violations: { rule: string; from: string; to: string }[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layers-'));
  for (const [file, text] of Object.entries(FIXTURE)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  }
  // Paths in the rules are relative to the base directory, as they are to the worktree in `npm test`.
  const { tsConfig: _ownTsConfig, ...options } = config.options ?? {};
  const result = await cruise(['src'], { ...options, baseDir: dir, ruleSet: { forbidden: config.forbidden ?? [] }, validate: true });
  violations = (result.output as ICruiseResult).summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const broken = (rule: string) => violations.filter((v) => v.rule === rule).map((v) => `${v.from} → ${v.to}`);

describe('the import-boundary check', () => {
  it('fails when a shared layer (db/, slots/, jobs/ but its task list, the time module) imports a feature', () => {
    expect(broken('shared-imports-no-feature').sort()).toEqual(
      ['src/db/resource.ts → src/callbacks/lifecycle.ts', 'src/jobs/runner.ts → src/callbacks/lifecycle.ts', 'src/slots/engine.ts → src/queues/service.ts', 'src/time.ts → src/callbacks/lifecycle.ts'].sort(),
    );
  });

  it('fails when anything but a route imports fastify, even for its types', () => {
    expect(broken('fastify-only-in-routes')).toEqual(['src/callbacks/service.ts → fastify']);
  });

  it('fails on circular imports between features', () => {
    expect(broken('no-circular')).toHaveLength(1);
    expect(broken('no-circular')[0]).toMatch(/^src\/(campaigns|events)\/service\.ts → src\/(events|campaigns)\/service\.ts$/);
  });
});
