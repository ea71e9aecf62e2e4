import { testContext } from './helpers/context.js';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getClient, rotateSecret } from '../src/clients/service.js';
import { AppError } from '../src/errors.js';
import { buildTestApp, makeClient, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

/** `npm run cli -- ...` as an operator types it, against a test database. */

const execFileAsync = promisify(execFile);
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: t.url, JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent' };
  return execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

describe('cli: clients', () => {
  it('a malformed --id is refused with a message saying what an id looks like, not a database error', async () => {
    for (const command of ['rotate-secret', 'deactivate']) {
      const res = await cli('clients', command, '--id', 'not-a-client');
      expect(res.code, command).toBe(1);
      expect(res.stderr, command).toMatch(/^error: --id must be a client_id \(a UUID, as "clients list" shows\), got "not-a-client"\n/);
    }
    const missing = await cli('clients', 'deactivate', '--id', randomUUID());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: Client .* not found/);
  }, 180_000); // each command is a process start (tsx, database, migrations check)

  it('refuses queue names in --queues that name no queue (by name, id or Genesys id), and creates nothing', async () => {
    const queue = await factories(t.database.db).queue({ genesysQueueId: `gq-cli-${randomUUID()}` });
    const refused = await cli('clients', 'create', '--name', 'cli-typo', '--roles', 'actions', '--queues', `${queue.name},Nope`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: unknown queue\(s\) in --queues: Nope \(queues: .*\)\n/);
    expect(await t.database.db.selectFrom('api_clients').select('id').where('name', '=', 'cli-typo').execute()).toEqual([]);

    const created = await cli('clients', 'create', '--name', 'cli-ok', '--roles', 'actions', '--queues', `${queue.name},${queue.id},${queue.genesysQueueId}`, '--json');
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout).queues).toEqual([queue.name, queue.id, queue.genesysQueueId]);
  }, 180_000);
});

describe('clients service', () => {
  it('a client id that is not a UUID is NOT_FOUND, never a database type error', async () => {
    await makeClient(t, ['actions']);
    for (const attempt of [getClient(testContext(t.database.db), 'nope'), rotateSecret(testContext(t.database.db), 'nope')]) {
      const err = await attempt.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('NOT_FOUND');
    }
  });
});
