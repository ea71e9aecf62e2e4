import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/app.js';

/** `npm run cli -- users ...` as an operator types it, against a test database. */

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

function cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: t.url, JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent' };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

const signIn = (username: string, password: string) => t.app.inject({ method: 'POST', url: '/auth/v1/session', payload: { username, password } });

describe('cli: users', () => {
  it('creates a person with a generated password printed once as JSON; it signs in with it; disable, enable, set-password and delete work', async () => {
    const username = `cli-person-${Date.now()}`;
    const created = await cli(['users', 'create', '--username', username, '--roles', 'supervisor', '--display-name', 'Cli Person', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const out = JSON.parse(created.stdout) as { username: string; password: string; roles: string[] };
    expect(out).toMatchObject({ username, roles: ['supervisor'] });
    expect(out.password.length).toBeGreaterThanOrEqual(32);
    // Only a hash is stored.
    const row = await t.database.db.selectFrom('users').select('password_hash').where('username', '=', username).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain(out.password);
    const ok = await signIn(username, out.password);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().name).toBe('Cli Person');

    expect((await cli(['users', 'disable', '--username', username])).code).toBe(0);
    expect((await signIn(username, out.password)).statusCode).toBe(401);
    expect((await cli(['users', 'enable', '--username', username])).code).toBe(0);

    const chosen = 'a-chosen-password-of-some-length';
    const set = await cli(['users', 'set-password', '--username', username, '--password-stdin', '--json'], `${chosen}\n`);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).not.toHaveProperty('password');
    expect((await signIn(username, out.password)).statusCode).toBe(401);
    expect((await signIn(username, chosen)).statusCode).toBe(200);

    const listed = await cli(['users', 'list', '--json']);
    expect((JSON.parse(listed.stdout) as { username: string }[]).some((u) => u.username === username)).toBe(true);
    expect(listed.stdout).not.toContain('scrypt');

    expect((await cli(['users', 'delete', '--username', username])).code).toBe(0);
    expect((await signIn(username, chosen)).statusCode).toBe(401);
  }, 300_000);

  it('--password-stdin takes the password from stdin (a short one is refused naming the field); a duplicate username is refused whatever its case', async () => {
    const username = `Cli-Stdin-${Date.now()}`;
    const short = await cli(['users', 'create', '--username', username, '--roles', 'monitor', '--password-stdin'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/password must be at least 12 characters/);
    const created = await cli(['users', 'create', '--username', username, '--roles', 'monitor', '--password-stdin', '--json'], 'long-enough-password\n');
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).not.toHaveProperty('password');
    expect((await signIn(username.toLowerCase(), 'long-enough-password')).statusCode).toBe(200);
    const dup = await cli(['users', 'create', '--username', username.toUpperCase(), '--roles', 'monitor']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
  }, 300_000);
});
