import type { Config } from '../config.js';
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
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.database.port, ...(log && { log }) });
  try {
    await ensureDatabaseExists(embedded.url, EMBEDDED_DATABASE_NAME);
  } catch (err) {
    await embedded.stop();
    throw err;
  }
  return { url: withDatabase(embedded.url, EMBEDDED_DATABASE_NAME), embedded };
}
