import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/ports.js';

/** The README's start command, as a newcomer runs it: a real process on the embedded database. */

let dataDir: string;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  output: () => string;
}

async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner in time:\n${out}`)), 30_000);
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

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('npm start', () => {
  it('starts on the embedded database, prints working credentials once, keeps data and tokens across restarts, and shuts down cleanly', async () => {
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
    // The demo queue answers the data action the banner shows.
    const queues = await fetch(`${base}/admin/v1/queues`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await queues.json()) as { items: { name: string }[] }).items.map((q) => q.name)).toEqual(['Demo']);
    expect(out).toContain('/actions/v1/availability');
    // Genesys data actions fail on reset connections: idle keep-alive outlives a 60 s load balancer.
    expect((await fetch(`${base}/healthz`)).headers.get('keep-alive')).toBe('timeout=72');

    expect(await stop(first.child)).toBe(0);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false); // the database was stopped too

    const second = await start(env);
    expect(second.output()).not.toContain(secret);
    expect(second.output()).not.toContain('Demo clients were created');
    // The signing secret persisted under DATA_DIR: tokens issued before the restart still work.
    const again = await fetch(`${base}/admin/v1/clients`, { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(200);
    expect(await stop(second.child)).toBe(0);
  });
});
