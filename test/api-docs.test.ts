import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../src/auth/caller.js';
import { seedDemo } from '../src/demo.js';
import { ERROR_STATUS, type ErrorCode } from '../src/errors.js';
import { EXAMPLE_TIME } from '../src/http/schemas.js';
import { exampleTimeAfter, operationIdOf, rolesOf } from '../src/http/swagger.js';
import committed from '../openapi/openapi.json' with { type: 'json' };
import collection from '../openapi/postman_collection.json' with { type: 'json' };
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { freePort } from './helpers/ports.js';

/** The API documents work in the tools people use: linters, Swagger UI's "Try it out", Postman/newman. */

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  description?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, { example?: Json }> };
  responses: Record<string, { description: string; content?: Record<string, { example?: { error?: string } }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>>; servers?: { url: string }[] };
const operations = (doc: Doc) => Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([method, op]) => ({ path: p, method, op })));

const ROOT = path.resolve(import.meta.dirname, '..');
const quiet = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_UPDATE_NOTIFIER: '1', CI: 'true', NO_COLOR: '1' };
const run = promisify(execFile);
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

describe('OpenAPI linters', () => {
  it('Spectral (spectral:oas, .spectral.yaml) reports nothing, not even a warning', async () => {
    const { stdout } = await run(bin('spectral'), ['lint', 'openapi/openapi.json', '--ruleset', '.spectral.yaml', '--format', 'json', '--fail-severity', 'hint', '--quiet'], {
      cwd: ROOT,
      env: quiet,
      timeout: 120_000,
    }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    const problems = JSON.parse(stdout.trim() || '[]') as { code: string; path: string[] }[];
    expect(problems.map((p) => `${p.code} ${p.path.join('.')}`)).toEqual([]);
  });

  it('Redocly (recommended, redocly.yaml) reports no error and no warning other than those ignored with a reason', async () => {
    const { stdout } = await run(bin('redocly'), ['lint', 'openapi/openapi.json', '--format', 'json'], { cwd: ROOT, env: quiet, timeout: 120_000 }).catch(
      (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
    );
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { totals: { errors: number; warnings: number; ignored: number }; problems: { ruleId: string; message: string }[] };
    expect(report.problems.filter((p) => !('ignored' in p && p.ignored)).map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    // The three public probes without a 4xx answer and the two redirects of the Genesys sign-in
    // without a 2xx (.redocly.lint-ignore.yaml), nothing more.
    expect(report.totals.ignored).toBe(5);
  });
});

describe('the OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A Friday: the next weekday is Monday.
    t = await buildTestApp({ clock: new TestClock(new Date('2031-06-06T10:00:00Z')) });
  });
  afterAll(async () => t.close());

  it('names every operation by a unique operationId derived from its method and path, and describes it and each of its answers', () => {
    const ops = operations(committed as unknown as Doc);
    expect(new Set(ops.map((o) => o.op.operationId)).size).toBe(ops.length);
    for (const { path: p, method, op } of ops) {
      const id = `${method} ${p}`;
      expect(op.operationId, id).toBe(operationIdOf(method, p));
      expect(op.description, id).toMatch(/\w.*\. (Public|Needs a token)/);
      for (const [status, response] of Object.entries(op.responses)) {
        expect(response.description, `${id} ${status}`).not.toMatch(/^(Default Response)?$/);
        const code = response.content?.['application/json']?.example?.error as ErrorCode | undefined;
        if (code !== undefined) expect(ERROR_STATUS[code], `${id} ${status} example ${code}`).toBe(Number(status));
      }
    }
    expect(operationIdOf('get', '/admin/v1/queues/{id}')).toBe('getAdminQueuesById');
  });

  it('documents the roles each operation really needs: a token with another role gets 403 naming exactly those, one with them gets past the check', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Doc;
    const tokens = new Map<Role, Record<string, string>>();
    for (const role of ROLES) tokens.set(role, (await authHeader(t, [role])).headers);
    let checked = 0;
    for (const { path: p, method, op } of operations(doc)) {
      const roles = rolesOf(method, p, op);
      if (roles === null) continue;
      const url = p.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const outsider = ROLES.find((r) => !roles.includes(r))!;
      const refused = await t.app.inject({ method: method.toUpperCase() as 'GET', url, headers: tokens.get(outsider)! });
      expect([refused.statusCode, refused.json().message], `${method} ${p} as ${outsider}`).toEqual([403, `This needs one of the roles: ${roles.join(', ')}`]);
      // A body that fails validation: nothing is changed, but the role check has been passed.
      const allowed = await t.app.inject({ method: method.toUpperCase() as 'GET', url, headers: tokens.get(roles[0]!)!, ...(method !== 'get' && method !== 'delete' && { payload: { notAField: 1 } }) });
      expect(allowed.statusCode, `${method} ${p} as ${roles[0]}`).not.toBe(403);
      checked += 1;
    }
    // Public: health, readiness, metrics, the token endpoint, the console's sign-in endpoints (/auth/v1) and self-service (/public/v1, a manage token).
    expect(checked).toBe(operations(doc).length - 4 - operations(doc).filter(({ path }) => path.startsWith('/auth/v1/') || path.startsWith('/public/v1/')).length);
  });

  it('has servers; its request examples lie ahead of the time the live document is built, the committed one is built on a fixed clock', async () => {
    const live = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Doc;
    expect(live.servers?.[0]?.url).toBe(t.config.publicBaseUrl);
    const example = (d: Doc, p: string) => d.paths[p]!.post!.requestBody!.content['application/json']!.example!;
    expect(example(live, '/actions/v1/callbacks/create').desiredTime).toBe('2031-06-09T16:00:00Z');
    expect(example(live, '/admin/v1/callbacks/{id}/recreate').desiredTime).toBe('2031-06-09T16:00:00Z');
    expect(example(committed as unknown as Doc, '/actions/v1/callbacks/create').desiredTime).toBe(EXAMPLE_TIME);
    expect(exampleTimeAfter(new Date('2031-06-06T10:00:00Z'))).toBe('2031-06-09T16:00:00Z');
  });
});

