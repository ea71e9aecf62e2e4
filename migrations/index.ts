import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_queues_and_slots.js';

/** Every migration, by name, in order. Add a new file and list it here; never edit an applied one. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_queues_and_slots': m0002,
};
