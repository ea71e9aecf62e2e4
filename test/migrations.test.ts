import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/db/migrate.js';
import { migrations } from '../migrations/index.js';
import { createEmptyDatabase } from './helpers/db.js';

const execFileAsync = promisify(execFile);

async function appliedMigrations(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>('select name from kysely_migration order by name');
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  it('apply every migration once; applying again is a no-op', async () => {
    const url = await createEmptyDatabase();
    const first = await migrateToLatest(url);
    expect(first.applied).toEqual(Object.keys(migrations));
    const second = await migrateToLatest(url);
    expect(second.applied).toEqual([]);
    expect(await appliedMigrations(url)).toEqual(Object.keys(migrations));
  });

  it('succeed in two processes started together on an empty database, applying each migration once', async () => {
    const url = await createEmptyDatabase();
    const run = () =>
      execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'migrate', '--json'], {
        env: { ...process.env, DATABASE_URL: url, JWT_SECRET: 'x'.repeat(40) },
      });
    const results = await Promise.all([run(), run(), run()]);
    const applied = results.map((r) => (JSON.parse(r.stdout) as { applied: string[] }).applied);
    // Exactly one process applied the migrations; the others waited on the lock and found nothing to do.
    expect(applied.filter((a) => a.length > 0)).toEqual([Object.keys(migrations)]);
    expect(await appliedMigrations(url)).toEqual(Object.keys(migrations));
  });

  it('run concurrently in one process without error', async () => {
    const url = await createEmptyDatabase();
    const reports = await Promise.all(Array.from({ length: 5 }, () => migrateToLatest(url)));
    expect(reports.flatMap((r) => r.applied)).toEqual(Object.keys(migrations));
  });
});
