import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * A process using onStop (the service and `npm run worker`): an unhandled rejection of a database
 * outage (graphile-worker leaves some unhandled) is logged and the process keeps serving; any other
 * one closes the process gracefully with exit code 1.
 */
function runScript(body: string): Promise<{ code: number | null; out: string }> {
  const script = `
    import { onStop } from './src/shutdown.ts';
    import { createLogger } from './src/logger.ts';
    const logger = createLogger('warn');
    onStop({ delayMs: 5000, logger, what: 'test' }, async () => { process.stdout.write('closed\\n'); });
    setInterval(() => undefined, 1000);
    ${body}
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

describe('unhandled rejections in a running process', () => {
  it('a database-unavailable rejection is logged and the process goes on; a later one of another kind closes it with exit 1', async () => {
    const { code, out } = await runScript(`
      Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
      setTimeout(() => { process.stdout.write('still serving\\n'); Promise.reject(new Error('a bug')); }, 300);
    `);
    expect(out).toContain('a background database call failed while the database was unavailable');
    expect(out).toContain('still serving');
    expect(out.indexOf('still serving')).toBeLessThan(out.indexOf('closed'));
    expect(code).toBe(1);
  });
});
