import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/open.js';

/** What the container files promise, checked without a Docker engine. */

const execFileAsync = promisify(execFile);
let dir: string;
let notADirectory: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'callbacks-docker-'));
  notADirectory = path.join(dir, 'a-file');
  await writeFile(notADirectory, '');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('docker/compose.yaml', () => {
  it('has no fallback JWT secret: compose refuses to start without JWT_SECRET and says how to make one', async () => {
    const compose = await readFile('docker/compose.yaml', 'utf8');
    const line = compose.split('\n').find((l) => /^\s+JWT_SECRET:/.test(l));
    expect(line).toMatch(/"\$\{JWT_SECRET:\?[^}]*openssl rand -hex 32[^}]*\}"/);
    expect(compose).not.toMatch(/JWT_SECRET:-/);
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, data, build output, git and test output out of the build context', async () => {
    const entries = (await readFile('.dockerignore', 'utf8')).split('\n').map((l) => l.trim());
    for (const e of ['node_modules', '.data', 'dist', '.git', 'coverage', 'bench/results', '.env']) expect(entries).toContain(e);
  });
});

describe('starting without a database', () => {
  it('without JWT_SECRET next to DATABASE_URL the config names the variable and how to make one', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/x' })).toThrow(/^JWT_SECRET: is required when DATABASE_URL is set .*openssl rand -hex 32/);
  });

  it('an unwritable DATA_DIR without DATABASE_URL fails naming DATABASE_URL and DATA_DIR, before any PostgreSQL is started', async () => {
    const dataDir = path.join(notADirectory, '.data');
    const opened = openDatabase(loadConfig({ DATA_DIR: dataDir }));
    await expect(opened).rejects.toBeInstanceOf(ConfigError);
    await expect(opened).rejects.toThrow(
      `DATABASE_URL: is not set, so the embedded PostgreSQL would keep its data under DATA_DIR (${dataDir}), which cannot be written (ENOTDIR): set DATABASE_URL to your PostgreSQL, or DATA_DIR to a writable directory`,
    );
  });

  it('the service started that way (as the image runs without DATABASE_URL) exits 1 with that one message', async () => {
    const run = execFileAsync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: path.join(notADirectory, '.data'), PORT: '0', LOG_LEVEL: 'warn' },
    });
    const err = (await run.then(() => undefined, (e: unknown) => e)) as { code: number; stdout: string; stderr: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/^Failed to start: DATABASE_URL: is not set, .*set DATABASE_URL to your PostgreSQL, or DATA_DIR to a writable directory\n$/);
    expect(err.stdout).toBe('');
  }, 120_000); // a process start through tsx
});
