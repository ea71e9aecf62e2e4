import { spawn, type ChildProcess } from 'node:child_process';
import type { GatewayLog } from '../../src/genesys/http-client.js';
import { createSdkGateway } from '../../src/genesys/sdk-gateway.js';
import type { FakeGenesys } from './fake-genesys.js';

/** The SDK gateway pointed at a fake Genesys Cloud. */
export function gatewayFor(fake: FakeGenesys, knobs: { maxRetryWaitMs?: number; baseBackoffMs?: number } = {}, log?: GatewayLog) {
  return createSdkGateway({ region: undefined, baseUrl: fake.baseUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, ...knobs }, log);
}

/** `npm run worker` as a real process on `databaseUrl`, talking to the fake, quick to declare a dead worker. */
export function startWorkerProcess(databaseUrl: string, fake: FakeGenesys, concurrency = 5, extraEnv: Record<string, string> = {}): ChildProcess {
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    JWT_SECRET: 'x'.repeat(40),
    GENESYS_BASE_URL: fake.baseUrl,
    GENESYS_CLIENT_ID: fake.clientId,
    GENESYS_CLIENT_SECRET: fake.clientSecret,
    WORKER_CONCURRENCY: String(concurrency),
    WORKER_HEARTBEAT_SECONDS: '1',
    WORKER_DEAD_AFTER_SECONDS: '3',
    LOG_LEVEL: 'silent',
    ...extraEnv,
  };
  return spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], { env, stdio: 'ignore' });
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

export async function waitUntil(fn: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
