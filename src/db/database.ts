import { Kysely } from 'kysely';
import pg from 'pg';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from '../config.js';
import { AfterCommitPostgresDialect } from './after-commit.js';
import { isClientTimeout } from './errors.js';
import type { DB } from './types.js';

// int8 (bigint ids, counts) as string would surprise callers of count(*); ids stay strings in the types.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => (Number.isSafeInteger(Number(v)) ? Number(v) : v));

export interface Database {
  db: Kysely<DB>;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * The server enforces the statement timeout, but a frozen or partitioned server enforces nothing:
 * the client gives up a little later on its own, so that normally the server's cancel comes first
 * and leaves the connection usable.
 */
const CLIENT_TIMEOUT_MARGIN_MS = 1_000;

/**
 * A client whose query the client-side timer abandoned is still busy with it (the next query would
 * queue behind it) and may sit on a dead socket: it closes itself, so the pool discards it on release
 * instead of lending it out again. Every user of the pool — Kysely, graphile-worker — gets this.
 */
class BoundedClient extends pg.Client {
  override query(...args: unknown[]): never {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const callback = last as (err: Error | undefined, res: unknown) => void;
      args[args.length - 1] = (err: Error | undefined, res: unknown) => {
        if (isClientTimeout(err)) this.abandon();
        callback(err, res);
      };
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      result.catch((err: unknown) => {
        if (isClientTimeout(err)) this.abandon();
      });
    }
    return result as never;
  }

  private abandon(): void {
    this.end().catch(() => undefined);
  }
}

export interface DatabaseOptions {
  max?: number;
  timeouts?: DatabaseTimeouts;
  onError?: (err: Error) => void;
}

export function createDatabase(url: string, opts: DatabaseOptions = {}): Database {
  const timeouts = opts.timeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  const pool = new pg.Pool({
    Client: BoundedClient,
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    query_timeout: timeouts.statementMs + CLIENT_TIMEOUT_MARGIN_MS,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    idleTimeoutMillis: 30_000,
    application_name: 'callback-engine',
  });
  // An idle client whose server went away emits 'error'; without a listener it would crash the process.
  pool.on('error', (err) => opts.onError?.(err));
  // pool.end() resolves once its connections are asked to close, not once they have: a database
  // stopped right after (the embedded one at shutdown) would cut them, and each would log an error.
  const connected = new Set<pg.PoolClient>();
  pool.on('connect', (client) => {
    connected.add(client);
    client.once('end', () => connected.delete(client));
  });
  const db = new Kysely<DB>({ dialect: new AfterCommitPostgresDialect({ pool }) });
  let closed: Promise<void> | undefined;
  return {
    db,
    pool,
    close: () =>
      (closed ??= (async () => {
        await db.destroy();
        await Promise.all([...connected].map((client) => new Promise((resolve) => client.once('end', resolve))));
      })()),
  };
}

/** Creates `name` on the server behind `maintenanceUrl` if it does not exist (embedded default, tests). */
export async function ensureDatabaseExists(maintenanceUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`create database ${client.escapeIdentifier(name)}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created concurrently by another process
      });
    }
  } finally {
    await client.end();
  }
}
