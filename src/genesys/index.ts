import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { GenesysConfig } from '../config.js';
import type { DB } from '../db/types.js';
import type { GenesysGateway } from './gateway.js';
import { createSdkGateway } from './sdk-gateway.js';
import { createSimulatedGateway } from './simulated-gateway.js';

/** The real SDK when Genesys credentials are configured; otherwise the simulated gateway. */
export function createGateway(config: GenesysConfig, db: Kysely<DB>, logger: Logger): GenesysGateway {
  if (config.clientId === undefined) return createSimulatedGateway(db);
  const log = logger.child({ component: 'genesys' });
  return createSdkGateway(config, (obj, msg) => log.info(obj, msg));
}
