import { Logger as WorkerLogger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import { Kysely, Migrator, PostgresDialect, type MigrationResult } from 'kysely';
import pg from 'pg';
import { migrations } from '../../migrations/index.js';

/** Arbitrary but fixed: every instance of the service serializes schema changes on this key. */
const MIGRATION_LOCK_KEY = 7_311_845_201;

export interface MigrationReport {
  applied: string[];
}

/**
 * Applies every pending migration. A session-level advisory lock held on a dedicated connection
 * serializes concurrent starters (several replicas, the CLI): the second waits, then finds nothing
 * to do. Running it twice is a no-op.
 */
export async function migrateToLatest(url: string): Promise<MigrationReport> {
  const lockClient = new pg.Client({ connectionString: url, application_name: 'callback-engine-migrate' });
  await lockClient.connect();
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
  });
  try {
    await lockClient.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const migrator = new Migrator({
      db,
      // Listed statically rather than read from disk: works the same under tsx, vitest and the build.
      provider: { getMigrations: async () => migrations },
    });
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r: MigrationResult) => r.status === 'Error');
    if (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${reason}`.replace('  ', ' '));
    }
    // The job queue's own schema (graphile_worker), so jobs can be enqueued in our transactions.
    await runWorkerMigrations({ connectionString: url, logger: new WorkerLogger(() => () => undefined) });
    return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
  } finally {
    await lockClient.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockClient.end().catch(() => undefined);
    await db.destroy();
  }
}
