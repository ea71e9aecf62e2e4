import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';

/** Every migration, by name, in order. Add a new file and list it here; never edit an applied one. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
};
