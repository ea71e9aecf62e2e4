import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureDatabaseExists } from '../src/db/database.js';
import { startEmbeddedPostgres, withDatabase } from '../src/db/embedded.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { freePort } from './helpers/ports.js';

export const TEMPLATE_DB = 'callbacks_template';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Maintenance-database URL of the test server. */
    pgUrl: string;
    templateDb: string;
  }
}

/**
 * One real PostgreSQL for the whole run (embedded, in a throwaway directory; or TEST_DATABASE_URL),
 * migrated once into a template database that every test file clones.
 */
export default async function setup(project: TestProject) {
  // The console's bundle, which the app serves at /console (a no-op when it is up to date).
  execFileSync(process.execPath, ['console/build.mjs'], { stdio: 'inherit' });
  let stop = async () => undefined as void;
  let pgUrl = process.env.TEST_DATABASE_URL;
  if (!pgUrl) {
    const dir = await mkdtemp(path.join(tmpdir(), 'callbacks-test-'));
    const pg = await startEmbeddedPostgres({
      dataDir: dir,
      port: await freePort(),
      // Durability is not what these tests measure; speed is welcome.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '500' },
    });
    pgUrl = pg.url;
    stop = async () => {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  await ensureDatabaseExists(pgUrl, TEMPLATE_DB);
  await migrateToLatest(withDatabase(pgUrl, TEMPLATE_DB));
  project.provide('pgUrl', pgUrl);
  project.provide('templateDb', TEMPLATE_DB);
  return stop;
}
