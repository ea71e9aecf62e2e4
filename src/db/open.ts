import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type Config } from '../config.js';
import { ensureDatabaseExists } from './database.js';
import { startEmbeddedPostgres, withDatabase, type EmbeddedPostgres } from './embedded.js';

export const EMBEDDED_DATABASE_NAME = 'callbacks';

export interface OpenedDatabase {
  url: string;
  /** Set on the embedded default; `stop()` stops the server only if this process started it. */
  embedded: EmbeddedPostgres | undefined;
}

/** `DATABASE_URL` when set; otherwise the embedded PostgreSQL under `DATA_DIR` (started or reused). */
export async function openDatabase(config: Config, log?: (line: string) => void): Promise<OpenedDatabase> {
  if (config.database.kind === 'url') return { url: config.database.url, embedded: undefined };
  await ensureWritable(config.dataDir);
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.database.port, ownProcessGroup: true, ...(log && { log }) });
  try {
    await ensureDatabaseExists(embedded.url, EMBEDDED_DATABASE_NAME);
  } catch (err) {
    await embedded.stop();
    throw err;
  }
  return { url: withDatabase(embedded.url, EMBEDDED_DATABASE_NAME), embedded };
}

/**
 * Without DATABASE_URL the service keeps its own PostgreSQL under DATA_DIR. Where that cannot be
 * written (a read-only or non-root container image), say which setting is missing rather than
 * failing on a mkdir deep inside the start.
 */
async function ensureWritable(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true });
    await access(dataDir, constants.W_OK);
  } catch (err) {
    throw new ConfigError(
      'DATABASE_URL',
      `is not set, so the embedded PostgreSQL would keep its data under DATA_DIR (${path.resolve(dataDir)}), which cannot be written (${(err as NodeJS.ErrnoException).code ?? 'error'}): set DATABASE_URL to your PostgreSQL, or DATA_DIR to a writable directory`,
    );
  }
}
