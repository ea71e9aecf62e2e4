import type { Config } from '../config.js';
import { resolveRegion } from './sdk-gateway.js';

/**
 * Who may frame the operator console: the Genesys Cloud UI of the org's region (a client app
 * integration, `embedded-client-app`, shows its URL in an iframe of https://apps.<region host>,
 * e.g. https://apps.mypurecloud.ie), from GENESYS_REGION and GENESYS_LOGIN_REGION, plus the origins
 * of CONSOLE_FRAME_ANCESTORS. Nothing configured: only the console's own origin.
 */
export function consoleFrameAncestors(config: Pick<Config, 'genesys' | 'genesysSignIn' | 'consoleFrameAncestors'>): string[] {
  const regions = [config.genesys.region, config.genesysSignIn?.region].filter((r): r is string => r !== undefined);
  return [...new Set([...regions.map((r) => `https://apps.${resolveRegion(r)}`), ...config.consoleFrameAncestors])];
}
