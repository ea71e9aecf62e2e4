import type { Kysely } from 'kysely';
import { clientCaller, ROLES } from '../src/auth/caller.js';
import { systemClock } from '../src/clock.js';
import { contextFor, createCaches, type Context } from '../src/context.js';
import type { DB } from '../src/db/types.js';
import { createSimulatedGateway } from '../src/genesys/simulated-gateway.js';

/** The unrestricted caller that sets up benchmark data through the services. */
export const BENCH_CALLER = clientCaller({ id: 'bench', name: 'bench', roles: ROLES, queues: null });

export function benchContext(db: Kysely<DB>): Context {
  return contextFor({ db, clock: systemClock, gateway: createSimulatedGateway(db), caches: createCaches() }, BENCH_CALLER);
}
