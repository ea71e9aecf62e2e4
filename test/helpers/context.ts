import type { Kysely } from 'kysely';
import { clientCaller, ROLES, type Caller } from '../../src/auth/caller.js';
import { systemClock, type Clock } from '../../src/clock.js';
import { contextFor, createCaches, type Context } from '../../src/context.js';
import type { DB } from '../../src/db/types.js';
import { createSimulatedGateway } from '../../src/genesys/simulated-gateway.js';

/** An unrestricted caller for tests that call services directly. */
export const TEST_CALLER: Caller = clientCaller({ id: 'test', name: 'test', roles: ROLES, queues: null });

/** A service context on a test database: the simulated gateway, fresh caches, the wall clock unless given one. */
export function testContext(db: Kysely<DB>, caller: Caller = TEST_CALLER, clock: Clock = systemClock): Context {
  return contextFor({ db, clock, gateway: createSimulatedGateway(db), caches: createCaches() }, caller);
}
