import type { Kysely } from 'kysely';
import type { Caller } from './auth/caller.js';
import { EwtCache } from './callbacks/ewt.js';
import type { Clock } from './clock.js';
import type { DB } from './db/types.js';
import type { GenesysGateway } from './genesys/gateway.js';
import { RuleCache } from './numbers/rules.js';
import { createBusinessMetrics, type BusinessMetrics } from './ops/business-metrics.js';
import { DaySlotCache } from './slots/search.js';
import { RoutingNameCache } from './callbacks/routing.js';

/**
 * What the app keeps in memory between requests, created with the app (or the worker) and gone with
 * it: two apps in one process share none of it.
 */
export interface Caches {
  /** Genesys estimated waits, per Genesys queue id, for a few seconds. */
  ewt: EwtCache;
  /** A queue configuration's open slots of a day. */
  daySlots: DaySlotCache;
  /** Number rules compiled at their current version. */
  numberRules: RuleCache;
  /** The business metrics' counters and the registry `/metrics` serves (ops/business-metrics.ts). */
  metrics: BusinessMetrics;
  /** Genesys routing skill and language names → ids, for some minutes. */
  routingNames: RoutingNameCache;
}

/** Fresh caches; `metrics` given when another part of the process (its job worker) counts into the same registry. */
export function createCaches(metrics: BusinessMetrics = createBusinessMetrics()): Caches {
  return { ewt: new EwtCache(), daySlots: new DaySlotCache(), numberRules: new RuleCache(), metrics, routingNames: new RoutingNameCache() };
}

/** What the app owns and every service call uses: the database, the clock, the Genesys gateway, the caches. */
export interface Services {
  db: Kysely<DB>;
  clock: Clock;
  gateway: GenesysGateway;
  caches: Caches;
}

/**
 * A service call's context: the app's services and who is calling. Routes take it from the request
 * (built once, after authentication); jobs and the CLI build one with a system caller.
 */
export interface Context extends Services {
  caller: Caller;
}

export function contextFor(services: Services, caller: Caller): Context {
  return { db: services.db, clock: services.clock, gateway: services.gateway, caches: services.caches, caller };
}
