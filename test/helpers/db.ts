import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from '../../src/db/embedded.js';

/** A fresh database cloned from the migrated template; one per call (files usually need one). */
export async function createTestDatabase(): Promise<string> {
  const pgUrl = inject('pgUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(`create database ${name} template ${inject('templateDb')}`);
  } finally {
    await client.end();
  }
  return withDatabase(pgUrl, name);
}

/** An empty database (no migrations), for migration tests. */
export async function createEmptyDatabase(): Promise<string> {
  const pgUrl = inject('pgUrl');
  const name = `e_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return withDatabase(pgUrl, name);
}
