import type { Kysely } from 'kysely';
import type { Caller } from './auth/caller.js';
import type { Clock } from './clock.js';
import type { DB } from './db/types.js';
import type { GenesysGateway } from './genesys/gateway.js';

/** What the app owns and every service call uses: the database, the clock and the Genesys gateway. */
export interface Services {
  db: Kysely<DB>;
  clock: Clock;
  gateway: GenesysGateway;
}

/**
 * A service call's context: the app's services and who is calling. Routes take it from the request
 * (built once, after authentication); jobs and the CLI build one with a system caller.
 */
export interface Context extends Services {
  caller: Caller;
}

export function contextFor(services: Services, caller: Caller): Context {
  return { db: services.db, clock: services.clock, gateway: services.gateway, caller };
}
