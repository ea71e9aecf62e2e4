import { execFile } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive, startEmbeddedPostgres } from '../src/db/embedded.js';
import { freePort } from './helpers/ports.js';
import { waitUntil } from './helpers/worker.js';

const execFileAsync = promisify(execFile);
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'callbacks-embedded-'));
  dirs.push(d);
  return d;
}

describe('embedded PostgreSQL', () => {
  it('a port already in use fails the start with a message naming EMBEDDED_PG_PORT and the port', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const started = startEmbeddedPostgres({ dataDir: await tempDir(), port });
      await expect(started).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use`);
      await expect(started).rejects.toThrow(/set EMBEDDED_PG_PORT to a free port/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 120_000); // initdb

  it('with ownProcessGroup (as the service starts it) runs in its own process group (a terminal Ctrl-C does not reach it) and still stops when the process that started it exits', async () => {
    const dataDir = await tempDir();
    const port = await freePort();
    // A process that starts the database and exits without stopping it, printing the server's process group.
    const script = `
      import { execFileSync } from 'node:child_process';
      import { startEmbeddedPostgres } from './src/db/embedded.ts';
      const pg = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, ownProcessGroup: true });
      const pid = Number((await import('node:fs')).readFileSync(${JSON.stringify(path.join(dataDir, 'pg', 'postmaster.pid'))}, 'utf8').split('\\n')[0]);
      const pgid = execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)]).toString().trim();
      console.log(JSON.stringify({ owned: pg.owned, pid, pgid: Number(pgid), ownPgid: Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(process.pid)]).toString().trim()) }));
      process.exit(0);
    `;
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd() });
    const { owned, pid, pgid, ownPgid } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { owned: boolean; pid: number; pgid: number; ownPgid: number };
    expect(owned).toBe(true);
    expect(pgid).toBe(pid);
    expect(pgid).not.toBe(ownPgid);
    await waitUntil(() => !processAlive(pid), 30_000);
    await expect(readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).rejects.toThrow(/ENOENT/); // a clean shutdown
  }, 120_000); // a process start through tsx, and initdb
});
