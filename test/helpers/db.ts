import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from '../../src/db/embedded.js';

async function createDatabase(template: string | undefined): Promise<string> {
  const pgUrl = inject('pgUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  } finally {
    await client.end();
  }
  return withDatabase(pgUrl, name);
}

/** A fresh database cloned from the migrated template; one per call (files usually need one). */
export const createTestDatabase = () => createDatabase(inject('templateDb'));

/** An empty database (no migrations), for migration tests. */
export const createEmptyDatabase = () => createDatabase(undefined);