describe('Swagger UI "Try it out" on the demo data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
    await seedDemo(t.database.db);
  });
  afterAll(async () => t.close());

  it('answers 200 to the prefilled example of every data action, with the outcome a flow wants', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Doc;
    const { headers } = await authHeader(t, ['actions']);
    const expected: Record<string, (body: Json) => unknown> = {
      '/actions/v1/availability': (b) => (b.slotCount as number) > 0,
      '/actions/v1/open-for': (b) => typeof b.open === 'boolean',
      '/actions/v1/numbers/check': (b) => b.outcome === 'ALLOWED',
      '/actions/v1/queue-status': (b) => b.offerScheduled === true,
      '/actions/v1/offers': (b) => b.outcome === 'RECORDED' && b.result === 'ACCEPTED',
      '/actions/v1/callbacks/create': (b) => b.outcome === 'CREATED',
      '/actions/v1/callbacks/lookup': (b) => b.found === true,
      // Its example names no real callback: the flow's branch for an unknown id.
      '/actions/v1/callbacks/reschedule': (b) => b.outcome === 'NOT_FOUND',
      '/actions/v1/callbacks/cancel': (b) => b.outcome === 'CANCELLED',
      '/actions/v1/campaign-callbacks': (b) => b.outcome === 'SCHEDULED',
      // After the one just scheduled, for the same number.
      '/actions/v1/campaign-callbacks/cancel': (b) => b.outcome === 'CANCELLED',
      '/actions/v1/messages/opt-out': (b) => b.outcome === 'OPTED_OUT' && b.optedOut === true,
      '/actions/v1/call-in/requests': (b) => b.outcome === 'READY' && b.toPhoneNumber !== '',
      // Its example code is not the one just handed out (a random one): the flow's branch for a wrong code.
      '/actions/v1/call-in/match': (b) => b.outcome === 'WRONG_CODE' || b.outcome === 'NO_MATCH',
    };
    const actions = Object.keys(doc.paths).filter((p) => p.startsWith('/actions/'));
    expect(actions.sort()).toEqual(Object.keys(expected).sort());
    for (const [p, outcome] of Object.entries(expected)) {
      const payload = doc.paths[p]!.post!.requestBody!.content['application/json']!.example;
      expect(payload, p).toBeDefined();
      const res = await t.app.inject({ method: 'POST', url: p, headers, payload: payload! });
      expect(res.statusCode, `${p}: ${res.body}`).toBe(200);
      expect(outcome(res.json()), `${p}: ${res.body}`).toBe(true);
    }
  });
});

interface NewmanSummary {
  run: {
    stats: { requests: { total: number }; assertions: { total: number; failed: number } };
    failures: { source?: { name?: string }; error: { test?: string; message: string } }[];
  };
}
const newman = createRequire(import.meta.url)('newman') as {
  run(options: Json, callback: (err: Error | null, summary: NewmanSummary) => void): void;
};

describe('the Postman collection in newman', () => {
  let child: ChildProcess | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('runs green against a fresh `npm start` with the demo data: every request, every assertion', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'callbacks-newman-'));
    const port = await freePort();
    child = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', EMBEDDED_PG_PORT: String(await freePort()), LOG_LEVEL: 'warn', OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner in time:\n${out}`)), 120_000);
      child!.stdout!.on('data', () => {
        if (out.includes('curl -s -H')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child!.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
    });
    const credentials = (label: string) => {
      const m = new RegExp(`${label}\\s+client_id=(\\S+)\\s+client_secret=(\\S+)`).exec(out);
      if (!m) throw new Error(`no ${label} client in the banner:\n${out}`);
      return [m[1]!, m[2]!];
    };
    const [adminId, adminSecret] = credentials('administrator');
    const [actionsId, actionsSecret] = credentials('data actions');
    const envVar = Object.entries({
      baseUrl: `http://127.0.0.1:${port}`,
      adminClientId: adminId,
      adminClientSecret: adminSecret,
      actionsClientId: actionsId,
      actionsClientSecret: actionsSecret,
      // The demo data-action client holds both roles.
      eventsClientId: actionsId,
      eventsClientSecret: actionsSecret,
    }).map(([key, value]) => ({ key, value }));

    const summary = await new Promise<NewmanSummary>((resolve, reject) =>
      newman.run({ collection, envVar, reporters: [], timeoutRequest: 60_000 }, (err, s) => (err ? reject(err) : resolve(s))),
    );
    const failures = summary.run.failures.map((f) => `${f.source?.name ?? '?'}: ${f.error.test ?? ''} ${f.error.message}`);
    expect(failures).toEqual([]);
    const items = (collection.item as { item: unknown[] }[]).reduce((n, f) => n + f.item.length, 0);
    expect(summary.run.stats.requests.total).toBeGreaterThanOrEqual(items);
    expect(summary.run.stats.assertions.total).toBeGreaterThan(items);
  }, 300_000);
});
