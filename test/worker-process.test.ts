import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/db.js';

/** `npm run worker` as an operator runs it beside the service, stopped from a terminal or a supervisor. */

let url: string;
const children: ChildProcess[] = [];
beforeAll(async () => {
  url = await createTestDatabase();
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
});

async function startWorker(): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn('npm', ['run', 'worker'], {
    env: { ...process.env, DATABASE_URL: url, JWT_SECRET: 'w'.repeat(40), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // leads its own process group, as a terminal's foreground job does
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const check = () => out.includes('job worker running') && resolve();
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
  return { child, output: () => out };
}

describe('npm run worker', () => {
  for (const how of ['ctrl-c', 'kill -TERM'] as const) {
    it(`stops cleanly on ${how}: exit 0, one final line, no error logged`, async () => {
      const { child, output } = await startWorker();
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      if (how === 'ctrl-c') process.kill(-child.pid!, 'SIGINT');
      else process.kill(child.pid!, 'SIGTERM');
      expect(await exited).toBe(0);
      const lines = output().trim().split('\n');
      expect(lines.filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
      expect(lines.at(-1)).toBe('Callback engine worker stopped.');
    });
  }
});
