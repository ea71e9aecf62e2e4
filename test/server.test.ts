import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive } from '../src/db/embedded.js';
import { freePort } from './helpers/ports.js';

/** The README's start command, as a newcomer runs it: a real process on the embedded database. */

let dataDir: string;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) process.kill(-c.pid!, 'SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** As a terminal runs it: `npm start` leading its own process group (the group a Ctrl-C goes to). */
async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn('npm', ['start'], {
    // A busy test machine lags the event loop: the overload guard has its own test.
    env: { ...process.env, ...env, LOG_LEVEL: 'warn', OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner in time:\n${out}`)), 90_000);
    const check = () => {
      if (/Get (an administrator )?(a )?token/.test(out) && out.includes('curl')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
  return { child, output: () => out };
}

/** Stops the service as an operator would; resolves when `npm` has exited, with what is left behind. */
async function stop(started: Started, how: 'ctrl-c' | 'kill -TERM') {
  const postmaster = path.join(dataDir, 'pg', 'postmaster.pid');
  const postgresPid = Number.parseInt((await readFile(postmaster, 'utf8')).split('\n')[0]!, 10);
  const exited = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)));
  if (how === 'ctrl-c') process.kill(-started.child.pid!, 'SIGINT'); // the terminal signals the whole foreground group
  else process.kill(started.child.pid!, 'SIGTERM');
  const code = await exited;
  const out = started.output();
  return {
    code,
    postgresRunning: processAlive(postgresPid) || existsSync(postmaster),
    errorLines: out.split('\n').filter((l) => /"level":(50|60)|terminating connection|ERROR/.test(l)),
    lastLine: out.trim().split('\n').at(-1),
  };
}

describe('npm start', () => {
  it('starts on the embedded database, prints working credentials once, keeps data and tokens across restarts, and stops cleanly on Ctrl-C (to its process group) and on kill -TERM of npm', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'callbacks-start-'));
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(await freePort()) };
    const base = `http://127.0.0.1:${port}`;

    const first = await start(env);
    const out = first.output();
    expect(out).toContain(`${base}/docs`);
    const curl = /curl -s -u '([^:]+):([^']+)' -d grant_type=client_credentials (\S+)/.exec(out);
    expect(curl).not.toBeNull();
    const [, id, secret, tokenUrl] = curl!;
    expect(tokenUrl).toBe(`${base}/oauth/token`);

    const tokenRes = await fetch(tokenUrl!, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(tokenRes.status).toBe(200);
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const clients = await fetch(`${base}/admin/v1/clients`, { headers: { authorization: `Bearer ${token}` } });
    expect(clients.status).toBe(200);
    expect(((await clients.json()) as { items: { name: string }[] }).items.map((c) => c.name)).toEqual(['demo-actions', 'demo-admin']);
    expect((await fetch(`${base}/docs/`)).status).toBe(200);
    // The console's URL and a demo administrator who signs in with the printed password.
    expect(out).toContain(`Console:   ${base}/console/`);
    const person = /Sign in to the console as (\S+) with password (\S+) /.exec(out);
    expect(person).not.toBeNull();
    const signIn = await fetch(`${base}/auth/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: person![1], password: person![2] }) });
    expect(signIn.status).toBe(200);
    expect(((await signIn.json()) as { roles: string[] }).roles).toEqual(['administrator']);
    // The demo queue answers the data action the banner shows.
    const queues = await fetch(`${base}/admin/v1/queues`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await queues.json()) as { items: { name: string }[] }).items.map((q) => q.name)).toEqual(['Demo']);
    expect(out).toContain('/actions/v1/availability');
    // Genesys data actions fail on reset connections: idle keep-alive outlives a 60 s load balancer.
    expect((await fetch(`${base}/healthz`)).headers.get('keep-alive')).toBe('timeout=72');

    // Ctrl-C: one clean shutdown, the embedded database stopped after the pool, one final line.
    expect(await stop(first, 'ctrl-c')).toEqual({ code: 0, postgresRunning: false, errorLines: [], lastLine: 'Callback engine stopped.' });

    const second = await start(env);
    expect(second.output()).not.toContain(secret);
    expect(second.output()).not.toContain(person![2]);
    expect(second.output()).not.toContain('Demo clients were created');
    // The CLI hint opens the same database as this process.
    expect(second.output()).toContain(`DATA_DIR=${dataDir} npm run cli -- clients create`);
    // The signing secret persisted under DATA_DIR: tokens issued before the restart still work.
    const again = await fetch(`${base}/admin/v1/clients`, { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(200);
    // kill -TERM on the npm process reaches the service too.
    expect(await stop(second, 'kill -TERM')).toEqual({ code: 0, postgresRunning: false, errorLines: [], lastLine: 'Callback engine stopped.' });
  }, 300_000);
});
